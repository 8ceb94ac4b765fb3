//! `missing-pool`: a connection or client that is meant to be made once,
//! made per request or per loop iteration.

use snag_analyzer::catalog::{Catalog, ClientConstructor};
use snag_analyzer::engine::{Needles, Rule, RuleContext, RuleMeta};
use snag_analyzer::finding::{Confidence, Diagnostic, Related, Severity};
use snag_analyzer::model::{uncalled, Call, Function, Language, Span};

use crate::perf::n_plus_one::{repeating_loop_where, Site};
use crate::perf::{decorations, inside_a_bigger_call, is_startup_name};
use crate::sql_sinks::callee_text;

pub(crate) struct MissingPool;

static META: RuleMeta = RuleMeta {
    id: "missing-pool",
    pack: "perf",
    severity: Severity::Warning,
    summary: "a database connection, pool or HTTP client created per request or per loop iteration instead of once and reused",
    docs: DOCS,
};

const DOCS: &str = r#"# missing-pool

## What it does
Flags code that opens a database connection or builds a client inside a request
handler (web frameworks, serverless handlers) or inside a loop: `psycopg2.connect`,
`create_engine`, `MongoClient`, `redis.Redis`, `httpx.Client`,
`aiohttp.ClientSession`, `requests.get` in a loop; `new pg.Client()`,
`mysql.createConnection`, `new MongoClient()`, `new Redis()`, `new PrismaClient()`
in any function; `reqwest::Client::new()`, `PgPool::connect`,
`PgConnection::connect`, `redis::Client::open`. Which calls construct clients comes
from the `client-constructor` catalog.

## Why is this bad?
Each new connection costs a TCP (and often TLS) handshake and authentication, tens
of milliseconds, on every request; under load the database runs out of connection
slots and the service falls over, while the pool the client library already has
goes unused.

## Example
```python
@app.get("/stats")
def stats():
    conn = psycopg2.connect(DSN)
```

## Use instead
```python
pool = psycopg_pool.ConnectionPool(DSN)

@app.get("/stats")
def stats():
    with pool.connection() as conn:
```

## Known limits
Construction at module level, in startup code (`main`, `lifespan`, app factories,
constructors such as `__init__` and `fn new`), behind a singleton (`??=`,
`@lru_cache`, `OnceLock`/`LazyLock`/`get_or_init`), and connections whose address
comes from the loop (one per shard or tenant database) are not reported. A handler
that calls a helper which connects is not followed into the helper.
"#;

impl Rule for MissingPool {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn needles(&self, catalog: &Catalog, language: Language) -> Option<Needles> {
        Needles::words(&catalog.client_constructor_names(language))
    }

    fn check(&self, context: &RuleContext<'_>, diagnostics: &mut Vec<Diagnostic>) {
        let model = context.model;
        let singletons: Vec<Span> = model
            .calls
            .iter()
            .filter(|call| {
                let path = uncalled(&call.path.text);
                SINGLETON_MAKERS.iter().any(|maker| path.ends_with(maker))
            })
            .map(|call| call.span)
            .collect();
        let constructors: Vec<(&Call, &ClientConstructor)> = model
            .calls
            .iter()
            .filter_map(|call| {
                let entry = context
                    .catalog
                    .client_constructor(&call.path, context.language)?;
                Some((call, entry))
            })
            .collect();
        let spans: Vec<(Span, Span)> = constructors
            .iter()
            .map(|(call, _)| (call.span, call.callee_span))
            .collect();
        let inside = inside_a_bigger_call(&spans);
        for ((call, entry), part_of_bigger) in constructors.iter().zip(inside) {
            // `Client::builder().timeout(…).build()`: one client, reported once.
            let guarded = singletons
                .iter()
                .any(|outer| *outer != call.span && outer.contains(call.span));
            if part_of_bigger || guarded || guarded_singleton(context, call) {
                continue;
            }
            let Some(function) = call.function.map(|id| model.function(id)) else {
                continue;
            };
            let repeating = repeating_loop_where(context, Site::of(call), false).filter(|each| {
                // One connection per shard or tenant database is the
                // design; one request per element is not.
                let args = context.text(call.span);
                entry.loops_only || !each.bindings.iter().any(|binding| mentions(args, binding))
            });
            let place = match repeating {
                Some(each) => Place::Loop(each.header),
                None if entry.loops_only || is_once(context, function) => continue,
                None => match request_function(context, function) {
                    Some(handler) => Place::Request(handler),
                    None if entry.anywhere => Place::Function(function),
                    None => continue,
                },
            };
            diagnostics.push(diagnostic(context, call, entry, place));
        }
    }
}

/// Calls whose closure argument runs once: lazy statics and cells.
const SINGLETON_MAKERS: &[&str] = &[
    "get_or_init",
    "get_or_try_init",
    "call_once",
    "LazyLock.new",
    "Lazy.new",
];

enum Place<'m> {
    Loop(Span),
    Request(&'m Function),
    Function(&'m Function),
}

/// Whether `text` uses `name` as a whole word.
fn mentions(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + name.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
            && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// Functions that run once: startup, app factories, constructors.
pub(crate) fn is_once(context: &RuleContext<'_>, function: &Function) -> bool {
    let name = function.name.to_ascii_lowercase();
    let once_names = [
        "__init__",
        "constructor",
        "new",
        "default",
        "init",
        "setup",
        "configure",
        "oninit",
        "onmoduleinit",
        "onapplicationbootstrap",
    ];
    once_names.contains(&name.as_str())
        || is_startup_name(&name)
        || [
            "create_app",
            "createapp",
            "build_app",
            "buildapp",
            "make_app",
            "app_factory",
            "buildserver",
            "build_server",
            "get_or_create",
        ]
        .iter()
        .any(|word| name.contains(word))
        || name.starts_with("start")
        || cached(context.source, function)
}

/// `@lru_cache`, `@cache`, `@functools.cache` on the function.
fn cached(source: &str, function: &Function) -> bool {
    decorations(source, function).any(|line| line.contains("cache") || line.contains("singleton"))
}

/// `prisma ??= new PrismaClient()`, `global.db || new Pool()`, or made under
/// `if (!client)` / `if client is None`: built once, then reused.
pub(crate) fn guarded_singleton(context: &RuleContext<'_>, call: &Call) -> bool {
    let start = call.span.start as usize;
    let line_start = context.source[..start].rfind('\n').map_or(0, |at| at + 1);
    let line = &context.source[line_start..start];
    if ["??=", "||=", "||", "??"]
        .iter()
        .any(|marker| line.contains(marker))
    {
        return true;
    }
    // The variable assigned (`client = `, `const db = `, `self._engine = `)
    // tested just above: `if (!client)`, `if self._engine is None:`.
    let Some((target, _)) = line.rsplit_once('=') else {
        return false;
    };
    let Some(name) = target
        .trim()
        .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
        .find(|word| !word.is_empty())
    else {
        return false;
    };
    let above = context.source[..line_start].trim_end();
    let previous = above.rsplit('\n').next().unwrap_or("").trim();
    previous.starts_with("if")
        && [
            format!("!{name}"),
            format!("!this.{name}"),
            format!("{name} is None"),
            format!("not {name}"),
            format!("{name} == null"),
            format!("{name} === undefined"),
        ]
        .iter()
        .any(|test| previous.contains(test.as_str()))
}

/// The request handler the call runs in: its function, or a function it is
/// nested in (a callback inside a handler), when that is a handler of a web
/// framework or a serverless function.
pub(crate) fn request_function<'m>(
    context: &RuleContext<'m>,
    function: &'m Function,
) -> Option<&'m Function> {
    let model = context.model;
    let mut current = Some(function);
    while let Some(each) = current {
        if is_once(context, each) {
            return None;
        }
        if each.handler.is_some() || is_serverless_handler(context, each) {
            return Some(each);
        }
        current = each.parent.map(|id| model.function(id));
    }
    None
}

/// AWS Lambda and similar: `def handler(event, context)`, `export const
/// handler = async (event) => …`, a function given to `service_fn`.
fn is_serverless_handler(context: &RuleContext<'_>, function: &Function) -> bool {
    let names: Vec<&str> = function
        .params
        .iter()
        .map(|param| param.name.as_str())
        .collect();
    let lambda_params = names.first().is_some_and(|first| *first == "event")
        && (context.language != Language::Python || names.get(1) == Some(&"context"));
    let typed = function.params.iter().any(|param| {
        param.annotation.as_deref().is_some_and(|annotation| {
            [
                "APIGatewayProxyEvent",
                "APIGatewayProxyHandler",
                "SQSEvent",
                "SQSHandler",
                "LambdaEvent",
                "ScheduledEvent",
                "S3Event",
                "EventBridgeEvent",
            ]
            .iter()
            .any(|kind| annotation.contains(kind))
        })
    });
    let named = function.name == "handler"
        || function.name.ends_with("_handler")
        || function.name.ends_with("Handler");
    let served = context.model.calls.iter().any(|call| {
        call.path.name() == "service_fn"
            && call
                .args
                .iter()
                .any(|arg| context.text(arg.span).trim() == function.name)
    });
    lambda_params || typed || served || (named && names.first() == Some(&"event"))
}

fn diagnostic(
    context: &RuleContext<'_>,
    call: &Call,
    entry: &ClientConstructor,
    place: Place<'_>,
) -> Diagnostic {
    let callee = callee_text(context, call);
    let (when, related) = match place {
        Place::Loop(header) => (
            "on every iteration of the loop".to_string(),
            Related {
                span: header,
                message: "the loop that repeats it".to_string(),
            },
        ),
        Place::Request(function) => (
            format!("on every request to `{}`", function.name),
            Related {
                span: function.name_span,
                message: "the request handler".to_string(),
            },
        ),
        Place::Function(function) => (
            format!("on every call of `{}`", function.name),
            Related {
                span: function.name_span,
                message: "the function that makes it".to_string(),
            },
        ),
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
        message: format!("`{callee}` makes {} {when}", entry.what),
        why: "Every new connection costs a handshake and authentication on the request path, and under load the server runs out of connection slots.".to_string(),
        help: format!("Use {}.", entry.instead),
        related: vec![related],
        fix: None,
    }
}
