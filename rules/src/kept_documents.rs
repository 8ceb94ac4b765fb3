//! Tests: an editor's document, analysed after each of many edits with its
//! syntax tree and lowering kept, gets the findings a fresh analysis of the
//! same text gets.

use std::path::{Path, PathBuf};

use snag_analyzer::config::LoadedConfig;
use snag_analyzer::engine::Engine;
use snag_analyzer::finding::Finding;
use snag_analyzer::lang::random_edits::{random_edit, Random};
use snag_analyzer::lang::Document;
use snag_analyzer::model::Language;

use crate::settings::{from_config, Overrides};

fn engine() -> Engine {
    let settings = from_config(
        &LoadedConfig::default(),
        &Overrides::default(),
        PathBuf::from("/corpus"),
        None,
    )
    .expect("default settings");
    Engine::new(settings)
}

/// What a finding says, where: everything but the path's rendering.
fn summary(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .map(|finding| {
            format!(
                "{} {:?} {:?} {} {} {:?}",
                finding.rule,
                finding.span,
                finding.confidence,
                finding.message,
                finding.fingerprint,
                finding
                    .related
                    .iter()
                    .map(|related| (related.span, &related.message))
                    .collect::<Vec<_>>()
            )
        })
        .collect()
}

fn check(path: &Path, language: Language, edits: usize, seed: u64) {
    let engine = engine();
    let text = std::fs::read_to_string(path).expect("corpus file");
    let mut document = Document::new(language, text);
    let mut random = Random(seed | 1);
    for round in 0..=edits {
        if round > 0 {
            let (range, inserted) = random_edit(&mut random, document.text());
            document.edit(range, &inserted);
        }
        let kept = engine.check_document("file", &mut document);
        let fresh = engine.check_source("file", language, document.text());
        assert_eq!(
            summary(&kept.findings),
            summary(&fresh.findings),
            "{}: after {round} edits, the document's findings differ from a fresh analysis\n{}",
            path.display(),
            document.text()
        );
        assert_eq!(
            kept.notices.len(),
            fresh.notices.len(),
            "{}",
            path.display()
        );
    }
}

#[test]
fn an_edited_documents_findings_are_a_fresh_analysis_findings() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus");
    let mut files = 0;
    for rule in std::fs::read_dir(&corpus).expect("corpus") {
        let rule = rule.expect("entry").path();
        // Python's lowering is the incremental one; the others are lowered
        // whole, a few files suffice to check the document's path.
        for (directory, language, edits, most) in [
            ("python", Language::Python, 6, usize::MAX),
            ("typescript", Language::TypeScript, 1, 2),
            ("javascript", Language::JavaScript, 1, 2),
            ("rust", Language::Rust, 1, 2),
        ] {
            let Ok(entries) = std::fs::read_dir(rule.join(directory)) else {
                continue;
            };
            let mut paths: Vec<PathBuf> =
                entries.map(|entry| entry.expect("entry").path()).collect();
            paths.sort();
            for path in paths.into_iter().take(most) {
                let language = match path.extension().and_then(|e| e.to_str()) {
                    Some("tsx") => Language::Tsx,
                    _ => language,
                };
                check(&path, language, edits, 0x5eed + files);
                files += 1;
            }
        }
    }
    assert!(files > 100, "only {files} corpus files");
}
