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

#[path = "common/bench_file.rs"]
mod bench_file;
#[path = "../tests/common/lsp_client.rs"]
mod lsp_client;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use lsp_client::{file_uri, range, LspClient};
use serde_json::{json, Value};

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
    // The server starts in a temporary directory: a relative path would
    // name another file there.
    let program = program.canonicalize().expect("the server's path");
    let directory = std::env::temp_dir().join(format!("snag-lsp-bench-{}", std::process::id()));
    std::fs::create_dir_all(&directory).expect("temp dir");
    let text = bench_file::large_file();
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
    let mut version = 1;
    let mut incremental = Vec::with_capacity(EDITS);
    let cpu_before = client.cpu_time();
    for edit in bench_file::edits(&text, EDITS) {
        version += 1;
        let change = (
            range(edit.line, edit.start, edit.line, edit.end),
            edit.insert,
        );
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
