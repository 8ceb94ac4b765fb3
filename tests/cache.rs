//! The result cache (`.snag_cache/`): a re-scan takes unchanged files' results
//! from it and reports exactly what a fresh scan reports; anything that could
//! change a file's findings (its bytes, the config, the rule selection) makes
//! snag analyse it again; a broken or unwritable cache is never an error.

mod common;

use common::{snag, Scratch, PYTHON_TWO_FINDINGS};

/// `(parsed, from the cache)` as `--timings` reports them.
fn parsed_and_cached(stderr: &str) -> (usize, usize) {
    let line = stderr
        .lines()
        .find(|line| line.starts_with("snag: timings ("))
        .unwrap_or_else(|| panic!("no timings line in:\n{stderr}"));
    let numbers: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .map(|part| part.parse().unwrap())
        .collect();
    (numbers[1], numbers[2])
}

const CLEAN: &str = "def add(a, b):\n    return a + b\n";

#[test]
fn a_rescan_takes_unchanged_files_from_the_cache_and_reports_the_same() {
    let scratch = Scratch::new("cache-rescan");
    scratch.write("app/db.py", PYTHON_TWO_FINDINGS);
    scratch.write("app/util.py", CLEAN);
    for format in ["json", "human", "sarif"] {
        let _ = std::fs::remove_dir_all(scratch.path.join(".snag_cache"));
        let args = ["check", "--all", "--timings", "--format", format];
        let first = snag(&scratch.path, &args);
        assert_eq!(first.code, 1, "{}", first.stderr);
        assert_eq!(parsed_and_cached(&first.stderr).1, 0);
        let second = snag(&scratch.path, &args);
        assert_eq!(second.code, 1, "{}", second.stderr);
        assert_eq!(
            parsed_and_cached(&second.stderr),
            (0, 2),
            "{}",
            second.stderr
        );
        assert_eq!(first.stdout, second.stdout, "{format} report differs");
    }
    // The cache keeps itself out of version control.
    let ignore = std::fs::read_to_string(scratch.path.join(".snag_cache/.gitignore")).unwrap();
    assert!(ignore.lines().any(|line| line == "*"), "{ignore}");
}

#[test]
fn an_edited_file_is_analysed_again() {
    let scratch = Scratch::new("cache-edit");
    scratch.write("db.py", PYTHON_TWO_FINDINGS);
    scratch.write("util.py", CLEAN);
    let args = ["check", "--all", "--timings", "--format", "json"];
    assert_eq!(snag(&scratch.path, &args).findings().len(), 2);
    // Same length, different bytes: only the content decides.
    scratch.write("db.py", PYTHON_TWO_FINDINGS.replace("SELECT *", "SELECT 1"));
    let edited = snag(&scratch.path, &args);
    assert_eq!(
        parsed_and_cached(&edited.stderr),
        (1, 1),
        "{}",
        edited.stderr
    );
    let rules: Vec<String> = edited.findings().into_iter().map(|f| f.2).collect();
    assert_eq!(rules, ["sql-injection"]);
}

#[test]
fn a_changed_config_or_selection_is_not_served_old_results() {
    let scratch = Scratch::new("cache-config");
    scratch.write("db.py", PYTHON_TWO_FINDINGS);
    let args = ["check", "--all", "--timings", "--format", "json"];
    assert_eq!(snag(&scratch.path, &args).findings().len(), 2);
    scratch.write("snag.toml", "ignore = [\"select-star\"]\n");
    let configured = snag(&scratch.path, &args);
    assert_eq!(parsed_and_cached(&configured.stderr).1, 0);
    assert_eq!(configured.findings().len(), 1);
    std::fs::remove_file(scratch.path.join("snag.toml")).unwrap();
    let selected = snag(
        &scratch.path,
        &[
            "check",
            "--all",
            "--timings",
            "--format",
            "json",
            "--select",
            "select-star",
        ],
    );
    assert_eq!(parsed_and_cached(&selected.stderr).1, 0);
    let rules: Vec<String> = selected.findings().into_iter().map(|f| f.2).collect();
    assert_eq!(rules, ["select-star"]);
}

#[test]
fn no_cache_neither_reads_nor_writes_it() {
    let scratch = Scratch::new("cache-off");
    scratch.write("db.py", PYTHON_TWO_FINDINGS);
    let args = ["check", "--all", "--timings", "--no-cache"];
    snag(&scratch.path, &args);
    assert!(!scratch.path.join(".snag_cache").exists());
    let again = snag(&scratch.path, &args);
    assert_eq!(parsed_and_cached(&again.stderr), (1, 0));
}

#[test]
fn a_corrupt_cache_is_an_empty_one_and_gets_rewritten() {
    let scratch = Scratch::new("cache-corrupt");
    scratch.write("db.py", PYTHON_TWO_FINDINGS);
    let args = ["check", "--all", "--timings", "--format", "json"];
    let first = snag(&scratch.path, &args);
    let version_dir = std::fs::read_dir(scratch.path.join(".snag_cache"))
        .unwrap()
        .flatten()
        .find(|entry| entry.path().is_dir())
        .unwrap()
        .path();
    let files: Vec<_> = std::fs::read_dir(&version_dir)
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    std::fs::write(&files[0], b"{\"format\": 1, \"entries\": {\"db.py\": [").unwrap();
    let second = snag(&scratch.path, &args);
    assert_eq!(second.code, 1, "{}", second.stderr);
    assert_eq!(parsed_and_cached(&second.stderr), (1, 0));
    assert_eq!(first.stdout, second.stdout);
    let third = snag(&scratch.path, &args);
    assert_eq!(parsed_and_cached(&third.stderr), (0, 1));
}

#[test]
fn an_unwritable_cache_warns_and_the_scan_still_reports() {
    let scratch = Scratch::new("cache-unwritable");
    scratch.write("db.py", PYTHON_TWO_FINDINGS);
    // A regular file where the cache directory should be.
    scratch.write("not-a-dir", "");
    let run = snag(
        &scratch.path,
        &[
            "check",
            "--all",
            "--format",
            "json",
            "--cache-dir",
            "not-a-dir",
            "db.py",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.findings().len(), 2);
    assert!(
        run.stderr.contains("cannot write the result cache"),
        "{}",
        run.stderr
    );
}
