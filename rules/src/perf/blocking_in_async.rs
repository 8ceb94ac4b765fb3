//! `blocking-in-async`: a call that blocks the thread, made where an event
//! loop runs it.

use snag_analyzer::catalog::{BlockingCall, Catalog};
use snag_analyzer::engine::{Needles, Rule, RuleContext, RuleMeta};
use snag_analyzer::finding::{Confidence, Diagnostic, Fix, Related, Severity};
use snag_analyzer::model::{Call, Function, Language, LoopKind, Span};

use crate::perf::{decorations, is_startup_name};
use crate::sql_sinks::callee_text;

pub(crate) struct BlockingInAsync;

static META: RuleMeta = RuleMeta {
    id: "blocking-in-async",
    pack: "perf",
    severity: Severity::Warning,
    summary: "a blocking call (sleep, sync HTTP, sync file or database I/O, a child process) inside async code or an event-loop request handler",
    docs: DOCS,
};

const DOCS: &str = r#"# blocking-in-async

## What it does
Flags calls that block the thread inside an `async` function, and inside request
handlers of event-loop frameworks (Express, Koa, Fastify, NestJS, Next.js), which
run on the event loop even when not `async`: `time.sleep`, `requests`/`urllib`,
sync database drivers, `subprocess`, `open()` and `pathlib` file I/O in Python;
`fs.*Sync`, `execSync`, `crypto.*Sync`, `zlib.*Sync` in JavaScript and
TypeScript; `std::thread::sleep`, `std::fs`, `reqwest::blocking`,
`std::process::Command::output` in Rust. What blocks, and what moves work off the
loop, comes from the `blocking-call` and `offload` catalogs.

## Why is this bad?
An event loop runs every request on a few threads: while one call blocks, no other
request on that thread makes progress, so one slow file read or sleep stalls every
user and throughput collapses under load.

## Example
```python
async def report(request):
    time.sleep(1)
    data = requests.get(URL).json()
```

## Use instead
```python
async def report(request):
    await asyncio.sleep(1)
    async with httpx.AsyncClient() as client:
        data = (await client.get(URL)).json()
```
Or move the blocking part off the loop: `await asyncio.to_thread(…)`,
`tokio::task::spawn_blocking(…)`, a worker thread.

## Known limits
Calls inside `asyncio.to_thread`, `run_in_executor`, `spawn_blocking`,
`web::block`, worker threads, and functions named like startup code (`main`,
`lifespan`, `startup`) are not reported. A blocking call hidden in a helper
function is not followed into the helper. Sync Python web frameworks (Flask,
Django sync views) run handlers in threads and are not reported.
"#;

/// Event-loop frameworks whose handlers block the loop even when not `async`.
const EVENT_LOOP_FRAMEWORKS: &[&str] = &["express", "koa", "fastify", "nestjs", "nextjs"];

impl Rule for BlockingInAsync {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn needles(&self, catalog: &Catalog, language: Language) -> Option<Needles> {
        Needles::words(&catalog.blocking_call_names(language))
    }

    fn check(&self, context: &RuleContext<'_>, diagnostics: &mut Vec<Diagnostic>) {
        let model = context.model;
        let offloads: Vec<Span> = model
            .calls
            .iter()
            .filter(|call| context.catalog.is_offload(&call.path, context.language))
            .map(|call| call.span)
            .collect();
        for call in &model.calls {
            let Some(blocking) = context.catalog.blocking_call(&call.path, context.language) else {
                continue;
            };
            if offloads.iter().any(|offload| offload.contains(call.span)) {
                continue;
            }
            // Innermost first: an async block inside an offload's closure
            // was skipped above.
            let in_async_block = model
                .async_blocks
                .iter()
                .any(|block| block.contains(call.span));
            let place = match event_loop_function(context, call) {
                Some(function) => Place::Function(function),
                None if in_async_block && !in_test(context, call) => {
                    Place::AsyncBlock(call.function.map(|id| model.function(id)))
                }
                None => continue,
            };
            diagnostics.push(diagnostic(context, call, blocking, place));
        }
    }
}

/// The async function or event-loop handler the call runs in: its own
/// function, or the function around an iteration callback it is in
/// (`paths.map(p => fs.readFileSync(p))` inside an async function).
fn event_loop_function<'m>(context: &RuleContext<'m>, call: &Call) -> Option<&'m Function> {
    let model = context.model;
    let own = model.function(call.function?);
    let runs_on_loop = |function: &Function| {
        (function.is_async
            || function
                .handler
                .as_ref()
                .is_some_and(|handler| EVENT_LOOP_FRAMEWORKS.contains(&handler.framework)))
            && !is_startup(&function.name)
            && !is_test(context.source, function)
    };
    if runs_on_loop(own) {
        return Some(own);
    }
    // A sync callback that an iteration runs inline, inside async code.
    let callback = model
        .loop_chain(call.innermost_loop)
        .find(|each| each.kind == LoopKind::Callback && each.span.contains(call.span))?;
    let outer = model.function(callback.function?);
    (own.parent == callback.function && runs_on_loop(outer)).then_some(outer)
}

/// A test (`test_…`, `#[tokio::test]`, `@pytest.mark.asyncio`): tests set
/// up files and sleep on purpose, and serve no one.
pub(crate) fn is_test(source: &str, function: &Function) -> bool {
    if function.name.starts_with("test_") || function.name == "test" {
        return true;
    }
    decorations(source, function).any(|line| line.contains("test"))
}

/// Where a blocking call runs on the event loop.
#[derive(Clone, Copy)]
enum Place<'m> {
    Function(&'m Function),
    /// An `async` block, in this function.
    AsyncBlock(Option<&'m Function>),
}

fn in_test(context: &RuleContext<'_>, call: &Call) -> bool {
    call.function
        .is_some_and(|id| is_test(context.source, context.model.function(id)))
}

/// Code that runs once before the server takes requests.
fn is_startup(name: &str) -> bool {
    if BUILD_TIME.contains(&name) {
        return true;
    }
    let name = name.to_ascii_lowercase();
    is_startup_name(&name) || matches!(name.as_str(), "start" | "start_server" | "startserver")
}

/// Next.js functions run when the site is built (or revalidated), not per request.
const BUILD_TIME: &[&str] = &[
    "getStaticProps",
    "getStaticPaths",
    "generateStaticParams",
    "generateMetadata",
];

fn diagnostic(
    context: &RuleContext<'_>,
    call: &Call,
    blocking: &BlockingCall,
    place: Place<'_>,
) -> Diagnostic {
    let callee = callee_text(context, call);
    let (where_, related_span, function) = match place {
        Place::Function(function) if function.is_async => (
            format!("async function `{}`", function.name),
            function.name_span,
            Some(function),
        ),
        Place::Function(function) => (
            format!("request handler `{}`", function.name),
            function.name_span,
            Some(function),
        ),
        Place::AsyncBlock(function) => {
            let block = context
                .model
                .async_blocks
                .iter()
                .filter(|block| block.contains(call.span))
                .min_by_key(|block| block.end - block.start)
                .copied()
                .unwrap_or(call.span);
            let name = function.map_or(String::new(), |f| format!(" in `{}`", f.name));
            (
                format!("an async block{name}"),
                Span::new(block.start as usize, block.start as usize + 5),
                None,
            )
        }
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
        message: format!("`{callee}` blocks the event loop in {where_}"),
        why: "While it blocks, no other request on this thread makes progress, so one slow call stalls every user.".to_string(),
        help: format!("Use {} instead, or move the work off the loop.", blocking.instead),
        related: vec![Related {
            span: related_span,
            message: "runs on the event loop".to_string(),
        }],
        fix: function.and_then(|function| fix(context, call, blocking, function)),
    }
}

/// The catalog's rewrite, where the callee is written as it expects and the
/// function can `await`.
fn fix(
    context: &RuleContext<'_>,
    call: &Call,
    blocking: &BlockingCall,
    function: &Function,
) -> Option<Fix> {
    let template = blocking.fix.as_ref()?;
    if !function.is_async {
        return None;
    }
    let written: String = context
        .text(call.callee_span)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if written != template.callee {
        return None;
    }
    if let Some(required) = &template.requires {
        if !context.source.contains(required.as_str()) {
            return None;
        }
    }
    let after_callee = context
        .source
        .get(call.callee_span.end as usize..call.span.end as usize)?
        .trim();
    let args = after_callee.strip_prefix('(')?.strip_suffix(')')?;
    let replacement = template.replacement.replace("{args}", args);
    // Python and JavaScript `await` an expression that may already be awaited.
    let already_awaited = call.awaited && context.language != Language::Rust;
    if already_awaited {
        return None;
    }
    Some(Fix {
        description: format!(
            "Replace with `{}`",
            template.replacement.replace("{args}", "…")
        ),
        span: call.span,
        replacement,
    })
}
