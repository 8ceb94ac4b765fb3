//! Where an editor's edit goes, in process: the `lsp_bench` file and edits,
//! applied to a kept document as the language server applies them, with
//! the incremental reparse, the lowering (with suppressions and placing)
//! and the rules timed apart. Prints p50, p90 and p99 of each phase, then
//! what each rule costs on the file.
//!
//! ```sh
//! cargo run --release --example edit_phases
//! ```

#[path = "common/bench_file.rs"]
mod bench_file;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use snag_analyzer::config::LoadedConfig;
use snag_analyzer::engine::{Engine, RuleContext};
use snag_analyzer::lang::Document;
use snag_analyzer::model::Language;
use snag_rules::settings::{from_config, Overrides};

const EDITS: usize = 1_000;

fn main() {
    let settings = from_config(
        &LoadedConfig::default(),
        &Overrides::default(),
        PathBuf::from("/bench"),
        None,
    )
    .expect("default settings");
    let rules = settings.rules.clone();
    let catalog = settings.catalog.clone();
    let engine = Engine::new(settings);
    let text = bench_file::large_file();
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(at, _)| at + 1))
        .collect();
    let mut document = Document::new(Language::Python, text);
    let first = engine.check_document("services.py", &mut document);

    let (mut parse, mut rest, mut rule_time, mut total) = (vec![], vec![], vec![], vec![]);
    for edit in bench_file::edits(&bench_file::large_file(), EDITS) {
        let start = line_starts[edit.line as usize] + edit.start as usize;
        let end = line_starts[edit.line as usize] + edit.end as usize;
        let began = Instant::now();
        document.edit(start..end, edit.insert);
        document.parse();
        let parsed = began.elapsed();
        let outcome = engine.check_document("services.py", &mut document);
        let all = began.elapsed();
        parse.push(parsed);
        rule_time.push(outcome.timings.rules);
        rest.push(all - parsed - outcome.timings.rules);
        total.push(all);
    }
    println!(
        "file: {} lines, {} findings; {EDITS} one-character edits",
        bench_file::LINES,
        first.findings.len()
    );
    let mut inserts: Vec<Duration> = parse.iter().step_by(2).copied().collect();
    let mut deletes: Vec<Duration> = parse.iter().skip(1).step_by(2).copied().collect();
    report("reparse after typing", &mut inserts);
    report("reparse after deleting", &mut deletes);
    report("incremental reparse", &mut parse);
    report("lowering, suppressions, placing", &mut rest);
    report("rules", &mut rule_time);
    report("whole edit", &mut total);

    // Each rule over the last edit's model, alone (a fresh context, so
    // no fact another rule made for the file), the median of 50 runs.
    let model = document.kept_model().expect("a kept model");
    let mut each: Vec<(Duration, &str)> = rules
        .iter()
        .map(|rule| {
            let mut runs: Vec<Duration> = (0..50)
                .map(|_| {
                    let began = Instant::now();
                    let context = RuleContext::new(
                        "services.py",
                        Language::Python,
                        document.text(),
                        model,
                        &catalog,
                    );
                    rule.check(&context, &mut Vec::new());
                    began.elapsed()
                })
                .collect();
            runs.sort();
            (runs[runs.len() / 2], rule.meta().id)
        })
        .collect();
    each.sort_by(|a, b| b.cmp(a));
    for (time, rule) in each {
        println!("  {rule:<32} {:>7.2} ms", time.as_secs_f64() * 1000.0);
    }
}

fn report(what: &str, samples: &mut [Duration]) {
    samples.sort();
    let at = |quantile: f64| samples[((samples.len() - 1) as f64 * quantile).round() as usize];
    let millis = |duration: Duration| duration.as_secs_f64() * 1000.0;
    println!(
        "{what:<34} p50 {:>7.2} ms  p90 {:>7.2} ms  p99 {:>7.2} ms",
        millis(at(0.50)),
        millis(at(0.90)),
        millis(at(0.99)),
    );
}
