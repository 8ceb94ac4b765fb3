//! End-to-end tests of `snag review --github`: a real repository with a pull
//! request's branch, the Actions environment pointing at a fake GitHub API on
//! 127.0.0.1 (`common::fake_github`), and the built `snag`.

mod common;

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::fake_github::{FakeGitHub, Fault, Injected, BOT, TOKEN};
use common::sandbox::Sandbox;
use common::{Run, PYTHON_TWO_FINDINGS};
use serde_json::{json, Value};

const BASE_ORDERS: &str = concat!(
    "import sqlite3\n",
    "\n",
    "\n",
    "def total(conn: sqlite3.Connection):\n",
    "    return conn.execute(\"SELECT sum(amount) FROM orders\").fetchone()\n",
);

/// The pull request's first version: an injection on line 9 (A), a
/// `SELECT *` on line 13 (B), an injection on line 17 (D).
const ORDERS_V1: &str = concat!(
    "import sqlite3\n",
    "\n",
    "\n",
    "def total(conn: sqlite3.Connection):\n",
    "    return conn.execute(\"SELECT sum(amount) FROM orders\").fetchone()\n",
    "\n",
    "\n",
    "def by_customer(conn: sqlite3.Connection, customer):\n",
    "    return conn.execute(f\"SELECT id FROM orders WHERE customer = '{customer}'\").fetchall()\n",
    "\n",
    "\n",
    "def everything(conn: sqlite3.Connection):\n",
    "    return conn.execute(\"SELECT * FROM orders\").fetchall()\n",
    "\n",
    "\n",
    "def by_status(conn: sqlite3.Connection, status):\n",
    "    return conn.execute(\"SELECT id FROM orders WHERE status = '\" + status + \"'\").fetchall()\n",
);

/// The second version: A and D fixed in place, B untouched, a new
/// injection on line 21 (C).
fn orders_v2() -> String {
    ORDERS_V1
        .replace(
            "f\"SELECT id FROM orders WHERE customer = '{customer}'\")",
            "\"SELECT id FROM orders WHERE customer = ?\", (customer,))",
        )
        .replace(
            "\"SELECT id FROM orders WHERE status = '\" + status + \"'\")",
            "\"SELECT id FROM orders WHERE status = ?\", (status,))",
        )
        + concat!(
            "\n",
            "\n",
            "def by_note(conn: sqlite3.Connection, note):\n",
            "    return conn.execute(f\"SELECT id FROM orders WHERE note LIKE '%{note}%'\").fetchall()\n",
        )
}

/// A repository whose `feature` branch is a pull request against `main`,
/// and a fake GitHub that knows it.
struct PullRequest {
    sandbox: Sandbox,
    github: FakeGitHub,
    base: String,
}

impl PullRequest {
    fn open(name: &str) -> PullRequest {
        let sandbox = Sandbox::with_repo(&format!("review-{name}"));
        sandbox.write("shop/orders.py", BASE_ORDERS);
        // Findings already on the base branch are not the pull request's.
        sandbox.write("shop/legacy.py", PYTHON_TWO_FINDINGS);
        sandbox.commit_all("base");
        let base = sandbox.git(&["rev-parse", "HEAD"]).trim().to_string();
        sandbox.git(&["checkout", "-q", "-b", "feature"]);
        let pull_request = PullRequest {
            sandbox,
            github: FakeGitHub::start(),
            base,
        };
        pull_request.push(ORDERS_V1, "orders by customer, status, all");
        pull_request
    }

    /// Commits a new version of `shop/orders.py` and tells the fake.
    fn push(&self, orders: &str, message: &str) {
        self.sandbox.write("shop/orders.py", orders);
        self.sandbox.commit_all(message);
        let head = self.head();
        let diff = self
            .sandbox
            .git(&["diff", "--unified=3", "--no-renames", &self.base, &head]);
        let mut state = self.github.state();
        state.head_sha = head.clone();
        state.diff_lines = new_side_lines(&diff);
        let event = json!({
            "action": "synchronize",
            "number": 7,
            "pull_request": {
                "number": 7,
                "base": {"sha": self.base, "ref": "main"},
                "head": {"sha": head, "ref": "feature"},
            },
        });
        std::fs::write(self.event_path(), event.to_string()).unwrap();
    }

    fn head(&self) -> String {
        self.sandbox.git(&["rev-parse", "HEAD"]).trim().to_string()
    }

    fn event_path(&self) -> PathBuf {
        self.sandbox.path("event.json")
    }

    fn review(&self, extra: &[&str]) -> Run {
        let mut args = vec!["review", "--github", "--retry-delay", "0.01"];
        if !extra.contains(&"--timeout") {
            args.extend_from_slice(&["--timeout", "2"]);
        }
        args.extend_from_slice(extra);
        let event = self.event_path().display().to_string();
        self.sandbox.snag_with_env(
            &args,
            &[
                ("GITHUB_REPOSITORY", "acme/shop"),
                ("GITHUB_EVENT_PATH", &event),
                ("GITHUB_TOKEN", TOKEN),
                ("GITHUB_API_URL", &self.github.url),
            ],
        )
    }

    /// Runs a review that finds something and says `summary` (`N new
    /// comments in one review, N updated, …`).
    fn review_expecting(&self, summary: &str) -> Run {
        let run = self.review(&[]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(run.stderr.contains(summary), "{}", run.stderr);
        run
    }

    /// `(line, rule)` of the bot's live comments on `shop/orders.py`.
    fn bot_comment_lines(&self) -> Vec<(u64, String)> {
        let mut lines: Vec<(u64, String)> = self
            .github
            .bot_comments()
            .iter()
            .filter(|comment| !comment["body"].as_str().unwrap().contains(" resolved -->"))
            .map(|comment| {
                assert_eq!(comment["path"], "shop/orders.py");
                let body = comment["body"].as_str().unwrap();
                let rule = ["sql-injection", "select-star"]
                    .into_iter()
                    .find(|rule| body.contains(&format!("`{rule}`")))
                    .unwrap_or("?");
                (comment["line"].as_u64().unwrap(), rule.to_string())
            })
            .collect();
        lines.sort();
        lines
    }
}

/// The new-side lines of every hunk of a unified diff, context included:
/// the lines GitHub accepts review comments on.
fn new_side_lines(diff: &str) -> HashMap<String, Vec<u32>> {
    let mut lines: HashMap<String, Vec<u32>> = HashMap::new();
    let mut path = String::new();
    for line in diff.lines() {
        if let Some(new_path) = line.strip_prefix("+++ b/") {
            path = new_path.to_string();
        } else if let Some(header) = line.strip_prefix("@@ ") {
            let new_side = header.split_whitespace().nth(1).unwrap();
            let new_side = new_side.trim_start_matches('+');
            let (start, count) = new_side.split_once(',').unwrap_or((new_side, "1"));
            let start: u32 = start.parse().unwrap();
            let count: u32 = count.parse().unwrap();
            lines
                .entry(path.clone())
                .or_default()
                .extend(start..start + count);
        }
    }
    lines
}

fn rule_line(rule: &str, line: u64) -> (u64, String) {
    (line, rule.to_string())
}

#[test]
fn first_run_posts_one_review_with_a_comment_per_finding_on_changed_lines() {
    let pull_request = PullRequest::open("first");
    pull_request
        .review_expecting("3 new comments in one review, 0 updated, 0 resolved, 0 unchanged");
    let state = pull_request.github.state();
    assert_eq!(state.reviews.len(), 1);
    let review = &state.reviews[0];
    assert_eq!(review["event"], "COMMENT");
    assert_eq!(review["commit_id"], pull_request.head());
    assert_eq!(review["comments"].as_array().unwrap().len(), 3);
    assert!(
        review["body"]
            .as_str()
            .unwrap()
            .contains("found 3 new findings"),
        "{review}"
    );
    assert_eq!(
        state
            .requests
            .iter()
            .filter(|request| !request.starts_with("GET "))
            .count(),
        1,
        "{:?}",
        state.requests
    );
    drop(state);
    // Nothing on the base branch's legacy file; markers with fingerprints.
    assert_eq!(
        pull_request.bot_comment_lines(),
        vec![
            rule_line("sql-injection", 9),
            rule_line("select-star", 13),
            rule_line("sql-injection", 17),
        ]
    );
    for comment in pull_request.github.bot_comments() {
        let body = comment["body"].as_str().unwrap();
        assert!(body.starts_with("<!-- snag:fingerprint="), "{body}");
        assert!(body.contains("**What to do:**"), "{body}");
    }

    // Run again on the same commit: nothing to post, nothing to change.
    let again = pull_request.review(&[]);
    assert_eq!(again.code, 1, "{}", again.stderr);
    assert!(
        again
            .stderr
            .contains("0 new comments in one review, 0 updated, 0 resolved, 3 unchanged"),
        "{}",
        again.stderr
    );
    let state = pull_request.github.state();
    assert_eq!(state.reviews.len(), 1);
    assert!(
        state.requests[state.requests.len() - 1].starts_with("GET "),
        "{:?}",
        state.requests
    );
}

#[test]
fn rerun_resolves_fixed_findings_posts_the_new_one_and_leaves_people_alone() {
    let pull_request = PullRequest::open("rerun");
    assert_eq!(pull_request.review(&[]).code, 1);
    let comments = pull_request.github.bot_comments();
    let id_on = |line: u64| {
        comments
            .iter()
            .find(|comment| comment["line"] == line)
            .unwrap()["id"]
            .as_u64()
            .unwrap()
    };
    let (a, b, d) = (id_on(9), id_on(13), id_on(17));
    let b_body = comments.iter().find(|comment| comment["id"] == b).unwrap()["body"].clone();
    // Someone replies to A, and writes a comment of their own that quotes
    // the bot's marker.
    let (reply, own_note) = {
        let mut state = pull_request.github.state();
        let reply = state.add_comment(
            "octocat",
            "shop/orders.py",
            9,
            "Fixed in the next push.",
            Some(a),
        );
        let quoted = format!("> {}\nI disagree.", b_body.as_str().unwrap());
        let own_note = state.add_comment("octocat", "shop/orders.py", 13, &quoted, None);
        (reply, own_note)
    };
    let people_before: Vec<Value> = pull_request
        .github
        .state()
        .comments
        .iter()
        .filter(|comment| comment["user"]["login"] != BOT)
        .cloned()
        .collect();

    pull_request.push(&orders_v2(), "parameters; notes");
    pull_request
        .review_expecting("1 new comment in one review, 0 updated, 2 resolved, 1 unchanged");
    let state = pull_request.github.state();
    assert_eq!(state.reviews.len(), 2);
    let second = &state.reviews[1];
    assert_eq!(second["commit_id"], pull_request.head());
    assert_eq!(second["comments"].as_array().unwrap().len(), 1);
    assert_eq!(second["comments"][0]["line"], 21);
    let by_id = |id: u64| state.comments.iter().find(|comment| comment["id"] == id);
    // A had a reply: kept, marked resolved, its thread intact.
    let a_body = by_id(a).unwrap()["body"].as_str().unwrap().to_string();
    assert!(
        a_body.contains(" resolved -->\n✅ **Resolved:**"),
        "{a_body}"
    );
    assert!(by_id(reply).is_some());
    // D had none: deleted. B is untouched.
    assert!(by_id(d).is_none());
    assert_eq!(by_id(b).unwrap()["body"], b_body);
    // People's comments are exactly as they were.
    let people_after: Vec<Value> = state
        .comments
        .iter()
        .filter(|comment| comment["user"]["login"] != BOT)
        .cloned()
        .collect();
    assert_eq!(people_after, people_before);
    assert!(by_id(own_note).is_some());
    let touched: Vec<&String> = state
        .requests
        .iter()
        .filter(|request| request.starts_with("PATCH") || request.starts_with("DELETE"))
        .collect();
    assert_eq!(
        touched,
        vec![
            &format!("PATCH /repos/acme/shop/pulls/comments/{a}"),
            &format!("DELETE /repos/acme/shop/pulls/comments/{d}"),
        ]
    );
    drop(state);
    assert_eq!(
        pull_request.bot_comment_lines(),
        vec![rule_line("select-star", 13), rule_line("sql-injection", 21)]
    );
}

#[test]
fn a_403_fails_with_exit_two_and_a_clear_message_and_posts_nothing() {
    let pull_request = PullRequest::open("forbidden");
    pull_request.github.state().faults.push(Injected {
        method: "POST",
        fault: Fault::Status {
            status: 403,
            headers: Vec::new(),
            body: json!({"message": "Resource not accessible by integration"}).to_string(),
        },
        times: usize::MAX,
    });
    let run = pull_request.review(&[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("snag: error: GitHub API: cannot post the review: POST ")
            && run
                .stderr
                .contains("403 Resource not accessible by integration")
            && run.stderr.contains("pull-requests: write"),
        "{}",
        run.stderr
    );
    let state = pull_request.github.state();
    // A plain 403 is not retried; nothing was posted, edited or deleted.
    assert_eq!(state.count("POST "), 1, "{:?}", state.requests);
    assert!(state.comments.is_empty() && state.reviews.is_empty());
}

#[test]
fn a_rate_limit_is_waited_out_and_the_review_posted_once() {
    let pull_request = PullRequest::open("rate-limit");
    pull_request.github.state().faults.push(Injected {
        method: "POST",
        fault: Fault::Status {
            status: 403,
            headers: vec![
                ("x-ratelimit-remaining".to_string(), "0".to_string()),
                ("retry-after".to_string(), "0".to_string()),
            ],
            body: json!({"message": "API rate limit exceeded"}).to_string(),
        },
        times: 2,
    });
    let run = pull_request.review(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.stderr.matches("(rate limited); retrying in").count(),
        2,
        "{}",
        run.stderr
    );
    let state = pull_request.github.state();
    assert_eq!(state.count("POST "), 3, "{:?}", state.requests);
    assert_eq!(state.reviews.len(), 1);
    assert_eq!(state.comments.len(), 3);
}

#[test]
fn a_timeout_is_retried_with_backoff_then_fails_with_exit_two() {
    let pull_request = PullRequest::open("timeout");
    pull_request.github.state().faults.push(Injected {
        method: "GET",
        fault: Fault::Hang,
        times: usize::MAX,
    });
    let started = Instant::now();
    let run = pull_request.review(&["--timeout", "0.3", "--retries", "2"]);
    let elapsed = started.elapsed();
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("no answer within 0.3 s (timed out) (gave up after 3 attempts)"),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.stderr.matches("retrying in").count(),
        2,
        "{}",
        run.stderr
    );
    assert!(elapsed < Duration::from_secs(20), "{elapsed:?}");
    let state = pull_request.github.state();
    assert_eq!(state.count("GET "), 3, "{:?}", state.requests);
    assert_eq!(state.count("POST "), 0);
}

#[test]
fn a_review_that_landed_before_its_answer_timed_out_is_not_posted_twice() {
    let pull_request = PullRequest::open("landed");
    pull_request.github.state().faults.push(Injected {
        method: "POST",
        fault: Fault::HangAfterHandling,
        times: 1,
    });
    let run = pull_request.review(&["--timeout", "0.5"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("timed out"), "{}", run.stderr);
    let state = pull_request.github.state();
    assert_eq!(state.count("POST "), 1, "{:?}", state.requests);
    assert_eq!(state.reviews.len(), 1);
    assert_eq!(state.comments.len(), 3);
}

#[test]
fn a_checkout_of_another_commit_or_a_missing_token_is_refused() {
    let pull_request = PullRequest::open("refused");
    pull_request.sandbox.git(&["checkout", "-q", "main"]);
    let run = pull_request.review(&[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("check out the pull request's head commit"),
        "{}",
        run.stderr
    );
    pull_request.sandbox.git(&["checkout", "-q", "feature"]);
    let event = pull_request.event_path().display().to_string();
    let missing = pull_request.sandbox.snag_with_env(
        &["review", "--github"],
        &[
            ("GITHUB_REPOSITORY", "acme/shop"),
            ("GITHUB_EVENT_PATH", &event),
            ("GITHUB_TOKEN", ""),
        ],
    );
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("GITHUB_TOKEN is not set"),
        "{}",
        missing.stderr
    );
    std::fs::write(pull_request.event_path(), "{\"push\": {}}").unwrap();
    let not_a_pull_request = pull_request.review(&[]);
    assert_eq!(not_a_pull_request.code, 2);
    assert!(
        not_a_pull_request
            .stderr
            .contains("event.json: no `pull_request.number` in the event"),
        "{}",
        not_a_pull_request.stderr
    );
    assert!(pull_request.github.state().requests.is_empty());
}
