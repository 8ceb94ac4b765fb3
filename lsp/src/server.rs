//! The protocol side: capabilities, open documents and their edits, and the
//! requests answered from what the analysis thread published.
//!
//! Every notification handler finishes its work before its first `.await`:
//! tower-lsp-server polls handlers concurrently, and edits must apply in the
//! order they were sent.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

use serde::Deserialize;
use snag_analyzer::engine::Rule;
use snag_analyzer::lang::Document;
use snag_analyzer::model::Language;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use crate::convert::Published;
use crate::positions::{Encoding, Lines};
use crate::worker::{self, Job};

/// The server's name in `initialize`'s answer and the diagnostics' `source`.
pub(crate) const SOURCE: &str = "snag";

/// Options from `initializationOptions`, and what was negotiated.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    pub(crate) encoding: Encoding,
    /// Only findings that touch a line changed against HEAD (in git).
    pub(crate) changed_lines_only: bool,
    /// How long the document must be quiet before it is analysed; zero
    /// analyses as soon as the analysis thread is free.
    pub(crate) debounce: Duration,
    /// A link for each diagnostic's `codeDescription`, `{rule}` replaced by
    /// the rule id.
    pub(crate) rule_docs_url: Option<String>,
    /// Also report suppression comments that silence nothing.
    pub(crate) report_unused_ignores: bool,
    /// The workspace's root: where the config of documents without a path
    /// is looked for, and what findings' paths are relative to.
    pub(crate) root: Option<PathBuf>,
}

/// What a client may put in `initializationOptions`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct InitializationOptions {
    changed_lines_only: bool,
    debounce_ms: u64,
    rule_docs_url: Option<String>,
    report_unused_ignores: bool,
}

/// An open document.
pub(crate) struct OpenDocument {
    pub(crate) version: i32,
    pub(crate) document: Document,
    /// The file behind it, when the URI is a `file:` URI.
    pub(crate) path: Option<PathBuf>,
}

/// What the protocol side and the analysis thread share.
#[derive(Default)]
pub(crate) struct Shared {
    pub(crate) documents: Mutex<HashMap<Uri, OpenDocument>>,
    /// The diagnostics last published per document, for hover.
    pub(crate) published: Mutex<HashMap<Uri, Published>>,
}

/// Locks a mutex, whatever a panicking holder left behind: every value
/// behind these locks stays consistent between statements.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) struct Backend {
    client: Client,
    shared: Arc<Shared>,
    options: OnceLock<Options>,
    jobs: OnceLock<Mutex<Sender<Job>>>,
    /// Said during `initialize`, logged once the client can hear it.
    early_warnings: Mutex<Vec<String>>,
    /// Rules run besides the selected built-in ones (tests).
    extra_rules: Vec<&'static dyn Rule>,
}

impl Backend {
    pub(crate) fn new(client: Client) -> Backend {
        Backend {
            client,
            shared: Arc::default(),
            options: OnceLock::new(),
            jobs: OnceLock::new(),
            early_warnings: Mutex::default(),
            extra_rules: Vec::new(),
        }
    }

    /// A server that also runs `rules`, for tests of how it survives them.
    #[cfg(test)]
    pub(crate) fn with_extra_rules(client: Client, rules: Vec<&'static dyn Rule>) -> Backend {
        Backend {
            extra_rules: rules,
            ..Backend::new(client)
        }
    }

    fn encoding(&self) -> Encoding {
        self.options
            .get()
            .map_or(Encoding::default(), |options| options.encoding)
    }

    fn schedule(&self, job: Job) {
        if let Some(jobs) = self.jobs.get() {
            // A closed queue means the analysis thread is gone; there is
            // nobody left to tell.
            let _ = lock(jobs).send(job);
        }
    }

    /// Applies a `didChange` to its document; `false` for a document that
    /// is not open.
    fn apply_changes(&self, params: DidChangeTextDocumentParams) -> bool {
        let encoding = self.encoding();
        let mut documents = lock(&self.shared.documents);
        let Some(open) = documents.get_mut(&params.text_document.uri) else {
            return false;
        };
        for change in params.content_changes {
            match change.range {
                Some(range) => {
                    let lines = Lines::new(open.document.text(), encoding);
                    let start = lines.offset(range.start);
                    let end = lines.offset(range.end).max(start);
                    open.document.edit(start..end, &change.text);
                }
                None => open.document.replace(change.text),
            }
        }
        open.version = params.text_document.version;
        true
    }

    /// Runs a request's work, turning a panic into an error response.
    fn guarded<T>(&self, what: &str, work: impl FnOnce() -> T) -> Result<T> {
        catch_unwind(AssertUnwindSafe(work)).map_err(|payload| {
            let mut error = Error::internal_error();
            error.message = format!(
                "internal error in snag while answering {what}: {}",
                worker::panic_message(payload.as_ref())
            )
            .into();
            error
        })
    }
}

/// The language of a document: from its path's extension, else from the
/// client's language id.
fn language_of(path: Option<&PathBuf>, language_id: &str) -> Option<Language> {
    path.and_then(|path| Language::from_path(path))
        .or(match language_id {
            "python" => Some(Language::Python),
            "typescript" => Some(Language::TypeScript),
            "typescriptreact" => Some(Language::Tsx),
            "javascript" | "javascriptreact" => Some(Language::JavaScript),
            "rust" => Some(Language::Rust),
            _ => None,
        })
}

fn file_path(uri: &Uri) -> Option<PathBuf> {
    if uri.scheme().as_str() != "file" {
        return None;
    }
    uri.to_file_path().map(|path| path.into_owned())
}

/// Whether a file is one whose change changes the settings.
pub(crate) fn is_config_file(uri: &Uri) -> bool {
    let path = uri.path().as_str();
    let name = path.rsplit('/').next().unwrap_or(path);
    matches!(name, "snag.toml" | ".snag.toml" | "pyproject.toml")
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let encoding = Encoding::negotiate(
            params
                .capabilities
                .general
                .as_ref()
                .and_then(|general| general.position_encodings.as_deref()),
        );
        let mut warnings = lock(&self.early_warnings);
        let initialization: InitializationOptions = match params.initialization_options {
            Some(value) if !value.is_null() => serde_json::from_value(value).unwrap_or_else(|error| {
                warnings.push(format!(
                    "snag: initializationOptions ignored ({error}); expected {{\"changedLinesOnly\": bool, \"debounceMs\": number, \"ruleDocsUrl\": string, \"reportUnusedIgnores\": bool}}"
                ));
                InitializationOptions::default()
            }),
            _ => InitializationOptions::default(),
        };
        let root = params
            .workspace_folders
            .as_ref()
            .and_then(|folders| folders.first())
            .and_then(|folder| file_path(&folder.uri))
            .or_else(|| {
                #[allow(deprecated)]
                params.root_uri.as_ref().and_then(file_path)
            });
        let options = Options {
            encoding,
            changed_lines_only: initialization.changed_lines_only,
            debounce: Duration::from_millis(initialization.debounce_ms.min(10_000)),
            rule_docs_url: initialization.rule_docs_url,
            report_unused_ignores: initialization.report_unused_ignores,
            root,
        };
        let _ = self.options.set(options.clone());
        match worker::spawn(
            self.shared.clone(),
            self.client.clone(),
            tokio::runtime::Handle::current(),
            options,
            self.extra_rules.clone(),
        ) {
            Ok(jobs) => {
                let _ = self.jobs.set(Mutex::new(jobs));
            }
            Err(error) => {
                return Err(Error {
                    code: tower_lsp_server::jsonrpc::ErrorCode::InternalError,
                    message: format!("snag: cannot start the analysis thread: {error}").into(),
                    data: None,
                })
            }
        }
        drop(warnings);
        Ok(InitializeResult {
            server_info: Some(ServerInfo {
                name: SOURCE.to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            capabilities: ServerCapabilities {
                position_encoding: Some(encoding.kind()),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                            include_text: Some(false),
                        })),
                        ..TextDocumentSyncOptions::default()
                    },
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                        ..CodeActionOptions::default()
                    },
                )),
                ..ServerCapabilities::default()
            },
            ..InitializeResult::default()
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let warnings = std::mem::take(&mut *lock(&self.early_warnings));
        for warning in warnings {
            self.client.log_message(MessageType::WARNING, warning).await;
        }
        // Watch the config files, so settings follow edits made outside the
        // editor. Not awaited here: a client slow to answer must not hold
        // up the notifications behind this one.
        let client = self.client.clone();
        tokio::spawn(async move {
            let watchers = ["**/snag.toml", "**/.snag.toml", "**/pyproject.toml"]
                .into_iter()
                .map(|pattern| FileSystemWatcher {
                    glob_pattern: GlobPattern::String(pattern.to_string()),
                    kind: None,
                })
                .collect();
            let options = DidChangeWatchedFilesRegistrationOptions { watchers };
            let registration = Registration {
                id: "snag-config-files".to_string(),
                method: "workspace/didChangeWatchedFiles".to_string(),
                register_options: serde_json::to_value(options).ok(),
            };
            if let Err(error) = client.register_capability(vec![registration]).await {
                client
                    .log_message(
                        MessageType::INFO,
                        format!("snag: config files are not watched ({}); saving one in the editor reloads it", error.message),
                    )
                    .await;
            }
        });
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let item = params.text_document;
        let path = file_path(&item.uri);
        let Some(language) = language_of(path.as_ref(), &item.language_id) else {
            return;
        };
        lock(&self.shared.documents).insert(
            item.uri.clone(),
            OpenDocument {
                version: item.version,
                document: Document::new(language, item.text),
                path,
            },
        );
        self.schedule(Job::Refresh(item.uri));
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri.clone();
        match catch_unwind(AssertUnwindSafe(|| self.apply_changes(params))) {
            Ok(true) => self.schedule(Job::Analyse(uri)),
            Ok(false) => {}
            Err(payload) => {
                // The text may now differ from the client's: forget it
                // rather than analyse something the user does not see.
                lock(&self.shared.documents).remove(&uri);
                self.schedule(Job::Close(uri.clone()));
                self.client
                    .log_message(
                        MessageType::ERROR,
                        format!(
                            "snag: internal error applying an edit to {}: {}; close and reopen the file (please report it)",
                            uri.as_str(),
                            worker::panic_message(payload.as_ref())
                        ),
                    )
                    .await;
            }
        }
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let uri = params.text_document.uri;
        if is_config_file(&uri) {
            self.schedule(Job::ReloadConfig);
        } else {
            // The text did not change, but HEAD may have (changed lines).
            self.schedule(Job::Refresh(uri));
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        lock(&self.shared.documents).remove(&uri);
        self.schedule(Job::Close(uri));
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        if params
            .changes
            .iter()
            .any(|change| is_config_file(&change.uri))
        {
            self.schedule(Job::ReloadConfig);
        }
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let position = params.text_document_position_params.position;
        let uri = params.text_document_position_params.text_document.uri;
        let shared = self.shared.clone();
        self.guarded("hover", move || {
            lock(&shared.published)
                .get(&uri)
                .and_then(|published| published.hover(position))
        })
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let encoding = self.encoding();
        let shared = self.shared.clone();
        self.guarded("codeAction", move || {
            let documents = lock(&shared.documents);
            let open = documents.get(&params.text_document.uri)?;
            let actions = crate::actions::code_actions(&params, &open.document, encoding);
            (!actions.is_empty()).then_some(actions)
        })
    }
}

#[cfg(test)]
mod tests;
