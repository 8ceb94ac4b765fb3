//! Latency of `snag lsp` on a large file: opens a 5,000-line Python file,
//! applies 1,000 single-character edits one at a time and measures, for
//! each, the time from sending `didChange` to receiving the
//! `publishDiagnostics` of that version. In the same run it measures full,
//! non-incremental analyses of the same file (a whole-text `didChange`,
//! which drops the syntax tree), so the two can be compared.
//!
//! ```sh
//! cargo build --release && cargo run --release --example lsp_bench
//! cargo run --release --example lsp_bench -- path/to/snag   # another build
//! ```

#[path = "../tests/common/lsp_client.rs"]
mod lsp_client;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use lsp_client::{file_uri, range, LspClient};
use serde_json::{json, Value};

const LINES: usize = 5_000;
const EDITS: usize = 1_000;
const FULL_ANALYSES: usize = 30;

fn main() {
    let program = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/snag"));
    assert!(
        program.is_file(),
        "{} does not exist: build it first (cargo build --release)",
        program.display()
    );
    let directory = std::env::temp_dir().join(format!("snag-lsp-bench-{}", std::process::id()));
    std::fs::create_dir_all(&directory).expect("temp dir");
    let text = large_file();
    let line_count = text.lines().count();
    let uri = file_uri(&directory.join("services.py"));

    let mut client = LspClient::start(&program, &directory);
    client.initialize(&file_uri(&directory), Value::Null, None);
    let opened = Instant::now();
    client.open(&uri, "python", 1, &text);
    let first = client.diagnostics_at(&uri, 1);
    let open_time = opened.elapsed();
    let findings = first["diagnostics"].as_array().map_or(0, Vec::len);

    // Single-character edits, typed and then deleted at the start of a
    // line's code, at lines spread over the whole file.
    let lines: Vec<&str> = text.lines().collect();
    let mut version = 1;
    let mut random = 0x2545_f491_u64;
    let mut incremental = Vec::with_capacity(EDITS);
    let mut at = (0, 0);
    let cpu_before = client.cpu_time();
    for edit in 0..EDITS {
        version += 1;
        let change = if edit % 2 == 0 {
            random = random
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let line = (random >> 33) as usize % lines.len();
            let indent = lines[line].len() - lines[line].trim_start().len();
            at = (line as u32, indent as u32);
            (range(at.0, at.1, at.0, at.1), "x")
        } else {
            (range(at.0, at.1, at.0, at.1 + 1), "")
        };
        let sent = Instant::now();
        client.change(&uri, version, change.0, change.1);
        client.diagnostics_at(&uri, version);
        incremental.push(sent.elapsed());
    }
    let cpu_per_edit = client
        .cpu_time()
        .zip(cpu_before)
        .map(|(after, before)| (after - before) / EDITS as u32);

    let mut full = Vec::with_capacity(FULL_ANALYSES);
    for _ in 0..FULL_ANALYSES {
        version += 1;
        let sent = Instant::now();
        client.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": text}],
            }),
        );
        client.diagnostics_at(&uri, version);
        full.push(sent.elapsed());
    }
    let status = client.shutdown();
    let _ = std::fs::remove_dir_all(&directory);
    assert!(status.success(), "snag lsp exited with {status}");

    println!(
        "file: {line_count} lines, {} bytes, {findings} findings",
        text.len()
    );
    println!("didOpen -> publishDiagnostics: {}", millis(open_time));
    report("incremental: 1 character edit", &mut incremental);
    if let Some(cpu) = cpu_per_edit {
        println!("server CPU time per edit (all threads): {}", millis(cpu));
    }
    report("full: whole-text change, no tree kept", &mut full);
}

fn report(what: &str, samples: &mut [Duration]) {
    samples.sort();
    let at = |quantile: f64| samples[((samples.len() - 1) as f64 * quantile).round() as usize];
    println!(
        "{what} ({} samples): p50 {}  p90 {}  p99 {}  max {}",
        samples.len(),
        millis(at(0.50)),
        millis(at(0.90)),
        millis(at(0.99)),
        millis(at(1.0)),
    );
}

fn millis(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}

/// A service module of 5,000 lines: classes of data-access methods with
/// parameterized SQL, loops and comprehensions, and now and then an
/// injection or a `SELECT *`, so every rule has work on every analysis.
fn large_file() -> String {
    let mut text = String::from(
        "\"\"\"Order services.\"\"\"\nimport logging\n\nimport psycopg2\n\nlog = logging.getLogger(__name__)\n\n\n",
    );
    let mut block = 0;
    while text.lines().count() < LINES - 30 {
        let unsafe_query = if block % 10 == 3 {
            format!("f\"SELECT id FROM orders_{block} WHERE note LIKE '%{{term}}%'\"")
        } else {
            format!("\"SELECT id FROM orders_{block} WHERE note LIKE %s\", (term,)")
        };
        let star = if block % 10 == 7 { "*" } else { "id, total" };
        text.push_str(&format!(
            r#"class OrderService{block}:
    """Orders of tenant {block}."""

    def __init__(self, dsn):
        self.conn = psycopg2.connect(dsn)

    def recent(self, customer_id, limit=20):
        cur = self.conn.cursor()
        cur.execute(
            "SELECT id, total, status FROM orders_{block} WHERE customer_id = %s LIMIT %s",
            (customer_id, limit),
        )
        return cur.fetchall()

    def search(self, term):
        cur = self.conn.cursor()
        cur.execute({unsafe_query})
        return [row[0] for row in cur.fetchall()]

    def totals(self, ids):
        cur = self.conn.cursor()
        cur.execute("SELECT {star} FROM totals_{block}")
        by_id = {{row[0]: row[1] for row in cur.fetchall()}}
        log.debug("totals for %d orders", len(ids))
        return [by_id.get(order_id, 0) for order_id in ids]


"#
        ));
        block += 1;
    }
    while text.lines().count() < LINES {
        text.push_str("# end of module\n");
    }
    text
}
