//! End-to-end tests of `snag check`, `snag rules` and `snag rule`: exit codes,
//! selection, configuration errors, suppressions and standard input.

mod common;

use common::{snag, snag_with_stdin, Scratch, PYTHON_TWO_FINDINGS};

#[test]
fn findings_exit_one_and_clean_code_exits_zero() {
    let scratch = Scratch::new("exit");
    scratch.write("app/db.py", PYTHON_TWO_FINDINGS);
    let run = snag(&scratch.path, &["check", "--all", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.findings(),
        vec![
            ("app/db.py".to_string(), 5, "sql-injection".to_string()),
            ("app/db.py".to_string(), 6, "select-star".to_string()),
        ]
    );

    let clean = Scratch::new("exit-clean");
    clean.write("ok.py", "def add(a, b):\n    return a + b\n");
    let run = snag(&clean.path, &["check", "--all"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("No findings in 1 file."),
        "{}",
        run.stdout
    );
}

#[test]
fn exit_zero_keeps_findings_but_succeeds() {
    let scratch = Scratch::new("exit-zero");
    scratch.write("db.py", PYTHON_TWO_FINDINGS);
    let run = snag(
        &scratch.path,
        &["check", "--all", "--exit-zero", "--format", "json"],
    );
    assert_eq!(run.code, 0);
    assert_eq!(run.findings().len(), 2);
}

#[test]
fn select_and_ignore_take_rule_ids_and_packs() {
    let scratch = Scratch::new("select");
    scratch.write("db.py", PYTHON_TWO_FINDINGS);
    let only_security = snag(
        &scratch.path,
        &["check", "--all", "--format", "json", "--select", "security"],
    );
    assert_eq!(only_security.findings().len(), 1);
    assert_eq!(only_security.findings()[0].2, "sql-injection");
    let without_star = snag(
        &scratch.path,
        &[
            "check",
            "--all",
            "--format",
            "json",
            "--ignore",
            "select-star",
        ],
    );
    assert_eq!(without_star.findings().len(), 1);
    assert_eq!(without_star.findings()[0].2, "sql-injection");
    let unknown = snag(&scratch.path, &["check", "--all", "--select", "n-plus-two"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("n-plus-two"), "{}", unknown.stderr);
}

#[test]
fn usage_errors_exit_two() {
    let scratch = Scratch::new("usage");
    let run = snag(&scratch.path, &["check", "--format", "yaml"]);
    assert_eq!(run.code, 2);
    let missing = snag(&scratch.path, &["check", "--all", "does-not-exist"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("does-not-exist"),
        "{}",
        missing.stderr
    );
}

#[test]
fn config_unknown_key_exits_two_naming_file_line_and_key() {
    let scratch = Scratch::new("config-key");
    scratch.write("db.py", PYTHON_TWO_FINDINGS);
    scratch.write("snag.toml", "select = [\"perf\"]\nexculde = [\"x\"]\n");
    let run = snag(&scratch.path, &["check", "--all"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("snag.toml:2:"), "{}", run.stderr);
    assert!(run.stderr.contains("exculde"), "{}", run.stderr);
}

#[test]
fn config_bad_rule_and_bad_catalog_are_errors() {
    let scratch = Scratch::new("config-rule");
    scratch.write("snag.toml", "[severity]\nselect-stars = \"error\"\n");
    let run = snag(&scratch.path, &["check", "--all"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("snag.toml:2:"), "{}", run.stderr);
    assert!(run.stderr.contains("select-stars"), "{}", run.stderr);

    let catalog = Scratch::new("config-catalog");
    catalog.write("snag.toml", "[[catalog.sql-sink]]\npaths = [\"pg.**\"]\n");
    let run = snag(&catalog.path, &["check", "--all"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("pg.**"), "{}", run.stderr);
}

#[test]
fn config_select_severity_exclude_and_catalog_extension_apply() {
    let scratch = Scratch::new("config-apply");
    scratch.write(
        "pyproject.toml",
        "[project]\nname = \"shop\"\n\n[tool.snag]\nexclude = [\"legacy/\"]\n\n[tool.snag.severity]\nselect-star = \"error\"\n\n[[tool.snag.catalog.sql-sink]]\npaths = [\"shop.db.run_sql\"]\n",
    );
    scratch.write("legacy/old.py", PYTHON_TWO_FINDINGS);
    scratch.write(
        "shop/report.py",
        "from shop.db import run_sql\n\ndef report():\n    return run_sql(\"SELECT * FROM orders\")\n",
    );
    let run = snag(&scratch.path, &["check", "--all", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = run.json();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{}", run.stdout);
    assert_eq!(findings[0]["path"], "shop/report.py");
    assert_eq!(findings[0]["severity"], "error");
}

#[test]
fn suppressions_on_the_line_and_the_line_above() {
    let scratch = Scratch::new("suppress");
    scratch.write(
        "db.py",
        concat!(
            "import sqlite3\n",
            "conn = sqlite3.connect('x.db')\n",
            "def a(name):\n",
            "    conn.execute(f\"SELECT id FROM t WHERE n = '{name}'\")  # snag: ignore[sql-injection]\n",
            "    # snag: ignore[select-star]\n",
            "    conn.execute(\"SELECT * FROM t\")\n",
            "    conn.execute(\"SELECT * FROM u\")  # snag: ignore[sql-injection]\n",
        ),
    );
    let run = snag(&scratch.path, &["check", "--all", "--format", "json"]);
    assert_eq!(
        run.findings(),
        vec![("db.py".to_string(), 7, "select-star".to_string())]
    );
    let unused = snag(
        &scratch.path,
        &[
            "check",
            "--all",
            "--format",
            "json",
            "--report-unused-ignores",
        ],
    );
    let rules: Vec<(u64, String)> = unused
        .findings()
        .into_iter()
        .map(|(_, line, rule)| (line, rule))
        .collect();
    assert_eq!(
        rules,
        vec![
            (7, "select-star".to_string()),
            (7, "unused-suppression".to_string())
        ]
    );
}

#[test]
fn file_level_suppression() {
    let scratch = Scratch::new("suppress-file");
    scratch.write(
        "db.ts",
        "// snag: ignore-file[select-star]\nimport { Pool } from 'pg';\nconst pool = new Pool();\nexport const all = () => pool.query('SELECT * FROM users');\n",
    );
    let run = snag(&scratch.path, &["check", "--all", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn stdin_is_analysed_under_the_given_name() {
    let scratch = Scratch::new("stdin");
    let run = snag_with_stdin(
        &scratch.path,
        &[
            "check",
            "--format",
            "json",
            "--stdin-filename",
            "src/app/db.py",
        ],
        PYTHON_TWO_FINDINGS.as_bytes(),
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.findings()[0].0, "src/app/db.py");
    assert_eq!(run.findings().len(), 2);
    let unknown = snag_with_stdin(
        &scratch.path,
        &["check", "--stdin-filename", "notes.txt"],
        b"x",
    );
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("notes.txt"), "{}", unknown.stderr);
}

#[test]
fn output_file_holds_the_report() {
    let scratch = Scratch::new("output");
    scratch.write("db.py", PYTHON_TWO_FINDINGS);
    let run = snag(
        &scratch.path,
        &[
            "check",
            "--all",
            "--format",
            "json",
            "--output",
            "report.json",
        ],
    );
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty());
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(scratch.path.join("report.json")).unwrap())
            .unwrap();
    assert_eq!(report["summary"]["findings"], 2);
    let leftovers: Vec<_> = std::fs::read_dir(&scratch.path)
        .unwrap()
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_name().to_string_lossy().contains("snag-tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

/// `--output /dev/null` once replaced the device with a regular file, because
/// the report was renamed into place; a pipe shows the same thing safely.
#[cfg(unix)]
#[test]
fn output_to_a_pipe_or_through_a_link_keeps_what_is_there() {
    use std::os::unix::fs::FileTypeExt;
    let scratch = Scratch::new("output-special");
    scratch.write("db.py", PYTHON_TWO_FINDINGS);
    let pipe = scratch.path.join("report.pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&pipe)
        .status()
        .unwrap();
    assert!(made.success());
    let (sender, receiver) = std::sync::mpsc::channel();
    let reader_path = pipe.clone();
    std::thread::spawn(move || {
        let _ = sender.send(std::fs::read_to_string(reader_path));
    });
    let run = snag(
        &scratch.path,
        &[
            "check",
            "--all",
            "--format",
            "json",
            "--output",
            "report.pipe",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(std::fs::symlink_metadata(&pipe)
        .unwrap()
        .file_type()
        .is_fifo());
    let received = receiver
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("nothing was written to the pipe")
        .unwrap();
    let report: serde_json::Value = serde_json::from_str(&received).unwrap();
    assert_eq!(report["summary"]["findings"], 2);

    scratch.write("reports/latest.json", "old");
    std::os::unix::fs::symlink("reports/latest.json", scratch.path.join("link.json")).unwrap();
    let run = snag(
        &scratch.path,
        &[
            "check",
            "--all",
            "--format",
            "json",
            "--output",
            "link.json",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let link = std::fs::symlink_metadata(scratch.path.join("link.json")).unwrap();
    assert!(link.file_type().is_symlink());
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(scratch.path.join("reports/latest.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(report["summary"]["findings"], 2);
}

#[test]
fn gitignored_and_dependency_folders_are_skipped() {
    let scratch = Scratch::new("walk");
    scratch.write(".gitignore", "generated/\n");
    scratch.write("generated/db.py", PYTHON_TWO_FINDINGS);
    scratch.write(
        "node_modules/pkg/index.js",
        "const { Pool } = require('pg'); new Pool().query('SELECT * FROM t');\n",
    );
    scratch.write("src/db.py", PYTHON_TWO_FINDINGS);
    let run = snag(&scratch.path, &["check", "--all", "--format", "json"]);
    let paths: Vec<String> = run.findings().into_iter().map(|(path, ..)| path).collect();
    assert_eq!(paths, vec!["src/db.py", "src/db.py"]);
    assert_eq!(run.json()["summary"]["files"], 1);
}

/// `missing-timeout` judges what the file shows: a session handed to a
/// helper may be configured there, an options spread may bring a timeout, a
/// builder configured through a variable keeps it, and tests are silent.
#[test]
fn missing_timeout_judges_what_the_file_shows_of_each_client() {
    let scratch = Scratch::new("missing-timeout");
    scratch.write(
        "worker.py",
        "import requests\nfrom .http import install_timeouts\n\n\
session = requests.Session()\ninstall_timeouts(session)\n\naudit = requests.Session()\n\n\
def sync(url, **options):\n    session.get(url)\n    audit.post(url, json={})\n    \
requests.get(url, **options)\n",
    );
    scratch.write(
        "client.ts",
        "import axios from 'axios';\nconst defaults = { timeout: 5_000 };\n\
export async function load(url: string, extra: object) {\n  \
await axios.get(url, { ...extra });\n  await axios.get(url, { ...defaults, timeout: 0 });\n  \
await axios.get(url, { params: { a: 1 } });\n}\n",
    );
    scratch.write(
        "src/client.rs",
        "use std::time::Duration;\npub fn client(timeout: Option<Duration>) -> reqwest::Client {\n    \
let mut builder = reqwest::Client::builder();\n    if let Some(timeout) = timeout {\n        \
builder = builder.timeout(timeout);\n    }\n    builder.build().unwrap()\n}\n\
pub fn bare() -> reqwest::Client {\n    \
reqwest::Client::builder().user_agent(\"x\").build().unwrap()\n}\n",
    );
    scratch.write(
        "tests/test_smoke.py",
        "import requests\n\ndef test_up():\n    assert requests.get(URL).ok\n",
    );
    let run = snag(
        &scratch.path,
        &[
            "check",
            "--all",
            "--select",
            "resilience",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let rule = "missing-timeout".to_string();
    assert_eq!(
        run.findings(),
        vec![
            ("client.ts".to_string(), 5, rule.clone()),
            ("client.ts".to_string(), 6, rule.clone()),
            ("src/client.rs".to_string(), 10, rule.clone()),
            ("worker.py".to_string(), 11, rule),
        ]
    );
}

#[test]
fn rules_are_listed_and_documented() {
    let scratch = Scratch::new("rules");
    let list = snag(&scratch.path, &["rules"]);
    assert_eq!(list.code, 0);
    assert!(list.stdout.contains("select-star"));
    assert!(list.stdout.contains("sql-injection"));
    let docs = snag(&scratch.path, &["rule", "sql-injection"]);
    assert_eq!(docs.code, 0);
    assert!(docs.stdout.contains("## Why is this bad?"));
    let missing = snag(&scratch.path, &["rule", "nope"]);
    assert_eq!(missing.code, 2);
}

#[test]
fn human_report_shows_snippet_related_spans_why_help_and_summary() {
    let scratch = Scratch::new("human");
    scratch.write("db.py", PYTHON_TWO_FINDINGS);
    let run = snag(&scratch.path, &["check", "--all"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.stdout);
}

/// The quick fixes of `blocking-in-async`: offered where the rewrite
/// compiles (the import is there, the function can await), not elsewhere.
#[test]
fn blocking_calls_in_async_code_carry_a_fix_where_it_applies() {
    let scratch = Scratch::new("blocking-fix");
    scratch.write(
        "jobs.py",
        "import asyncio\nimport time\n\nasync def poll(job):\n    time.sleep(0.5)\n    return job\n",
    );
    scratch.write(
        "nowait.py",
        "import time\n\nasync def poll(job):\n    time.sleep(0.5)\n    return job\n",
    );
    scratch.write(
        "worker.rs",
        "async fn tick() {\n    std::thread::sleep(std::time::Duration::from_millis(5));\n}\n",
    );
    let run = snag(
        &scratch.path,
        &[
            "check",
            "--all",
            "--select",
            "blocking-in-async",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = run.json();
    let fixes: Vec<(String, serde_json::Value)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            (
                finding["path"].as_str().unwrap().to_string(),
                finding["fix"]["replacement"].clone(),
            )
        })
        .collect();
    assert_eq!(
        fixes,
        vec![
            ("jobs.py".to_string(), "await asyncio.sleep(0.5)".into()),
            ("nowait.py".to_string(), serde_json::Value::Null),
            (
                "worker.rs".to_string(),
                "tokio::time::sleep(std::time::Duration::from_millis(5)).await".into()
            ),
        ]
    );
}

#[test]
fn timings_name_every_phase_and_the_slowest_files() {
    let scratch = Scratch::new("timings");
    scratch.write("db.py", PYTHON_TWO_FINDINGS);
    scratch.write("notes.py", "WIDTH = 80\n");
    let run = snag(
        &scratch.path,
        &["check", "--all", "--timings", "--format", "json"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.json()["summary"]["findings"],
        2,
        "the report is unchanged"
    );
    for phase in [
        "setup", "discover", "analyse", "parse", "lower", "rules", "report",
    ] {
        assert!(
            run.stderr.contains(phase),
            "no `{phase}` in:\n{}",
            run.stderr
        );
    }
    assert!(run.stderr.contains("2 files, 1 parsed"), "{}", run.stderr);
    let slowest = run.stderr.split("slowest files:").nth(1).unwrap_or("");
    assert!(slowest.contains("db.py"), "{}", run.stderr);
}
