//! Protocol tests of `snag lsp`: each starts the real binary and speaks
//! JSON-RPC to it over its standard input and output, as an editor does.

mod common;
#[path = "common/lsp_client.rs"]
mod lsp_client;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{Scratch, PYTHON_TWO_FINDINGS};
use lsp_client::{file_uri, frame, range, LspClient};
use serde_json::{json, Value};

fn start(directory: &Path) -> LspClient {
    LspClient::start(Path::new(env!("CARGO_BIN_EXE_snag")), directory)
}

/// A started and initialized server for a workspace at `directory`.
fn server(directory: &Path, options: Value) -> LspClient {
    let mut client = start(directory);
    client.initialize(&file_uri(directory), options, None);
    client
}

/// `(code, start line, start character, end line, end character)` of each
/// diagnostic, in order.
fn spans(diagnostics: &Value) -> Vec<(String, u64, u64, u64, u64)> {
    diagnostics["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|diagnostic| {
            let range = &diagnostic["range"];
            (
                diagnostic["code"].as_str().unwrap_or("").to_string(),
                range["start"]["line"].as_u64().unwrap(),
                range["start"]["character"].as_u64().unwrap(),
                range["end"]["line"].as_u64().unwrap(),
                range["end"]["character"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn codes(diagnostics: &Value) -> Vec<String> {
    spans(diagnostics)
        .into_iter()
        .map(|(code, ..)| code)
        .collect()
}

/// Shuts the server down and checks it exits cleanly.
fn finish(client: LspClient) {
    let status = client.shutdown();
    assert!(status.success(), "snag lsp exited with {status}");
}

#[test]
fn diagnostics_on_open_carry_severity_code_source_and_related_spans() {
    let scratch = Scratch::new("lsp-open");
    let mut client = server(&scratch.path, Value::Null);
    let uri = file_uri(&scratch.path.join("app/views.py"));
    client.open(&uri, "python", 1, PYTHON_TWO_FINDINGS);
    let published = client.diagnostics(&uri);
    assert_eq!(published["version"], 1);
    // Line 5 (0-based 4): the sink call; line 6: the `SELECT *` string.
    assert_eq!(
        spans(&published),
        vec![
            ("sql-injection".to_string(), 4, 4, 4, 62),
            ("select-star".to_string(), 5, 16, 5, 37),
        ]
    );
    let diagnostics = published["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics[0]["severity"], 1, "error");
    assert_eq!(diagnostics[1]["severity"], 2, "warning");
    assert!(diagnostics.iter().all(|each| each["source"] == "snag"));
    assert!(
        diagnostics[0]["message"]
            .as_str()
            .unwrap()
            .contains("`name`"),
        "{}",
        diagnostics[0]["message"]
    );

    // SQL held in a variable: the call that sends it is a related span.
    let uri = file_uri(&scratch.path.join("app/related.py"));
    client.open(
        &uri,
        "python",
        1,
        "def find(cur):\n    query = \"SELECT * FROM users\"\n    cur.execute(query)\n",
    );
    let published = client.diagnostics(&uri);
    let related = &published["diagnostics"][0]["relatedInformation"];
    assert_eq!(related[0]["location"]["uri"], uri.as_str());
    assert_eq!(related[0]["location"]["range"], range(2, 4, 2, 22));
    assert!(
        related[0]["message"]
            .as_str()
            .unwrap()
            .contains("cur.execute"),
        "{related}"
    );
    finish(client);
}

#[test]
fn javascript_tsx_and_rust_documents_get_diagnostics_too() {
    let scratch = Scratch::new("lsp-languages");
    let mut client = server(&scratch.path, Value::Null);
    let documents = [
        (
            "list.js",
            "javascript",
            "const { Pool } = require('pg');\nconst pool = new Pool();\nasync function list() {\n  return pool.query('SELECT * FROM products');\n}\n",
            (3, 20),
        ),
        (
            "List.tsx",
            "typescriptreact",
            "import { Pool } from 'pg';\nconst pool = new Pool();\nexport function List() {\n  const load = () => pool.query('SELECT * FROM products');\n  return <div onClick={load}>é</div>;\n}\n",
            (3, 32),
        ),
        (
            "list.rs",
            "rust",
            "async fn list(pool: &sqlx::PgPool) {\n    let rows = sqlx::query(\"SELECT * FROM users\").fetch_all(pool).await;\n}\n",
            (1, 27),
        ),
    ];
    for (name, language, text, (line, character)) in documents {
        let uri = file_uri(&scratch.path.join(name));
        client.open(&uri, language, 1, text);
        let published = client.diagnostics_at(&uri, 1);
        let found = spans(&published);
        assert_eq!(found.len(), 1, "{name}: {found:?}");
        assert_eq!(
            (found[0].0.as_str(), found[0].1, found[0].2),
            ("select-star", line, character),
            "{name}"
        );
    }
    finish(client);
}

#[test]
fn ranged_edits_reparse_and_republish_at_each_version() {
    let scratch = Scratch::new("lsp-edits");
    let mut client = server(&scratch.path, Value::Null);
    let uri = file_uri(&scratch.path.join("views.py"));
    client.open(&uri, "python", 1, PYTHON_TWO_FINDINGS);
    assert_eq!(codes(&client.diagnostics_at(&uri, 1)).len(), 2);

    // A line inserted above moves both findings down.
    client.change(&uri, 2, range(0, 0, 0, 0), "import os\n");
    let published = client.diagnostics_at(&uri, 2);
    assert_eq!(
        spans(&published),
        vec![
            ("sql-injection".to_string(), 5, 4, 5, 62),
            ("select-star".to_string(), 6, 16, 6, 37),
        ]
    );

    // The injection made a parameterized query.
    client.change(
        &uri,
        3,
        range(5, 16, 5, 61),
        "\"SELECT id FROM users WHERE name = ?\", (name,)",
    );
    assert_eq!(
        spans(&client.diagnostics_at(&uri, 3)),
        vec![("select-star".to_string(), 6, 16, 6, 37)]
    );

    // Two changes in one notification: the second's range is in the text
    // the first one left.
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": 4},
            "contentChanges": [
                {"range": range(0, 0, 1, 0), "text": ""},
                {"range": range(5, 24, 5, 25), "text": "id, name"},
            ],
        }),
    );
    assert_eq!(codes(&client.diagnostics_at(&uri, 4)), Vec::<String>::new());

    // A whole-text change (no range) replaces the document.
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": 5},
            "contentChanges": [{"text": PYTHON_TWO_FINDINGS}],
        }),
    );
    assert_eq!(codes(&client.diagnostics_at(&uri, 5)).len(), 2);

    // Closing clears the document's diagnostics.
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    let cleared = client.diagnostics(&uri);
    assert_eq!(cleared["diagnostics"], json!([]));
    finish(client);
}

/// A CRLF file with tabs, non-ASCII text and an emoji before the finding on
/// its line: `"SELECT * FROM t"` starts at UTF-16 character 29 (byte 32).
const WIDE: &str = "# Ünïcödé 🎉 header\r\ndef find(cur, name):\r\n\tlabel = \"🎉 é\"; cur.execute(\"SELECT * FROM t\")\r\n\treturn label\r\n";

#[test]
fn positions_count_utf16_units_by_default() {
    let scratch = Scratch::new("lsp-utf16");
    let mut client = start(&scratch.path);
    let result = client.initialize(&file_uri(&scratch.path), Value::Null, None);
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(result["capabilities"]["textDocumentSync"]["change"], 2);
    let uri = file_uri(&scratch.path.join("wide.py"));
    client.open(&uri, "python", 1, WIDE);
    assert_eq!(
        spans(&client.diagnostics_at(&uri, 1)),
        vec![("select-star".to_string(), 2, 29, 2, 46)]
    );
    // The `*`, addressed in UTF-16 units past the emoji: replacing it
    // fixes the finding only if the server found the same character.
    client.change(&uri, 2, range(2, 37, 2, 38), "id");
    assert_eq!(codes(&client.diagnostics_at(&uri, 2)), Vec::<String>::new());
    // And an edit on the emoji line after CRLF line ends lands in place.
    client.change(&uri, 3, range(2, 37, 2, 39), "*");
    assert_eq!(
        spans(&client.diagnostics_at(&uri, 3)),
        vec![("select-star".to_string(), 2, 29, 2, 46)]
    );
    finish(client);
}

#[test]
fn positions_count_bytes_when_the_client_offers_utf8() {
    let scratch = Scratch::new("lsp-utf8");
    let mut client = start(&scratch.path);
    let result = client.initialize(
        &file_uri(&scratch.path),
        Value::Null,
        Some(&["utf-16", "utf-8"]),
    );
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8");
    let uri = file_uri(&scratch.path.join("wide.py"));
    client.open(&uri, "python", 1, WIDE);
    assert_eq!(
        spans(&client.diagnostics_at(&uri, 1)),
        vec![("select-star".to_string(), 2, 32, 2, 49)]
    );
    client.change(&uri, 2, range(2, 40, 2, 41), "id");
    assert_eq!(codes(&client.diagnostics_at(&uri, 2)), Vec::<String>::new());
    finish(client);
}

/// The code actions offered for one published diagnostic.
fn actions_for(client: &mut LspClient, uri: &str, diagnostic: &Value) -> Vec<Value> {
    let result = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": diagnostic["range"],
            "context": {"diagnostics": [diagnostic]},
        }),
    );
    result.as_array().cloned().unwrap_or_default()
}

/// The one edit of a code action on `uri`.
fn only_edit(action: &Value, uri: &str) -> Value {
    let edits = action["edit"]["changes"][uri].as_array().expect("edits");
    assert_eq!(edits.len(), 1, "{action}");
    edits[0].clone()
}

#[test]
fn suppress_action_inserts_the_comment_above_and_the_finding_goes() {
    let scratch = Scratch::new("lsp-suppress");
    let mut client = server(&scratch.path, Value::Null);
    let uri = file_uri(&scratch.path.join("views.py"));
    client.open(&uri, "python", 1, PYTHON_TWO_FINDINGS);
    let published = client.diagnostics_at(&uri, 1);
    let injection = published["diagnostics"][0].clone();
    let actions = actions_for(&mut client, &uri, &injection);
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert_eq!(actions[0]["kind"], "quickfix");
    assert!(actions[0]["title"]
        .as_str()
        .unwrap()
        .contains("sql-injection"));
    let edit = only_edit(&actions[0], &uri);
    assert_eq!(edit["range"], range(4, 0, 4, 0));
    assert_eq!(edit["newText"], "    # snag: ignore[sql-injection]\n");

    client.change(
        &uri,
        2,
        edit["range"].clone(),
        edit["newText"].as_str().unwrap(),
    );
    let published = client.diagnostics_at(&uri, 2);
    assert_eq!(codes(&published), vec!["select-star".to_string()]);

    // Suppressing a second rule on a line under a suppression adds it there.
    client.change(&uri, 3, range(5, 0, 6, 0), "");
    let published = client.diagnostics_at(&uri, 3);
    assert_eq!(codes(&published), vec!["select-star".to_string()]);
    assert_eq!(published["diagnostics"][0]["range"]["start"]["line"], 5);
    // The line above line 5 is now the comment: `select-star` joins its list.
    client.change(
        &uri,
        4,
        range(4, 4, 4, 4),
        "# snag: ignore[sql-injection]\n    ",
    );
    let published = client.diagnostics_at(&uri, 4);
    let star = published["diagnostics"][0].clone();
    assert_eq!(star["range"]["start"]["line"], 6);
    client.change(&uri, 5, range(5, 0, 5, 0), "");
    let actions = actions_for(&mut client, &uri, &star);
    let edit = only_edit(&actions[0], &uri);
    assert_eq!(edit["newText"], ", select-star");
    assert_eq!(edit["range"], range(5, 32, 5, 32));
    finish(client);
}

#[test]
fn suppress_action_uses_slashes_in_typescript() {
    let scratch = Scratch::new("lsp-suppress-ts");
    let mut client = server(&scratch.path, Value::Null);
    let uri = file_uri(&scratch.path.join("routes.ts"));
    let text = "import { Pool } from 'pg';\nconst pool = new Pool();\nexport async function list() {\n\tconst { rows } = await pool.query('SELECT * FROM products');\n\treturn rows;\n}\n";
    client.open(&uri, "typescript", 1, text);
    let published = client.diagnostics_at(&uri, 1);
    assert_eq!(codes(&published), vec!["select-star".to_string()]);
    let actions = actions_for(&mut client, &uri, &published["diagnostics"][0]);
    let edit = only_edit(&actions[0], &uri);
    assert_eq!(edit["range"], range(3, 0, 3, 0));
    assert_eq!(edit["newText"], "\t// snag: ignore[select-star]\n");
    client.change(
        &uri,
        2,
        range(3, 0, 3, 0),
        "\t// snag: ignore[select-star]\n",
    );
    assert_eq!(codes(&client.diagnostics_at(&uri, 2)), Vec::<String>::new());
    // Asked only for refactorings, snag offers nothing.
    let result = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": published["diagnostics"][0]["range"],
            "context": {"diagnostics": [published["diagnostics"][0]], "only": ["refactor"]},
        }),
    );
    assert_eq!(result, Value::Null);
    finish(client);
}

#[test]
fn hover_on_a_finding_shows_the_rules_documentation() {
    let scratch = Scratch::new("lsp-hover");
    let mut client = server(&scratch.path, Value::Null);
    let uri = file_uri(&scratch.path.join("views.py"));
    client.open(&uri, "python", 1, PYTHON_TWO_FINDINGS);
    client.diagnostics_at(&uri, 1);
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 4, "character": 30}}),
    );
    let text = hover["contents"]["value"].as_str().expect("markdown");
    assert_eq!(hover["contents"]["kind"], "markdown");
    assert!(text.contains("sql-injection"), "{text}");
    assert!(text.contains("## What it does"), "{text}");
    assert!(text.contains("## Use instead"), "{text}");
    assert!(!text.contains("# select-star"), "{text}");
    assert_eq!(hover["range"], range(4, 4, 4, 62));
    let nothing = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 3}}),
    );
    assert_eq!(nothing, Value::Null);
    finish(client);
}

/// Tells the server a file changed on disk.
fn watched_file_changed(client: &mut LspClient, path: &Path) {
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(path), "type": 2}]}),
    );
}

fn show_message(client: &mut LspClient) -> Value {
    client.wait_for("window/showMessage", |message| {
        message["method"] == "window/showMessage"
    })["params"]
        .clone()
}

#[test]
fn config_changes_reload_and_republish_and_a_broken_config_keeps_serving() {
    let scratch = Scratch::new("lsp-config");
    let config = scratch.write("snag.toml", "[severity]\nselect-star = \"error\"\n");
    let mut client = server(&scratch.path, Value::Null);
    let uri = file_uri(&scratch.path.join("app/views.py"));
    client.open(&uri, "python", 1, PYTHON_TWO_FINDINGS);
    let published = client.diagnostics_at(&uri, 1);
    assert_eq!(codes(&published).len(), 2);
    assert_eq!(published["diagnostics"][1]["severity"], 1, "the override");

    scratch.write("snag.toml", "ignore = [\"select-star\"]\n");
    watched_file_changed(&mut client, &config);
    let published = client.diagnostics_at(&uri, 1);
    assert_eq!(codes(&published), vec!["sql-injection".to_string()]);

    // A broken config is shown (file, line and key) and the last good
    // settings stay in force.
    scratch.write(
        "snag.toml",
        "ignore = [\"select-star\"]\nignroe = [\"x\"]\n",
    );
    watched_file_changed(&mut client, &config);
    let message = show_message(&mut client);
    assert_eq!(message["type"], 1, "an error");
    let text = message["message"].as_str().unwrap();
    assert!(text.contains("snag.toml:2"), "{text}");
    assert!(text.contains("ignroe"), "{text}");
    let published = client.diagnostics_at(&uri, 1);
    assert_eq!(codes(&published), vec!["sql-injection".to_string()]);

    // Saving a config in the editor reloads it too.
    scratch.write("snag.toml", "select = [\"perf\"]\n");
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": file_uri(&config)}}),
    );
    let published = client.diagnostics_at(&uri, 1);
    assert_eq!(codes(&published), vec!["select-star".to_string()]);
    finish(client);
}

#[test]
fn a_config_broken_from_the_start_is_reported_and_defaults_apply() {
    let scratch = Scratch::new("lsp-broken-config");
    scratch.write("pyproject.toml", "[tool.snag]\nselect = [\"n-plus-two\"]\n");
    let mut client = server(&scratch.path, Value::Null);
    let uri = file_uri(&scratch.path.join("views.py"));
    client.open(&uri, "python", 1, PYTHON_TWO_FINDINGS);
    let message = show_message(&mut client);
    let text = message["message"].as_str().unwrap();
    assert!(text.contains("pyproject.toml:2"), "{text}");
    assert!(text.contains("n-plus-two"), "{text}");
    assert_eq!(codes(&client.diagnostics_at(&uri, 1)).len(), 2);
    finish(client);
}

/// Runs git in `directory` with the machine's configuration shut out.
fn git(directory: &Path, args: &[&str]) {
    let output = Command::new("git")
        .args(["-c", "user.name=snag", "-c", "user.email=snag@example.com"])
        .args(args)
        .current_dir(directory)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .expect("git");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn changed_lines_only_shows_findings_on_lines_changed_against_head() {
    let scratch = Scratch::new("lsp-changed-lines");
    let committed = "import sqlite3\n\ndef find(conn, name):\n    cur = conn.cursor()\n    cur.execute(\"SELECT * FROM users\")\n";
    scratch.write("app/views.py", committed);
    git(&scratch.path, &["init", "-q"]);
    git(&scratch.path, &["add", "."]);
    git(&scratch.path, &["commit", "-q", "-m", "init"]);
    let mut client = server(&scratch.path, json!({"changedLinesOnly": true}));
    let uri = file_uri(&scratch.path.join("app/views.py"));
    client.open(&uri, "python", 1, committed);
    assert_eq!(codes(&client.diagnostics_at(&uri, 1)), Vec::<String>::new());
    // An unsaved edit adds an injection: only it shows, not the old `SELECT *`.
    client.change(
        &uri,
        2,
        range(4, 0, 4, 0),
        "    cur.execute(f\"SELECT id FROM users WHERE name = '{name}'\")\n",
    );
    assert_eq!(
        spans(&client.diagnostics_at(&uri, 2)),
        vec![("sql-injection".to_string(), 4, 4, 4, 62)]
    );
    // A file HEAD does not have is all new.
    let new_uri = file_uri(&scratch.path.join("app/new.py"));
    client.open(&new_uri, "python", 1, committed);
    assert_eq!(
        codes(&client.diagnostics_at(&new_uri, 1)),
        vec!["select-star".to_string()]
    );
    finish(client);
}

/// `didChange` notifications, one per version, each inserting a line at
/// the top, written at once as a client does in a burst.
fn newline_burst(uri: &str, versions: std::ops::RangeInclusive<i64>) -> Vec<u8> {
    let mut burst = Vec::new();
    for version in versions {
        burst.extend(frame(&json!({
            "jsonrpc": "2.0",
            "method": "textDocument/didChange",
            "params": {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": range(0, 0, 0, 0), "text": "\n"}],
            },
        })));
    }
    burst
}

#[test]
fn a_debounced_burst_is_analysed_once_at_its_last_version() {
    let scratch = Scratch::new("lsp-debounce");
    let mut client = server(&scratch.path, json!({"debounceMs": 1000}));
    let uri = file_uri(&scratch.path.join("views.py"));
    client.open(&uri, "python", 1, PYTHON_TWO_FINDINGS);
    client.diagnostics_at(&uri, 1);
    client.send_raw(&newline_burst(&uri, 2..=21));
    let published = client.diagnostics_at(&uri, 21);
    assert_eq!(
        published["diagnostics"][0]["range"]["start"]["line"],
        4 + 20
    );
    let earlier =
        client.take_received(|message| message["method"] == "textDocument/publishDiagnostics");
    assert!(
        earlier.is_empty(),
        "published for stale versions: {earlier:?}"
    );
    finish(client);
}

#[test]
fn every_publication_matches_the_version_it_names() {
    let scratch = Scratch::new("lsp-versions");
    let mut client = server(&scratch.path, Value::Null);
    let uri = file_uri(&scratch.path.join("views.py"));
    client.open(&uri, "python", 1, PYTHON_TWO_FINDINGS);
    client.diagnostics_at(&uri, 1);
    // Each change inserts a line at the top, so at version `v` the
    // injection is on line 4 + v - 1: a publication computed from one
    // version and labelled with another would show.
    client.send_raw(&newline_burst(&uri, 2..=41));
    client.diagnostics_at(&uri, 41);
    std::thread::sleep(Duration::from_millis(100));
    let mut seen =
        client.take_received(|message| message["method"] == "textDocument/publishDiagnostics");
    seen.push(json!({"params": {"version": 41, "diagnostics": [{"range": range(44, 4, 44, 62)}]}}));
    let mut last = 1;
    for publication in &seen {
        let version = publication["params"]["version"].as_i64().unwrap();
        assert!(
            version > last,
            "versions out of order: {version} after {last}"
        );
        last = version;
        let line = publication["params"]["diagnostics"][0]["range"]["start"]["line"]
            .as_i64()
            .unwrap();
        assert_eq!(line, 4 + version - 1, "version {version}");
    }
    assert!(seen.len() <= 40);
    finish(client);
}

#[test]
fn bad_documents_and_bad_messages_do_not_kill_the_server() {
    let scratch = Scratch::new("lsp-robust");
    let mut client = server(&scratch.path, Value::Null);
    // Broken and hostile documents.
    let nested = format!(
        "x = {}1{}\ncur.execute(\"SELECT * FROM t\")\n",
        "(".repeat(20_000),
        ")".repeat(20_000)
    );
    let documents = [
        (
            "nul.py",
            "python",
            "cur.execute(\"SELECT *\0 FROM t\")\n".to_string(),
        ),
        ("nested.py", "python", nested),
        (
            "broken.ts",
            "typescript",
            "function (((( { pool.query('SELECT * FROM t' \n".to_string(),
        ),
        (
            "long.rs",
            "rust",
            format!("fn f() {{ let s = \"{}\"; }}\n", "🎉".repeat(50_000)),
        ),
    ];
    for (name, language, text) in &documents {
        let uri = file_uri(&scratch.path.join(name));
        client.open(&uri, language, 1, text);
        client.diagnostics_at(&uri, 1);
        // Positions past the end of a line and of the document are clamped.
        client.change(
            &uri,
            2,
            range(0, 9_999, 500, 3),
            "cur.execute(\"SELECT * FROM t\")",
        );
        client.diagnostics_at(&uri, 2);
    }
    // Changes to documents never opened, files snag does not analyse, a
    // malformed message and an unknown request.
    client.change(
        &file_uri(&scratch.path.join("never.py")),
        2,
        range(0, 0, 0, 0),
        "x",
    );
    client.open(
        &file_uri(&scratch.path.join("notes.md")),
        "markdown",
        1,
        "# SELECT * FROM t\n",
    );
    client.send_raw(b"Content-Length: 12\r\n\r\n{not json!!}");
    let unknown = client.request_raw("snag/unknown", json!({}));
    assert!(unknown.get("error").is_some(), "{unknown}");
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///nowhere.py"}, "position": {"line": 99, "character": 99}}),
    );
    assert_eq!(hover, Value::Null);

    // And the server still analyses.
    let uri = file_uri(&scratch.path.join("views.py"));
    client.open(&uri, "python", 1, PYTHON_TWO_FINDINGS);
    assert_eq!(codes(&client.diagnostics_at(&uri, 1)).len(), 2);
    let markdown = client.take_received(|message| {
        message["params"]["uri"]
            .as_str()
            .is_some_and(|uri| uri.ends_with("notes.md"))
    });
    assert!(markdown.is_empty(), "{markdown:?}");
    finish(client);
}

#[test]
fn exit_without_shutdown_still_ends_the_process() {
    let scratch = Scratch::new("lsp-exit");
    let mut client = server(&scratch.path, Value::Null);
    client.notify("exit", Value::Null);
    let deadline = std::time::Instant::now() + lsp_client::TIMEOUT;
    while !client.has_exited() {
        assert!(
            std::time::Instant::now() < deadline,
            "snag lsp did not exit"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn an_analysis_overtaken_by_an_edit_is_not_published() {
    let scratch = Scratch::new("lsp-stale");
    let mut client = server(&scratch.path, Value::Null);
    let uri = file_uri(&scratch.path.join("big.py"));
    // Large enough that one analysis takes a while even in a release build.
    let mut text = String::from("import sqlite3\n");
    for index in 0..3_000 {
        text.push_str(&format!(
            "def find_{index}(conn, name):\n    cur = conn.cursor()\n    cur.execute(f\"SELECT id FROM t{index} WHERE name = '{{name}}'\")\n    return cur.fetchall()\n\n"
        ));
    }
    client.open(&uri, "python", 1, &text);
    client.diagnostics_at(&uri, 1);
    // How long an incremental analysis of an edit takes here.
    let started = std::time::Instant::now();
    client.change(&uri, 2, range(0, 0, 0, 0), "\n");
    client.diagnostics_at(&uri, 2);
    let one_analysis = started.elapsed();
    // Version 3 is being analysed when version 4 arrives.
    client.change(&uri, 3, range(0, 0, 0, 0), "\n");
    std::thread::sleep(one_analysis / 4);
    client.change(&uri, 4, range(0, 0, 0, 0), "\n");
    let published = client.diagnostics_at(&uri, 4);
    assert_eq!(published["diagnostics"][0]["range"]["start"]["line"], 6);
    let stale =
        client.take_received(|message| message["method"] == "textDocument/publishDiagnostics");
    assert!(
        stale.is_empty(),
        "published a version already overtaken: {:?}",
        stale
            .iter()
            .map(|message| message["params"]["version"].clone())
            .collect::<Vec<_>>()
    );
    finish(client);
}

#[test]
fn options_link_rule_docs_and_report_unused_suppressions() {
    let scratch = Scratch::new("lsp-options");
    let mut client = server(
        &scratch.path,
        json!({
            "ruleDocsUrl": "https://docs.example.com/rules/{rule}",
            "reportUnusedIgnores": true,
        }),
    );
    let uri = file_uri(&scratch.path.join("views.py"));
    client.open(
        &uri,
        "python",
        1,
        "def find(cur):\n    # snag: ignore[select-star]\n    cur.execute(\"SELECT id FROM t\")\n    cur.execute(\"SELECT * FROM t\")\n",
    );
    let published = client.diagnostics_at(&uri, 1);
    assert_eq!(
        codes(&published),
        vec!["unused-suppression".to_string(), "select-star".to_string()]
    );
    let diagnostics = published["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics[0]["tags"], json!([1]), "unnecessary");
    let unused = diagnostics[0].clone();
    assert_eq!(actions_for(&mut client, &uri, &unused), Vec::<Value>::new());
    assert_eq!(
        diagnostics[1]["codeDescription"]["href"],
        "https://docs.example.com/rules/select-star"
    );
    // Options of the wrong type are ignored (and logged), not fatal.
    let mut other = start(&scratch.path);
    other.initialize(
        &file_uri(&scratch.path),
        json!({"changedLinesOnly": "yes"}),
        None,
    );
    let logged = other.wait_for("a warning about the options", |message| {
        message["method"] == "window/logMessage"
    });
    assert!(
        logged["params"]["message"]
            .as_str()
            .unwrap()
            .contains("initializationOptions"),
        "{logged}"
    );
    other.open(&uri, "python", 1, PYTHON_TWO_FINDINGS);
    assert_eq!(codes(&other.diagnostics_at(&uri, 1)).len(), 2);
    finish(other);
    finish(client);
}
