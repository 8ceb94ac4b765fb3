//! The engine: runs rules over files in parallel and turns their diagnostics
//! into findings.
//!
//! Each file is read once, skipped when no catalogued name occurs in its bytes,
//! otherwise parsed once and lowered in one walk; then every rule reads the same
//! model. Suppressions, severity overrides and the confidence floor are applied
//! here, so rules stay small. Results come back sorted by path, line, column and
//! rule, whatever order the threads finished in.

use foldhash::HashMap;
use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use aho_corasick::AhoCorasick;
use rayon::prelude::*;

use crate::cache::Cache;
use crate::catalog::Catalog;
use crate::finding::{
    stable_hash, Confidence, Diagnostic, Finding, LineIndex, RelatedLocation, Severity,
};
use crate::lang::Document;
use crate::model::{Call, FileModel, Language};
use crate::source::{ChangedLines, DiscoveredFile, Exclusions, InMemoryFile};
use crate::suppress::Suppressions;

pub use crate::source::MAX_FILE_BYTES;
/// Worker threads get a large stack: lowering recurses with the syntax tree
/// (bounded by `MAX_DEPTH`).
const WORKER_STACK_BYTES: usize = 32 * 1024 * 1024;

/// A rule's identity and documentation.
#[derive(Debug)]
pub struct RuleMeta {
    pub id: &'static str,
    pub pack: &'static str,
    pub severity: Severity,
    /// One line: what the rule flags.
    pub summary: &'static str,
    /// Markdown with the sections *What it does*, *Why is this bad?*,
    /// *Example*, *Use instead*, *Known limits*.
    pub docs: &'static str,
}

/// What a rule sees of one file.
pub struct RuleContext<'a> {
    /// The file's path as reports show it (relative to the scan root, `/`
    /// separators), for conventions that live in names (`test_*.py`).
    pub path: &'a str,
    pub language: Language,
    pub source: &'a str,
    pub model: &'a FileModel,
    pub catalog: &'a Catalog,
    /// Facts about the file that several rules derive, made once.
    memo: RefCell<HashMap<TypeId, Rc<dyn Any>>>,
}

impl<'a> RuleContext<'a> {
    pub fn new(
        path: &'a str,
        language: Language,
        source: &'a str,
        model: &'a FileModel,
        catalog: &'a Catalog,
    ) -> RuleContext<'a> {
        RuleContext {
            path,
            language,
            source,
            model,
            catalog,
            memo: RefCell::default(),
        }
    }

    pub fn text(&self, span: crate::model::Span) -> &str {
        self.source.get(span.range()).unwrap_or("")
    }

    /// A fact about this file that more than one rule needs (what each call
    /// is to a catalog, say), made by `make` when a rule first asks for a
    /// value of its type and shared by the rules after it.
    pub fn memo<T: Any>(&self, make: impl FnOnce(&Self) -> T) -> Rc<T> {
        let key = TypeId::of::<T>();
        let found = self.memo.borrow().get(&key).cloned();
        if let Some(found) = found.and_then(|found| found.downcast::<T>().ok()) {
            return found;
        }
        // Made without holding the memo: `make` may ask for other facts.
        let made = Rc::new(make(self));
        self.memo.borrow_mut().insert(key, made.clone());
        made
    }

    /// Where `call` is in the model's calls, when it is one of them.
    pub fn call_index(&self, call: &Call) -> Option<usize> {
        let calls = self.model.calls.as_ptr_range();
        let at = call as *const Call;
        calls
            .contains(&at)
            .then(|| (at as usize - calls.start as usize) / std::mem::size_of::<Call>())
    }
}

/// A rule: a small function over the semantic model.
pub trait Rule: Send + Sync {
    fn meta(&self) -> &'static RuleMeta;

    fn check(&self, context: &RuleContext<'_>, diagnostics: &mut Vec<Diagnostic>);

    /// What a file must contain for the rule to find anything in it; `None`
    /// when any file may. Files that match no selected rule's needles are not
    /// parsed.
    /// Needles are per language: a catalog entry for Rust says nothing
    /// about what a Python file must contain.
    fn needles(&self, _catalog: &Catalog, _language: Language) -> Option<Needles> {
        None
    }
}

/// What a file must contain, at least one of, for a rule to matter there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needles {
    /// Exact byte strings (API names).
    pub literals: Vec<String>,
    /// Regular expressions (`regex` syntax) over the file's bytes.
    pub patterns: Vec<String>,
}

impl Needles {
    /// Any of these names as a whole word; `None` for no names (any file
    /// may then matter).
    pub fn words(names: &[String]) -> Option<Needles> {
        if names.is_empty() {
            return None;
        }
        // A word boundary only where the name has a word character: `\b`
        // before `@sendgrid/mail` would need a letter before the `@`.
        let is_word = |c: char| c.is_alphanumeric() || c == '_';
        let alternatives: Vec<String> = names
            .iter()
            .map(|name| {
                let before = if name.starts_with(is_word) { r"\b" } else { "" };
                let after = if name.ends_with(is_word) { r"\b" } else { "" };
                format!("{before}{}{after}", regex::escape(name))
            })
            .collect();
        Some(Needles {
            literals: Vec::new(),
            patterns: vec![format!("(?:{})", alternatives.join("|"))],
        })
    }
}

/// The union of the selected rules' needles for one language, compiled once.
struct Prefilter {
    literals: Option<AhoCorasick>,
    patterns: Option<regex::bytes::RegexSet>,
}

impl Prefilter {
    /// `None` when some rule may match any file, or nothing compiles.
    fn new(
        rules: &[&'static dyn Rule],
        catalog: &Catalog,
        language: Language,
    ) -> Option<Prefilter> {
        let mut literals = Vec::new();
        let mut patterns = Vec::new();
        for rule in rules {
            let needles = rule.needles(catalog, language)?;
            literals.extend(needles.literals);
            patterns.extend(needles.patterns);
        }
        literals.sort();
        literals.dedup();
        patterns.sort();
        patterns.dedup();
        if literals.is_empty() && patterns.is_empty() {
            return None;
        }
        let literals = if literals.is_empty() {
            None
        } else {
            Some(AhoCorasick::new(&literals).ok()?)
        };
        let patterns = if patterns.is_empty() {
            None
        } else {
            Some(regex::bytes::RegexSet::new(&patterns).ok()?)
        };
        Some(Prefilter { literals, patterns })
    }

    fn may_match(&self, source: &str) -> bool {
        self.literals
            .as_ref()
            .is_some_and(|literals| literals.is_match(source))
            || self
                .patterns
                .as_ref()
                .is_some_and(|patterns| patterns.is_match(source.as_bytes()))
    }
}

/// Everything a scan needs besides its files.
pub struct Settings {
    pub rules: Vec<&'static dyn Rule>,
    pub catalog: Catalog,
    /// Severity per rule id, overriding the rule's default.
    pub severity_overrides: Vec<(String, Severity)>,
    pub min_confidence: Confidence,
    pub exclusions: Exclusions,
    pub report_unused_suppressions: bool,
    /// Paths in findings are relative to this directory.
    pub root: PathBuf,
    /// Paths in fingerprints are relative to this directory (the repository
    /// root), so a finding keeps its fingerprint whichever directory a scan
    /// ran from; `None` hashes the paths as findings show them.
    pub fingerprint_root: Option<PathBuf>,
    /// How long one file may take (parse, lower, rules) before snag gives
    /// up on the rest of it, with a notice.
    pub file_budget: Duration,
}

/// The default of [`Settings::file_budget`].
pub const DEFAULT_FILE_BUDGET: Duration = Duration::from_secs(10);

/// A message about a file that is not a finding: skipped, unreadable, broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub path: String,
    pub kind: NoticeKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// Not analysed at all (binary, too large, unreadable).
    Skipped,
    /// Analysed, but part of it could not be parsed.
    SyntaxError,
    /// Analysed with replacement characters for invalid UTF-8.
    Encoding,
    /// A bug in snag; the scan went on without that rule for that file.
    Internal,
    /// Analysis took longer than the per-file budget and stopped.
    OverBudget,
}

/// The result for one file.
#[derive(Debug, Clone)]
pub struct FileOutcome {
    pub path: String,
    pub language: Language,
    /// Kept only when there are findings, for reports that show snippets.
    pub source: Option<Arc<str>>,
    pub findings: Vec<Finding>,
    pub notices: Vec<Notice>,
    pub parsed: bool,
    /// Taken from the result cache, not analysed.
    pub cached: bool,
    /// Where this file's time went, for `--timings`.
    pub timings: FileTimings,
}

/// Time spent on one file, by phase (on whichever thread analysed it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FileTimings {
    pub read: Duration,
    pub parse: Duration,
    pub lower: Duration,
    pub rules: Duration,
}

impl FileTimings {
    pub fn total(&self) -> Duration {
        self.read + self.parse + self.lower + self.rules
    }
}

impl FileOutcome {
    /// The diff filter: a finding stays when its primary span or any of its
    /// related spans (in the same file) touches a changed line. Touching
    /// means any line of the span's `start..=end`, so a multi-line call whose
    /// argument changed is kept, and so is a query whose enclosing loop was
    /// just added.
    pub fn keep_findings_on_changed_lines(&mut self, changed: &ChangedLines) {
        let path = self.path.as_str();
        self.findings.retain(|finding| {
            changed.touches(finding.range.start.line, finding.range.end.line)
                || finding.related.iter().any(|related| {
                    related.path == path
                        && changed.touches(related.range.start.line, related.range.end.line)
                })
        });
        if self.findings.is_empty() {
            self.source = None;
        }
    }
}

/// The result of a scan.
#[derive(Debug, Default)]
pub struct ScanOutcome {
    pub files: Vec<FileOutcome>,
    pub files_scanned: usize,
}

impl ScanOutcome {
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.files.iter().flat_map(|file| file.findings.iter())
    }

    pub fn notices(&self) -> impl Iterator<Item = &Notice> {
        self.files.iter().flat_map(|file| file.notices.iter())
    }

    pub fn has_internal_errors(&self) -> bool {
        self.notices()
            .any(|notice| notice.kind == NoticeKind::Internal)
    }
}

/// The engine with its settings compiled: one per scan or language server.
pub struct Engine {
    settings: Settings,
    /// Per language, compiled when a file of it is first seen: `None` when
    /// some selected rule may match any file.
    prefilters: [OnceLock<Option<Prefilter>>; Language::ALL.len()],
    /// The scan root relative to the fingerprint root, `/`-separated with a
    /// trailing `/` (empty when they are the same directory).
    fingerprint_prefix: String,
    /// Unique per engine: what a document's kept lowering was made with
    /// (the catalogs' sources), so another engine does not reuse it.
    id: u64,
}

impl Engine {
    pub fn new(settings: Settings) -> Engine {
        let fingerprint_prefix = settings
            .fingerprint_root
            .as_deref()
            .and_then(|fingerprint_root| {
                let root = std::path::absolute(&settings.root).ok()?;
                let fingerprint_root = std::path::absolute(fingerprint_root).ok()?;
                let relative = root.strip_prefix(fingerprint_root).ok()?;
                let mut prefix = relative.to_string_lossy().replace('\\', "/");
                if !prefix.is_empty() {
                    prefix.push('/');
                }
                Some(prefix)
            })
            .unwrap_or_default();
        static ENGINES: AtomicU64 = AtomicU64::new(0);
        Engine {
            settings,
            prefilters: Default::default(),
            fingerprint_prefix,
            id: ENGINES.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// The path a finding's fingerprint hashes: its display path, made
    /// relative to the fingerprint root.
    fn fingerprint_path<'p>(&self, display: &'p str) -> std::borrow::Cow<'p, str> {
        if self.fingerprint_prefix.is_empty() {
            return std::borrow::Cow::Borrowed(display);
        }
        let mut segments: Vec<&str> = Vec::new();
        for segment in self.fingerprint_prefix.split('/').chain(display.split('/')) {
            match segment {
                "" | "." => {}
                ".." if segments.last().is_some_and(|last| *last != "..") => {
                    segments.pop();
                }
                other => segments.push(other),
            }
        }
        std::borrow::Cow::Owned(segments.join("/"))
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Whether a file with this text is analysed at all: `false` when it
    /// holds none of the selected rules' needles. Always `true` when some
    /// rule gave no needles or they did not compile.
    pub fn may_match(&self, language: Language, source: &str) -> bool {
        self.prefilter(language)
            .is_none_or(|prefilter| prefilter.may_match(source))
    }

    /// Whether files of a language can be skipped at all (every rule gave
    /// needles that compiled).
    pub fn prefilters(&self, language: Language) -> bool {
        self.prefilter(language).is_some()
    }

    fn prefilter(&self, language: Language) -> Option<&Prefilter> {
        self.prefilters[language.index()]
            .get_or_init(|| Prefilter::new(&self.settings.rules, &self.settings.catalog, language))
            .as_ref()
    }

    /// Analyses discovered files in parallel, taking the results of files
    /// whose bytes did not change from `cache` (and recording the others
    /// there). `progress` is called after each file with the number done and
    /// the total.
    pub fn scan(
        &self,
        mut files: Vec<DiscoveredFile>,
        cache: Option<&Cache>,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> ScanOutcome {
        // Largest first, so one big file does not finish the scan alone.
        files.sort_by(|a, b| b.size.cmp(&a.size).then_with(|| a.path.cmp(&b.path)));
        self.analyse_in_parallel(
            files,
            |file| match cache {
                Some(cache) => self.check_path_cached(&file.path, file.language, cache),
                None => self.check_path(&file.path, file.language),
            },
            progress,
        )
    }

    /// Analyses files whose bytes are already in memory (from git's index or
    /// a diff of the work tree) in parallel. A file that carries changed lines
    /// keeps only the findings whose primary or any related span touches one.
    pub fn scan_in_memory(
        &self,
        mut files: Vec<InMemoryFile>,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> ScanOutcome {
        files.sort_by(|a, b| {
            b.bytes
                .len()
                .cmp(&a.bytes.len())
                .then_with(|| a.path.cmp(&b.path))
        });
        self.analyse_in_parallel(files, |file| self.check_in_memory(file), progress)
    }

    fn analyse_in_parallel<T: Send>(
        &self,
        jobs: Vec<T>,
        analyse_one: impl Fn(T) -> FileOutcome + Sync,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> ScanOutcome {
        let total = jobs.len();
        let done = AtomicUsize::new(0);
        let analyse = || {
            // One file per job: with adaptive splitting, the thread holding
            // the large files (sorted first) would run them alone.
            jobs.into_par_iter()
                .with_max_len(1)
                .map(|job| {
                    let outcome = analyse_one(job);
                    progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
                    outcome
                })
                .collect::<Vec<FileOutcome>>()
        };
        let mut outcomes = match rayon::ThreadPoolBuilder::new()
            .stack_size(WORKER_STACK_BYTES)
            .build()
        {
            Ok(pool) => pool.install(analyse),
            Err(_) => analyse(),
        };
        outcomes.sort_by(|a, b| a.path.cmp(&b.path));
        ScanOutcome {
            files_scanned: outcomes.len(),
            files: outcomes,
        }
    }

    /// Analyses one in-memory file and applies its changed-lines filter.
    pub fn check_in_memory(&self, file: InMemoryFile) -> FileOutcome {
        let InMemoryFile {
            path,
            language,
            bytes,
            changed,
        } = file;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return skipped_outcome(&path, language, too_large_message(bytes.len()));
        }
        let mut outcome = self.check_bytes(&path, language, bytes);
        if let Some(changed) = &changed {
            outcome.keep_findings_on_changed_lines(changed);
        }
        outcome
    }

    /// The path as reports show it: relative to the root, with `/`.
    pub fn display_path(&self, path: &Path) -> String {
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let root =
            std::path::absolute(&self.settings.root).unwrap_or_else(|_| self.settings.root.clone());
        let relative = absolute.strip_prefix(&root).unwrap_or(path);
        let text = relative.to_string_lossy().replace('\\', "/");
        text.strip_prefix("./").map(str::to_string).unwrap_or(text)
    }

    /// Reads and analyses one file.
    pub fn check_path(&self, path: &Path, language: Language) -> FileOutcome {
        let display = self.display_path(path);
        let started = Instant::now();
        let read = std::fs::read(path);
        let read_time = started.elapsed();
        let mut outcome = self.check_read(&display, language, read);
        outcome.timings.read = read_time;
        outcome
    }

    /// Reads one file and takes its result from `cache` when its bytes are
    /// those the cached result was computed from; else analyses it and
    /// records the result.
    fn check_path_cached(&self, path: &Path, language: Language, cache: &Cache) -> FileOutcome {
        let display = self.display_path(path);
        let started = Instant::now();
        let read = std::fs::read(path);
        let read_time = started.elapsed();
        let bytes = match read {
            Ok(bytes) if bytes.len() as u64 <= MAX_FILE_BYTES => bytes,
            other => {
                let mut outcome = self.check_read(&display, language, other);
                outcome.timings.read = read_time;
                return outcome;
            }
        };
        let hash = crate::cache::content_hash(&bytes);
        let mut outcome = match cache.get(&display, language, hash, &self.settings.rules) {
            Some(mut outcome) => {
                if !outcome.findings.is_empty() {
                    outcome.source = Some(Arc::from(String::from_utf8_lossy(&bytes).as_ref()));
                }
                outcome
            }
            None => {
                let outcome = self.check_bytes(&display, language, bytes);
                cache.put(hash, &outcome);
                outcome
            }
        };
        outcome.timings.read = read_time;
        outcome
    }

    fn check_read(
        &self,
        display: &str,
        language: Language,
        read: std::io::Result<Vec<u8>>,
    ) -> FileOutcome {
        let display = display.to_string();
        let bytes = match read {
            Ok(bytes) => bytes,
            Err(error) => {
                return skipped_outcome(
                    &display,
                    language,
                    format!("skipped: cannot read: {error}"),
                )
            }
        };
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return skipped_outcome(&display, language, too_large_message(bytes.len()));
        }
        self.check_bytes(&display, language, bytes)
    }

    /// Analyses a file's bytes (from disk, standard input or an editor).
    pub fn check_bytes(&self, display: &str, language: Language, bytes: Vec<u8>) -> FileOutcome {
        let mut notices = Vec::new();
        let probe = &bytes[..bytes.len().min(8192)];
        if memchr::memchr(0, probe).is_some() {
            return skipped_outcome(
                display,
                language,
                "skipped: binary file (it contains NUL bytes)".to_string(),
            );
        }
        let source: String = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(error) => {
                let valid_up_to = error.utf8_error().valid_up_to();
                notices.push(Notice {
                    path: display.to_string(),
                    kind: NoticeKind::Encoding,
                    message: format!(
                        "invalid UTF-8 at byte {valid_up_to}: analysed with replacement characters"
                    ),
                });
                String::from_utf8_lossy(error.as_bytes()).into_owned()
            }
        };
        let mut outcome = self.check_source(display, language, &source);
        notices.append(&mut outcome.notices);
        outcome.notices = notices;
        outcome
    }

    /// The catalogs' answer to which call paths carry untrusted data, for
    /// the front ends.
    fn source_oracle(
        &self,
        language: Language,
    ) -> impl Fn(&crate::model::CallPath) -> Option<crate::lang::SourceKind> + Sync + '_ {
        move |path| {
            self.settings
                .catalog
                .source_kind(path, language)
                .map(|kind| match kind {
                    crate::catalog::SourceKindName::Input => crate::lang::SourceKind::Input,
                    crate::catalog::SourceKindName::Network => crate::lang::SourceKind::Remote,
                })
        }
    }

    /// Analyses source text, within the per-file budget.
    pub fn check_source(&self, display: &str, language: Language, source: &str) -> FileOutcome {
        let started = Instant::now();
        let deadline = started + self.settings.file_budget;
        let mut timings = FileTimings::default();
        let model = if self.may_match(language, source) {
            Lowered::from(catch_unwind(AssertUnwindSafe(|| {
                let tree = crate::lang::parse_until(language, source, None, Some(deadline));
                timings.parse = started.elapsed();
                if tree.is_none() && Instant::now() > deadline {
                    return None;
                }
                let lowering = Instant::now();
                let oracle = self.source_oracle(language);
                let model = match tree {
                    Some(tree) => {
                        crate::lang::lower_tree_with(language, &tree, source, Some(&oracle))
                    }
                    None => crate::lang::lower_with(language, source, Some(&oracle)),
                };
                timings.lower = lowering.elapsed();
                Some(model)
            })))
        } else {
            Lowered::NotParsed
        };
        let mut outcome = self.check_model(display, language, source, model, Some(deadline));
        outcome.timings.parse = timings.parse;
        outcome.timings.lower = timings.lower;
        outcome
    }

    /// Analyses a document kept across edits (the language server's): it is
    /// parsed only when some rule may match it, and then incrementally, from
    /// the tree of its previous parse. Findings are those `check_source`
    /// gives for the same text.
    pub fn check_document(&self, display: &str, document: &mut Document) -> FileOutcome {
        let model = if self.may_match(document.language(), document.text()) {
            let lowered = catch_unwind(AssertUnwindSafe(|| {
                document.parse();
                let oracle = self.source_oracle(document.language());
                document.lower_kept(Some(&oracle), self.id);
            }));
            match (lowered, document.kept_model()) {
                (Ok(()), Some(model)) => Lowered::Kept(model),
                _ => Lowered::Panicked,
            }
        } else {
            Lowered::NotParsed
        };
        self.check_model(display, document.language(), document.text(), model, None)
    }

    /// Suppressions, and the rules over the model when there is one.
    fn check_model(
        &self,
        display: &str,
        language: Language,
        source: &str,
        lowered: Lowered<'_>,
        deadline: Option<Instant>,
    ) -> FileOutcome {
        let mut outcome = FileOutcome {
            path: display.to_string(),
            language,
            source: None,
            findings: Vec::new(),
            notices: Vec::new(),
            parsed: false,
            cached: false,
            timings: FileTimings::default(),
        };
        let index = LineIndex::new(source);
        let suppressions = Suppressions::parse(source, &index);
        match &lowered {
            Lowered::NotParsed => {}
            Lowered::OverBudget => outcome.notices.push(self.over_budget(display, "parsing")),
            Lowered::Panicked => outcome.notices.push(Notice {
                path: display.to_string(),
                kind: NoticeKind::Internal,
                message: LOWERING_PANICKED.to_string(),
            }),
            Lowered::Model(_) | Lowered::Kept(_) => {}
        }
        if let Some(model) = lowered.model() {
            outcome.parsed = true;
            self.report_syntax_errors(display, model, &index, &mut outcome.notices);
            let started = Instant::now();
            let diagnostics = self.run_rules(
                display,
                language,
                source,
                model,
                deadline,
                &mut outcome.notices,
            );
            outcome.timings.rules = started.elapsed();
            outcome.findings = self.place(display, source, &index, &suppressions, diagnostics);
        }
        if self.settings.report_unused_suppressions {
            self.report_unused(display, &index, &suppressions, &mut outcome.findings);
        }
        if !outcome.findings.is_empty() {
            outcome.source = Some(Arc::from(source));
        }
        outcome
    }

    fn over_budget(&self, display: &str, phase: &str) -> Notice {
        Notice {
            path: display.to_string(),
            kind: NoticeKind::OverBudget,
            message: format!(
                "{phase} took longer than the {} s budget for one file (--file-budget); \
                 this file was not fully analysed",
                self.settings.file_budget.as_secs_f64()
            ),
        }
    }

    fn report_syntax_errors(
        &self,
        display: &str,
        model: &FileModel,
        index: &LineIndex<'_>,
        notices: &mut Vec<Notice>,
    ) {
        let Some(first) = model.syntax_errors.first() else {
            return;
        };
        let position = index.position(first.start);
        let more = match model.syntax_errors.len() {
            1 => String::new(),
            count => format!(" (and {} more)", count - 1),
        };
        notices.push(Notice {
            path: display.to_string(),
            kind: NoticeKind::SyntaxError,
            message: format!(
                "{}:{}: syntax error{more}; the rest of the file was analysed",
                position.line, position.column
            ),
        });
    }

    fn run_rules(
        &self,
        display: &str,
        language: Language,
        source: &str,
        model: &FileModel,
        deadline: Option<Instant>,
        notices: &mut Vec<Notice>,
    ) -> Vec<Diagnostic> {
        let context = RuleContext::new(display, language, source, model, &self.settings.catalog);
        let mut diagnostics = Vec::new();
        for (done, rule) in self.settings.rules.iter().enumerate() {
            if deadline.is_some_and(|deadline| Instant::now() > deadline) {
                let skipped: Vec<&str> = self.settings.rules[done..]
                    .iter()
                    .map(|rule| rule.meta().id)
                    .collect();
                let phase = if done == 0 {
                    "parsing and lowering".to_string()
                } else {
                    format!("the rules before `{}`", skipped[0])
                };
                let mut notice = self.over_budget(display, &phase);
                notice
                    .message
                    .push_str(&format!("; not run here: {}", skipped.join(", ")));
                notices.push(notice);
                break;
            }
            let mut found = Vec::new();
            let result = catch_unwind(AssertUnwindSafe(|| rule.check(&context, &mut found)));
            match result {
                Ok(()) => diagnostics.append(&mut found),
                Err(_) => notices.push(Notice {
                    path: display.to_string(),
                    kind: NoticeKind::Internal,
                    message: format!(
                        "internal error in rule `{}`; other rules still ran (please report it)",
                        rule.meta().id
                    ),
                }),
            }
        }
        diagnostics
    }

    /// Diagnostics to findings: deduplicated, suppressed, filtered by
    /// confidence, with severities, positions and fingerprints.
    fn place(
        &self,
        display: &str,
        source: &str,
        index: &LineIndex<'_>,
        suppressions: &Suppressions,
        mut diagnostics: Vec<Diagnostic>,
    ) -> Vec<Finding> {
        diagnostics.sort_by(|a, b| (a.span, a.rule).cmp(&(b.span, b.rule)));
        diagnostics.dedup_by(|a, b| a.span == b.span && a.rule == b.rule);
        let mut findings = Vec::new();
        let mut seen_fingerprints: Vec<(u64, usize)> = Vec::new();
        for diagnostic in diagnostics {
            if diagnostic.confidence < self.settings.min_confidence {
                continue;
            }
            let Some(rule) = self
                .settings
                .rules
                .iter()
                .find(|rule| rule.meta().id == diagnostic.rule)
            else {
                continue;
            };
            let meta = rule.meta();
            let range = index.range(diagnostic.span);
            if suppressions.suppresses(diagnostic.rule, range.start.line as usize - 1) {
                continue;
            }
            let severity = self
                .settings
                .severity_overrides
                .iter()
                .find(|(id, _)| id == meta.id)
                .map_or(meta.severity, |(_, severity)| *severity);
            // The fingerprint hashes what the code says, not where it is, so
            // it survives edits that move lines; equal snippets are numbered
            // in file order. See `fingerprint` in ARCHITECTURE.md.
            let snippet = normalize_snippet(source.get(diagnostic.span.range()).unwrap_or(""));
            let key = stable_hash(&[meta.id, &self.fingerprint_path(display), &snippet]);
            let occurrence = match seen_fingerprints.iter_mut().find(|(seen, _)| *seen == key) {
                Some((_, count)) => {
                    *count += 1;
                    *count
                }
                None => {
                    seen_fingerprints.push((key, 0));
                    0
                }
            };
            let fingerprint = format!(
                "{:016x}",
                stable_hash(&[&key.to_string(), &occurrence.to_string()])
            );
            findings.push(Finding {
                rule: meta.id,
                pack: meta.pack,
                severity,
                confidence: diagnostic.confidence,
                path: display.to_string(),
                span: diagnostic.span,
                range,
                message: diagnostic.message,
                why: diagnostic.why,
                help: diagnostic.help,
                related: diagnostic
                    .related
                    .into_iter()
                    .map(|related| RelatedLocation {
                        path: display.to_string(),
                        span: related.span,
                        range: index.range(related.span),
                        message: related.message,
                    })
                    .collect(),
                fix: diagnostic.fix,
                fingerprint,
            });
        }
        findings.sort_by(|a, b| (a.range.start, a.rule).cmp(&(b.range.start, b.rule)));
        findings
    }

    fn report_unused(
        &self,
        display: &str,
        index: &LineIndex<'_>,
        suppressions: &Suppressions,
        findings: &mut Vec<Finding>,
    ) {
        for suppression in &suppressions.all {
            if suppression.is_used() {
                continue;
            }
            // Suppressions of rules that did not run say nothing about the code.
            let names_unselected = suppression.rules.as_ref().is_some_and(|rules| {
                rules.iter().any(|rule| {
                    !self
                        .settings
                        .rules
                        .iter()
                        .any(|selected| selected.meta().id == rule)
                })
            });
            if names_unselected {
                continue;
            }
            let span = suppression.span;
            findings.push(Finding {
                rule: UNUSED_SUPPRESSION,
                pack: "meta",
                severity: Severity::Warning,
                confidence: Confidence::High,
                path: display.to_string(),
                span,
                range: index.range(span),
                message: "this suppression silences no finding".to_string(),
                why: "Stale suppressions hide future findings on this line.".to_string(),
                help: "Remove the comment, or name the rule that fires here.".to_string(),
                related: Vec::new(),
                fix: None,
                fingerprint: format!(
                    "{:016x}",
                    stable_hash(&[
                        UNUSED_SUPPRESSION,
                        &self.fingerprint_path(display),
                        index.line_text(index.line_of(span.start))
                    ])
                ),
            });
        }
        findings.sort_by(|a, b| (a.range.start, a.rule).cmp(&(b.range.start, b.rule)));
    }
}

const LOWERING_PANICKED: &str =
    "internal error while lowering this file; it was not analysed (please report it)";

/// What lowering a file gave.
enum Lowered<'a> {
    /// The prefilter ruled the file out.
    NotParsed,
    /// Parsing or lowering panicked (a bug in snag).
    Panicked,
    /// Parsing took longer than the file's budget.
    OverBudget,
    /// Boxed: the model is large beside the other variants.
    Model(Box<FileModel>),
    /// The model a document keeps.
    Kept(&'a FileModel),
}

impl Lowered<'_> {
    fn model(&self) -> Option<&FileModel> {
        match self {
            Lowered::Model(model) => Some(model),
            Lowered::Kept(model) => Some(model),
            Lowered::NotParsed | Lowered::Panicked | Lowered::OverBudget => None,
        }
    }
}

impl From<std::thread::Result<Option<FileModel>>> for Lowered<'_> {
    fn from(result: std::thread::Result<Option<FileModel>>) -> Self {
        match result {
            Ok(Some(model)) => Lowered::Model(Box::new(model)),
            Ok(None) => Lowered::OverBudget,
            Err(_) => Lowered::Panicked,
        }
    }
}

fn skipped_outcome(display: &str, language: Language, message: String) -> FileOutcome {
    FileOutcome {
        path: display.to_string(),
        language,
        source: None,
        findings: Vec::new(),
        notices: vec![Notice {
            path: display.to_string(),
            kind: NoticeKind::Skipped,
            message,
        }],
        parsed: false,
        cached: false,
        timings: FileTimings::default(),
    }
}

fn too_large_message(bytes: usize) -> String {
    format!(
        "skipped: {} MiB is larger than the {} MiB limit for one file",
        bytes / (1024 * 1024),
        MAX_FILE_BYTES / (1024 * 1024)
    )
}

/// The rule id of findings about suppressions that silence nothing.
pub const UNUSED_SUPPRESSION: &str = "unused-suppression";

/// The identity of `unused-suppression` findings, for reports that list the
/// rules that ran (SARIF): it is no rule of a pack, but the engine's own.
pub static UNUSED_SUPPRESSION_META: RuleMeta = RuleMeta {
    id: UNUSED_SUPPRESSION,
    pack: "meta",
    severity: Severity::Warning,
    summary: "a `snag: ignore` comment that silences no finding",
    docs: "# unused-suppression

## What it does
Reported under `--report-unused-ignores`: a `snag: ignore[…]` or
`snag: ignore-file[…]` comment that silences no finding of the rules that ran.

## Why is this bad?
A stale suppression hides the next finding on its line, one nobody reviewed.

## Example
```python
rows = cur.fetchall()  # snag: ignore[sql-injection]
```

## Use instead
```python
rows = cur.fetchall()
```

## Known limits
Suppressions naming a rule that did not run are not reported.
",
};

/// The text a fingerprint hashes: the flagged code with its whitespace
/// collapsed (so re-indenting or re-wrapping it keeps the fingerprint).
fn normalize_snippet(text: &str) -> String {
    let mut normalized = String::with_capacity(text.len().min(256));
    for word in text.split_whitespace() {
        if normalized.len() > 256 {
            break;
        }
        if !normalized.is_empty() {
            normalized.push(' ');
        }
        normalized.push_str(word);
    }
    normalized
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Span;

    #[test]
    fn a_memo_is_made_once_per_file_and_calls_are_found_by_place() {
        let model = crate::lang::lower(
            Language::Python,
            "import requests\nrequests.get(a)\nrequests.post(b)\n",
        );
        let catalog = Catalog::default();
        let context = RuleContext::new("a.py", Language::Python, "", &model, &catalog);
        let made = std::cell::Cell::new(0);
        let count = || {
            context.memo(|context| {
                made.set(made.get() + 1);
                context.model.calls.len()
            })
        };
        assert_eq!((*count(), *count()), (2, 2));
        assert_eq!(made.get(), 1, "made again");
        // Another type is another fact.
        assert_eq!(*context.memo(|_| "other"), "other");
        assert_eq!(context.call_index(&model.calls[1]), Some(1));
        let elsewhere = model.calls[1].clone();
        assert_eq!(context.call_index(&elsewhere), None);
        // Another file starts with no facts.
        let other = RuleContext::new("b.py", Language::Python, "", &model, &catalog);
        assert_eq!(*other.memo(|_| 7_usize), 7);
    }

    static SLOW_META: RuleMeta = RuleMeta {
        id: "slow",
        pack: "test",
        severity: Severity::Warning,
        summary: "sleeps",
        docs: "",
    };
    static MARK_META: RuleMeta = RuleMeta {
        id: "mark",
        pack: "test",
        severity: Severity::Warning,
        summary: "flags the first byte",
        docs: "",
    };

    struct Slow;
    impl Rule for Slow {
        fn meta(&self) -> &'static RuleMeta {
            &SLOW_META
        }
        fn check(&self, _: &RuleContext<'_>, _: &mut Vec<Diagnostic>) {
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    struct Mark;
    impl Rule for Mark {
        fn meta(&self) -> &'static RuleMeta {
            &MARK_META
        }
        fn check(&self, _: &RuleContext<'_>, diagnostics: &mut Vec<Diagnostic>) {
            diagnostics.push(Diagnostic {
                rule: MARK_META.id,
                confidence: Confidence::High,
                span: Span::new(0, 1),
                message: "marked".to_string(),
                why: String::new(),
                help: String::new(),
                related: Vec::new(),
                fix: None,
            });
        }
    }

    fn engine(budget: Duration) -> Engine {
        Engine::new(Settings {
            rules: vec![&Slow, &Mark],
            catalog: Catalog::default(),
            severity_overrides: Vec::new(),
            min_confidence: Confidence::Low,
            exclusions: Exclusions::none(),
            report_unused_suppressions: false,
            root: PathBuf::from("."),
            fingerprint_root: None,
            file_budget: budget,
        })
    }

    #[test]
    fn rules_past_the_file_budget_do_not_run_and_are_named() {
        let outcome =
            engine(Duration::from_millis(50)).check_source("a.py", Language::Python, "x = 1\n");
        assert!(outcome.findings.is_empty());
        let notices: Vec<(NoticeKind, &str)> = outcome
            .notices
            .iter()
            .map(|notice| (notice.kind, notice.message.as_str()))
            .collect();
        assert_eq!(
            notices,
            [(
                NoticeKind::OverBudget,
                "the rules before `mark` took longer than the 0.05 s budget for one file \
                 (--file-budget); this file was not fully analysed; not run here: mark"
            )]
        );
        // Within the budget, both rules run.
        let outcome =
            engine(Duration::from_secs(60)).check_source("a.py", Language::Python, "x = 1\n");
        assert_eq!(outcome.findings.len(), 1);
        assert!(outcome.notices.is_empty());
    }

    #[test]
    fn needle_words_match_names_that_start_with_punctuation() {
        let needles =
            Needles::words(&["@sendgrid/mail".to_string(), "subprocess".to_string()]).unwrap();
        let pattern = regex::Regex::new(&needles.patterns[0]).unwrap();
        assert!(pattern.is_match("const sgMail = require('@sendgrid/mail');"));
        assert!(pattern.is_match("import subprocess"));
        assert!(!pattern.is_match("import subprocessing"));
    }
}
