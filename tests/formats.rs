//! End-to-end tests of the CI formats: SARIF validated against the official
//! 2.1.0 schema (vendored in `tests/data/`, so nothing is fetched), and
//! snapshots of the github, gitlab, rdjson, markdown and sarif reports of one
//! small project.

mod common;

use std::path::Path;

use common::{snag, Scratch, PYTHON_TWO_FINDINGS};
use serde_json::Value;

fn sarif_validator() -> jsonschema::Validator {
    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json");
    let text = std::fs::read_to_string(&schema_path).unwrap();
    // The official schema's `language` pattern has a lone `]`: a literal in
    // ECMA-262, JSON Schema's regex dialect, but an error in Rust's regex
    // crates. The same pattern with the `]` escaped means the same thing.
    let patched = text.replace(
        r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#,
        r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$""#,
    );
    assert_ne!(patched, text, "the schema's known erratum moved: revisit");
    let schema: Value = serde_json::from_str(&patched)
        .unwrap_or_else(|error| panic!("{}: {error}", schema_path.display()));
    // Nothing is fetched (`offline`); `uri` and other formats are checked.
    jsonschema::options()
        .offline()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|error| panic!("{}: not a usable schema: {error}", schema_path.display()))
}

/// Validates a SARIF log, failing with every schema error and where it is.
fn assert_valid_sarif(text: &str) -> Value {
    let log: Value =
        serde_json::from_str(text).unwrap_or_else(|error| panic!("not JSON ({error}):\n{text}"));
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF does not validate:\n{}",
        errors.join("\n")
    );
    log
}

#[test]
fn sarif_of_the_whole_corpus_validates_against_the_official_schema() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sarif = snag(root, &["check", "--all", "corpus", "--format", "sarif"]);
    assert_eq!(sarif.code, 1, "{}", sarif.stderr);
    let log = assert_valid_sarif(&sarif.stdout);
    let json = snag(root, &["check", "--all", "corpus", "--format", "json"]).json();
    // The validator does reject what breaks the schema.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
    broken["runs"][0]["columnKind"] = Value::from("characters");
    assert_eq!(sarif_validator().iter_errors(&broken).count(), 2);

    let run = &log["runs"][0];
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert!(findings.len() > 100, "the corpus has {}", findings.len());
    assert_eq!(results.len(), findings.len());
    for (result, finding) in results.iter().zip(findings) {
        let rule = &rules[result["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(rule["id"], result["ruleId"]);
        assert_eq!(result["ruleId"], finding["rule"]);
        assert_eq!(
            result["partialFingerprints"]["snag/v1"],
            finding["fingerprint"]
        );
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], finding["range"]["start"]["line"]);
        assert_eq!(region["startColumn"], finding["range"]["start"]["column"]);
        assert_eq!(region["endLine"], finding["range"]["end"]["line"]);
        assert_eq!(region["endColumn"], finding["range"]["end"]["column"]);
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert_eq!(uri, finding["path"].as_str().unwrap());
        assert_eq!(
            result["relatedLocations"]
                .as_array()
                .map_or(0, |related| related.len()),
            finding["related"].as_array().unwrap().len()
        );
    }
    for rule in rules {
        assert!(rule["fullDescription"]["text"].as_str().unwrap().len() > 20);
        assert!(rule["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("## Use instead"));
        assert!(rule["properties"]["tags"][0].is_string());
    }
}

#[test]
fn sarif_with_notices_unused_ignores_and_odd_paths_validates() {
    let scratch = Scratch::new("sarif-notices");
    scratch.write("with space/db.py", PYTHON_TWO_FINDINGS);
    scratch.write(
        "ignored.py",
        // A SQL statement, so the file is parsed (and its syntax error named).
        "x = 1  # snag: ignore[sql-injection]\ncur.execute(\"SELECT 1\")\ndef broken(:\n",
    );
    scratch.write("blob.py", b"x = 1\n\x00\x00binary\n");
    let run = snag(
        &scratch.path,
        &[
            "check",
            "--all",
            "--format",
            "sarif",
            "--report-unused-ignores",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let log = assert_valid_sarif(&run.stdout);
    let run = &log["runs"][0];
    let rule_ids: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|rule| rule["id"].as_str().unwrap())
        .collect();
    assert!(rule_ids.contains(&"unused-suppression"), "{rule_ids:?}");
    let uris: Vec<&str> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| {
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(
        uris,
        ["ignored.py", "with%20space/db.py", "with%20space/db.py"]
    );
    let notifications = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    let messages: Vec<&str> = notifications
        .iter()
        .map(|notification| notification["message"]["text"].as_str().unwrap())
        .collect();
    assert!(
        messages.iter().any(|message| message.contains("binary")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|message| message.contains("syntax error")),
        "{messages:?}"
    );
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
}

/// A project with two findings in one file and one in a file whose name
/// needs escaping in workflow commands.
fn small_project() -> Scratch {
    let scratch = Scratch::new("formats");
    scratch.write("app/db.py", PYTHON_TWO_FINDINGS);
    scratch.write(
        "app/odd,name:100%.py",
        "def f(conn, table):\n    conn.execute(\"SELECT * FROM \" + table)\n",
    );
    scratch
}

fn report(scratch: &Scratch, format: &str) -> String {
    let run = snag(&scratch.path, &["check", "--all", "--format", format]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    run.stdout
        .replace(&scratch.path.display().to_string(), "[ROOT]")
}

#[test]
fn github_workflow_commands_escape_properties_and_messages() {
    let scratch = small_project();
    let text = report(&scratch, "github");
    insta::assert_snapshot!("github", text);
    // One line per finding; the odd file name is escaped in `file=`.
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(
        text.contains("file=app/odd%2Cname%3A100%25.py,line=2,"),
        "{text}"
    );
    for line in text.lines() {
        assert!(
            line.starts_with("::error file=") || line.starts_with("::warning file="),
            "{line}"
        );
    }
}

#[test]
fn gitlab_code_quality_is_an_array_of_issues_with_fingerprints() {
    let scratch = small_project();
    let text = report(&scratch, "gitlab");
    insta::assert_snapshot!("gitlab", text);
    let issues: Value = serde_json::from_str(&text).unwrap();
    let issues = issues.as_array().unwrap();
    assert_eq!(issues.len(), 4);
    for issue in issues {
        for field in ["description", "check_name", "fingerprint", "severity"] {
            assert!(issue[field].is_string(), "{field} in {issue}");
        }
        assert!(issue["location"]["path"].is_string(), "{issue}");
        assert!(issue["location"]["lines"]["begin"].is_u64(), "{issue}");
    }
}

#[test]
fn rdjson_is_a_reviewdog_diagnostic_result() {
    let scratch = small_project();
    let text = report(&scratch, "rdjson");
    insta::assert_snapshot!("rdjson", text);
    let result: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(result["source"]["name"], "snag");
    assert_eq!(result["diagnostics"].as_array().unwrap().len(), 4);
}

#[test]
fn sarif_report_of_a_small_project() {
    let scratch = small_project();
    let text = report(&scratch, "sarif");
    let log = assert_valid_sarif(&text);
    // The root's URI is the scratch directory's, percent-encoded.
    let uri = log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        uri.starts_with("file:///") && uri.ends_with('/') && uri.contains("snag-test-formats"),
        "{uri}"
    );
    insta::assert_snapshot!("sarif", text.replace(uri, "file:///[ROOT]/"));
}

#[test]
fn markdown_comment_has_a_summary_table_and_each_finding() {
    let scratch = small_project();
    let text = report(&scratch, "markdown");
    insta::assert_snapshot!("markdown", text);
    assert!(text.contains("| `sql-injection` | error | 2 |"), "{text}");
    assert!(text.contains("| `select-star` | warning | 2 |"), "{text}");
    // Four findings are short enough to show open.
    assert!(!text.contains("<details>"), "{text}");
}

#[test]
fn markdown_collapses_long_reports_and_stays_under_githubs_limit() {
    let scratch = Scratch::new("markdown-long");
    let mut source = String::from("def find(conn, name):\n");
    for each in 0..800 {
        source.push_str(&format!(
            "    conn.execute(f\"SELECT id_{each} FROM users WHERE name = '{{name}}'\")\n"
        ));
    }
    scratch.write("many.py", &source);
    scratch.write("few.py", PYTHON_TWO_FINDINGS);
    let run = snag(&scratch.path, &["check", "--all", "--format", "markdown"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let text = run.stdout;
    assert!(text.contains("Found 802 findings"), "{}", &text[..500]);
    assert!(
        text.contains("<details>\n<summary><code>few.py</code>: 2 findings</summary>"),
        "{}",
        &text[..2000]
    );
    assert!(text.chars().count() < 65_536, "{} characters", text.len());
    assert!(
        text.trim_end().ends_with(
            "more findings not shown: the comment would be too long. Run `snag check` for the full report.*"
        ),
        "{}",
        &text[text.len() - 500..]
    );
    assert_eq!(
        text.matches("<details>").count(),
        text.matches("</details>").count()
    );
}
