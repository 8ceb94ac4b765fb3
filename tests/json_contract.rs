//! `snag check --format json` keeps the contract of DESIGN.md: exactly these
//! keys, these types, 1-based positions, relative `/` paths, stable and
//! distinct fingerprints.

mod common;

use std::collections::BTreeSet;

use common::snag;
use serde_json::Value;

fn keys(value: &Value) -> BTreeSet<&str> {
    value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

fn check_range(range: &Value, context: &str) {
    assert_eq!(keys(range), BTreeSet::from(["start", "end"]), "{context}");
    for end in ["start", "end"] {
        assert_eq!(
            keys(&range[end]),
            BTreeSet::from(["line", "column"]),
            "{context}"
        );
        assert!(range[end]["line"].as_u64().unwrap() >= 1, "{context}");
        assert!(range[end]["column"].as_u64().unwrap() >= 1, "{context}");
    }
    let start = (
        range["start"]["line"].as_u64(),
        range["start"]["column"].as_u64(),
    );
    let end = (
        range["end"]["line"].as_u64(),
        range["end"]["column"].as_u64(),
    );
    assert!(start <= end, "{context}: range ends before it starts");
}

#[test]
fn corpus_report_follows_the_design_contract() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let run = snag(
        &root,
        &[
            "check",
            "--all",
            "--format",
            "json",
            "--no-progress",
            "corpus",
        ],
    );
    assert!(matches!(run.code, 0 | 1), "{}", run.stderr);
    let report = run.json();
    assert_eq!(
        keys(&report),
        BTreeSet::from(["version", "tool", "findings", "summary"])
    );
    assert_eq!(report["version"], 1);
    assert_eq!(report["tool"]["name"], "snag");
    assert_eq!(report["tool"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        keys(&report["summary"]),
        BTreeSet::from(["files", "findings"])
    );
    let findings = report["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    assert_eq!(
        report["summary"]["findings"].as_u64().unwrap() as usize,
        findings.len()
    );
    assert!(report["summary"]["files"].as_u64().unwrap() > 0);

    let mut fingerprints = BTreeSet::new();
    let mut previous: Option<(String, u64, u64)> = None;
    for finding in findings {
        let context = finding.to_string();
        assert_eq!(
            keys(finding),
            BTreeSet::from([
                "rule",
                "pack",
                "severity",
                "confidence",
                "path",
                "range",
                "message",
                "related",
                "fix",
                "fingerprint"
            ]),
            "{context}"
        );
        let rule = finding["rule"].as_str().unwrap();
        let expected_pack = match rule {
            "select-star"
            | "n-plus-one"
            | "blocking-in-async"
            | "missing-pool"
            | "slow-work-in-handler"
            | "missing-cache" => "perf",
            "sql-injection" | "command-injection" | "code-injection" => "security",
            "missing-timeout" => "resilience",
            other => panic!("unknown rule `{other}`: {context}"),
        };
        assert_eq!(finding["pack"], expected_pack);
        assert!(["error", "warning", "info"].contains(&finding["severity"].as_str().unwrap()));
        assert!(["high", "medium", "low"].contains(&finding["confidence"].as_str().unwrap()));
        let path = finding["path"].as_str().unwrap();
        assert!(
            path.starts_with("corpus/") && !path.contains('\\'),
            "{context}"
        );
        check_range(&finding["range"], &context);
        assert!(!finding["message"].as_str().unwrap().is_empty());
        for related in finding["related"].as_array().unwrap() {
            assert_eq!(
                keys(related),
                BTreeSet::from(["path", "range", "message"]),
                "{context}"
            );
            assert_eq!(related["path"], finding["path"]);
            check_range(&related["range"], &context);
        }
        assert!(finding["fix"].is_null() || finding["fix"].is_object());
        let fingerprint = finding["fingerprint"].as_str().unwrap();
        assert_eq!(fingerprint.len(), 16, "{context}");
        assert!(
            fingerprints.insert(fingerprint.to_string()),
            "duplicate fingerprint: {context}"
        );
        // Sorted by path, then line, then column.
        let key = (
            path.to_string(),
            finding["range"]["start"]["line"].as_u64().unwrap(),
            finding["range"]["start"]["column"].as_u64().unwrap(),
        );
        if let Some(previous) = &previous {
            assert!(previous <= &key, "findings out of order at {context}");
        }
        previous = Some(key);
    }
}

#[test]
fn fingerprints_survive_edits_that_move_lines() {
    let scratch = common::Scratch::new("fingerprint");
    let body = "import sqlite3\nconn = sqlite3.connect('a')\ndef f(name):\n    conn.execute(f\"SELECT * FROM t WHERE n = '{name}'\")\n";
    scratch.write("db.py", body);
    let before = snag(&scratch.path, &["check", "--all", "--format", "json"]).json();
    scratch.write("db.py", format!("\"\"\"Docs.\"\"\"\n\nimport os\n{body}"));
    let after = snag(&scratch.path, &["check", "--all", "--format", "json"]).json();
    let prints = |report: &Value| -> Vec<String> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|finding| finding["fingerprint"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(prints(&before).len(), 2);
    assert_eq!(prints(&before), prints(&after));
    assert_ne!(
        before["findings"][0]["range"]["start"]["line"],
        after["findings"][0]["range"]["start"]["line"]
    );
}
