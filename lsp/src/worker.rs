//! The analysis thread: takes queued documents, analyses each at its latest
//! version and publishes the diagnostics, unless the document changed again
//! meanwhile.
//!
//! Bursts are coalesced, not delayed: the thread takes every job queued by
//! the time it is free (and, with `debounceMs`, waits for the queue to stay
//! quiet that long), so twenty edits that arrive during one analysis cost one
//! more analysis, while a single keystroke is analysed at once.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::sync::Arc;
use std::time::Instant;

use snag_analyzer::engine::{NoticeKind, Rule, MAX_FILE_BYTES};
use snag_rules::settings::Overrides;
use tokio::runtime::Handle;
use tower_lsp_server::ls_types::{MessageType, Uri};
use tower_lsp_server::Client;

use crate::convert;
use crate::positions::Lines;
use crate::server::{lock, Options, Shared};
use crate::workspace::Workspace;

/// Lowering recurses with the syntax tree (bounded by the front ends'
/// depth limit); the engine's own workers get the same stack.
const STACK_BYTES: usize = 32 * 1024 * 1024;

/// Under continuous edits, a debounce waits at most this many times its
/// quiet period before analysing anyway.
const DEBOUNCE_CAP: u32 = 10;

pub(crate) enum Job {
    /// Analyse the document's latest version and publish, unless that
    /// version was published already (an earlier round took it).
    Analyse(Uri),
    /// Analyse and publish even an unchanged version: the document was
    /// (re)opened, or saved (HEAD may have moved under `changedLinesOnly`).
    Refresh(Uri),
    /// The document was closed: clear its diagnostics.
    Close(Uri),
    /// A config file changed: reload, and republish every open document.
    ReloadConfig,
}

/// The jobs of one round, deduplicated.
#[derive(Default)]
struct Round {
    reload: bool,
    closed: Vec<Uri>,
    /// Documents to analyse, each with whether to analyse it even when its
    /// latest version was published already.
    analyse: Vec<(Uri, bool)>,
}

impl Round {
    fn analyse_document(&mut self, uri: Uri, force: bool) {
        match self.analyse.iter_mut().find(|(queued, _)| *queued == uri) {
            Some((_, queued_force)) => *queued_force |= force,
            None => self.analyse.push((uri, force)),
        }
    }

    fn add(&mut self, job: Job) {
        match job {
            Job::Analyse(uri) => self.analyse_document(uri, false),
            Job::Refresh(uri) => self.analyse_document(uri, true),
            Job::Close(uri) => self.closed.push(uri),
            Job::ReloadConfig => self.reload = true,
        }
    }
}

/// Starts the analysis thread; it ends when every sender is dropped.
pub(crate) fn spawn(
    shared: Arc<Shared>,
    client: Client,
    runtime: Handle,
    options: Options,
    extra_rules: Vec<&'static dyn Rule>,
) -> std::io::Result<Sender<Job>> {
    let (sender, receiver) = mpsc::channel();
    let overrides = Overrides {
        report_unused_suppressions: options.report_unused_ignores,
        ..Overrides::default()
    };
    let mut worker = Worker {
        workspace: Workspace::new(overrides, options.root.clone(), extra_rules),
        shared,
        client,
        runtime,
        options,
        logged: HashMap::new(),
        published: HashMap::new(),
    };
    std::thread::Builder::new()
        .name("snag-analysis".to_string())
        .stack_size(STACK_BYTES)
        .spawn(move || worker.run(&receiver))?;
    Ok(sender)
}

struct Worker {
    shared: Arc<Shared>,
    client: Client,
    runtime: Handle,
    options: Options,
    workspace: Workspace,
    /// The notices last logged per document, so an analysis per keystroke
    /// does not repeat them.
    logged: HashMap<Uri, Vec<String>>,
    /// The version last published per document.
    published: HashMap<Uri, i32>,
}

impl Worker {
    fn run(&mut self, receiver: &Receiver<Job>) {
        while let Some(round) = self.next_round(receiver) {
            for uri in &round.closed {
                self.logged.remove(uri);
                self.published.remove(uri);
                lock(&self.shared.published).remove(uri);
                self.publish(uri.clone(), Vec::new(), None);
            }
            let mut analyse = round.analyse;
            if round.reload {
                self.workspace.reload();
                let open: Vec<Uri> = lock(&self.shared.documents).keys().cloned().collect();
                analyse = open.into_iter().map(|uri| (uri, true)).collect();
            }
            for (uri, force) in analyse {
                let result = catch_unwind(AssertUnwindSafe(|| self.analyse(&uri, force)));
                if let Err(payload) = result {
                    self.log(
                        MessageType::ERROR,
                        format!(
                            "snag: internal error analysing {}: {} (please report it)",
                            uri.as_str(),
                            panic_message(payload.as_ref())
                        ),
                    );
                }
            }
        }
    }

    /// Waits for a job, then takes every job queued by then (and, with a
    /// debounce, until the queue stays quiet that long). `None` once the
    /// server is gone.
    fn next_round(&self, receiver: &Receiver<Job>) -> Option<Round> {
        let mut round = Round::default();
        round.add(receiver.recv().ok()?);
        let quiet = self.options.debounce;
        let deadline = Instant::now() + quiet * DEBOUNCE_CAP;
        loop {
            let job = if quiet.is_zero() {
                match receiver.try_recv() {
                    Ok(job) => job,
                    Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
                }
            } else {
                let wait = quiet.min(deadline.saturating_duration_since(Instant::now()));
                match receiver.recv_timeout(wait) {
                    Ok(job) => job,
                    Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => break,
                }
            };
            round.add(job);
        }
        Some(round)
    }

    fn analyse(&mut self, uri: &Uri, force: bool) {
        // A snapshot: edits go on while this one is analysed.
        let snapshot = {
            let mut documents = lock(&self.shared.documents);
            let Some(open) = documents.get_mut(uri) else {
                return;
            };
            if !force && self.published.get(uri) == Some(&open.version) {
                return;
            }
            let document = open.document.clone();
            // The copy alone holds what the last lowering kept, so that
            // lowering it reuses that in place instead of copying it.
            drop(open.document.take_kept());
            (open.version, document, open.path.clone())
        };
        let (version, mut document, path) = snapshot;
        let resolved = self.workspace.engine_for(path.as_deref());
        for error in resolved.errors {
            self.show(MessageType::ERROR, format!("snag: {error}"));
        }
        let Some(engine) = resolved.engine else {
            return;
        };
        let display = match &path {
            Some(path) => engine.display_path(path),
            None => uri.as_str().to_string(),
        };
        let mut notices = Vec::new();
        let findings = if path
            .as_ref()
            .is_some_and(|path| engine.settings().exclusions.excludes(path, false))
        {
            Vec::new()
        } else if document.text().len() as u64 > MAX_FILE_BYTES {
            notices.push(format!(
                "{display}: not analysed: larger than the {} MiB limit for one file",
                MAX_FILE_BYTES / (1024 * 1024)
            ));
            Vec::new()
        } else {
            let mut outcome = engine.check_document(&display, &mut document);
            if self.options.changed_lines_only {
                if let Some(path) = &path {
                    match self.workspace.repository_for(path) {
                        Ok(Some(repository)) => match repository
                            .changed_lines_against_head(path, document.text().as_bytes())
                        {
                            Ok(changed) => outcome.keep_findings_on_changed_lines(&changed),
                            Err(error) => notices.push(format!(
                                "{display}: changedLinesOnly: {error}; showing every finding"
                            )),
                        },
                        // Outside a repository every line counts, as for `snag check`.
                        Ok(None) => {}
                        Err(error) => notices.push(format!(
                            "{display}: changedLinesOnly: {error}; showing every finding"
                        )),
                    }
                }
            }
            notices.extend(
                outcome
                    .notices
                    .iter()
                    .filter(|notice| notice.kind == NoticeKind::Internal)
                    .map(|notice| format!("{}: {}", notice.path, notice.message)),
            );
            outcome.findings
        };
        self.log_new_notices(uri, notices);

        let lines = Lines::new(document.text(), self.options.encoding);
        let (diagnostics, published) = convert::diagnostics(uri, &findings, &lines, &self.options);
        let replaced = {
            let mut documents = lock(&self.shared.documents);
            match documents.get_mut(uri) {
                // Keep the fresh tree: the next edit reparses from it.
                Some(open) if open.version == version => {
                    std::mem::replace(&mut open.document, document)
                }
                // Edited meanwhile: these diagnostics are stale, and the
                // newer version is queued already; its lowering may reuse
                // this one's.
                Some(open) => {
                    open.document.restore_kept(document.take_kept());
                    return;
                }
                // Closed meanwhile.
                None => return,
            }
        };
        // Freeing a tree takes a while: not while edits wait for the lock.
        drop(replaced);
        lock(&self.shared.published).insert(uri.clone(), published);
        self.published.insert(uri.clone(), version);
        self.publish(uri.clone(), diagnostics, Some(version));
    }

    fn log_new_notices(&mut self, uri: &Uri, notices: Vec<String>) {
        let previous = self.logged.get(uri);
        if previous.is_some_and(|previous| *previous == notices) {
            return;
        }
        for notice in &notices {
            if !previous.is_some_and(|previous| previous.contains(notice)) {
                self.log(MessageType::ERROR, format!("snag: {notice}"));
            }
        }
        self.logged.insert(uri.clone(), notices);
    }

    fn publish(
        &self,
        uri: Uri,
        diagnostics: Vec<tower_lsp_server::ls_types::Diagnostic>,
        version: Option<i32>,
    ) {
        self.runtime
            .block_on(self.client.publish_diagnostics(uri, diagnostics, version));
    }

    fn log(&self, kind: MessageType, message: String) {
        self.runtime
            .block_on(self.client.log_message(kind, message));
    }

    /// Shown to the user (and logged): a broken config.
    fn show(&self, kind: MessageType, message: String) {
        self.runtime
            .block_on(self.client.show_message(kind, message.clone()));
        self.log(kind, message);
    }
}

/// The message a panic carried.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|message| (*message).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_string())
}
