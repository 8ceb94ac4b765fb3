//! A minimal LSP client over a child process's standard input and output:
//! JSON-RPC messages with `Content-Length` framing, a reader thread, and
//! waits that time out so a hung server fails a test instead of hanging it.
//! Shared by the protocol tests (`tests/lsp.rs`) and the latency benchmark
//! (`examples/lsp_bench.rs`).

#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// Long enough for a debug build on a busy 2-core machine; a hung server
/// still fails well within a test run.
pub const TIMEOUT: Duration = Duration::from_secs(30);

pub struct LspClient {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    /// Server-to-client notifications and requests not yet consumed.
    backlog: VecDeque<Value>,
    next_id: i64,
    stderr: Arc<Mutex<String>>,
}

impl LspClient {
    /// Starts `snag lsp` (the binary at `program`) in `directory`.
    pub fn start(program: &Path, directory: &Path) -> LspClient {
        let mut child = Command::new(program)
            .arg("lsp")
            .current_dir(directory)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cannot start snag lsp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let mut stderr_pipe = child.stderr.take().expect("stderr");
        let stderr = Arc::new(Mutex::new(String::new()));
        let stderr_sink = stderr.clone();
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr_pipe.read_to_string(&mut text);
            stderr_sink.lock().unwrap().push_str(&text);
        });
        let (sender, messages) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if sender.send(message).is_err() {
                    return;
                }
            }
        });
        LspClient {
            child,
            stdin,
            messages,
            backlog: VecDeque::new(),
            next_id: 1,
            stderr,
        }
    }

    /// Sends raw bytes (several messages at once, or malformed ones).
    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).expect("write to snag lsp");
        self.stdin.flush().expect("flush to snag lsp");
    }

    pub fn send(&mut self, message: &Value) {
        let bytes = frame(message);
        self.send_raw(&bytes);
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and waits for its response (its `result`, or a
    /// panic naming its `error`).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.request_raw(method, params);
        if let Some(error) = response.get("error") {
            panic!("{method} failed: {error}");
        }
        response["result"].clone()
    }

    /// Sends a request and waits for its whole response message.
    pub fn request_raw(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let message = self.receive(deadline, &format!("the response to {method}"));
            if message.get("method").is_none() && message["id"] == json!(id) {
                return message;
            }
            self.backlog.push_back(message);
        }
    }

    /// The next message from the server, answering its requests to the
    /// client (`client/registerCapability`…) with an empty result.
    fn receive(&mut self, deadline: Instant, waiting_for: &str) -> Value {
        let wait = deadline.saturating_duration_since(Instant::now());
        match self.messages.recv_timeout(wait) {
            Ok(message) => {
                if message.get("method").is_some() && message.get("id").is_some() {
                    let id = message["id"].clone();
                    self.send(&json!({"jsonrpc": "2.0", "id": id, "result": null}));
                }
                message
            }
            Err(RecvTimeoutError::Timeout) => panic!(
                "timed out waiting for {waiting_for}; stderr:\n{}",
                self.stderr()
            ),
            Err(RecvTimeoutError::Disconnected) => panic!(
                "snag lsp closed its output while waiting for {waiting_for}; stderr:\n{}",
                self.stderr()
            ),
        }
    }

    /// The first notification (from the backlog or new) that `accept`
    /// takes, leaving the others in the backlog.
    pub fn wait_for(&mut self, waiting_for: &str, mut accept: impl FnMut(&Value) -> bool) -> Value {
        self.wait_for_within(TIMEOUT, waiting_for, &mut accept)
            .unwrap_or_else(|| {
                panic!(
                    "timed out waiting for {waiting_for}; unconsumed: {:?}; stderr:\n{}",
                    self.backlog,
                    self.stderr()
                )
            })
    }

    /// Like `wait_for`, but `None` after `within`.
    pub fn wait_for_within(
        &mut self,
        within: Duration,
        waiting_for: &str,
        accept: &mut dyn FnMut(&Value) -> bool,
    ) -> Option<Value> {
        if let Some(at) = self.backlog.iter().position(&mut *accept) {
            return self.backlog.remove(at);
        }
        let deadline = Instant::now() + within;
        loop {
            if Instant::now() >= deadline {
                return None;
            }
            let wait = deadline.saturating_duration_since(Instant::now());
            let message = match self.messages.recv_timeout(wait) {
                Ok(message) => message,
                Err(RecvTimeoutError::Timeout) => return None,
                Err(RecvTimeoutError::Disconnected) => panic!(
                    "snag lsp closed its output while waiting for {waiting_for}; stderr:\n{}",
                    self.stderr()
                ),
            };
            if message.get("method").is_some() && message.get("id").is_some() {
                let id = message["id"].clone();
                self.send(&json!({"jsonrpc": "2.0", "id": id, "result": null}));
            }
            if accept(&message) {
                return Some(message);
            }
            self.backlog.push_back(message);
        }
    }

    /// The next `publishDiagnostics` for `uri`: its params.
    pub fn diagnostics(&mut self, uri: &str) -> Value {
        let message = self.wait_for(&format!("diagnostics for {uri}"), |message| {
            message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri
        });
        message["params"].clone()
    }

    /// The next `publishDiagnostics` for `uri` at `version`, skipping
    /// earlier versions.
    pub fn diagnostics_at(&mut self, uri: &str, version: i64) -> Value {
        let message = self.wait_for(
            &format!("diagnostics for {uri} at version {version}"),
            |message| {
                message["method"] == "textDocument/publishDiagnostics"
                    && message["params"]["uri"] == uri
                    && message["params"]["version"] == version
            },
        );
        message["params"].clone()
    }

    /// Every message received so far that `accept` takes, removed from the
    /// backlog, after draining what has arrived.
    pub fn take_received(&mut self, accept: impl Fn(&Value) -> bool) -> Vec<Value> {
        while let Ok(message) = self.messages.try_recv() {
            self.backlog.push_back(message);
        }
        let (taken, kept): (Vec<Value>, Vec<Value>) =
            self.backlog.drain(..).partition(|message| accept(message));
        self.backlog = kept.into();
        taken
    }

    /// `initialize` (with `initializationOptions` and, when given, the
    /// position encodings offered) and `initialized`; the result.
    pub fn initialize(
        &mut self,
        root_uri: &str,
        options: Value,
        position_encodings: Option<&[&str]>,
    ) -> Value {
        let mut capabilities = json!({
            "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}},
            "textDocument": {"publishDiagnostics": {"relatedInformation": true, "versionSupport": true}},
        });
        if let Some(encodings) = position_encodings {
            capabilities["general"] = json!({"positionEncodings": encodings});
        }
        let result = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root_uri,
                "capabilities": capabilities,
                "initializationOptions": options,
                "workspaceFolders": [{"uri": root_uri, "name": "root"}],
            }),
        );
        self.notify("initialized", json!({}));
        result
    }

    pub fn open(&mut self, uri: &str, language_id: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language_id, "version": version, "text": text}}),
        );
    }

    /// `didChange` with one ranged edit.
    pub fn change(&mut self, uri: &str, version: i64, range: Value, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": range, "text": text}],
            }),
        );
    }

    /// `shutdown` and `exit`; the process's exit status.
    pub fn shutdown(mut self) -> std::process::ExitStatus {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for snag lsp") {
                return status;
            }
            if Instant::now() >= deadline {
                let _ = self.child.kill();
                panic!("snag lsp did not exit after `exit`");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// CPU time the server has used so far, all threads (Linux only).
    pub fn cpu_time(&self) -> Option<Duration> {
        let tasks = std::fs::read_dir(format!("/proc/{}/task", self.child.id())).ok()?;
        let mut nanoseconds: u64 = 0;
        for task in tasks.flatten() {
            let schedstat = std::fs::read_to_string(task.path().join("schedstat")).ok()?;
            nanoseconds += schedstat.split_whitespace().next()?.parse::<u64>().ok()?;
        }
        Some(Duration::from_nanos(nanoseconds))
    }

    /// Whether the process has ended.
    pub fn has_exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    pub fn stderr(&self) -> String {
        self.stderr
            .lock()
            .map(|text| text.clone())
            .unwrap_or_default()
    }
}

impl Drop for LspClient {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A message with its `Content-Length` header.
pub fn frame(message: &Value) -> Vec<u8> {
    let body = serde_json::to_vec(message).expect("serialize");
    let mut bytes = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    bytes.extend(body);
    bytes
}

/// Reads one framed message; `None` at the end of the stream.
fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse::<usize>().ok();
            }
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// An LSP range.
pub fn range(start_line: u32, start_character: u32, end_line: u32, end_character: u32) -> Value {
    json!({
        "start": {"line": start_line, "character": start_character},
        "end": {"line": end_line, "character": end_character},
    })
}

/// A `file://` URI for a path (no characters that need escaping, in tests).
pub fn file_uri(path: &Path) -> String {
    format!("file://{}", path.display())
}
