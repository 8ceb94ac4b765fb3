//! `n-plus-one`: a round trip to a database or a service made once per
//! element of a collection.

use foldhash::{HashMap, HashMapExt};
use snag_analyzer::catalog::Catalog;
use snag_analyzer::catalog::IoKind;
use snag_analyzer::engine::{Needles, Rule, RuleContext, RuleMeta};
use snag_analyzer::finding::{Confidence, Diagnostic, Related, Severity};
use snag_analyzer::model::Language;
use snag_analyzer::model::{
    uncalled, Call, ElementRead, FunctionId, Loop, LoopId, LoopKind, Origin, Span,
};

use crate::perf::inside_a_bigger_call;
use crate::sql_sinks::callee_text;

pub(crate) struct NPlusOne;

static META: RuleMeta = RuleMeta {
    id: "n-plus-one",
    pack: "perf",
    severity: Severity::Warning,
    summary: "a query, ORM lookup, write or HTTP request made once per iteration of a loop",
    docs: DOCS,
};

const DOCS: &str = r#"# n-plus-one

## What it does
Flags a database query, an ORM lookup or write, or an HTTP request made inside a
loop over a collection: `for` and `while` loops, comprehensions, `.map`/`.forEach`
callbacks (including `Promise.all(xs.map(…))`), Rust iterator closures. Which
calls make a round trip comes from the `io-call` catalogs (psycopg, sqlite3,
asyncpg, SQLAlchemy, Django; pg, mysql2, Prisma, TypeORM, Sequelize, mongoose,
knex, fetch, axios; sqlx, diesel, rusqlite, postgres, reqwest). A row fetched by
the loop and then saved or deleted one by one counts too.

## Why is this bad?
Each iteration waits for a full round trip, so the work grows with the data: 10
rows in development become 10,000 in production, and a page that took 20 ms
takes 20 s while holding a connection.

## Example
```python
for order in Order.objects.filter(status="open"):
    customer = Customer.objects.get(pk=order.customer_id)
```

## Use instead
```python
orders = Order.objects.filter(status="open").select_related("customer")
```
Fetch everything the loop needs with one query (`__in`, `IN (…)`, `= ANY($1)`,
`findMany({ where: { id: { in: ids } } })`), join or prefetch relations, and
write with one bulk call (`bulk_create`, `executemany`, `createMany`, `UNNEST`).

## Known limits
Loops that run a fixed, small number of times (over a literal list, `range(3)`,
a retry counter) and pagination loops (a `while` whose request uses a cursor the
loop advances) are not reported, and neither are calls whose arguments show a
batch (`__in`, `IN (`, `ANY(`, `whereIn`). Round trips hidden behind a helper
function are not followed across functions. A lazily loaded relation read as an
attribute (`invoice.customer.name`) is seen for Django models defined in the
same file; in other ORMs only when it is called (`customer.invoices.filter(…)`).
"#;

/// Words in a call's text that show it fetches or writes many rows at once.
const BATCH_MARKERS: &[&str] = &[
    "__in=", "__in\"", " IN (", " in (", " IN(", "= ANY(", "= any(", "ANY($", "UNNEST(", "unnest(",
    "whereIn(", "[Op.in]", "$in:", "'$in'", "\"$in\"", "In(", "{ in:", "{in:", ", in:", "chunk",
    "batch",
];

impl Rule for NPlusOne {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn needles(&self, catalog: &Catalog, language: Language) -> Option<Needles> {
        Needles::words(&catalog.io_call_names(language))
    }

    fn check(&self, context: &RuleContext<'_>, diagnostics: &mut Vec<Diagnostic>) {
        let model = context.model;
        let io_calls: Vec<(&Call, IoKind)> = model
            .calls
            .iter()
            .filter_map(|call| {
                let kind = io_kind(context, call)?;
                Some((call, kind))
            })
            .collect();
        let spans: Vec<(Span, Span)> = io_calls
            .iter()
            .map(|(call, _)| (call.span, call.callee_span))
            .collect();
        let inside = inside_a_bigger_call(&spans);
        for ((call, kind), part_of_bigger) in io_calls.iter().zip(inside) {
            // A round trip that is only the receiver of a bigger one
            // (`filter()` of `filter().exists()`) is reported through it.
            if part_of_bigger {
                continue;
            }
            let Some(repeating) = repeating_loop(context, Site::of(call)) else {
                continue;
            };
            let text = context.text(call.span);
            if BATCH_MARKERS.iter().any(|marker| text.contains(marker)) {
                continue;
            }
            // `for statement in migration_sql: cursor.execute(statement)` runs
            // a script, one statement each, not one query per row.
            let runs_the_element = context
                .catalog
                .sql_sinks(call, context.language)
                .filter_map(|sink| sink.sql_argument(call))
                .any(|arg| {
                    let text = context.text(arg.span).trim();
                    // The statement itself, or text made from it alone
                    // (`stmt = template % parameters`).
                    repeating.bindings.iter().any(|binding| binding == text)
                        || arg.value.strings().any(|shape| {
                            shape.literal_text().trim().is_empty()
                                && shape.holes().next().is_some()
                                && shape.holes().all(|hole| hole.origin == Origin::Loop)
                        })
                });
            if runs_the_element {
                continue;
            }
            diagnostics.push(diagnostic(context, call, *kind, repeating));
        }
        let lazy: Vec<(&ElementRead, &str)> = model
            .element_reads
            .iter()
            .filter_map(|read| Some((read, lazy_relation(context, read)?)))
            .collect();
        // `invoice.customer.name` is reported once, as `invoice.customer`:
        // the reads of one chain share their start.
        let mut shortest_at: HashMap<u32, u32> = HashMap::new();
        for (read, _) in &lazy {
            let length = shortest_at.entry(read.span.start).or_insert(u32::MAX);
            *length = (*length).min(read.span.end - read.span.start);
        }
        for &(read, relation) in &lazy {
            if shortest_at[&read.span.start] != read.span.end - read.span.start {
                continue;
            }
            let site = Site {
                span: read.span,
                function: read.function,
                innermost_loop: read.innermost_loop,
            };
            let Some(repeating) = repeating_loop(context, site) else {
                continue;
            };
            diagnostics.push(relation_diagnostic(context, read, relation, repeating));
        }
    }
}

/// The relation a read loads lazily: `<rows of Model>.[].<relation>…`, where
/// `Model` is a model class of this file with that relation, fetched by a
/// query that neither joined nor prefetched relations.
fn lazy_relation<'r>(context: &RuleContext<'_>, read: &'r ElementRead) -> Option<&'r str> {
    let (rows, rest) = read.path.text.rsplit_once(".[].")?;
    let relation = rest.split('.').next()?;
    if rows.contains("select_related()")
        || rows.contains("prefetch_related()")
        || rows.contains(".[]")
    {
        return None;
    }
    let segments: Vec<&str> = rows.split('.').collect();
    let objects = segments.iter().position(|segment| *segment == "objects")?;
    let class = segments.get(objects.checked_sub(1)?)?;
    let model = context
        .model
        .orm_models
        .iter()
        .find(|model| model.name == *class)?;
    model
        .relations
        .iter()
        .any(|name| name == relation)
        .then_some(relation)
}

fn relation_diagnostic(
    context: &RuleContext<'_>,
    read: &ElementRead,
    relation: &str,
    repeating: &Loop,
) -> Diagnostic {
    let text = context.text(read.span);
    let shown = text
        .find(relation)
        .map_or(text, |at| &text[..at + relation.len()]);
    let over = repeating
        .iterable
        .as_deref()
        .map(|iterable| format!(" over `{}`", shorten(iterable)))
        .unwrap_or_default();
    Diagnostic {
        rule: META.id,
        confidence: Confidence::High,
        span: read.span,
        message: format!(
            "`{shown}` loads the related `{relation}` row with a query on every iteration of the loop{over}"
        ),
        why: "Round trips grow with the data: each one waits on the network and holds a connection, so a loop over thousands of rows takes seconds.".to_string(),
        help: format!("Add `select_related(\"{relation}\")` to the queryset the loop iterates (`prefetch_related` for many-valued relations)."),
        related: vec![Related {
            span: repeating.header,
            message: "the loop that repeats it".to_string(),
        }],
        fix: None,
    }
}

/// The round trip a call makes: the catalog's, or a write on a row that a
/// round trip fetched (`for invoice in Invoice.objects.filter(…): invoice.save()`).
/// Worked out once per file for all its calls (n-plus-one and missing-cache
/// both ask about every call).
pub(crate) fn io_kind(context: &RuleContext<'_>, call: &Call) -> Option<IoKind> {
    struct IoKinds(Vec<Option<IoKind>>);
    let Some(index) = context.call_index(call) else {
        return io_kind_of(context, call);
    };
    let kinds = context.memo(|context| {
        IoKinds(
            context
                .model
                .calls
                .iter()
                .map(|each| io_kind_of(context, each))
                .collect(),
        )
    });
    kinds.0[index]
}

fn io_kind_of(context: &RuleContext<'_>, call: &Call) -> Option<IoKind> {
    let text = call.path.text.as_str();
    // Rows of a queryset that prefetched or joined its relations.
    if let Some(before) = text.split(".[].").next() {
        if text.contains(".[].")
            && (before.contains("prefetch_related()") || before.contains("select_related()"))
        {
            return None;
        }
    }
    // A method of what a request returned (`resp.headers.get`,
    // `resp.json().get`) is not another request.
    let on_response = called_prefixes(text)
        .filter(|prefix| prefix.len() < text.len())
        .any(|prefix| {
            context
                .catalog
                .io_call_at(prefix, call.path.resolved, context.language)
                .is_some_and(|entry| entry.kind == IoKind::Http)
        });
    if on_response {
        return None;
    }
    if let Some(entry) = context.catalog.io_call(&call.path, context.language) {
        return Some(entry.kind);
    }
    let (rows, method) = call.path.text.rsplit_once(".[].")?;
    if !ROW_WRITES.contains(&uncalled(method)) {
        return None;
    }
    // The rows came from a round trip, possibly through a cursor or a
    // builder after it (`Model.find(…).cursor()`).
    let fetched = called_prefixes(rows).any(|prefix| {
        context
            .catalog
            .io_call_at(prefix, call.path.resolved, context.language)
            .is_some()
    });
    fetched.then_some(IoKind::Write)
}

/// `a.b().c().d` → `a.b()`, `a.b().c()`: every prefix that ends in a call.
fn called_prefixes(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices("()").map(move |(at, _)| &text[..at + 2])
}

/// Methods of a fetched row that write it back.
const ROW_WRITES: &[&str] = &[
    "save",
    "delete",
    "destroy",
    "update",
    "remove",
    "reload",
    "refresh_from_db",
];

/// The loop that makes the call repeat: the innermost loop around it, in its
/// function, that runs once per element of data. `None` when every loop around
/// the call runs a fixed number of times or pages through results.
pub(crate) fn repeating_loop<'m>(context: &RuleContext<'m>, call: Site) -> Option<&'m Loop> {
    repeating_loop_where(context, call, true)
}

/// The same; with `batches` false, loops over chunks and pages repeat too
/// (what is made once per page is still made too often).
pub(crate) fn repeating_loop_where<'m>(
    context: &RuleContext<'m>,
    call: Site,
    batches: bool,
) -> Option<&'m Loop> {
    let model = context.model;
    for each in model.loop_chain(call.innermost_loop) {
        // The header of a `while` runs every time, but it is the loop's own
        // cursor (`while let Some(row) = rows.try_next().await?`); a callback
        // loop's header is what is iterated, evaluated once.
        if each.header.contains(call.span) {
            continue;
        }
        // A callback loop's body is a function of its own, whose parent is
        // the loop's function; any other function boundary ends the search
        // (an `onClick` handler defined in a loop does not run per iteration).
        if each.function != call.function {
            let callback_body = each.kind == LoopKind::Callback
                && call
                    .function
                    .is_some_and(|id| model.function(id).parent == each.function);
            if !callback_body {
                return None;
            }
        }

        if runs_fixed_times(context, each)
            || (batches
                && (chunks(context, each)
                    || pages(context, each, call.span)
                    || polls(context, each)))
        {
            continue;
        }
        return Some(each);
    }
    None
}

/// Where a round trip happens: a call, or a read of a lazily loaded relation.
#[derive(Clone, Copy)]
pub(crate) struct Site {
    pub(crate) span: Span,
    pub(crate) function: Option<FunctionId>,
    pub(crate) innermost_loop: Option<LoopId>,
}

impl Site {
    pub(crate) fn of(call: &Call) -> Site {
        Site {
            span: call.span,
            function: call.function,
            innermost_loop: call.innermost_loop,
        }
    }
}

/// Loops over literal constants or a constant collection (also filtered:
/// `[t for t in TABLES if t in wanted]`), `range(3)`, `0..3`, or a counter bounded by a
/// small literal or a constant (`attempt < MAX_RETRIES`): retries and fan-outs
/// over a known handful, not over data.
fn runs_fixed_times(context: &RuleContext<'_>, each: &Loop) -> bool {
    if each.over_literal || each.over_constant {
        return true;
    }
    if let Some(iterable) = each.iterable.as_deref() {
        let iterable = iterable.trim();
        if is_literal_list(iterable) {
            return true;
        }
        // `range(3)`, `range(1, 201)`: a count written in the code.
        if let Some(inner) = iterable
            .strip_prefix("range(")
            .and_then(|rest| rest.strip_suffix(')'))
        {
            return inner.split(',').all(|bound| {
                let bound = bound.trim();
                is_constant_bound(bound) || bound.replace('_', "").parse::<u64>().is_ok()
            });
        }
        if let Some((start, end)) = iterable.split_once("..") {
            let end = end.trim_start_matches('=');
            return is_constant_bound(start.trim().trim_start_matches('('))
                && is_constant_bound(end.trim().trim_end_matches(')'));
        }
        return false;
    }
    // `for (let attempt = 0; attempt < 3; attempt++)`
    if each.kind == LoopKind::For {
        let header = context.text(each.header);
        if let Some(condition) = header.split(';').nth(1) {
            if let Some((_, bound)) = condition.split_once('<') {
                return is_constant_bound(bound.trim_start_matches('=').trim());
            }
        }
    }
    false
}

/// A loop over slices of the data (`rows.chunks(1000)`, `batched(ids, 500)`,
/// `for (let i = 0; i < xs.length; i += BATCH)`): one round trip per chunk is
/// the fix, not the problem.
fn chunks(context: &RuleContext<'_>, each: &Loop) -> bool {
    // `for chunk in …`, `for batch in …`, `for page in …`.
    let named_for_chunks = each.bindings.iter().any(|binding| {
        let binding = binding.to_ascii_lowercase();
        ["chunk", "batch", "page", "window"]
            .iter()
            .any(|word| binding.contains(word))
    });
    // `ids.chunks(500)`, `batched(ids, 500)`, `qs.in_batches()`, `paginate(…)`.
    let iterable = each.iterable.as_deref().unwrap_or("").to_ascii_lowercase();
    let chunking_call = [
        "chunks(",
        "chunk(",
        "chunked(",
        "batched(",
        "batches(",
        "in_batches(",
        "paginat",
        "pages(",
        "windows(",
    ]
    .iter()
    .any(|call| iterable.contains(call));
    if named_for_chunks || chunking_call {
        return true;
    }
    if each.kind == LoopKind::For {
        let header = context.text(each.header);
        if let Some(step) = header.split(';').nth(2) {
            if let Some((_, amount)) = step.split_once("+=") {
                return amount.trim().trim_end_matches(')').trim() != "1";
            }
        }
    }
    false
}

/// `['open', 'paid']`, `("a", 2)`: a bracketed list of string and number literals.
fn is_literal_list(text: &str) -> bool {
    let inner = text
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .or_else(|| {
            text.strip_prefix('(')
                .and_then(|rest| rest.strip_suffix(')'))
        })
        .or_else(|| {
            text.strip_prefix("&[")
                .and_then(|rest| rest.strip_suffix(']'))
        });
    let Some(inner) = inner else {
        return false;
    };
    let items: Vec<&str> = inner
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .collect();
    !items.is_empty()
        && items.iter().all(|item| {
            let quoted = item.len() >= 2
                && ["'", "\"", "`"]
                    .iter()
                    .any(|quote| item.starts_with(quote) && item.ends_with(quote))
                && !item.contains("${");
            quoted || item.replace('_', "").parse::<f64>().is_ok()
        })
}

/// A small number literal or a constant's name (`MAX_ATTEMPTS`).
fn is_constant_bound(text: &str) -> bool {
    // `4`, `1_000`, `4u32`, `3usize`
    let digits: String = text
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '_')
        .collect();
    let suffix = &text[digits.len()..];
    let integer_suffix = suffix.is_empty()
        || [
            "u8", "u16", "u32", "u64", "usize", "i8", "i16", "i32", "i64", "isize",
        ]
        .contains(&suffix);
    if let (Ok(number), true) = (digits.replace('_', "").parse::<u64>(), integer_suffix) {
        return number <= 100;
    }
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && text.starts_with(|c: char| c.is_ascii_uppercase())
}

/// A `while` (or endless) loop that sleeps between rounds: it polls, and
/// repeating the query is its purpose.
fn polls(context: &RuleContext<'_>, each: &Loop) -> bool {
    let endless_for = each.kind == LoopKind::For
        && each.iterable.is_none()
        && context
            .text(each.header)
            .split(';')
            .nth(1)
            .is_some_and(|condition| condition.trim().is_empty());
    if each.kind != LoopKind::While && !endless_for {
        return false;
    }
    let body = context.text(each.span);
    [
        "sleep(",
        "setTimeout(",
        ".tick()",
        "wait_for(",
        "Event().wait(",
    ]
    .iter()
    .any(|marker| body.contains(marker))
}

/// A `while` loop that pages: the call uses a name the loop assigns anew
/// (`url = body["next"]`, `lastId = ids[ids.length - 1]`, `after = …`).
fn pages(context: &RuleContext<'_>, each: &Loop, call: Span) -> bool {
    // `while`, `loop`, and `for (;;)`.
    let endless_for = each.kind == LoopKind::For
        && each.iterable.is_none()
        && context
            .text(each.header)
            .split(';')
            .nth(1)
            .is_some_and(|condition| condition.trim().is_empty());
    if each.kind != LoopKind::While && !endless_for {
        return false;
    }
    let body = context.text(each.span);
    let call_text = without_strings(context.text(call));
    let header = without_strings(context.text(each.header));
    let reassigned = identifiers(&call_text)
        .chain(identifiers(&header))
        .any(|name| is_reassigned(body, name));
    reassigned
}

/// The text with the contents of string literals blanked (SQL in a query
/// names columns, not variables).
fn without_strings(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in text.chars() {
        match quote {
            Some(open) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == open {
                    quote = None;
                    out.push(c);
                    continue;
                }
                out.push(' ');
            }
            None => {
                if matches!(c, '"' | '\'' | '`') {
                    quote = Some(c);
                }
                out.push(c);
            }
        }
    }
    out
}

fn identifiers(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| word.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'))
}

/// `name = …` (not `==`, not a declaration such as `const name =`).
fn is_reassigned(body: &str, name: &str) -> bool {
    let mut from = 0;
    while let Some(found) = body[from..].find(name) {
        let start = from + found;
        let end = start + name.len();
        from = end;
        let before = body[..start].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
            continue;
        }
        let rest = body[end..].trim_start_matches([' ', '\t']);
        let assigns = (rest.starts_with('=') && !rest.starts_with("=="))
            || rest.starts_with("+=")
            || rest.starts_with("= ");
        if !assigns {
            continue;
        }
        let line_start = body[..start].rfind('\n').map_or(0, |at| at + 1);
        let prefix = body[line_start..start].trim();
        let declared = ["const", "let", "var", "let mut"]
            .iter()
            .any(|keyword| prefix.ends_with(keyword));
        if !declared {
            return true;
        }
    }
    false
}

fn diagnostic(
    context: &RuleContext<'_>,
    call: &Call,
    kind: IoKind,
    repeating: &Loop,
) -> Diagnostic {
    let callee = callee_text(context, call);
    let what = match kind {
        IoKind::Query => "a query",
        IoKind::Write => "a write",
        IoKind::Http => "an HTTP request",
    };
    let over = repeating
        .iterable
        .as_deref()
        .map(|iterable| format!(" over `{}`", shorten(iterable)))
        .unwrap_or_default();
    let help = match kind {
        IoKind::Query => "Fetch what the loop needs with one query before it (`IN (…)`, `= ANY($1)`, `__in`, a join, `select_related`/`prefetch_related`/`include`) and look rows up in a map.",
        IoKind::Write => "Collect the rows and write them with one bulk call (`bulk_create`/`bulk_update`, `executemany`, `createMany`, a multi-row `INSERT … VALUES` or `UNNEST`).",
        IoKind::Http => "Use the service's batch endpoint, or bound the concurrency and reuse one client, so the loop does not make one request per element.",
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
        message: format!("`{callee}` makes {what} on every iteration of the loop{over}"),
        why: "Round trips grow with the data: each one waits on the network and holds a connection, so a loop over thousands of rows takes seconds.".to_string(),
        help: help.to_string(),
        related: vec![Related {
            span: repeating.header,
            message: "the loop that repeats it".to_string(),
        }],
        fix: None,
    }
}

pub(crate) fn shorten(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    if line.chars().count() > 60 {
        let cut: String = line.chars().take(57).collect();
        format!("{cut}…")
    } else {
        line.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reassignment_is_not_a_declaration_or_a_comparison() {
        assert!(is_reassigned("while url:\n    url = body['next']\n", "url"));
        assert!(is_reassigned(
            "while (true) {\n  lastId = ids[ids.length - 1];\n}",
            "lastId"
        ));
        assert!(!is_reassigned(
            "while (q.length) {\n  const payment = q.shift();\n}",
            "payment"
        ));
        assert!(!is_reassigned("while x == url:\n    pass\n", "url"));
        assert!(!is_reassigned("while t:\n    self.url = 1\n", "url"));
    }

    #[test]
    fn literal_lists_and_constant_bounds() {
        assert!(is_literal_list("['open', 'paid', 'overdue']"));
        assert!(is_literal_list("(200, 304, 404)"));
        assert!(!is_literal_list("[`${a}`]"));
        assert!(!is_literal_list("(a, b)"));
        assert!(is_constant_bound("4u32"));
        assert!(is_constant_bound("MAX_RETRIES"));
        assert!(!is_constant_bound("1000"));
        assert!(!is_constant_bound("ids.length"));
    }

    #[test]
    fn string_contents_are_blanked() {
        assert_eq!(
            without_strings(r#"q("SET total = $1", total)"#),
            r#"q("              ", total)"#
        );
    }
}
