//! The baseline: `.snag-baseline.json`, the fingerprints of the findings a
//! team has accepted for now, written by `snag baseline` and read back by
//! `snag check`, which hides the findings it lists.
//!
//! It holds fingerprints, not lines: a fingerprint hashes the rule, the path
//! and the offending code (see `Engine` and ARCHITECTURE.md), so findings stay
//! hidden when unrelated edits move them, and a new finding is never hidden by
//! an old one's position. Entries are sorted and carry the rule and path too,
//! so the file diffs readably in review.
//!
//! ```json
//! {
//!   "version": 1,
//!   "tool": {"name": "snag", "version": "0.1.0"},
//!   "findings": [
//!     {"path": "app/db.py", "rule": "sql-injection", "fingerprint": "9f4c2a1b0e6d7c38"}
//!   ]
//! }
//! ```

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::engine::ScanOutcome;

/// The file `snag baseline` writes at the repository root (outside a
/// repository, the current directory), where `snag check` looks for it.
pub const FILE_NAME: &str = ".snag-baseline.json";
const VERSION: u32 = 1;

#[derive(Serialize)]
struct BaselineFile<'a> {
    version: u32,
    tool: Tool<'a>,
    findings: &'a [Entry],
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'a str,
    version: &'a str,
}

/// One accepted finding. Rule and path are for readers and for `snag
/// baseline PATHS`, which replaces only the entries under PATHS; the
/// fingerprint alone decides what `check` hides.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    pub path: String,
    pub rule: String,
    pub fingerprint: String,
}

#[derive(Deserialize)]
struct Versioned {
    version: u32,
}

#[derive(Deserialize)]
struct ParsedFile {
    findings: Vec<Entry>,
}

/// Why a baseline could not be used.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("{}: cannot read the baseline: {source}", .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}:{column}: not a snag baseline: {message}", .path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "{}: baseline version {found} is not supported (this snag reads version {VERSION}); run `snag baseline` to write it again",
        .path.display()
    )]
    Version { path: PathBuf, found: u32 },
}

/// The entries of a baseline, sorted and without duplicates.
#[derive(Debug, Default)]
pub struct Baseline {
    entries: Vec<Entry>,
    fingerprints: HashSet<String>,
}

impl Baseline {
    fn from_entries(mut entries: Vec<Entry>) -> Baseline {
        entries.sort();
        entries.dedup();
        let fingerprints = entries
            .iter()
            .map(|entry| entry.fingerprint.clone())
            .collect();
        Baseline {
            entries,
            fingerprints,
        }
    }

    /// The baseline of a scan: every finding it reported.
    pub fn of_findings(outcome: &ScanOutcome) -> Baseline {
        Baseline::from_entries(
            outcome
                .findings()
                .map(|finding| Entry {
                    path: finding.path.clone(),
                    rule: finding.rule.to_string(),
                    fingerprint: finding.fingerprint.clone(),
                })
                .collect(),
        )
    }

    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Baseline::parse(&text, path)
    }

    /// Parses a baseline's text; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Baseline, BaselineError> {
        let parse_error = |error: serde_json::Error| BaselineError::Parse {
            path: path.to_path_buf(),
            line: error.line(),
            column: error.column(),
            message: error.to_string(),
        };
        let versioned: Versioned = serde_json::from_str(text).map_err(parse_error)?;
        if versioned.version != VERSION {
            return Err(BaselineError::Version {
                path: path.to_path_buf(),
                found: versioned.version,
            });
        }
        let parsed: ParsedFile = serde_json::from_str(text).map_err(parse_error)?;
        Ok(Baseline::from_entries(parsed.findings))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Adds the entries of `previous` whose path is outside every one of
    /// `scopes` (paths relative to the baseline's directory, `/`-separated; a
    /// scope is a file or a directory, `""` or `.` the whole tree): what a
    /// baseline of PATHS keeps of the one it replaces.
    pub fn keep_outside(&mut self, previous: &Baseline, scopes: &[String]) {
        let inside = |path: &str| {
            scopes.iter().any(|scope| {
                let scope = scope.trim_end_matches('/');
                scope.is_empty()
                    || scope == "."
                    || path == scope
                    || path
                        .strip_prefix(scope)
                        .is_some_and(|rest| rest.starts_with('/'))
            })
        };
        let mut entries = std::mem::take(&mut self.entries);
        entries.extend(
            previous
                .entries
                .iter()
                .filter(|entry| !inside(&entry.path))
                .cloned(),
        );
        *self = Baseline::from_entries(entries);
    }

    /// Removes the findings whose fingerprints the baseline holds; returns
    /// how many it removed.
    pub fn hide(&self, outcome: &mut ScanOutcome) -> usize {
        let mut hidden = 0;
        for file in &mut outcome.files {
            let before = file.findings.len();
            file.findings
                .retain(|finding| !self.fingerprints.contains(&finding.fingerprint));
            hidden += before - file.findings.len();
            if file.findings.is_empty() {
                file.source = None;
            }
        }
        hidden
    }

    /// The file's text, pretty-printed, ending in a newline.
    pub fn render(&self, tool_version: &str) -> String {
        let file = BaselineFile {
            version: VERSION,
            tool: Tool {
                name: "snag",
                version: tool_version,
            },
            findings: &self.entries,
        };
        let mut text = serde_json::to_string_pretty(&file).unwrap_or_else(|error| {
            format!("{{\"error\": \"cannot serialize the baseline: {error}\"}}")
        });
        text.push('\n');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::outcome_with;

    fn entry(path: &str, fingerprint: &str) -> Entry {
        Entry {
            path: path.to_string(),
            rule: "select-star".to_string(),
            fingerprint: fingerprint.to_string(),
        }
    }

    #[test]
    fn a_rendered_baseline_hides_its_findings() {
        let mut outcome = outcome_with("db.py", "run(name)\n", "run(name)", "name", "m", None);
        let text = Baseline::of_findings(&outcome).render("0.1.0");
        let baseline = Baseline::parse(&text, Path::new(FILE_NAME)).unwrap();
        assert_eq!(
            baseline.entries(),
            &[Entry {
                path: "db.py".to_string(),
                rule: "sql-injection".to_string(),
                fingerprint: "0123456789abcdef".to_string(),
            }]
        );
        assert_eq!(baseline.hide(&mut outcome), 1);
        assert_eq!(outcome.findings().count(), 0);
        assert!(outcome.files[0].source.is_none());
    }

    #[test]
    fn other_fingerprints_are_not_hidden() {
        let mut outcome = outcome_with("db.py", "run(name)\n", "run(name)", "name", "m", None);
        let baseline = Baseline::from_entries(vec![entry("db.py", "fedcba9876543210")]);
        assert_eq!(baseline.hide(&mut outcome), 0);
        assert_eq!(outcome.findings().count(), 1);
    }

    #[test]
    fn a_baseline_of_some_paths_keeps_the_entries_of_the_others() {
        let previous = Baseline::from_entries(vec![
            entry("api/db.py", "1"),
            entry("api2/db.py", "2"),
            entry("web/x.py", "3"),
            entry("top.py", "4"),
        ]);
        let mut fresh = Baseline::from_entries(vec![entry("api/new.py", "5")]);
        fresh.keep_outside(&previous, &["api".to_string(), "top.py".to_string()]);
        let kept: Vec<&str> = fresh
            .entries()
            .iter()
            .map(|entry| entry.path.as_str())
            .collect();
        assert_eq!(kept, ["api/new.py", "api2/db.py", "web/x.py"]);
        let mut whole = Baseline::default();
        whole.keep_outside(&previous, &[".".to_string()]);
        assert!(whole.is_empty());
    }

    #[test]
    fn bad_baselines_are_errors_naming_the_file() {
        let path = Path::new("b.json");
        let error = Baseline::parse("{\"version\": 1,\n \"findings\": 3}", path).unwrap_err();
        assert!(error.to_string().starts_with("b.json:2:"), "{error}");
        let error = Baseline::parse("{\"version\": 7, \"findings\": []}", path).unwrap_err();
        assert!(error.to_string().contains("version 7"), "{error}");
        let error = Baseline::parse("[]", path).unwrap_err();
        assert!(error.to_string().starts_with("b.json:1:"), "{error}");
    }
}
