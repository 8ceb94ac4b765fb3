//! Broken input is ordinary input: binary files, invalid UTF-8, empty files and
//! syntax errors in every language never crash snag, never hide the rest of a
//! file, and are named on stderr.

mod common;

use common::{snag, Scratch};

/// A syntax error early in each language, then a `SELECT *` that must still be found.
const BROKEN: &[(&str, &str)] = &[
    (
        "broken.py",
        "import sqlite3\ndef broken(:\n    pass\n\ndef fine(conn: sqlite3.Connection):\n    return conn.execute(\"SELECT * FROM users\")\n",
    ),
    (
        "broken.ts",
        "import { Pool } from 'pg';\nconst pool = new Pool();\nfunction broken( {\n\nexport async function fine() {\n  return pool.query('SELECT * FROM users');\n}\n",
    ),
    (
        "broken.tsx",
        "import { Pool } from 'pg';\nconst pool = new Pool();\nconst View = () => <div>{</div>;\nexport async function fine() {\n  return pool.query('SELECT * FROM users');\n}\n",
    ),
    (
        "broken.js",
        "const { Pool } = require('pg');\nconst pool = new Pool();\nfunction broken( {\n\nasync function fine() {\n  return pool.query('SELECT * FROM users');\n}\n",
    ),
    (
        "broken.rs",
        "use rusqlite::Connection;\nfn broken( {\n}\n\nfn fine(conn: &Connection) {\n    conn.execute(\"SELECT * FROM users\", []).unwrap();\n}\n",
    ),
];

#[test]
fn syntax_errors_in_every_language_leave_the_rest_analysed() {
    let scratch = Scratch::new("broken");
    for (name, text) in BROKEN {
        scratch.write(name, text);
    }
    let run = snag(&scratch.path, &["check", "--all", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let mut found: Vec<String> = run
        .findings()
        .into_iter()
        .filter(|(_, _, rule)| rule == "select-star")
        .map(|(path, ..)| path)
        .collect();
    found.sort();
    let mut expected: Vec<String> = BROKEN.iter().map(|(name, _)| name.to_string()).collect();
    expected.sort();
    assert_eq!(found, expected, "{}", run.stderr);
    for (name, _) in BROKEN {
        assert!(
            run.stderr.contains(&format!("{name}: ")) && run.stderr.contains("syntax error"),
            "no syntax-error notice for {name}:\n{}",
            run.stderr
        );
    }
}

#[test]
fn binary_invalid_utf8_and_empty_files_are_handled() {
    let scratch = Scratch::new("bytes");
    scratch.write("blob.py", b"\x00\x01\x02SELECT * FROM t\x00");
    let mut latin1 = b"import sqlite3\nconn = sqlite3.connect('x')\n# caf\xe9\n".to_vec();
    latin1.extend_from_slice(b"conn.execute(\"SELECT * FROM users\")\n");
    scratch.write("latin1.py", latin1);
    scratch.write("empty.py", b"");
    scratch.write("empty.rs", b"");
    let run = snag(&scratch.path, &["check", "--all", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.findings(),
        vec![("latin1.py".to_string(), 4, "select-star".to_string())]
    );
    assert!(
        run.stderr.contains("blob.py: skipped: binary file"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("latin1.py: invalid UTF-8 at byte"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("empty"), "{}", run.stderr);
    assert_eq!(run.json()["summary"]["files"], 4);
}

#[test]
fn deeply_nested_input_does_not_overflow() {
    let scratch = Scratch::new("deep");
    let depth = 5000;
    let nested = format!("x = {}1{}\n", "(".repeat(depth), ")".repeat(depth));
    scratch.write(
        "deep.py",
        format!("import sqlite3\n{nested}sqlite3.connect('a').execute(\"SELECT * FROM t\")\n"),
    );
    let sum = format!("const x = {}1;\n", "1 + ".repeat(depth));
    scratch.write(
        "deep.js",
        format!("{sum}const {{ Pool }} = require('pg');\nnew Pool().query('SELECT * FROM t');\n"),
    );
    let run = snag(&scratch.path, &["check", "--all", "--format", "json"]);
    assert!(matches!(run.code, 0 | 1), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let rules: Vec<(String, String)> = run
        .findings()
        .into_iter()
        .map(|(path, _, rule)| (path, rule))
        .collect();
    assert!(
        rules.contains(&("deep.py".to_string(), "select-star".to_string())),
        "{}",
        run.stdout
    );
}

#[test]
fn a_file_over_the_size_limit_is_skipped_by_name() {
    let scratch = Scratch::new("huge");
    // 20 MB of generated code, past the 16 MiB limit for one file.
    let line = "rows = [dict(id=i, name='x') for i in range(10)]\n";
    scratch.write("generated.py", line.repeat(20_000_000 / line.len()));
    scratch.write(
        "app.py",
        "import sqlite3\nsqlite3.connect('a').execute(\"SELECT * FROM t\")\n",
    );
    let run = snag(&scratch.path, &["check", "--all", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("generated.py: skipped: 19 MiB is larger than the 16 MiB limit"),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.findings(),
        [("app.py".to_string(), 2, "select-star".to_string())]
    );
}

#[test]
fn a_file_over_its_time_budget_is_named_and_the_others_are_analysed() {
    let scratch = Scratch::new("budget");
    let mut slow = String::from("import sqlite3\n");
    for index in 0..2_000 {
        slow.push_str(&format!(
            "def f{index}(db):\n    return db.execute('SELECT id FROM t{index}')\n"
        ));
    }
    scratch.write("slow.py", slow);
    scratch.write(
        "app.py",
        "import sqlite3\nsqlite3.connect('a').execute(\"SELECT * FROM t\")\n",
    );
    let run = snag(
        &scratch.path,
        &[
            "check",
            "--all",
            "--format",
            "json",
            "--file-budget",
            "0.000001",
            "slow.py",
        ],
    );
    assert!(
        run.stderr.contains(
            "slow.py: parsing took longer than the 0.000001 s budget for one file (--file-budget); this file was not fully analysed"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Over budget is a property of this run, not of the file: never cached.
    let again = snag(
        &scratch.path,
        &["check", "--all", "--format", "json", "--timings", "slow.py"],
    );
    assert!(!again.stderr.contains("budget"), "{}", again.stderr);
    assert!(
        again.stderr.contains("1 parsed, 0 from the cache"),
        "{}",
        again.stderr
    );
    let bad = snag(&scratch.path, &["check", "--all", "--file-budget", "0"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("not a number of seconds"),
        "{}",
        bad.stderr
    );
}
