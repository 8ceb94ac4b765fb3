//! End-to-end tests of `snag baseline` and of `check` hiding what a
//! baseline holds, across edits that move the findings.

mod common;

use common::{snag, Scratch, PYTHON_TWO_FINDINGS};

/// A second file with one injection, on line 2.
const OTHER: &str = "def drop(conn, table):\n    conn.execute(\"DROP TABLE \" + table)\n";

fn recorded_rules(scratch: &Scratch) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(scratch.path.join(".snag-baseline.json")).unwrap();
    let baseline: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(baseline["version"], 1, "{text}");
    baseline["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            assert_eq!(entry["fingerprint"].as_str().unwrap().len(), 16, "{entry}");
            (
                entry["path"].as_str().unwrap().to_string(),
                entry["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pair(path: &str, rule: &str) -> (String, String) {
    (path.to_string(), rule.to_string())
}

#[test]
fn baselined_findings_are_hidden_and_counted_and_new_ones_are_not() {
    let scratch = Scratch::new("baseline-hide");
    scratch.write("app/db.py", PYTHON_TWO_FINDINGS);
    let recorded = snag(&scratch.path, &["baseline"]);
    assert_eq!(recorded.code, 0, "{}", recorded.stderr);
    assert!(
        recorded.stderr.contains("recorded 2 findings in"),
        "{}",
        recorded.stderr
    );
    assert_eq!(
        recorded_rules(&scratch),
        vec![
            pair("app/db.py", "select-star"),
            pair("app/db.py", "sql-injection")
        ]
    );

    let check = snag(&scratch.path, &["check", "--all", "--format", "json"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert_eq!(check.findings(), vec![]);
    assert!(
        check
            .stderr
            .contains("2 findings hidden by the baseline .snag-baseline.json"),
        "{}",
        check.stderr
    );

    scratch.write("app/other.py", OTHER);
    let check = snag(&scratch.path, &["check", "--all", "--format", "json"]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    assert_eq!(
        check.findings(),
        vec![("app/other.py".to_string(), 2, "sql-injection".to_string())]
    );

    let everything = snag(
        &scratch.path,
        &["check", "--all", "--format", "json", "--no-baseline"],
    );
    assert_eq!(everything.findings().len(), 3);
    assert!(
        !everything.stderr.contains("hidden"),
        "{}",
        everything.stderr
    );
}

#[test]
fn baselined_findings_stay_hidden_after_edits_that_move_their_lines() {
    let scratch = Scratch::new("baseline-move");
    scratch.write("db.py", PYTHON_TWO_FINDINGS);
    assert_eq!(snag(&scratch.path, &["baseline"]).code, 0);

    // Lines added above and between, the function re-indented into a class:
    // the flagged code itself is the same.
    let moved = concat!(
        "\"\"\"Users.\"\"\"\n",
        "\n",
        "import logging\n",
        "import sqlite3\n",
        "\n",
        "LOG = logging.getLogger(__name__)\n",
        "\n",
        "\n",
        "class Repo:\n",
        "    def find(self, conn: sqlite3.Connection, name):\n",
        "        LOG.info(\"finding %s\", name)\n",
        "        cur = conn.cursor()\n",
        "        cur.execute(f\"SELECT id FROM users WHERE name = '{name}'\")\n",
        "        cur.execute(\"SELECT * FROM users\")\n",
    );
    scratch.write("db.py", moved);
    let unfiltered = snag(
        &scratch.path,
        &["check", "--all", "--format", "json", "--no-baseline"],
    );
    let lines: Vec<u64> = unfiltered
        .findings()
        .iter()
        .map(|(_, line, _)| *line)
        .collect();
    assert_eq!(lines, vec![13, 14], "{moved}");

    let check = snag(&scratch.path, &["check", "--all", "--format", "json"]);
    assert_eq!(check.findings(), vec![], "{}", check.stderr);
    assert_eq!(check.code, 0);
    assert!(
        check.stderr.contains("2 findings hidden"),
        "{}",
        check.stderr
    );

    // Editing the flagged code itself makes it a finding to review again.
    scratch.write(
        "db.py",
        moved.replace("SELECT * FROM users", "SELECT * FROM customers"),
    );
    let check = snag(&scratch.path, &["check", "--all", "--format", "json"]);
    assert_eq!(
        check.findings(),
        vec![("db.py".to_string(), 14, "select-star".to_string())]
    );
    assert!(
        check.stderr.contains("1 finding hidden"),
        "{}",
        check.stderr
    );
}

#[test]
fn a_baseline_of_some_paths_keeps_the_entries_of_the_others() {
    let scratch = Scratch::new("baseline-paths");
    scratch.write("a/db.py", PYTHON_TWO_FINDINGS);
    scratch.write("b/other.py", OTHER);
    assert_eq!(snag(&scratch.path, &["baseline"]).code, 0);
    assert_eq!(recorded_rules(&scratch).len(), 3);

    // `a/` is fixed; a baseline of `a` drops its entries, keeps `b/`'s.
    scratch.write("a/db.py", "def ok():\n    return 1\n");
    let run = snag(&scratch.path, &["baseline", "a"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("recorded 0 findings in ")
            && run
                .stderr
                .contains(".snag-baseline.json (and kept 1 of other paths)"),
        "{}",
        run.stderr
    );
    assert_eq!(
        recorded_rules(&scratch),
        vec![pair("b/other.py", "sql-injection")]
    );
    assert_eq!(snag(&scratch.path, &["check", "--all"]).code, 0);
}

#[test]
fn a_broken_baseline_is_an_error_naming_the_file() {
    let scratch = Scratch::new("baseline-broken");
    scratch.write("db.py", PYTHON_TWO_FINDINGS);
    scratch.write(
        ".snag-baseline.json",
        "{\"version\": 1,\n \"findings\": 7}\n",
    );
    let run = snag(&scratch.path, &["check", "--all"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(".snag-baseline.json:2:") && run.stderr.contains("not a snag baseline"),
        "{}",
        run.stderr
    );
    let other = snag(
        &scratch.path,
        &["check", "--all", "--baseline", "missing.json"],
    );
    assert_eq!(other.code, 2);
    assert!(
        other
            .stderr
            .contains("missing.json: cannot read the baseline"),
        "{}",
        other.stderr
    );
}

#[test]
fn baseline_output_is_written_whole_and_elsewhere_on_request() {
    let scratch = Scratch::new("baseline-output");
    scratch.write("db.py", PYTHON_TWO_FINDINGS);
    let run = snag(&scratch.path, &["baseline", "--output", "ci/accepted.json"]);
    // The directory does not exist: an error naming the file, nothing half-written.
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("ci/"), "{}", run.stderr);
    std::fs::create_dir_all(scratch.path.join("ci")).unwrap();
    let run = snag(&scratch.path, &["baseline", "--output", "ci/accepted.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!scratch.path.join(".snag-baseline.json").exists());
    let leftovers: Vec<_> = std::fs::read_dir(scratch.path.join("ci"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, vec![std::ffi::OsString::from("accepted.json")]);
    let check = snag(
        &scratch.path,
        &["check", "--all", "--baseline", "ci/accepted.json"],
    );
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert!(check
        .stderr
        .contains("2 findings hidden by the baseline ci/accepted.json"));
}
