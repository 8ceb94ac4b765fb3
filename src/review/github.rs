//! The few GitHub REST calls the review bot makes, over a blocking client
//! (ureq with rustls: no OpenSSL to build against), each retried with
//! backoff on network errors, timeouts, rate limits and server errors, then
//! failed with what GitHub or the network said.
//!
//! A review is created in one call, so it lands whole or not at all. That
//! call is not idempotent: before retrying it after an answer that may hide
//! a success (a timeout, a server error), the bot asks whether the review's
//! comments are already there, so a retry never posts twice.

use std::time::Duration;

use anyhow::{bail, Result};
use serde::{Deserialize, Serialize};

/// How hard to try: attempts, and the waits between them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RetryPolicy {
    /// Retries after the first attempt.
    pub retries: u32,
    /// The first wait; each next one doubles, up to [`MAX_BACKOFF`].
    pub first_delay: Duration,
    /// How long one request may take, from connecting to the last byte.
    pub timeout: Duration,
}

/// The longest wait between two attempts of our own choosing.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// The longest wait GitHub may ask for (`Retry-After`, a rate limit's
/// reset) before the bot gives up instead of holding the job.
const MAX_REQUESTED_WAIT: Duration = Duration::from_secs(60);
/// Review comments per page, GitHub's maximum.
const PAGE_SIZE: usize = 100;
/// Pages read at most (10,000 comments).
const MAX_PAGES: usize = 100;

/// A review comment as GitHub lists it (the fields the bot reads).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ReviewComment {
    pub id: u64,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub path: String,
    /// The line in the pull request's current diff; `None` once outdated.
    pub line: Option<u32>,
    pub start_line: Option<u32>,
    pub in_reply_to_id: Option<u64>,
}

/// One inline comment of a new review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct NewComment {
    pub path: String,
    /// The last line the comment covers, on the new side of the diff.
    pub line: u32,
    pub side: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_side: Option<&'static str>,
    pub body: String,
}

#[derive(Serialize)]
struct NewReview<'a> {
    commit_id: &'a str,
    body: &'a str,
    event: &'static str,
    comments: &'a [NewComment],
}

#[derive(Serialize)]
struct EditedComment<'a> {
    body: &'a str,
}

/// Why one attempt failed, and whether another may succeed.
struct Failure {
    message: String,
    retry: Retry,
    /// The HTTP status, when GitHub answered.
    status: Option<u16>,
}

enum Retry {
    No,
    /// After our own backoff, or after what GitHub asked for when longer.
    After(Option<Duration>),
}

impl Failure {
    fn fatal(message: String) -> Failure {
        Failure {
            message,
            retry: Retry::No,
            status: None,
        }
    }
}

/// What one successful attempt returned.
struct Reply {
    body: String,
}

/// A client for one repository's pull-request API.
pub(crate) struct GitHub {
    agent: ureq::Agent,
    /// `https://api.github.com` or a GitHub Enterprise API root, no trailing `/`.
    api_url: String,
    /// `owner/name`.
    repository: String,
    token: String,
    policy: RetryPolicy,
}

impl GitHub {
    pub fn new(api_url: &str, repository: &str, token: &str, policy: RetryPolicy) -> GitHub {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(policy.timeout))
            .http_status_as_error(false)
            .user_agent(format!("snag/{}", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        GitHub {
            agent,
            api_url: api_url.trim_end_matches('/').to_string(),
            repository: repository.to_string(),
            token: token.to_string(),
            policy,
        }
    }

    /// Every review comment on the pull request, oldest first.
    pub fn review_comments(&self, number: u64) -> Result<Vec<ReviewComment>> {
        let mut comments = Vec::new();
        for page in 1..=MAX_PAGES {
            let path = format!(
                "/repos/{}/pulls/{number}/comments?per_page={PAGE_SIZE}&page={page}",
                self.repository
            );
            let reply = self.with_retries("list the pull request's review comments", |_| {
                self.attempt("GET", &path, None)
            })?;
            let batch: Vec<ReviewComment> = serde_json::from_str(&reply.body).map_err(|error| {
                anyhow::anyhow!(
                    "GitHub API: GET {path}: the answer is not a list of review comments ({error})"
                )
            })?;
            let full = batch.len() == PAGE_SIZE;
            comments.extend(batch);
            if !full {
                return Ok(comments);
            }
        }
        bail!(
            "GitHub API: more than {} review comments on pull request #{number}; not reviewing it",
            PAGE_SIZE * MAX_PAGES
        )
    }

    /// Posts one review with all its comments, once. `landed` tells, before
    /// a retry, whether an earlier attempt was carried out after all.
    pub fn create_review(
        &self,
        number: u64,
        commit_id: &str,
        body: &str,
        comments: &[NewComment],
        landed: &dyn Fn() -> Result<bool>,
    ) -> Result<()> {
        let payload = serde_json::to_string(&NewReview {
            commit_id,
            body,
            event: "COMMENT",
            comments,
        })?;
        let path = format!("/repos/{}/pulls/{number}/reviews", self.repository);
        self.with_retries("post the review", |attempt| {
            if attempt > 0 {
                match landed() {
                    Ok(true) => return Ok(()),
                    Ok(false) => {}
                    Err(error) => {
                        return Err(Failure {
                            message: format!("{error:#}"),
                            retry: Retry::After(None),
                            status: None,
                        })
                    }
                }
            }
            self.attempt("POST", &path, Some(&payload)).map(|_| ())
        })
    }

    pub fn edit_comment(&self, id: u64, body: &str) -> Result<()> {
        let payload = serde_json::to_string(&EditedComment { body })?;
        let path = format!("/repos/{}/pulls/comments/{id}", self.repository);
        self.with_retries(&format!("edit review comment {id}"), |_| {
            self.attempt("PATCH", &path, Some(&payload)).map(|_| ())
        })
    }

    pub fn delete_comment(&self, id: u64) -> Result<()> {
        let path = format!("/repos/{}/pulls/comments/{id}", self.repository);
        self.with_retries(&format!("delete review comment {id}"), |attempt| {
            match self.attempt("DELETE", &path, None) {
                // A retry after a delete that went through finds it gone.
                Err(failure) if attempt > 0 && failure.status == Some(404) => Ok(()),
                other => other.map(|_| ()),
            }
        })
    }

    fn with_retries<T>(
        &self,
        what: &str,
        mut attempt: impl FnMut(u32) -> Result<T, Failure>,
    ) -> Result<T> {
        let mut backoff = self.policy.first_delay;
        let mut number = 0;
        loop {
            let failure = match attempt(number) {
                Ok(value) => return Ok(value),
                Err(failure) => failure,
            };
            let requested = match failure.retry {
                Retry::No => bail!("GitHub API: cannot {what}: {}", failure.message),
                Retry::After(requested) => requested,
            };
            if number >= self.policy.retries {
                bail!(
                    "GitHub API: cannot {what}: {} (gave up after {} attempts)",
                    failure.message,
                    number + 1
                );
            }
            if let Some(requested) = requested.filter(|wait| *wait > MAX_REQUESTED_WAIT) {
                bail!(
                    "GitHub API: cannot {what}: {} (GitHub asks to wait {} s, longer than snag waits; run again later)",
                    failure.message,
                    requested.as_secs()
                );
            }
            let wait = requested.map_or(backoff, |requested| requested.max(backoff));
            eprintln!(
                "snag: warning: GitHub API: {what}: {}; retrying in {:.1} s",
                failure.message,
                wait.as_secs_f64()
            );
            std::thread::sleep(wait);
            backoff = (backoff * 2).min(MAX_BACKOFF);
            number += 1;
        }
    }

    /// One request, classified.
    fn attempt(&self, method: &str, path: &str, body: Option<&str>) -> Result<Reply, Failure> {
        let url = format!("{}{path}", self.api_url);
        let authorization = format!("Bearer {}", self.token);
        macro_rules! with_headers {
            ($request:expr) => {
                $request
                    .header("Accept", "application/vnd.github+json")
                    .header("X-GitHub-Api-Version", "2022-11-28")
                    .header("Authorization", &authorization)
            };
        }
        let result = match (method, body) {
            ("GET", _) => with_headers!(self.agent.get(&url)).call(),
            ("DELETE", _) => with_headers!(self.agent.delete(&url)).call(),
            ("POST", Some(body)) => with_headers!(self.agent.post(&url))
                .content_type("application/json")
                .send(body),
            ("PATCH", Some(body)) => with_headers!(self.agent.patch(&url))
                .content_type("application/json")
                .send(body),
            _ => {
                return Err(Failure::fatal(format!(
                    "internal error: {method} without a body"
                )))
            }
        };
        let mut response = match result {
            Ok(response) => response,
            Err(error) => return Err(transport_failure(method, &url, &self.policy, error)),
        };
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_string)
        };
        let retry_after = header("retry-after").and_then(|value| value.trim().parse::<u64>().ok());
        let remaining = header("x-ratelimit-remaining");
        let reset = header("x-ratelimit-reset").and_then(|value| value.trim().parse::<u64>().ok());
        let text = match response.body_mut().read_to_string() {
            Ok(text) => text,
            Err(error) if (200..300).contains(&status) => {
                return Err(transport_failure(method, &url, &self.policy, error))
            }
            Err(_) => String::new(),
        };
        if (200..300).contains(&status) {
            return Ok(Reply { body: text });
        }
        let message = format!(
            "{method} {url}: {status} {}",
            github_message(&text).unwrap_or_else(|| "(no message)".to_string())
        );
        let rate_limited = status == 429
            || (status == 403
                && (remaining.as_deref() == Some("0")
                    || retry_after.is_some()
                    || text.to_ascii_lowercase().contains("rate limit")));
        if rate_limited {
            let requested = retry_after.map(Duration::from_secs).or_else(|| {
                let reset = reset?;
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .ok()?
                    .as_secs();
                Some(Duration::from_secs(reset.saturating_sub(now)))
            });
            return Err(Failure {
                message: format!("{message} (rate limited)"),
                retry: Retry::After(requested),
                status: Some(status),
            });
        }
        if status >= 500 {
            return Err(Failure {
                message,
                retry: Retry::After(retry_after.map(Duration::from_secs)),
                status: Some(status),
            });
        }
        let hint = match status {
            401 => "; the token was refused: is GITHUB_TOKEN set to the workflow's token?",
            403 => "; the token may not write to pull requests: give the job `permissions: pull-requests: write` (a pull request from a fork gets a read-only token)",
            404 => "; check GITHUB_REPOSITORY, the pull request number and the token's access",
            422 => "; GitHub refused the content (a comment outside the pull request's diff, or a commit it does not know)",
            _ => "",
        };
        Err(Failure {
            status: Some(status),
            ..Failure::fatal(format!("{message}{hint}"))
        })
    }
}

/// A network error or timeout: worth another attempt unless the request
/// itself is wrong.
fn transport_failure(method: &str, url: &str, policy: &RetryPolicy, error: ureq::Error) -> Failure {
    let retry = match &error {
        ureq::Error::Timeout(_)
        | ureq::Error::Io(_)
        | ureq::Error::ConnectionFailed
        | ureq::Error::HostNotFound
        | ureq::Error::Protocol(_) => Retry::After(None),
        _ => Retry::No,
    };
    let message = match &error {
        ureq::Error::Timeout(_) => format!(
            "{method} {url}: no answer within {:.1} s (timed out)",
            policy.timeout.as_secs_f64()
        ),
        other => format!("{method} {url}: {other}"),
    };
    Failure {
        message,
        retry,
        status: None,
    }
}

/// GitHub's `message` (and the first of its `errors`), from an error body.
fn github_message(text: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let mut message = value.get("message")?.as_str()?.to_string();
    if let Some(first) = value
        .get("errors")
        .and_then(|errors| errors.get(0))
        .and_then(|error| {
            error
                .as_str()
                .map(str::to_string)
                .or_else(|| Some(error.get("message")?.as_str()?.to_string()))
        })
    {
        message.push_str(&format!(": {first}"));
    }
    Some(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_messages_include_the_first_error() {
        assert_eq!(
            github_message(
                r#"{"message": "Validation Failed", "errors": ["line must be part of the diff"]}"#
            ),
            Some("Validation Failed: line must be part of the diff".to_string())
        );
        assert_eq!(
            github_message(r#"{"message": "Bad", "errors": [{"message": "nope"}]}"#),
            Some("Bad: nope".to_string())
        );
        assert_eq!(github_message("<html>"), None);
    }
}
