//! `slow-work-in-handler`: work that takes seconds done inline in a request
//! handler.

use snag_analyzer::catalog::{Catalog, SlowCall};
use snag_analyzer::engine::{Needles, Rule, RuleContext, RuleMeta};
use snag_analyzer::finding::{Confidence, Diagnostic, Related, Severity};
use snag_analyzer::model::{Call, Function, Span};

use crate::perf::missing_pool::request_function;
use crate::sql_sinks::callee_text;

pub(crate) struct SlowWorkInHandler;

static META: RuleMeta = RuleMeta {
    id: "slow-work-in-handler",
    pack: "perf",
    severity: Severity::Warning,
    summary: "email sending, image or PDF processing, a child process or a spreadsheet export done inline in a request handler",
    docs: DOCS,
};

const DOCS: &str = r#"# slow-work-in-handler

## What it does
Flags work that takes seconds done directly in a request handler: sending email
(smtplib, Django `send_mail`, SES, nodemailer, SendGrid, lettre), processing images
or rendering PDFs (Pillow, WeasyPrint, sharp, Puppeteer, `image`), running child
processes, building spreadsheet exports. Which calls are slow comes from the
`slow-call` catalog; when the file imports a job queue (Celery, RQ, Dramatiq,
BullMQ, …), the finding names it.

## Why is this bad?
The user waits for the whole job, the request may time out behind a load balancer
and be retried (sending the email twice), and every slow request holds a worker
that other users need; a burst of uploads or sign-ups takes the site down.

## Example
```python
@app.post("/signup")
def signup():
    user = create_user(request.form)
    send_mail("Welcome", body, FROM, [user.email])
```

## Use instead
```python
@app.post("/signup")
def signup():
    user = create_user(request.form)
    send_welcome_email.delay(user.id)   # a Celery task
```

## Known limits
Only work written in the handler itself is seen, not work in helpers it calls.
Work passed to a queue, to `BackgroundTasks.add_task`, or spawned with
`tokio::spawn` is not reported.
"#;

/// Calls whose closure or future runs after the response (or elsewhere).
const BACKGROUND: &[&str] = &["tokio.spawn", "tokio.task.spawn", "actix_rt.spawn", "add_task"];

impl Rule for SlowWorkInHandler {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn needles(&self, catalog: &Catalog) -> Option<Needles> {
        Needles::words(&catalog.slow_call_names())
    }

    fn check(&self, context: &RuleContext<'_>, diagnostics: &mut Vec<Diagnostic>) {
        let model = context.model;
        let background: Vec<Span> = model
            .calls
            .iter()
            .filter(|call| {
                let path = call.path.text.trim_end_matches("()");
                BACKGROUND.iter().any(|name| path.ends_with(name))
            })
            .map(|call| call.span)
            .collect();
        let slow: Vec<(&Call, &SlowCall)> = model
            .calls
            .iter()
            .filter_map(|call| Some((call, context.catalog.slow_call(&call.path, context.language)?)))
            .collect();
        for (call, entry) in &slow {
            let part_of_bigger = slow.iter().any(|(other, _)| {
                other.span != call.span && other.callee_span.contains(call.span)
            });
            let offloaded = background
                .iter()
                .any(|outer| *outer != call.span && outer.contains(call.span));
            if part_of_bigger || offloaded {
                continue;
            }
            let Some(function) = call.function.map(|id| model.function(id)) else {
                continue;
            };
            let Some(handler) = request_function(context, call, function) else {
                continue;
            };
            diagnostics.push(diagnostic(context, call, entry, handler));
        }
    }
}

/// The queue the file already imports, if any: its name and how to use it.
fn known_queue(context: &RuleContext<'_>) -> Option<(String, String)> {
    context.catalog.queues(context.language).find_map(|queue| {
        queue
            .modules
            .iter()
            .any(|module| mentions_word(context.source, module))
            .then(|| (queue.name.clone(), queue.enqueue.clone()))
    })
}

fn mentions_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
            && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

fn diagnostic(
    context: &RuleContext<'_>,
    call: &Call,
    entry: &SlowCall,
    handler: &Function,
) -> Diagnostic {
    let callee = callee_text(context, call);
    let help = match known_queue(context) {
        Some((name, enqueue)) => format!(
            "Hand it to {name}, which this file already uses ({enqueue}), and respond at once."
        ),
        None => "Hand it to a job queue (Celery, RQ, BullMQ, a background task) and respond at once.".to_string(),
    };
    let confidence = if call.path.resolved {
        Confidence::High
    } else {
        Confidence::Medium
    };
    Diagnostic {
        rule: META.id,
        confidence,
        span: call.span,
        message: format!(
            "`{callee}` {} inside the request handler `{}`",
            entry.what, handler.name
        ),
        why: "The user waits for the whole job, slow requests time out and get retried, and each one holds a worker other users need.".to_string(),
        help,
        related: vec![Related {
            span: handler.name_span,
            message: "the request handler".to_string(),
        }],
        fix: None,
    }
}
