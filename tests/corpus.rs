//! The corpus harness: runs the `snag` binary over `corpus/` and compares its
//! findings with the `snag-expect` / `snag-ok` marks in the files, in both
//! directions, naming file, line and rule for every difference. It prints the
//! positives and negatives per rule and language, and holds each rule to its
//! minimum.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Per rule and language, the least number of positives and of hard negatives.
const MINIMUM_CASES: usize = 8;
const LANGUAGES: [&str; 4] = ["python", "typescript", "javascript", "rust"];

fn repository_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[derive(Debug, Default)]
struct Marks {
    /// (path, line) → rules expected there.
    expected: BTreeMap<(String, u32), BTreeSet<String>>,
    /// (path, line) → rules that must stay silent there.
    silent: BTreeMap<(String, u32), BTreeSet<String>>,
}

fn corpus_files(directory: &Path, files: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(directory)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", directory.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            corpus_files(&path, files);
        } else if matches!(
            path.extension().and_then(|extension| extension.to_str()),
            Some("py" | "ts" | "tsx" | "js" | "jsx" | "mjs" | "cjs" | "rs")
        ) {
            files.push(path);
        }
    }
}

/// The rule ids after a marker word on a line.
fn marked_rules(line: &str, marker: &str) -> Option<Vec<String>> {
    let at = line.find(marker)?;
    let rest = &line[at + marker.len()..];
    let rules: Vec<String> = rest
        .split(',')
        .map(|piece| {
            piece
                .trim()
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '-')
                .collect::<String>()
        })
        .take_while(|rule| !rule.is_empty())
        .collect();
    Some(rules)
}

fn is_comment_only(line: &str) -> bool {
    let trimmed = line.trim_start();
    trimmed.starts_with('#') || trimmed.starts_with("//")
}

fn read_marks(root: &Path, files: &[PathBuf]) -> Marks {
    let mut marks = Marks::default();
    for path in files {
        let text = std::fs::read_to_string(path).unwrap();
        let relative = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let lines: Vec<&str> = text.lines().collect();
        for (index, line) in lines.iter().enumerate() {
            for (marker, target) in [
                ("snag-expect:", &mut marks.expected),
                ("snag-ok:", &mut marks.silent),
            ] {
                let Some(rules) = marked_rules(line, marker) else {
                    continue;
                };
                assert!(
                    !rules.is_empty(),
                    "{relative}:{}: `{marker}` names no rule",
                    index + 1
                );
                // A mark alone on its line is about the next line that is not
                // a comment.
                let mut line_number = index;
                if is_comment_only(line) {
                    line_number = (index + 1..lines.len())
                        .find(|next| !is_comment_only(lines[*next]))
                        .unwrap_or_else(|| {
                            panic!("{relative}:{}: a mark with no line after it", index + 1)
                        });
                }
                target
                    .entry((relative.clone(), line_number as u32 + 1))
                    .or_default()
                    .extend(rules);
            }
        }
    }
    marks
}

/// (path, line) → rules snag reported there.
fn run_snag(root: &Path) -> (BTreeMap<(String, u32), BTreeSet<String>>, serde_json::Value) {
    let output = Command::new(env!("CARGO_BIN_EXE_snag"))
        .current_dir(root)
        .args([
            "check",
            "--all",
            "--format",
            "json",
            "--no-progress",
            "corpus",
        ])
        .output()
        .expect("snag runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "snag failed ({:?}): {stderr}",
        output.status
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("the JSON report does not parse: {error}\n{stderr}"));
    let mut found: BTreeMap<(String, u32), BTreeSet<String>> = BTreeMap::new();
    for finding in report["findings"].as_array().expect("findings array") {
        let path = finding["path"].as_str().unwrap().to_string();
        let line = finding["range"]["start"]["line"].as_u64().unwrap() as u32;
        let rule = finding["rule"].as_str().unwrap().to_string();
        found.entry((path, line)).or_default().insert(rule);
    }
    (found, report)
}

fn language_of(path: &str) -> &str {
    path.split('/').nth(2).unwrap_or("?")
}

#[test]
fn corpus_matches_its_marks() {
    let root = repository_root();
    let mut files = Vec::new();
    corpus_files(&root.join("corpus"), &mut files);
    assert!(!files.is_empty(), "the corpus is empty");
    let marks = read_marks(&root, &files);
    let (found, _) = run_snag(&root);

    let mut differences = Vec::new();
    for ((path, line), rules) in &marks.expected {
        for rule in rules {
            let reported = found
                .get(&(path.clone(), *line))
                .is_some_and(|found| found.contains(rule));
            if !reported {
                differences.push(format!("{path}:{line}: missed `{rule}` (snag-expect)"));
            }
        }
    }
    for ((path, line), rules) in &found {
        let expected = marks.expected.get(&(path.clone(), *line));
        for rule in rules {
            if expected.is_some_and(|expected| expected.contains(rule)) {
                continue;
            }
            let trap = marks
                .silent
                .get(&(path.clone(), *line))
                .is_some_and(|silent| silent.contains(rule));
            let kind = if trap { "a trap fired" } else { "unexpected" };
            differences.push(format!("{path}:{line}: {kind}: `{rule}`"));
        }
    }

    // Positives and negatives per rule and language.
    let mut counts: BTreeMap<(String, String), (usize, usize)> = BTreeMap::new();
    for ((path, _), rules) in &marks.expected {
        for rule in rules {
            counts
                .entry((rule.clone(), language_of(path).to_string()))
                .or_default()
                .0 += 1;
        }
    }
    for ((path, _), rules) in &marks.silent {
        for rule in rules {
            counts
                .entry((rule.clone(), language_of(path).to_string()))
                .or_default()
                .1 += 1;
        }
    }
    println!(
        "{:<22} {:<12} {:>9} {:>9}",
        "rule", "language", "positive", "negative"
    );
    for ((rule, language), (positive, negative)) in &counts {
        println!("{rule:<22} {language:<12} {positive:>9} {negative:>9}");
    }

    // Each rule with a corpus folder must have enough cases in every language.
    for entry in std::fs::read_dir(root.join("corpus")).unwrap() {
        let entry = entry.unwrap();
        if !entry.path().is_dir() {
            continue;
        }
        let rule = entry.file_name().to_string_lossy().into_owned();
        for language in LANGUAGES {
            let (positive, negative) = counts
                .get(&(rule.clone(), language.to_string()))
                .copied()
                .unwrap_or_default();
            if positive < MINIMUM_CASES || negative < MINIMUM_CASES {
                differences.push(format!(
                    "corpus/{rule}/{language}: {positive} positives and {negative} negatives; each must be at least {MINIMUM_CASES}"
                ));
            }
        }
    }

    assert!(
        differences.is_empty(),
        "{} difference(s) between snag and the corpus marks:\n{}",
        differences.len(),
        differences.join("\n")
    );
}
