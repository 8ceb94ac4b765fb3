//! The per-file result cache (`.snag_cache/`): a repeated scan of files that
//! did not change reads and hashes them, and takes their findings from here
//! instead of parsing them again.
//!
//! One cache file per *key*: the caller hashes everything that decides what a
//! file's findings are besides its bytes (snag's build, the config, the
//! command line's rule selection, the roots paths are shown relative to).
//! Inside, an entry per path holds the hash of the bytes it was computed from
//! and the placed findings and notices. A file whose bytes hash differently is
//! analysed again; so is one whose analysis hit an internal error.
//!
//! The cache is an optimisation and never an error: a missing, unreadable or
//! corrupt cache file is an empty cache, and a failed save leaves the previous
//! file in place (it is written to a temporary file and renamed).

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::engine::{FileOutcome, Notice, NoticeKind, Rule, UNUSED_SUPPRESSION_META};
use crate::finding::{Confidence, Finding, Fix, Position, Range, RelatedLocation, Severity};
use crate::model::{Language, Span};

/// Bumped when the file format changes.
const FORMAT: u32 = 1;

/// Entries not used by any scan for this many days are dropped, and so are
/// cache files (of other builds or configs) not written for as long.
const KEEP_DAYS: u64 = 30;

/// The hash of a file's bytes, as the cache keys it.
pub fn content_hash(bytes: &[u8]) -> u128 {
    xxhash_rust::xxh3::xxh3_128(bytes)
}

/// A key from the parts that decide a file's findings besides its bytes.
pub fn key(parts: &[&[u8]]) -> String {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    for part in parts {
        hasher.update(&(part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    format!("{:032x}", hasher.digest128())
}

/// A cache opened for one scan: what was stored, and what this scan adds.
pub struct Cache {
    file: PathBuf,
    stored: HashMap<String, Entry>,
    /// Entries this scan computed.
    fresh: Mutex<HashMap<String, Entry>>,
    /// Stored entries this scan used.
    used: Mutex<HashSet<String>>,
    today: u64,
}

impl Cache {
    /// The cache for `key` under `directory` (which need not exist yet).
    pub fn open(directory: &Path, key: &str) -> Cache {
        let file = directory.join(format!("{key}.json"));
        let stored = std::fs::read(&file)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Stored>(&bytes).ok())
            .filter(|stored| stored.format == FORMAT)
            .map(|stored| stored.entries)
            .unwrap_or_default();
        Cache {
            file,
            stored,
            fresh: Mutex::new(HashMap::new()),
            used: Mutex::new(HashSet::new()),
            today: days_since_epoch(SystemTime::now()),
        }
    }

    /// The stored outcome of `path` when its bytes hash to `hash`. The
    /// outcome's `source` is left for the caller (it has the bytes).
    pub(crate) fn get(
        &self,
        path: &str,
        language: Language,
        hash: u128,
        rules: &[&'static dyn Rule],
    ) -> Option<FileOutcome> {
        let entry = self.stored.get(path)?;
        if entry.hash != hash {
            return None;
        }
        let findings = entry
            .findings
            .iter()
            .map(|finding| finding.to_finding(path, rules))
            .collect::<Option<Vec<Finding>>>()?;
        let notices = entry
            .notices
            .iter()
            .map(|notice| notice.to_notice(path))
            .collect::<Option<Vec<Notice>>>()?;
        lock(&self.used).insert(path.to_string());
        Some(FileOutcome {
            path: path.to_string(),
            language,
            source: None,
            findings,
            notices,
            parsed: false,
            cached: true,
            timings: Default::default(),
        })
    }

    /// Records what analysing `path`, whose bytes hash to `hash`, gave.
    /// Outcomes with an internal error or over the time budget are not
    /// kept: the next scan tries again.
    pub(crate) fn put(&self, hash: u128, outcome: &FileOutcome) {
        if outcome
            .notices
            .iter()
            .any(|notice| matches!(notice.kind, NoticeKind::Internal | NoticeKind::OverBudget))
        {
            return;
        }
        let entry = Entry {
            hash,
            day: self.today,
            findings: outcome.findings.iter().map(StoredFinding::from).collect(),
            notices: outcome.notices.iter().map(StoredNotice::from).collect(),
        };
        lock(&self.fresh).insert(outcome.path.clone(), entry);
    }

    /// How many files this scan took from the cache.
    pub fn hits(&self) -> usize {
        lock(&self.used).len()
    }

    /// Writes the cache back: this scan's entries, the stored ones it used
    /// (marked used today), and the others until they are `KEEP_DAYS` old.
    /// Nothing is written when nothing changed.
    pub fn save(self) -> std::io::Result<()> {
        let fresh = self.fresh.into_inner().unwrap_or_else(|e| e.into_inner());
        let used = self.used.into_inner().unwrap_or_else(|e| e.into_inner());
        let touched = used.iter().any(|path| {
            self.stored
                .get(path)
                .is_some_and(|entry| entry.day != self.today)
        });
        if fresh.is_empty() && !touched {
            return Ok(());
        }
        let mut entries = self.stored;
        entries.retain(|path, entry| {
            if used.contains(path) {
                entry.day = self.today;
            }
            self.today.saturating_sub(entry.day) <= KEEP_DAYS
        });
        entries.extend(fresh);
        let Some(directory) = self.file.parent() else {
            return Ok(());
        };
        create_cache_directory(directory)?;
        let bytes = serde_json::to_vec(&Stored {
            format: FORMAT,
            entries,
        })
        .map_err(std::io::Error::other)?;
        let temporary = directory.join(format!(
            ".{}.{}.tmp",
            self.file
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default(),
            std::process::id()
        ));
        let written = std::fs::File::create(&temporary)
            .and_then(|mut file| file.write_all(&bytes))
            .and_then(|()| std::fs::rename(&temporary, &self.file));
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        written?;
        remove_stale_files(directory, &self.file);
        Ok(())
    }
}

/// Creates the cache directory with a `.gitignore` that ignores all of it
/// (and a `CACHEDIR.TAG` for backup tools), so it never shows up in `git status`.
fn create_cache_directory(directory: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(directory)?;
    // The top of the cache: `.snag_cache/` holds one directory per version.
    let top = directory.parent().unwrap_or(directory);
    let ignore = top.join(".gitignore");
    if !ignore.exists() {
        std::fs::write(&ignore, "# Created by snag.\n*\n")?;
    }
    let tag = top.join("CACHEDIR.TAG");
    if !tag.exists() {
        std::fs::write(
            &tag,
            "Signature: 8a477f597d28d172789f06886806bc55\n# This is snag's cache (https://bford.info/cachedir/).\n",
        )?;
    }
    Ok(())
}

/// Removes cache files of other keys that nobody wrote for `KEEP_DAYS`.
fn remove_stale_files(directory: &Path, keep: &Path) {
    let Ok(listing) = std::fs::read_dir(directory) else {
        return;
    };
    let limit = Duration::from_secs(KEEP_DAYS * 24 * 60 * 60);
    for entry in listing.flatten() {
        let path = entry.path();
        if path == keep || path.extension().is_none_or(|extension| extension != "json") {
            continue;
        }
        let stale = entry
            .metadata()
            .and_then(|metadata| metadata.modified())
            .ok()
            .and_then(|modified| modified.elapsed().ok())
            .is_some_and(|age| age > limit);
        if stale {
            let _ = std::fs::remove_file(path);
        }
    }
}

fn days_since_epoch(time: SystemTime) -> u64 {
    time.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs() / (24 * 60 * 60))
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[derive(Serialize, Deserialize)]
struct Stored {
    format: u32,
    entries: HashMap<String, Entry>,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    #[serde(with = "hex128")]
    hash: u128,
    /// The last day (since the epoch) a scan computed or used this entry.
    day: u64,
    findings: Vec<StoredFinding>,
    notices: Vec<StoredNotice>,
}

/// A finding as stored: its path is the entry's, its rule is found again
/// among the rules that run (an entry naming another rule is not used).
#[derive(Serialize, Deserialize)]
struct StoredFinding {
    rule: String,
    severity: String,
    confidence: String,
    span: (u32, u32),
    range: [u32; 4],
    message: String,
    why: String,
    help: String,
    related: Vec<StoredRelated>,
    fix: Option<StoredFix>,
    fingerprint: String,
}

#[derive(Serialize, Deserialize)]
struct StoredRelated {
    span: (u32, u32),
    range: [u32; 4],
    message: String,
}

#[derive(Serialize, Deserialize)]
struct StoredFix {
    description: String,
    span: (u32, u32),
    replacement: String,
}

#[derive(Serialize, Deserialize)]
struct StoredNotice {
    kind: String,
    message: String,
}

impl From<&Finding> for StoredFinding {
    fn from(finding: &Finding) -> StoredFinding {
        StoredFinding {
            rule: finding.rule.to_string(),
            severity: finding.severity.as_str().to_string(),
            confidence: finding.confidence.as_str().to_string(),
            span: (finding.span.start, finding.span.end),
            range: range_parts(finding.range),
            message: finding.message.clone(),
            why: finding.why.clone(),
            help: finding.help.clone(),
            related: finding
                .related
                .iter()
                .map(|related| StoredRelated {
                    span: (related.span.start, related.span.end),
                    range: range_parts(related.range),
                    message: related.message.clone(),
                })
                .collect(),
            fix: finding.fix.as_ref().map(|fix| StoredFix {
                description: fix.description.clone(),
                span: (fix.span.start, fix.span.end),
                replacement: fix.replacement.clone(),
            }),
            fingerprint: finding.fingerprint.clone(),
        }
    }
}

impl StoredFinding {
    fn to_finding(&self, path: &str, rules: &[&'static dyn Rule]) -> Option<Finding> {
        let meta = rules
            .iter()
            .map(|rule| rule.meta())
            .chain(std::iter::once(&UNUSED_SUPPRESSION_META))
            .find(|meta| meta.id == self.rule)?;
        Some(Finding {
            rule: meta.id,
            pack: meta.pack,
            severity: severity(&self.severity)?,
            confidence: self.confidence.parse::<Confidence>().ok()?,
            path: path.to_string(),
            span: span(self.span),
            range: range(self.range),
            message: self.message.clone(),
            why: self.why.clone(),
            help: self.help.clone(),
            related: self
                .related
                .iter()
                .map(|related| RelatedLocation {
                    path: path.to_string(),
                    span: span(related.span),
                    range: range(related.range),
                    message: related.message.clone(),
                })
                .collect(),
            fix: self.fix.as_ref().map(|fix| Fix {
                description: fix.description.clone(),
                span: span(fix.span),
                replacement: fix.replacement.clone(),
            }),
            fingerprint: self.fingerprint.clone(),
        })
    }
}

impl From<&Notice> for StoredNotice {
    fn from(notice: &Notice) -> StoredNotice {
        StoredNotice {
            kind: match notice.kind {
                NoticeKind::Skipped => "skipped",
                NoticeKind::SyntaxError => "syntax-error",
                NoticeKind::Encoding => "encoding",
                NoticeKind::Internal => "internal",
                NoticeKind::OverBudget => "over-budget",
            }
            .to_string(),
            message: notice.message.clone(),
        }
    }
}

impl StoredNotice {
    fn to_notice(&self, path: &str) -> Option<Notice> {
        let kind = match self.kind.as_str() {
            "skipped" => NoticeKind::Skipped,
            "syntax-error" => NoticeKind::SyntaxError,
            "encoding" => NoticeKind::Encoding,
            _ => return None,
        };
        Some(Notice {
            path: path.to_string(),
            kind,
            message: self.message.clone(),
        })
    }
}

fn severity(text: &str) -> Option<Severity> {
    match text {
        "info" => Some(Severity::Info),
        "warning" => Some(Severity::Warning),
        "error" => Some(Severity::Error),
        _ => None,
    }
}

fn span((start, end): (u32, u32)) -> Span {
    Span { start, end }
}

fn range_parts(range: Range) -> [u32; 4] {
    [
        range.start.line,
        range.start.column,
        range.end.line,
        range.end.column,
    ]
}

fn range([start_line, start_column, end_line, end_column]: [u32; 4]) -> Range {
    Range {
        start: Position {
            line: start_line,
            column: start_column,
        },
        end: Position {
            line: end_line,
            column: end_column,
        },
    }
}

/// A `u128` as 32 hex digits (JSON numbers do not hold it everywhere).
mod hex128 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &u128, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format!("{value:032x}"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u128, D::Error> {
        let text = String::deserialize(deserializer)?;
        u128::from_str_radix(&text, 16).map_err(serde::de::Error::custom)
    }
}
