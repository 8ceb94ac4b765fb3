//! What a review run changes on the pull request: the comments it wants
//! (one per finding, keyed by fingerprint) against the comments already
//! there. Pure data in, data out, so every case is a unit test.
//!
//! A comment is the bot's own only when its body *starts* with the hidden
//! marker `<!-- snag:fingerprint=… -->` and it is not a reply: people's
//! comments and replies, even ones quoting a marker, are never edited or
//! deleted. The bot's comment on a finding that is gone, or that moved to
//! lines the old comment no longer sits on, is deleted when nobody replied
//! to it, and otherwise edited to say it is resolved (keeping the thread).

use std::collections::{HashMap, HashSet};

use super::github::{NewComment, ReviewComment};

const MARKER_START: &str = "<!-- snag:fingerprint=";
const MARKER_END: &str = " -->";
const RESOLVED: &str = " resolved";

/// The first line of the bot's comment on the finding with this fingerprint.
pub(crate) fn marker(fingerprint: &str) -> String {
    format!("{MARKER_START}{fingerprint}{MARKER_END}")
}

fn resolved_marker(fingerprint: &str) -> String {
    format!("{MARKER_START}{fingerprint}{RESOLVED}{MARKER_END}")
}

/// The fingerprint of one of the bot's comments, and whether it was
/// resolved already; `None` for everyone else's.
fn parse_marker(body: &str) -> Option<(&str, bool)> {
    let first_line = body.lines().next()?;
    let inner = first_line
        .strip_prefix(MARKER_START)?
        .strip_suffix(MARKER_END)?;
    let (fingerprint, resolved) = match inner.strip_suffix(RESOLVED) {
        Some(fingerprint) => (fingerprint, true),
        None => (inner, false),
    };
    let valid = !fingerprint.is_empty()
        && fingerprint.len() <= 64
        && fingerprint.bytes().all(|byte| byte.is_ascii_hexdigit());
    valid.then_some((fingerprint, resolved))
}

/// A comment the bot wants on the pull request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Wanted {
    pub fingerprint: String,
    /// Its body starts with [`marker`].
    pub comment: NewComment,
}

/// What to do to the pull request.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Plan {
    /// New comments, all posted in one review.
    pub create: Vec<NewComment>,
    /// The bot's comments whose text changed: `(id, new body)`.
    pub update: Vec<(u64, String)>,
    /// The bot's comments on findings that are gone, with replies: edited
    /// to say so.
    pub mark_resolved: Vec<(u64, String)>,
    /// The bot's comments on findings that are gone, without replies.
    pub delete: Vec<u64>,
    /// The bot's comments that stay as they are.
    pub unchanged: usize,
}

/// Why a comment of the bot is resolved.
enum Resolution {
    Fixed,
    Moved,
}

/// Compares the wanted comments with the existing ones. `head` is the
/// commit under review, named in resolved comments.
pub(crate) fn plan(wanted: Vec<Wanted>, existing: &[ReviewComment], head: &str) -> Plan {
    let replied_to: HashSet<u64> = existing
        .iter()
        .filter_map(|comment| comment.in_reply_to_id)
        .collect();
    // The bot's live comments by fingerprint, oldest first.
    let mut own: HashMap<&str, Vec<&ReviewComment>> = HashMap::new();
    let mut own_order: Vec<&ReviewComment> = Vec::new();
    for comment in existing {
        if comment.in_reply_to_id.is_some() {
            continue;
        }
        if let Some((fingerprint, false)) = parse_marker(&comment.body) {
            own.entry(fingerprint).or_default().push(comment);
            own_order.push(comment);
        }
    }
    let mut plan = Plan::default();
    let mut handled: HashSet<u64> = HashSet::new();
    let resolve = |plan: &mut Plan, comment: &ReviewComment, why: Resolution| {
        if replied_to.contains(&comment.id) {
            plan.mark_resolved
                .push((comment.id, resolved_body(comment, why, head)));
        } else {
            plan.delete.push(comment.id);
        }
    };
    for Wanted {
        fingerprint,
        comment,
    } in wanted
    {
        let earlier = own
            .get_mut(fingerprint.as_str())
            .and_then(|comments| (!comments.is_empty()).then(|| comments.remove(0)));
        let Some(earlier) = earlier else {
            plan.create.push(comment);
            continue;
        };
        handled.insert(earlier.id);
        let same_place = earlier.path == comment.path
            && earlier.line == Some(comment.line)
            && earlier.start_line.filter(|start| *start != comment.line) == comment.start_line;
        if !same_place {
            // Outdated, or on other lines now: a comment cannot be moved.
            resolve(&mut plan, earlier, Resolution::Moved);
            plan.create.push(comment);
        } else if normalize_newlines(&earlier.body) != comment.body {
            plan.update.push((earlier.id, comment.body));
        } else {
            plan.unchanged += 1;
        }
    }
    for comment in own_order {
        if !handled.contains(&comment.id) {
            resolve(&mut plan, comment, Resolution::Fixed);
        }
    }
    plan
}

fn normalize_newlines(text: &str) -> String {
    text.replace("\r\n", "\n")
}

/// The body of a comment of the bot whose finding is gone: marked resolved
/// (so later runs leave it), with the earlier text folded away.
fn resolved_body(comment: &ReviewComment, why: Resolution, head: &str) -> String {
    let body = normalize_newlines(&comment.body);
    let (fingerprint, _) = parse_marker(&body).unwrap_or(("0", false));
    let earlier = body.split_once('\n').map_or("", |(_, rest)| rest).trim();
    let short_head = head.get(..7).unwrap_or(head);
    let status = match why {
        Resolution::Fixed => {
            format!("✅ **Resolved:** snag no longer finds this as of {short_head}.")
        }
        Resolution::Moved => format!(
            "↪️ **Moved:** as of {short_head} this finding is on other lines, in a new comment."
        ),
    };
    format!(
        "{}\n{status}\n\n<details>\n<summary>Earlier comment</summary>\n\n{earlier}\n\n</details>",
        resolved_marker(fingerprint)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_comment(fingerprint: &str, line: u32, text: &str) -> NewComment {
        NewComment {
            path: "app/db.py".to_string(),
            line,
            side: "RIGHT",
            start_line: None,
            start_side: None,
            body: format!("{}\n{text}", marker(fingerprint)),
        }
    }

    fn wanted(fingerprint: &str, line: u32, text: &str) -> Wanted {
        Wanted {
            fingerprint: fingerprint.to_string(),
            comment: new_comment(fingerprint, line, text),
        }
    }

    fn existing(id: u64, body: &str, line: Option<u32>) -> ReviewComment {
        ReviewComment {
            id,
            body: body.to_string(),
            path: "app/db.py".to_string(),
            line,
            start_line: None,
            in_reply_to_id: None,
        }
    }

    fn own(id: u64, fingerprint: &str, line: u32, text: &str) -> ReviewComment {
        existing(id, &format!("{}\n{text}", marker(fingerprint)), Some(line))
    }

    fn reply(id: u64, to: u64, body: &str) -> ReviewComment {
        ReviewComment {
            in_reply_to_id: Some(to),
            ..existing(id, body, Some(1))
        }
    }

    #[test]
    fn markers_are_recognised_only_at_the_start_of_the_body() {
        assert_eq!(parse_marker(&marker("00ff")), Some(("00ff", false)));
        assert_eq!(
            parse_marker(&format!("{}\nx", resolved_marker("abc"))),
            Some(("abc", true))
        );
        assert_eq!(parse_marker(&format!("> {}", marker("abc"))), None);
        assert_eq!(parse_marker("<!-- snag:fingerprint=not hex -->"), None);
        assert_eq!(parse_marker(""), None);
    }

    #[test]
    fn a_first_run_creates_every_comment() {
        let plan = plan(
            vec![wanted("aa", 5, "one"), wanted("bb", 6, "two")],
            &[existing(1, "Looks good to me", Some(5))],
            "0123456789",
        );
        assert_eq!(plan.create.len(), 2);
        assert_eq!((plan.update.len(), plan.delete.len()), (0, 0));
        assert!(plan.mark_resolved.is_empty());
    }

    #[test]
    fn a_rerun_keeps_updates_resolves_and_creates() {
        let comments = [
            own(1, "aa", 5, "same"),
            own(2, "bb", 6, "old text"),
            own(3, "cc", 7, "fixed, no replies"),
            own(4, "dd", 8, "fixed, with a reply"),
            reply(5, 4, "Why is this a problem?"),
            own(6, "ee", 9, "moved"),
            existing(7, "A person's comment", Some(9)),
            existing(8, &format!("quoting:\n{}", marker("ff")), Some(3)),
        ];
        let plan = plan(
            vec![
                wanted("aa", 5, "same"),
                wanted("bb", 6, "new text"),
                wanted("ee", 12, "moved"),
                wanted("ff", 3, "new"),
            ],
            &comments,
            "0123456789abcdef",
        );
        assert_eq!(plan.unchanged, 1);
        assert_eq!(
            plan.update,
            vec![(2, format!("{}\nnew text", marker("bb")))]
        );
        assert_eq!(
            plan.create
                .iter()
                .map(|comment| comment.line)
                .collect::<Vec<_>>(),
            vec![12, 3]
        );
        assert_eq!(plan.delete, vec![6, 3]);
        assert_eq!(plan.mark_resolved.len(), 1);
        let (id, body) = &plan.mark_resolved[0];
        assert_eq!(*id, 4);
        assert!(
            body.starts_with(&format!(
                "{}\n✅ **Resolved:** snag no longer finds this as of 0123456.",
                resolved_marker("dd")
            )),
            "{body}"
        );
        assert!(body.contains("\nfixed, with a reply\n"), "{body}");
    }

    #[test]
    fn resolved_comments_are_left_alone_and_a_finding_that_returns_gets_a_new_one() {
        let resolved = existing(
            1,
            &format!("{}\n✅ **Resolved:** …", resolved_marker("aa")),
            Some(5),
        );
        let nothing = plan(Vec::new(), std::slice::from_ref(&resolved), "abc");
        assert_eq!(nothing, Plan::default());
        let back = plan(vec![wanted("aa", 5, "again")], &[resolved], "abc");
        assert_eq!(back.create.len(), 1);
        assert!(back.update.is_empty() && back.delete.is_empty());
    }

    #[test]
    fn outdated_comments_are_replaced() {
        let plan = plan(
            vec![wanted("aa", 5, "text")],
            &[own(1, "aa", 5, "text"), {
                let mut outdated = own(2, "bb", 6, "gone");
                outdated.line = None;
                outdated
            }],
            "abc",
        );
        assert_eq!(plan.unchanged, 1);
        assert_eq!(plan.delete, vec![2]);
        let mut outdated = own(1, "aa", 5, "text");
        outdated.line = None;
        let plan = super::plan(vec![wanted("aa", 5, "text")], &[outdated], "abc");
        assert_eq!((plan.create.len(), plan.delete.clone()), (1, vec![1]));
    }
}
