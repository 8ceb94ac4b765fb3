//! `missing-cache`: expensive work repeated with inputs that did not change.

use aho_corasick::AhoCorasick;
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::cell::RefCell;
use std::sync::LazyLock;

use snag_analyzer::catalog::{Catalog, ExpensiveCall, ExpensiveKind, IoKind};
use snag_analyzer::engine::{Needles, Rule, RuleContext, RuleMeta};
use snag_analyzer::finding::{Confidence, Diagnostic, Related, Severity};
use snag_analyzer::model::Language;
use snag_analyzer::model::{
    uncalled, Assignment, AssignmentKind, Call, FileModel, Function, FunctionId, Loop, LoopId,
    LoopKind, NameRead, NameScope, Span, Value,
};
use snag_analyzer::sql::{looks_like_sql, render, SQL_TEXT_START};

use crate::perf::blocking_in_async::is_test;
use crate::perf::decorations;
use crate::perf::missing_pool::{guarded_singleton, request_function};
use crate::perf::n_plus_one::{io_kind, repeating_loop, shorten, Site};
use crate::sql_sinks::callee_text;

pub(crate) struct MissingCache;

static META: RuleMeta = RuleMeta {
    id: "missing-cache",
    pack: "perf",
    severity: Severity::Info,
    summary: "an expensive call repeated with the same inputs: loop-invariant, repeated in one function, or rebuilt from constants on every request",
    docs: DOCS,
};

const DOCS: &str = r#"# missing-cache

## What it does
Flags expensive work done again with inputs that have not changed:
- a query, an HTTP GET, a file read and parse, or a regex, template, schema or
  key compiled inside a loop, when nothing it uses changes from one iteration to
  the next (its arguments are constants, or names set outside the loop, or
  values made from those);
- the same query or request made twice in one function with the same
  arguments, with no write to what it reads in between;
- a regular expression, template, schema validator or key built, or a file
  read, from constants on every call of a request handler.

Which calls count comes from the `expensive-call` catalog (regex compiles,
template loads, schema compiles, key loads, file reads and parses) and the
`io-call` and `sql-sink` catalogs (queries and HTTP requests).

## Why is this bad?
The result is the same every time, so every iteration or request pays for it
again: a round trip to the database, a file read, a regex or template compile.
In a loop that cost grows with the data; in a handler it is paid on every
request for something that could be done once at startup.

## Example
```python
@app.get("/limits")
def limits():
    rules = yaml.safe_load(Path("config/limits.yaml").read_text())
```

## Use instead
```python
@lru_cache(maxsize=1)
def limit_rules():
    return yaml.safe_load(Path("config/limits.yaml").read_text())
```
Build it once at module level or at startup (`LazyLock`, a module constant, an
`@lru_cache` function, `useMemo`), hoist it above the loop, or keep the first
result in a variable.

## Known limits
A write to the same table inside the loop, or between two identical queries (a
catalogued write, or a call named like one: `save`, `commit`, `post`), means
the result may change, so nothing is reported; any other helper called in
between is assumed not to write. A pause between two identical calls (`sleep`)
makes the second a deliberate re-read. Loops that wait for something (`while`,
`loop`: polls, retries, pages, events) and test code (test functions, test
modules) are not checked. Queries with constant arguments in a handler are not
reported: whether their data may be cached is a product decision. Python's
`re.match`/`re.search` with a literal pattern (the module caches compiled
patterns), regex literals in JavaScript, and work inside
`@lru_cache`/`@cache`/`cached_property` functions, memo maps (a value stored
into a map, an object or a module variable), `useMemo`,
`LazyLock`/`OnceLock`/`once_cell`/`lazy_static` and module-level code are not
reported. Values are followed through local assignments only, not into other
functions; a call after a `try` whose body made the same call is not reported.
"#;

impl Rule for MissingCache {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn needles(&self, catalog: &Catalog, language: Language) -> Option<Needles> {
        let mut names = catalog.expensive_call_names(language);
        names.extend(catalog.io_call_names(language));
        let words = Needles::words(&names)?;
        Some(Needles {
            literals: catalog.fragment_names(language),
            patterns: words
                .patterns
                .into_iter()
                .chain([SQL_TEXT_START.to_string()])
                .collect(),
        })
    }

    fn check(&self, context: &RuleContext<'_>, diagnostics: &mut Vec<Diagnostic>) {
        if is_test_module(context.source) {
            return;
        }
        let operations = round_trips(context);
        let names = Names::new(context);
        let expensive = expensive_calls(context, &names);
        if expensive.is_empty() && !operations.iter().any(|each| each.reads()) {
            return;
        }
        let memoizers: Vec<Span> = context
            .model
            .calls
            .iter()
            .filter(|call| context.catalog.is_memoizer(&call.path, context.language))
            .map(|call| call.span)
            .collect();
        let mut candidates: Vec<Candidate<'_>> = operations
            .iter()
            .filter(|each| each.reads())
            .map(|operation| Candidate {
                call: operation.call,
                span: operation.whole,
                work: Work::RoundTrip(operation),
            })
            .chain(expensive.iter().map(|(call, entry)| Candidate {
                call,
                span: call.span,
                work: Work::Expensive(entry),
            }))
            .collect();
        candidates.sort_by_key(|candidate| (candidate.call.span.start, candidate.call.span.end));
        let test_blocks: Vec<Span> = context
            .model
            .calls
            .iter()
            .filter(|call| TEST_BLOCKS.contains(&call.path.text.as_str()))
            .map(|call| call.span)
            .collect();
        // Earlier candidates by function, loop and signature, for repeats.
        let mut seen: HashMap<(Option<FunctionId>, Option<LoopId>, String), Vec<usize>> =
            HashMap::new();
        for (index, candidate) in candidates.iter().enumerate() {
            let call = candidate.call;
            let mut earlier = None;
            if call.function.is_some() {
                let key = (
                    call.function,
                    call.innermost_loop,
                    signature(context, candidate),
                );
                let list = seen.entry(key).or_default();
                earlier = list
                    .iter()
                    .rev()
                    .find(|each| candidates[**each].span.end <= call.span.start)
                    .copied();
                list.push(index);
            }
            // Whether the work is cached already, or test code: asked only
            // of work that would be reported.
            let exempt = || {
                memoizers
                    .iter()
                    .any(|outer| *outer != call.span && outer.contains(call.span))
                    || in_cached_function(context, call.function)
                    || guarded_singleton(context, call)
                    || kept(context, &names, call)
                    || in_test_code(context, &test_blocks, call.function)
            };
            let repeating = repeating_loop(context, Site::of(call));
            if let Some(repeating) = repeating.filter(|each| walks_data(context, &names, each)) {
                // Inside a loop over data only the loop matters: either it
                // repeats the work for nothing, or what the work uses changes.
                if !names.varies(candidate.span, repeating)
                    && !written_in(context, &operations, candidate, repeating.span)
                    && !exempt()
                {
                    diagnostics.push(loop_diagnostic(context, candidate, repeating));
                }
                continue;
            }
            let first = earlier.and_then(|first| {
                repeated(context, &names, &operations, &candidates[first], candidate)
            });
            if let Some(first) = first {
                if !exempt() {
                    diagnostics.push(repeat_diagnostic(context, candidate, first));
                }
                continue;
            }
            if let Work::Expensive(entry) = candidate.work {
                if let Some(handler) = per_request(context, &names, call).filter(|_| !exempt()) {
                    diagnostics.push(request_diagnostic(context, call, entry, handler));
                }
            }
        }
    }
}

/// Something worth caching.
struct Candidate<'m> {
    /// The call reported: for a round trip, the call that makes it (its
    /// span covers the chain that builds it: `sqlx::query(…).bind(x).fetch_one(…)`).
    call: &'m Call,
    /// What decides the work's result: the call, with the rest of its chain.
    span: Span,
    work: Work<'m>,
}

#[derive(Clone, Copy)]
enum Work<'m> {
    RoundTrip(&'m Operation<'m>),
    Expensive(&'m ExpensiveCall),
}

// ----- round trips -----------------------------------------------------------------

/// A round trip to a database or a service: the call that makes it, what it
/// does, and what it touches.
struct Operation<'m> {
    call: &'m Call,
    /// The whole chain the call is part of (`…filter(…).order_by(…)` after
    /// `filter`, `.map_err(…)` after `fetch_one`): everything that shapes
    /// the query.
    whole: Span,
    channel: Channel,
    effect: Effect,
    /// The tables it reads or writes, lowercased, when they are known.
    tables: Option<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Channel {
    Database,
    Http,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    /// Reads data: the same call gives the same rows until something writes.
    Read,
    /// Writes, or may (unknown SQL, `SELECT nextval(…)`, `SELECT now()`): not
    /// worth caching, and it may change what reads return.
    Write,
}

impl Operation<'_> {
    fn reads(&self) -> bool {
        self.effect == Effect::Read
    }

    /// Whether this write may change what `read` returns.
    fn may_change(&self, read: &Operation<'_>) -> bool {
        if self.effect != Effect::Write || self.channel != read.channel {
            return false;
        }
        match (&self.tables, &read.tables) {
            (Some(written), Some(read)) => written.iter().any(|table| read.contains(table)),
            _ => true,
        }
    }
}

/// Every round trip of the file, one per chain of calls: the outermost call
/// of the chain that a catalog knows (`fetch_one` of
/// `sqlx::query(…).bind(…).fetch_one(…)`), else the SQL sink that runs its
/// text (`db.execute("SELECT …")`).
fn round_trips<'m>(context: &RuleContext<'m>) -> Vec<Operation<'m>> {
    let calls = &context.model.calls;
    let mut operations = Vec::new();
    let mut start = 0;
    // Calls are sorted by start: a chain's calls are one run of equal starts.
    while start < calls.len() {
        let mut end = start;
        while end < calls.len() && calls[end].span.start == calls[start].span.start {
            end += 1;
        }
        let chain = &calls[start..end];
        start = end;
        let whole = chain
            .iter()
            .map(|call| call.span)
            .max_by_key(|span| span.end)
            .unwrap_or_default();
        let io = chain
            .iter()
            .filter_map(|call| Some((call, io_kind(context, call)?)))
            .max_by_key(|(call, _)| call.span.end);
        // Each call's SQL, rendered once.
        let texts: Vec<Option<(&Call, String)>> =
            chain.iter().map(|call| sql_text(context, call)).collect();
        let sql = texts.iter().flatten().next().cloned();
        let (call, kind) = match io {
            Some((call, kind)) => (call, Some(kind)),
            None => {
                // A sink that runs SQL by itself: not a builder of a fragment
                // or of a tagged query that something else runs.
                let Some(sink) = chain.iter().zip(&texts).rev().find_map(|(call, text)| {
                    (text.is_some() && (call.awaited || !call.tagged_template)).then_some(call)
                }) else {
                    continue;
                };
                (sink, None)
            }
        };
        let sql = sql.filter(|(sink, _)| call.span.contains(sink.span));
        let operation = match (kind, sql) {
            (_, Some((_, text))) => {
                let statement = classify_sql(&text);
                Operation {
                    call,
                    whole,
                    channel: Channel::Database,
                    effect: statement.effect,
                    tables: (!statement.tables.is_empty()).then_some(statement.tables),
                }
            }
            (Some(IoKind::Http), None) => Operation {
                call,
                whole,
                channel: Channel::Http,
                effect: http_effect(call),
                tables: None,
            },
            (Some(kind), None) => {
                let method = uncalled(call.path.name());
                let writes = kind == IoKind::Write
                    || WRITE_METHODS.contains(&method)
                    || RUN_METHODS.contains(&method);
                Operation {
                    call,
                    whole,
                    channel: Channel::Database,
                    effect: if writes { Effect::Write } else { Effect::Read },
                    tables: model_table(chain, call),
                }
            }
            (None, None) => continue,
        };
        operations.push(operation);
    }
    operations
}

/// The SQL text a sink call hands over, when it reads as SQL.
fn sql_text<'m>(context: &RuleContext<'m>, call: &'m Call) -> Option<(&'m Call, String)> {
    context
        .catalog
        .sql_sinks(call, context.language)
        .filter(|sink| !sink.fragment)
        .find_map(|sink| {
            let argument = sink.sql_argument(call)?;
            let shape = argument
                .value
                .strings()
                .find(|shape| looks_like_sql(shape))?;
            Some((call, render(shape)))
        })
}

/// Methods of a query API that write.
const WRITE_METHODS: &[&str] = &[
    "insert",
    "update",
    "upsert",
    "delete",
    "del",
    "merge",
    "save",
    "create",
    "destroy",
    "remove",
    "increment",
    "decrement",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
    "executemany",
    "insertMany",
    "updateMany",
    "deleteMany",
    "createMany",
];

/// Methods that run whatever SQL they are given: without the text, a write
/// as far as anyone can tell.
const RUN_METHODS: &[&str] = &[
    "execute",
    "execute_batch",
    "batch_execute",
    "run",
    "exec",
    "raw",
    "query",
];

struct Statement {
    effect: Effect,
    tables: Vec<String>,
}

/// What a SQL text does and which tables it names. A `SELECT` that reads no
/// table (`SELECT nextval(…)`, `SELECT now()`) or that locks rows is not a
/// read worth caching.
fn classify_sql(text: &str) -> Statement {
    let mut starts_reading = None;
    let mut names_table = false;
    let mut writes_inside = false;
    let mut tables: Vec<String> = Vec::new();
    for_each_sql_word(text, |word| {
        if starts_reading.is_none() {
            starts_reading = Some(matches!(
                word,
                "select" | "with" | "show" | "table" | "values"
            ));
        }
        if names_table && word.starts_with(|c: char| c.is_alphabetic() || c == '_') {
            let table = word.rsplit('.').next().unwrap_or("");
            if !SQL_KEYWORDS.contains(&table) && !tables.iter().any(|known| known == table) {
                tables.push(table.to_string());
            }
        }
        names_table = matches!(word, "from" | "join" | "into" | "update" | "table");
        writes_inside |= matches!(
            word,
            "insert" | "update" | "delete" | "merge" | "nextval" | "setval" | "lock"
        );
    });
    let reads = starts_reading == Some(true) && !tables.is_empty() && !writes_inside;
    Statement {
        effect: if reads { Effect::Read } else { Effect::Write },
        tables,
    }
}

const SQL_KEYWORDS: &[&str] = &["select", "lateral", "unnest", "only"];

/// Calls `each` with the words of a SQL text in order, lowercased:
/// identifiers (with their `schema.` prefix, quotes dropped) and keywords;
/// string literals skipped.
fn for_each_sql_word(text: &str, mut each: impl FnMut(&str)) {
    let mut current = String::new();
    let mut in_string = false;
    for c in text.chars() {
        if in_string {
            in_string = c != '\'';
            continue;
        }
        if c == '\'' {
            in_string = true;
            continue;
        }
        if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
            current.push(c.to_ascii_lowercase());
        } else if c.is_alphanumeric() {
            current.extend(c.to_lowercase());
        } else if !matches!(c, '"' | '`' | '[' | ']') && !current.is_empty() {
            each(&current);
            current.clear();
        }
    }
    if !current.is_empty() {
        each(&current);
    }
}

/// The table an ORM call works on, when its path or its chain says.
fn model_table(chain: &[Call], call: &Call) -> Option<Vec<String>> {
    let segments: Vec<&str> = call.path.text.split('.').map(uncalled).collect();
    // Django: `Model.objects.…`, rows of `Model.objects.filter().[]`.
    if let Some(at) = segments.iter().position(|segment| *segment == "objects") {
        return at
            .checked_sub(1)
            .map(|before| vec![segments[before].to_ascii_lowercase()]);
    }
    // Prisma: `prisma.<model>.findUnique`.
    if let Some(at) = segments
        .iter()
        .position(|segment| segment.eq_ignore_ascii_case("prisma") || *segment == "PrismaClient")
    {
        if let Some(model) = segments.get(at + 1).filter(|_| at + 2 < segments.len()) {
            return Some(vec![model.to_ascii_lowercase()]);
        }
    }
    // knex: `db('warehouses').where(…).first()`: the chain's first call
    // names its table.
    let root = chain.iter().min_by_key(|each| each.span.end)?;
    let table = root
        .args
        .first()
        .and_then(|arg| arg.value.as_str())
        .and_then(|shape| {
            let text = shape.literal_text();
            let plain = shape.holes().next().is_none()
                && !text.is_empty()
                && text
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '.');
            plain.then(|| text.rsplit('.').next().unwrap_or("").to_ascii_lowercase())
        });
    if table.is_some() && root.span != call.span {
        return table.map(|table| vec![table]);
    }
    // Sequelize and mongoose: `Invoice.findAll(…)`.
    let receiver = segments.len().checked_sub(2).map(|at| segments[at])?;
    receiver
        .starts_with(|c: char| c.is_ascii_uppercase())
        .then(|| vec![receiver.to_ascii_lowercase()])
}

/// Whether an HTTP call reads (`GET`, `HEAD`) or may write.
fn http_effect(call: &Call) -> Effect {
    let writes = |method: &str| {
        let method = method.trim().to_ascii_lowercase();
        !matches!(method.as_str(), "get" | "head" | "options")
    };
    let named_write = call
        .path
        .text
        .split('.')
        .map(uncalled)
        .any(|segment| matches!(segment, "post" | "put" | "patch" | "delete"));
    if named_write {
        return Effect::Write;
    }
    // `fetch(url, { method: 'PUT' })`, `axios({ method, url })`.
    for arg in &call.args {
        if let Value::Object(entries) = &arg.value {
            if let Some((_, method)) = entries.iter().find(|(key, _)| key == "method") {
                let literal = method
                    .as_str()
                    .filter(|shape| shape.holes().next().is_none())
                    .map(|shape| shape.literal_text());
                return match literal {
                    Some(method) if !writes(&method) => Effect::Read,
                    _ => Effect::Write,
                };
            }
        }
    }
    // `requests.request("POST", url)`, `session.request(method, url)`.
    if uncalled(call.path.name()) == "request" {
        let method = call
            .args
            .first()
            .and_then(|arg| arg.value.as_str())
            .filter(|shape| shape.holes().next().is_none())
            .map(|shape| shape.literal_text());
        return match method {
            Some(method) if !writes(&method) => Effect::Read,
            _ => Effect::Write,
        };
    }
    Effect::Read
}

/// A loop that walks data (`for`, a comprehension, an iteration callback)
/// and uses the element: not one that waits for something to change
/// (`while`, `loop`, `for (;;)`: events, polls, retries), nor one that only
/// counts (`for _ in range(n)`), where doing the work again is the point.
fn walks_data(context: &RuleContext<'_>, names: &Names<'_>, each: &Loop) -> bool {
    let walks = match each.kind {
        LoopKind::While => false,
        LoopKind::For if each.iterable.is_none() => context
            .text(each.header)
            .split(';')
            .nth(1)
            .is_some_and(|condition| !condition.trim().is_empty()),
        _ => true,
    };
    // Read anywhere in the loop but its header (a comprehension's element
    // comes before its `for`).
    let uses_element = names.reads_in(each.span).iter().any(|read| {
        let name = names.name(read);
        !each.header.contains(read.span) && each.bindings.iter().any(|binding| binding == name)
    });
    walks && uses_element
}

/// Whether a write inside `region` may change what the candidate reads: a
/// round trip that writes what it reads (or may), or a call that persists
/// something by its name (`obj.save()`, `client.post(…)`, `commit()`).
fn written_in(
    context: &RuleContext<'_>,
    operations: &[Operation<'_>],
    candidate: &Candidate<'_>,
    region: Span,
) -> bool {
    writes_in(context, operations, candidate, region, |_| false)
}

fn writes_in(
    context: &RuleContext<'_>,
    operations: &[Operation<'_>],
    candidate: &Candidate<'_>,
    region: Span,
    skipped: impl Fn(Span) -> bool,
) -> bool {
    let Work::RoundTrip(read) = candidate.work else {
        return false;
    };
    let by_operation = operations.iter().any(|write| {
        region.contains(write.call.span) && write.may_change(read) && !skipped(write.call.span)
    });
    by_operation
        || calls_in(context.model, region).iter().any(|call| {
            region.contains(call.span)
                && persists(call)
                && !operations.iter().any(|each| each.call.span == call.span)
                && !skipped(call.span)
        })
}

/// A call that persists something by its name: `obj.save()`, `commit()`,
/// `client.post(…)`, or a session's unit-of-work methods (`session.add(row)`).
fn persists(call: &Call) -> bool {
    let method = uncalled(call.path.name());
    if PERSISTING_METHODS.contains(&method) {
        return true;
    }
    let on_session = call
        .path
        .text
        .rsplit('.')
        .nth(1)
        .is_some_and(|receiver| receiver.to_ascii_lowercase().contains("session"));
    on_session && SESSION_METHODS.contains(&method)
}

/// What an ORM session writes with (SQLAlchemy, Hibernate-style sessions).
const SESSION_METHODS: &[&str] = &["add", "add_all", "delete", "merge", "flush"];

/// Method names that persist or send something, whatever the receiver: an
/// unknown call by one of these names may change what a read returns.
const PERSISTING_METHODS: &[&str] = &[
    "save",
    "create",
    "destroy",
    "commit",
    "post",
    "put",
    "patch",
    "execute",
    "executemany",
    "bulk_create",
    "bulk_update",
    "refresh_from_db",
    "call_command",
];

// ----- expensive calls ---------------------------------------------------------

/// The file's expensive calls, outermost only (`yaml.safe_load` of
/// `yaml.safe_load(open(…))`): a parse counts when it parses what a file
/// read returns, or a file opened for reading (`with open(p) as f:
/// json.load(f)`); opening a file alone does not count.
fn expensive_calls<'m>(
    context: &RuleContext<'m>,
    names: &Names<'m>,
) -> Vec<(&'m Call, &'m ExpensiveCall)> {
    let calls = &context.model.calls;
    let found: Vec<(&Call, &ExpensiveCall)> = calls
        .iter()
        .filter_map(|call| {
            let entry = context
                .catalog
                .expensive_call(&call.path, context.language)?;
            Some((call, entry))
        })
        .filter(|(call, entry)| match entry.kind {
            ExpensiveKind::Build | ExpensiveKind::FileRead => true,
            ExpensiveKind::FileOpen => false,
            ExpensiveKind::Parse => {
                let inside = Span {
                    start: call.callee_span.end,
                    end: call.span.end,
                };
                reads_file(context, names, inside, 0)
            }
        })
        .collect();
    found
        .iter()
        .filter(|(call, _)| {
            !found
                .iter()
                .any(|(outer, _)| outer.span != call.span && outer.span.contains(call.span))
        })
        .copied()
        .collect()
}

/// Whether the expression at `span` reads a file: a call that reads or opens
/// one for reading, or a local assigned from one.
fn reads_file(context: &RuleContext<'_>, names: &Names<'_>, span: Span, depth: usize) -> bool {
    let by_call = calls_in(context.model, span).iter().any(|call| {
        span.contains(call.span)
            && context
                .catalog
                .expensive_call(&call.path, context.language)
                .is_some_and(|entry| match entry.kind {
                    // Through a variable only an opened file: a read kept
                    // in a variable is reported itself.
                    ExpensiveKind::FileRead => depth == 0,
                    ExpensiveKind::FileOpen => !opens_for_writing(call),
                    _ => false,
                })
    });
    if by_call || depth >= 2 {
        return by_call;
    }
    names.reads_in(span).iter().any(|read| {
        let Bound::Local { assignments, .. } = names.resolve(read) else {
            return false;
        };
        assignments.iter().any(|index| {
            let assignment = &names.model.assignments[*index];
            assignment.kind == AssignmentKind::Bind
                && assignment
                    .value
                    .is_some_and(|value| reads_file(context, names, value, depth + 1))
        })
    })
}

/// `open(path, "w")`, `open(path, mode="a")`: a mode that writes.
fn opens_for_writing(call: &Call) -> bool {
    call.args.iter().enumerate().any(|(index, arg)| {
        let is_mode = arg.keyword.as_deref().map_or(index == 1, |keyword| {
            matches!(keyword, "mode" | "flag" | "flags")
        });
        is_mode
            && arg.value.as_str().is_some_and(|shape| {
                let mode = shape.literal_text();
                mode.len() <= 4 && mode.contains(['w', 'a', 'x', '+'])
            })
    })
}

/// The calls that start inside `span` (calls are sorted by start).
fn calls_in(model: &FileModel, span: Span) -> &[Call] {
    let from = model
        .calls
        .partition_point(|call| call.span.start < span.start);
    let to = model
        .calls
        .partition_point(|call| call.span.start < span.end);
    &model.calls[from..to.max(from)]
}

// ----- names and where they come from ----------------------------------------------

/// Where a name read gets its value, as far as the file shows.
enum Bound<'m> {
    /// In a function (or at module level, `level` `None`): a loop's binding,
    /// a parameter, and the assignments at that level.
    Local {
        level: Option<FunctionId>,
        loop_: Option<&'m Loop>,
        param: bool,
        assignments: Vec<usize>,
    },
    /// Local by the front end's scopes, but no binding site is known.
    Unknown,
    Import(&'m str),
    /// Module level, builtin or global.
    Global,
}

/// Name resolution over the model's reads and assignments, with memoised
/// answers.
struct Names<'m> {
    context: &'m RuleContext<'m>,
    model: &'m FileModel,
    by_name: HashMap<&'m str, Vec<usize>>,
    /// Assignments with a value, by where the value starts, and the
    /// furthest any of the first `i` values ends: which values hold a span.
    values: Vec<(Span, usize)>,
    furthest_end: Vec<u32>,
    /// Method calls on a name that change what it holds (`rows.push(x)`).
    mutations: HashMap<&'m str, Vec<Span>>,
    varies_memo: RefCell<HashMap<(usize, u32), bool>>,
    constant_memo: RefCell<HashMap<usize, bool>>,
    /// Assignments being evaluated, so that a cycle ends.
    in_progress: RefCell<HashSet<usize>>,
}

/// Methods that change the object they are called on.
const MUTATORS: &[&str] = &[
    "append",
    "extend",
    "insert",
    "push",
    "push_str",
    "unshift",
    "splice",
    "add",
    "update",
    "set",
    "setdefault",
    "pop",
    "remove",
    "clear",
    "put",
    "entry",
];

impl<'m> Names<'m> {
    fn new(context: &'m RuleContext<'m>) -> Names<'m> {
        let model = context.model;
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        for (index, assignment) in model.assignments.iter().enumerate() {
            by_name
                .entry(context.text(assignment.target))
                .or_default()
                .push(index);
        }
        let mut values: Vec<(Span, usize)> = model
            .assignments
            .iter()
            .enumerate()
            .filter_map(|(index, assignment)| Some((assignment.value?, index)))
            .collect();
        values.sort_by_key(|(value, _)| value.start);
        let furthest_end = values
            .iter()
            .scan(0, |furthest, (value, _)| {
                *furthest = value.end.max(*furthest);
                Some(*furthest)
            })
            .collect();
        let mut mutations: HashMap<&str, Vec<Span>> = HashMap::new();
        for call in &model.calls {
            let callee = context.text(call.callee_span);
            let Some((receiver, method)) = callee.rsplit_once('.') else {
                continue;
            };
            let is_plain_name = !receiver.is_empty()
                && receiver
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '$');
            if is_plain_name && MUTATORS.contains(&method.trim()) {
                mutations.entry(receiver).or_default().push(call.span);
            }
        }
        Names {
            context,
            model,
            by_name,
            values,
            furthest_end,
            mutations,
            varies_memo: RefCell::new(HashMap::new()),
            constant_memo: RefCell::new(HashMap::new()),
            in_progress: RefCell::new(HashSet::new()),
        }
    }

    /// The assignments whose value holds `span`: those whose value starts
    /// at or before it, back to where no earlier value reaches its end.
    fn assignments_holding(&self, span: Span) -> impl Iterator<Item = &'m Assignment> + '_ {
        let before = self
            .values
            .partition_point(|(value, _)| value.start <= span.start);
        (0..before)
            .rev()
            .take_while(move |at| self.furthest_end[*at] >= span.end)
            .filter(move |at| self.values[*at].0.contains(span))
            .map(move |at| &self.model.assignments[self.values[at].1])
    }

    fn name(&self, read: &NameRead) -> &'m str {
        self.context.text(read.span)
    }

    /// The reads inside `span`, by position.
    fn reads_in(&self, span: Span) -> &'m [NameRead] {
        let reads = &self.model.name_reads;
        let from = reads.partition_point(|read| read.span.start < span.start);
        let to = reads.partition_point(|read| read.span.start < span.end);
        &reads[from..to.max(from)]
    }

    fn function_chain(&self, function: Option<FunctionId>) -> Vec<Option<FunctionId>> {
        let mut chain = Vec::new();
        let mut current = function;
        while let Some(id) = current {
            chain.push(Some(id));
            current = self.model.function(id).parent;
        }
        chain.push(None);
        chain
    }

    /// Where the name read at `read` is bound: the innermost function (or
    /// the module) that binds it.
    fn resolve(&self, read: &'m NameRead) -> Bound<'m> {
        let name = self.name(read);
        let assignments = self.by_name.get(name);
        for level in self.function_chain(read.function) {
            let loop_ = self
                .model
                .loops
                .iter()
                .filter(|each| {
                    each.function == level
                        && each.span.contains(read.span)
                        && each.bindings.iter().any(|binding| binding == name)
                })
                .min_by_key(|each| each.span.end - each.span.start);
            let param = level.is_some_and(|id| {
                self.model
                    .function(id)
                    .params
                    .iter()
                    .any(|param| param.name == name)
            });
            let at_level: Vec<usize> = assignments
                .into_iter()
                .flatten()
                .copied()
                .filter(|index| self.model.assignments[*index].function == level)
                .collect();
            if loop_.is_some() || param || !at_level.is_empty() {
                return Bound::Local {
                    level,
                    loop_,
                    param,
                    assignments: at_level,
                };
            }
        }
        match &read.scope {
            NameScope::Local => Bound::Unknown,
            NameScope::Import(path) => Bound::Import(path),
            NameScope::Module | NameScope::Global => Bound::Global,
        }
    }

    /// Whether the name read at `read` is bound inside `span` itself (a
    /// lambda's parameter, a comprehension's variable): local to the
    /// expression, whatever it holds.
    fn bound_inside(&self, bound: &Bound<'_>, span: Span) -> bool {
        let Bound::Local {
            level,
            loop_,
            param,
            assignments,
        } = bound
        else {
            return false;
        };
        if let Some(each) = loop_ {
            return span.contains(each.span);
        }
        if *param {
            return level.is_some_and(|id| span.contains(self.model.function(id).span));
        }
        !assignments.is_empty()
            && assignments
                .iter()
                .all(|index| span.contains(self.model.assignments[*index].target))
    }

    /// Whether what the expression at `span` computes may change from one
    /// iteration of `repeating` to the next.
    fn varies(&self, span: Span, repeating: &Loop) -> bool {
        self.reads_in(span).iter().any(|read| {
            let bound = self.resolve(read);
            if self.bound_inside(&bound, span) {
                return false;
            }
            self.bound_varies(read, &bound, repeating)
        })
    }

    fn bound_varies(&self, read: &NameRead, bound: &Bound<'_>, repeating: &Loop) -> bool {
        match bound {
            Bound::Unknown => true,
            Bound::Import(_) | Bound::Global => false,
            Bound::Local {
                level,
                loop_,
                param,
                assignments,
            } => {
                if let Some(each) = loop_ {
                    return repeating.span.contains(each.span);
                }
                if *param
                    && level.is_some_and(|id| repeating.span.contains(self.model.function(id).span))
                {
                    return true;
                }
                let mutated = self
                    .mutations
                    .get(self.name(read))
                    .is_some_and(|spans| spans.iter().any(|at| repeating.span.contains(*at)));
                mutated
                    || assignments.iter().any(|index| {
                        let assignment = &self.model.assignments[*index];
                        repeating.span.contains(assignment.target)
                            && self.assignment_varies(*index, assignment, repeating)
                    })
            }
        }
    }

    fn assignment_varies(&self, index: usize, assignment: &Assignment, repeating: &Loop) -> bool {
        let Some(value) = assignment.value else {
            return true;
        };
        if assignment.kind != AssignmentKind::Bind {
            return true;
        }
        let key = (index, repeating.span.start);
        if let Some(known) = self.varies_memo.borrow().get(&key) {
            return *known;
        }
        // A name made from itself round the loop varies.
        if !self.in_progress.borrow_mut().insert(index) {
            return true;
        }
        let varies = self.varies(value, repeating);
        self.in_progress.borrow_mut().remove(&index);
        self.varies_memo.borrow_mut().insert(key, varies);
        varies
    }

    /// Whether the expression at `span` is made of constants only: literals,
    /// module-level names and imports, and locals assigned from those; no
    /// parameter, loop binding or request input.
    fn constant(&self, span: Span, depth: usize) -> bool {
        if depth > 16 {
            return false;
        }
        let sourced = calls_in(self.model, span).iter().any(|call| {
            span.contains(call.span)
                && self
                    .context
                    .catalog
                    .is_source(&call.path, self.context.language)
        });
        if sourced {
            return false;
        }
        self.reads_in(span).iter().all(|read| {
            let bound = self.resolve(read);
            if self.bound_inside(&bound, span) {
                return true;
            }
            match bound {
                Bound::Unknown => false,
                Bound::Global => true,
                Bound::Import(path) => !self.context.catalog.is_source(
                    &snag_analyzer::model::CallPath {
                        text: path.to_string(),
                        resolved: true,
                    },
                    self.context.language,
                ),
                Bound::Local {
                    level,
                    loop_,
                    param,
                    assignments,
                } => {
                    if level.is_none() && loop_.is_none() {
                        return true;
                    }
                    if loop_.is_some() || param {
                        return false;
                    }
                    if self.mutations.contains_key(self.name(read)) {
                        return false;
                    }
                    assignments
                        .iter()
                        .all(|index| self.assignment_constant(*index, depth))
                }
            }
        })
    }

    /// Whether assignment `index` gives its name a value made of constants.
    fn assignment_constant(&self, index: usize, depth: usize) -> bool {
        let assignment = &self.model.assignments[index];
        let Some(value) = assignment.value else {
            return false;
        };
        if assignment.kind != AssignmentKind::Bind {
            return false;
        }
        if let Some(known) = self.constant_memo.borrow().get(&index) {
            return *known;
        }
        // A name made from itself is not known to be constant.
        if !self.in_progress.borrow_mut().insert(index) {
            return false;
        }
        let constant = self.constant(value, depth + 1);
        self.in_progress.borrow_mut().remove(&index);
        self.constant_memo.borrow_mut().insert(index, constant);
        constant
    }

    /// The names read in `span` that are bound outside it.
    fn free_names(&self, span: Span) -> Vec<&'m str> {
        let mut names: Vec<&str> = self
            .reads_in(span)
            .iter()
            .filter(|read| !self.bound_inside(&self.resolve(read), span))
            .map(|read| self.name(read))
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }
}

// ----- repeated calls ----------------------------------------------------------------

/// The earlier call that `second` repeats, given `first`, the nearest one
/// before it in the same function and loop with the same callee and
/// arguments: when `first` always ran before it and nothing in between
/// changes its inputs or what it reads.
fn repeated<'m>(
    context: &RuleContext<'m>,
    names: &Names<'m>,
    operations: &[Operation<'m>],
    first: &Candidate<'m>,
    second: &Candidate<'m>,
) -> Option<&'m Call> {
    let call = second.call;
    let between = Span {
        start: first.span.end,
        end: call.span.start,
    };
    let arms = &context.model.arms;
    // The first call ran whenever the second does: no arm holds it that does
    // not also hold the second.
    let conditional_first = arms
        .iter()
        .any(|arm| arm.span.contains(first.call.span) && !arm.span.contains(call.span));
    if conditional_first {
        return None;
    }
    // A write in between, unless it sits in an arm that leaves.
    let skipped = |at: Span| {
        arms.iter()
            .any(|arm| arm.exits && arm.span.contains(at) && !arm.span.contains(call.span))
    };
    if writes_in(context, operations, second, between, skipped) {
        return None;
    }
    // Awaited I/O in between that is not a known read (`await
    // storage.upload(file)`): its effects are unknown.
    if matches!(second.work, Work::RoundTrip(_)) {
        let awaited_unknown = calls_in(context.model, between).iter().any(|each| {
            each.awaited
                && between.contains(each.span)
                && !skipped(each.span)
                && !reads_an_answer(context, each)
                && !operations
                    .iter()
                    .any(|operation| operation.reads() && operation.call.span == each.span)
        });
        if awaited_unknown {
            return None;
        }
    }
    // A pause in between: reading again after waiting is the point (a
    // retry for data that lags).
    let paused = calls_in(context.model, between)
        .iter()
        .any(|each| between.contains(each.span) && PAUSES.contains(&uncalled(each.path.name())));
    if paused {
        return None;
    }
    // An input assigned or changed in between.
    let inputs = names.free_names(second.span);
    let reassigned = context.model.assignments.iter().any(|assignment| {
        between.contains(assignment.target) && inputs.contains(&context.text(assignment.target))
    }) || inputs.iter().any(|name| {
        names
            .mutations
            .get(name)
            .is_some_and(|spans| spans.iter().any(|at| between.contains(*at)))
    });
    (!reassigned).then_some(first.call)
}

/// A method of what a round trip returned (`await response.json()`,
/// `rows.next().await`): reading the answer, not another round trip.
fn reads_an_answer(context: &RuleContext<'_>, call: &Call) -> bool {
    let text = call.path.text.as_str();
    text.match_indices("()").any(|(at, _)| {
        at + 2 < text.len()
            && context
                .catalog
                .io_call_at(&text[..at + 2], call.path.resolved, context.language)
                .is_some()
    })
}

/// Calls that wait.
const PAUSES: &[&str] = &["sleep", "setTimeout", "delay", "wait", "wait_for", "tick"];

/// What identifies a call's work: the callee as written and, for each call
/// of its chain (`query(…).bind(…).fetch_one(…)`), its method and arguments,
/// whitespace collapsed; callbacks left out (a row mapper does not change
/// what is fetched), comments with them. After the call that does the work,
/// only calls with arguments count (`.order_by(…)` shapes the query,
/// `.json()` reads the answer).
fn signature(context: &RuleContext<'_>, candidate: &Candidate<'_>) -> String {
    let span = candidate.span;
    let work_end = candidate.call.span.end;
    let mut chain: Vec<&Call> = calls_in(context.model, span)
        .iter()
        .filter(|each| each.span.start == span.start && span.contains(each.span))
        .collect();
    chain.sort_by_key(|each| each.span.end);
    // Source text with each run of whitespace written as one space.
    let push_collapsed = |signature: &mut String, text: &str| {
        for (index, word) in text.split_whitespace().enumerate() {
            if index > 0 {
                signature.push(' ');
            }
            signature.push_str(word);
        }
    };
    let mut signature = String::new();
    for (position, each) in chain.iter().enumerate() {
        let mut args = each
            .args
            .iter()
            .filter(|arg| !is_callback(context, arg.span, &arg.value))
            .peekable();
        if each.span.end > work_end && args.peek().is_none() {
            continue;
        }
        if position == 0 {
            push_collapsed(&mut signature, context.text(each.callee_span));
        } else {
            signature.push('.');
            signature.push_str(each.path.name());
        }
        signature.push('(');
        for (index, arg) in args.enumerate() {
            if index > 0 {
                signature.push_str(", ");
            }
            push_collapsed(&mut signature, context.text(arg.span));
        }
        signature.push(')');
    }
    signature
}

fn is_callback(context: &RuleContext<'_>, span: Span, value: &Value) -> bool {
    if matches!(value, Value::Function) {
        return true;
    }
    let text = context.text(span).trim_start();
    text.starts_with('|') || text.starts_with("move |") || text.starts_with("lambda")
}

// ----- per request ----------------------------------------------------------------------

/// The request handler that rebuilds `call` from constants on every request.
fn per_request<'m>(
    context: &RuleContext<'m>,
    names: &Names<'m>,
    call: &'m Call,
) -> Option<&'m Function> {
    let function = context.model.function(call.function?);
    let handler = request_function(context, function)?;
    names.constant(call.span, 0).then_some(handler)
}

/// The call's value is kept for later: stored into an object or a map
/// (`self._tmpl = …`, `cache[key] = …`) or into a variable of an enclosing
/// scope (`_pattern = re.compile(…)` under `global`, `emojiRegex = new
/// RegExp(…)` on a module variable): a memo.
fn kept(context: &RuleContext<'_>, names: &Names<'_>, call: &Call) -> bool {
    names.assignments_holding(call.span).any(|assignment| {
        match assignment.kind {
            AssignmentKind::Store | AssignmentKind::Update => true,
            // A module variable assigned from a function: a lazy global.
            AssignmentKind::Bind => {
                assignment.function.is_some()
                    && names
                        .by_name
                        .get(context.text(assignment.target))
                        .is_some_and(|all| {
                            all.iter()
                                .any(|index| names.model.assignments[*index].function.is_none())
                        })
            }
        }
    })
}

/// Test code: tests repeat queries and rebuild fixtures on purpose, and
/// serve no one. A `test…` function or method, one marked as a test
/// (`#[test]`, `@pytest.fixture`), its set-up, or a callback given to
/// `it`/`test`/`describe`.
fn in_test_code(
    context: &RuleContext<'_>,
    test_blocks: &[Span],
    function: Option<FunctionId>,
) -> bool {
    let mut current = function;
    while let Some(id) = current {
        let each = context.model.function(id);
        let named = each.name.starts_with("test")
            || matches!(
                each.name.as_str(),
                "setUp" | "setUpClass" | "setUpTestData" | "tearDown" | "asyncSetUp"
            );
        let marked = is_test(context.source, each)
            || decorations(context.source, each).any(|line| line.contains("fixture"));
        let callback = test_blocks.iter().any(|block| block.contains(each.span));
        if named || marked || callback {
            return true;
        }
        current = each.parent;
    }
    false
}

/// A module of tests: it imports a test framework.
fn is_test_module(source: &str) -> bool {
    static TEST_IMPORTS: LazyLock<AhoCorasick> = LazyLock::new(|| {
        AhoCorasick::new([
            "import pytest",
            "from pytest",
            "import unittest",
            "from unittest",
            "from django.test",
            "from 'vitest'",
            "from \"vitest\"",
            "from '@jest/globals'",
            "from \"@jest/globals\"",
            "from 'node:test'",
            "from \"node:test\"",
        ])
        .expect("literal patterns")
    });
    TEST_IMPORTS.is_match(source)
}

/// Functions of test runners that take a test body as a callback.
const TEST_BLOCKS: &[&str] = &[
    "it",
    "test",
    "describe",
    "beforeEach",
    "beforeAll",
    "afterEach",
    "afterAll",
    "it.each",
    "test.each",
    "describe.each",
];

/// The call runs in a function that caches its result (`@lru_cache`,
/// `@cache`, `@cached_property`), or in one nested in such a function.
fn in_cached_function(context: &RuleContext<'_>, function: Option<FunctionId>) -> bool {
    let mut current = function;
    while let Some(id) = current {
        let each = context.model.function(id);
        let cached = decorations(context.source, each).any(|line| {
            let name = line
                .trim_start_matches('@')
                .split('(')
                .next()
                .unwrap_or("")
                .rsplit('.')
                .next()
                .unwrap_or("");
            name.contains("cache") || name.contains("memoize")
        });
        if cached {
            return true;
        }
        current = each.parent;
    }
    false
}

// ----- findings ----------------------------------------------------------------------

fn what(candidate: &Candidate<'_>) -> String {
    match candidate.work {
        Work::RoundTrip(operation) => match operation.channel {
            Channel::Database => "runs the same query".to_string(),
            Channel::Http => "makes the same HTTP request".to_string(),
        },
        Work::Expensive(entry) => entry.what.clone(),
    }
}

fn confidence(context: &RuleContext<'_>, candidate: &Candidate<'_>) -> Confidence {
    let resolved = candidate.call.path.resolved
        || matches!(candidate.work, Work::Expensive(_))
            && context
                .catalog
                .expensive_call(&candidate.call.path, context.language)
                .is_some();
    if resolved {
        Confidence::High
    } else {
        Confidence::Medium
    }
}

fn loop_diagnostic(
    context: &RuleContext<'_>,
    candidate: &Candidate<'_>,
    repeating: &Loop,
) -> Diagnostic {
    let call = candidate.call;
    let callee = callee_text(context, call);
    let over = repeating
        .iterable
        .as_deref()
        .map(|iterable| format!(" over `{}`", shorten(iterable)))
        .unwrap_or_default();
    let (why, help) = match candidate.work {
        Work::RoundTrip(_) => (
            "Nothing it uses changes between iterations, so each one pays for the same round trip and the loop's cost grows with the data for nothing.",
            "Make the call once before the loop and reuse its result inside it.".to_string(),
        ),
        Work::Expensive(entry) => (
            "Nothing it uses changes between iterations, so each one repeats the same work and the loop's cost grows with the data for nothing.",
            format!("Do it once before the loop, or {}.", entry.instead),
        ),
    };
    Diagnostic {
        rule: META.id,
        confidence: confidence(context, candidate),
        span: call.span,
        message: format!(
            "`{callee}` {} on every iteration of the loop{over}, with inputs the loop does not change",
            what(candidate)
        ),
        why: why.to_string(),
        help,
        related: vec![Related {
            span: repeating.header,
            message: "the loop that repeats it".to_string(),
        }],
        fix: None,
    }
}

fn repeat_diagnostic(
    context: &RuleContext<'_>,
    candidate: &Candidate<'_>,
    first: &Call,
) -> Diagnostic {
    let call = candidate.call;
    let callee = callee_text(context, call);
    let line = context.source[..first.span.start as usize]
        .matches('\n')
        .count()
        + 1;
    let (what, cost) = match candidate.work {
        Work::RoundTrip(operation) => match operation.channel {
            Channel::Database => ("runs the same query", "another round trip to the database"),
            Channel::Http => (
                "makes the same HTTP request",
                "another round trip to the service",
            ),
        },
        Work::Expensive(_) => ("does the same work", "the same work again"),
    };
    Diagnostic {
        rule: META.id,
        // Something unseen (a helper, a trigger) may have changed the data.
        confidence: Confidence::Medium,
        span: call.span,
        message: format!(
            "`{callee}` {what} again, with the same arguments as on line {line} of this function"
        ),
        why: format!("The second call costs {cost} for a result the function already holds."),
        help: "Keep the first result in a variable and reuse it (re-read only after a write that changes it).".to_string(),
        related: vec![Related {
            span: first.span,
            message: "the first call".to_string(),
        }],
        fix: None,
    }
}

fn request_diagnostic(
    context: &RuleContext<'_>,
    call: &Call,
    entry: &ExpensiveCall,
    handler: &Function,
) -> Diagnostic {
    let callee = callee_text(context, call);
    let confidence = if entry.kind == ExpensiveKind::FileRead {
        // The file may be meant to change while the server runs.
        Confidence::Medium
    } else {
        Confidence::High
    };
    let mut help = entry.instead.clone();
    if let Some(first) = help.get(..1) {
        help = format!("{}{}.", first.to_uppercase(), &help[1..]);
    }
    Diagnostic {
        rule: META.id,
        confidence,
        span: call.span,
        message: format!(
            "`{callee}` {} from constants on every request {}",
            entry.what,
            if handler.name == "<anonymous>" {
                "this handler serves".to_string()
            } else {
                format!("to `{}`", handler.name)
            }
        ),
        why: "Its inputs are the same for every request, so each request pays again for work that could be done once.".to_string(),
        help,
        related: vec![Related {
            span: handler.name_span,
            message: "the request handler".to_string(),
        }],
        fix: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_reads_writes_and_volatile_selects() {
        let read = classify_sql(
            "SELECT id FROM billing.settings s JOIN teams t ON t.id = s.team_id WHERE key = $1",
        );
        assert_eq!(read.effect, Effect::Read);
        assert_eq!(read.tables, vec!["settings", "teams"]);
        let write = classify_sql("INSERT INTO team_seats (team_id) VALUES ($1)");
        assert_eq!(write.effect, Effect::Write);
        assert_eq!(write.tables, vec!["team_seats"]);
        assert_eq!(classify_sql("SELECT nextval('seq')").effect, Effect::Write);
        assert_eq!(classify_sql("SELECT now() AS t").effect, Effect::Write);
        assert_eq!(
            classify_sql("UPDATE jobs SET state = 'x' WHERE id IN (SELECT id FROM jobs)").effect,
            Effect::Write
        );
        assert_eq!(
            classify_sql("SELECT 'from users' AS label").tables,
            Vec::<String>::new()
        );
    }
}
