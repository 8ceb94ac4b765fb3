//! A fake of the GitHub REST API's pull-request review endpoints, served on
//! 127.0.0.1 by a thread of the test, for `snag review --github`.
//!
//! It keeps review comments in memory and, like GitHub, creates a review's
//! comments all or none: a comment on a line outside the pull request's diff
//! (the diff's hunks, set by the test) refuses the whole review with 422.
//! Faults (an error status, a hang) can be injected per method. It stops
//! when dropped; every connection thread ends within `MAX_HANG`.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::{json, Value};

pub const TOKEN: &str = "test-token";
pub const BOT: &str = "github-actions[bot]";
/// The longest any connection thread sleeps.
const MAX_HANG: Duration = Duration::from_secs(3);

/// An answer the fake gives instead of the real one.
#[derive(Clone)]
pub enum Fault {
    /// Answer with this status, headers and body (not carrying the request out).
    Status {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// Never answer (close after a while).
    Hang,
    /// Carry the request out, then never answer.
    HangAfterHandling,
}

pub struct Injected {
    pub method: &'static str,
    pub fault: Fault,
    /// How many requests it still applies to.
    pub times: usize,
}

#[derive(Default)]
pub struct State {
    /// Review comments as GitHub lists them.
    pub comments: Vec<Value>,
    /// The reviews posted, as sent.
    pub reviews: Vec<Value>,
    /// `METHOD path` of every request, in order.
    pub requests: Vec<String>,
    /// The commit a review must be on.
    pub head_sha: String,
    /// Per path, the new-side lines of the pull request's diff hunks.
    pub diff_lines: HashMap<String, Vec<u32>>,
    pub faults: Vec<Injected>,
    next_id: u64,
}

impl State {
    /// Adds a comment by someone else; returns its id.
    pub fn add_comment(
        &mut self,
        user: &str,
        path: &str,
        line: u32,
        body: &str,
        in_reply_to: Option<u64>,
    ) -> u64 {
        let id = self.new_id();
        self.comments.push(json!({
            "id": id, "body": body, "path": path, "line": line, "start_line": null,
            "in_reply_to_id": in_reply_to, "user": {"login": user},
        }));
        id
    }

    fn new_id(&mut self) -> u64 {
        self.next_id += 1;
        1000 + self.next_id
    }

    pub fn count(&self, request: &str) -> usize {
        self.requests
            .iter()
            .filter(|each| each.starts_with(request))
            .count()
    }
}

pub struct FakeGitHub {
    pub url: String,
    pub state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakeGitHub {
    pub fn start() -> FakeGitHub {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let state = Arc::clone(&state);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            let state = Arc::clone(&state);
                            std::thread::spawn(move || serve(stream, &state));
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            })
        };
        FakeGitHub {
            url,
            state,
            stop,
            thread: Some(thread),
        }
    }

    pub fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    /// The bot's comments (user `BOT`), by path and line.
    pub fn bot_comments(&self) -> Vec<Value> {
        self.state()
            .comments
            .iter()
            .filter(|comment| comment["user"]["login"] == BOT)
            .cloned()
            .collect()
    }
}

impl Drop for FakeGitHub {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct Request {
    method: String,
    target: String,
    authorization: String,
    body: String,
}

fn read_request(stream: &TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut length = 0;
    let mut authorization = String::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().ok()?,
            "authorization" => authorization = value.trim().to_string(),
            _ => {}
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        target,
        authorization,
        body: String::from_utf8(body).ok()?,
    })
}

fn respond(mut stream: &TcpStream, status: u16, headers: &[(String, String)], body: &str) {
    let mut text = format!(
        "HTTP/1.1 {status} Fake\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    text.push_str(body);
    let _ = stream.write_all(text.as_bytes());
    let _ = stream.flush();
}

fn serve(stream: TcpStream, state: &Mutex<State>) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(MAX_HANG));
    let Some(request) = read_request(&stream) else {
        return;
    };
    let fault = {
        let mut state = state.lock().unwrap();
        state
            .requests
            .push(format!("{} {}", request.method, request.target));
        let method = request.method.clone();
        state
            .faults
            .iter_mut()
            .find(|injected| {
                injected.times > 0 && (injected.method == method || injected.method == "*")
            })
            .map(|injected| {
                injected.times -= 1;
                injected.fault.clone()
            })
    };
    match fault {
        Some(Fault::Status {
            status,
            headers,
            body,
        }) => respond(&stream, status, &headers, &body),
        Some(Fault::Hang) => std::thread::sleep(MAX_HANG),
        Some(Fault::HangAfterHandling) => {
            let _ = handle(&request, state);
            std::thread::sleep(MAX_HANG);
        }
        None => {
            let (status, body) = handle(&request, state);
            respond(&stream, status, &[], &body);
        }
    }
}

fn error(status: u16, message: &str) -> (u16, String) {
    (status, json!({"message": message}).to_string())
}

/// Carries a request out on the state: `(status, body)`.
fn handle(request: &Request, state: &Mutex<State>) -> (u16, String) {
    if request.authorization != format!("Bearer {TOKEN}") {
        return error(401, "Bad credentials");
    }
    let mut state = state.lock().unwrap();
    let (path, query) = request
        .target
        .split_once('?')
        .unwrap_or((&request.target, ""));
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (request.method.as_str(), segments.as_slice()) {
        ("GET", ["repos", _, _, "pulls", _, "comments"]) => {
            let parameter = |name: &str| -> usize {
                query
                    .split('&')
                    .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
                    .and_then(|value| value.parse().ok())
                    .unwrap_or(0)
            };
            let per_page = parameter("per_page").max(1);
            let page = parameter("page").max(1);
            let slice: Vec<&Value> = state
                .comments
                .iter()
                .skip((page - 1) * per_page)
                .take(per_page)
                .collect();
            (200, serde_json::to_string(&slice).unwrap())
        }
        ("POST", ["repos", _, _, "pulls", _, "reviews"]) => {
            let Ok(review) = serde_json::from_str::<Value>(&request.body) else {
                return error(400, "Problems parsing JSON");
            };
            if review["commit_id"] != state.head_sha.as_str() {
                return error(
                    422,
                    "Validation Failed: commit_id is not part of the pull request",
                );
            }
            let comments = review["comments"].as_array().cloned().unwrap_or_default();
            for comment in &comments {
                let path = comment["path"].as_str().unwrap_or("");
                let last = comment["line"].as_u64().unwrap_or(0) as u32;
                let first = comment["start_line"]
                    .as_u64()
                    .map_or(last, |line| line as u32);
                let in_diff = state
                    .diff_lines
                    .get(path)
                    .is_some_and(|lines| (first..=last).all(|line| lines.contains(&line)));
                if !in_diff || comment["side"] != "RIGHT" {
                    return error(422, "Validation Failed: Pull request review thread line must be part of the diff");
                }
            }
            let review_id = state.new_id();
            for comment in comments {
                let id = state.new_id();
                state.comments.push(json!({
                    "id": id, "pull_request_review_id": review_id,
                    "body": comment["body"], "path": comment["path"], "line": comment["line"],
                    "start_line": comment.get("start_line").cloned().unwrap_or(Value::Null),
                    "in_reply_to_id": null, "user": {"login": BOT},
                }));
            }
            state.reviews.push(review);
            (
                200,
                json!({"id": review_id, "state": "COMMENTED"}).to_string(),
            )
        }
        ("PATCH", ["repos", _, _, "pulls", "comments", id]) => {
            let id: u64 = id.parse().unwrap_or(0);
            let Ok(edit) = serde_json::from_str::<Value>(&request.body) else {
                return error(400, "Problems parsing JSON");
            };
            match state
                .comments
                .iter_mut()
                .find(|comment| comment["id"] == id)
            {
                Some(comment) => {
                    comment["body"] = edit["body"].clone();
                    (200, comment.to_string())
                }
                None => error(404, "Not Found"),
            }
        }
        ("DELETE", ["repos", _, _, "pulls", "comments", id]) => {
            let id: u64 = id.parse().unwrap_or(0);
            let before = state.comments.len();
            state.comments.retain(|comment| comment["id"] != id);
            if state.comments.len() == before {
                error(404, "Not Found")
            } else {
                (204, String::new())
            }
        }
        _ => error(404, "Not Found"),
    }
}
