//! `slow-work-in-handler`: work that takes seconds (email, images, media,
//! PDFs, child processes, exports of whole tables) done inside a request
//! handler instead of handed to a job queue.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use snag_analyzer::catalog::{Catalog, Queue, RowRead, SlowCall, SlowScale};
use snag_analyzer::engine::{Needles, Rule, RuleContext, RuleMeta};
use snag_analyzer::finding::{Confidence, Diagnostic, Related, Severity};
use snag_analyzer::model::{
    uncalled, Call, CallPath, Function, FunctionId, Language, Loop, Span, Value,
};

use crate::perf::inside_a_bigger_call;
use crate::sql_sinks::{one_line, sql_uses, SqlUse};

pub(crate) struct SlowWorkInHandler;

static META: RuleMeta = RuleMeta {
    id: "slow-work-in-handler",
    pack: "perf",
    severity: Severity::Warning,
    summary: "email, image or video processing, PDF rendering, a child process or an export of a whole table done inline in a request handler instead of queued",
    docs: DOCS,
};

const DOCS: &str = r#"# slow-work-in-handler

## What it does
Flags work that takes seconds done inside a request handler, where the user
waits for it: sending email (smtplib, Django `send_mail`, Flask-Mail, SendGrid,
SES, nodemailer, Resend, lettre), processing images and video (Pillow, sharp,
jimp, ffmpeg, the `image` crate), rendering PDFs (WeasyPrint, wkhtmltopdf,
ReportLab, Puppeteer `page.pdf()`, PDFKit), running child processes
(`subprocess`, `child_process`, `std::process::Command`), and exports of whole
tables (a CSV or spreadsheet written from a query with no limit). When the file
already uses a job queue (Celery, RQ, Dramatiq, BullMQ, apalis, FastAPI
background tasks, tokio tasks), the finding names it. What is slow, what bounds
a read, and what hands work elsewhere come from the `slow-call`, `row-read`,
`hand-off` and `queue` catalogs.

## Why is this bad?
The user waits for the whole job; a request that takes seconds times out at the
proxy and may be retried (sending the email twice), and every one holds a worker
other users need, so a burst of sign-ups or uploads takes the site down. An
export that reads every row is fast in development and times out once the table
has grown.

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
Only work written in the handler itself (and in callbacks inside it) is seen,
not work in helpers it calls. Work given to a task that runs beside or after the
response (`BackgroundTasks.add_task`, `tokio::spawn`, a detached
`spawn_blocking`, `setImmediate`, a promise left to run with `.catch(…)`) is not
reported; work in a thread the handler awaits (`asyncio.to_thread`,
`spawn_blocking(…).await`, `web::block`) is, since the response still waits.
Exports count only when the rows come from a read with no limit (`LIMIT`, a
slice, `take`, `first`), not grouped into a summary, and not streamed to the
response as they are made (`StreamingHttpResponse`); a handle awaited later
(`let h = spawn(…); h.await`) is taken as detached. Serverless functions
(`def handler(event, context)`) are not taken as request handlers: most run on
queue or bucket events, as the worker.
"#;

/// Methods that go through every item of their receiver.
const ITERATING_METHODS: &[&str] = &[
    "iter",
    "into_iter",
    "iter_mut",
    "for_each",
    "forEach",
    "map",
    "flatMap",
    "flat_map",
    "reduce",
    "chunks",
];

/// Chained calls that wait for work handed to a thread or a task.
const WAITING_METHODS: &[&str] = &["join", "result", "wait"];

impl Rule for SlowWorkInHandler {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn needles(&self, catalog: &Catalog, language: Language) -> Option<Needles> {
        Needles::words(&catalog.slow_call_names(language))
    }

    fn check(&self, context: &RuleContext<'_>, diagnostics: &mut Vec<Diagnostic>) {
        let model = context.model;
        let catalog = context.catalog;
        let slow: Vec<(&Call, &SlowCall)> = model
            .calls
            .iter()
            .filter_map(|call| {
                let entry = catalog.slow_call(call, context.language, context.source)?;
                Some((call, entry))
            })
            .collect();
        let hand_off_calls: Vec<&Call> = model
            .calls
            .iter()
            .filter(|call| catalog.is_hand_off(&call.path, context.language))
            .collect();
        if slow.is_empty() && hand_off_calls.is_empty() {
            return;
        }
        let file = FileIndex::new(context);
        let hand_offs: Vec<(&Call, bool)> = hand_off_calls
            .into_iter()
            .map(|call| (call, file.waited(call)))
            .collect();
        let spans: Vec<(Span, Span)> = slow
            .iter()
            .map(|(call, _)| (call.span, call.callee_span))
            .collect();
        let inside = inside_a_bigger_call(&spans);
        let mut loops_reported: HashSet<Span> = HashSet::new();
        let mut handler_reads: HashMap<FunctionId, Vec<&Call>> = HashMap::new();
        let mut queue = None;
        for ((call, entry), part_of_bigger) in slow.iter().zip(inside) {
            // `sharp(x).resize(…).toBuffer()`: one chain, one finding.
            if part_of_bigger {
                continue;
            }
            let Some((handler_id, handler)) = handler_of(context, call) else {
                continue;
            };
            let around: Vec<&(&Call, bool)> = hand_offs
                .iter()
                .filter(|(outer, _)| outer.span != call.span && outer.span.contains(call.span))
                .collect();
            if around.iter().any(|(_, waited)| !waited) || file.fire_and_forget(call) {
                continue;
            }
            let size = match entry.scale {
                SlowScale::Fixed => Size::Fixed,
                _ if file.streamed(call) => continue,
                SlowScale::PerRow => {
                    let Some((each, read)) = file.per_row(handler_id, call) else {
                        continue;
                    };
                    // One finding per loop, however many rows it writes.
                    if !loops_reported.insert(each.span) {
                        continue;
                    }
                    Size::PerRow(each, read)
                }
                SlowScale::RowsArgument => match file.rows_argument(handler_id, call) {
                    Some(read) => Size::RowsArgument(read),
                    None => continue,
                },
                SlowScale::Document => {
                    let reads = handler_reads
                        .entry(handler_id)
                        .or_insert_with(|| file.unbounded_reads_in(handler_id));
                    // The first unbounded read made before the document is done.
                    match reads.iter().find(|read| read.span.start < call.span.end) {
                        Some(read) => Size::Document(read),
                        None => continue,
                    }
                }
            };
            let site = Site {
                span: call.span,
                callee: callee_text(context, call),
                what: &entry.what,
                resolved: call.path.resolved && entry.file_mentions.is_none(),
                waited_thread: !around.is_empty(),
            };
            let queue = *queue.get_or_insert_with(|| known_queue(context));
            diagnostics.push(diagnostic(context, queue, &site, handler, size));
        }
        // `await asyncio.to_thread(subprocess.run, args)`: a slow function
        // passed to a thread the handler waits for.
        for (hand_off, waited) in &hand_offs {
            if !waited {
                continue;
            }
            let Some((_, handler)) = handler_of(context, hand_off) else {
                continue;
            };
            for arg in &hand_off.args {
                let Value::Path(path) = &arg.value else {
                    continue;
                };
                let Some(entry) = catalog.slow_function(path, context.language) else {
                    continue;
                };
                let site = Site {
                    span: arg.span,
                    callee: context.text(arg.span).trim().to_string(),
                    what: &entry.what,
                    resolved: path.resolved,
                    waited_thread: true,
                };
                let queue = *queue.get_or_insert_with(|| known_queue(context));
                diagnostics.push(diagnostic(context, queue, &site, handler, Size::Fixed));
            }
        }
    }
}

/// How the work's cost is known to be large.
enum Size<'m> {
    Fixed,
    /// Repeated by this loop over every row of this read.
    PerRow(&'m Loop, &'m Call),
    /// Given every row of this read.
    RowsArgument(&'m Call),
    /// Finishing a document, in a handler that reads every row of this read.
    Document(&'m Call),
}

/// The flagged expression and what it does.
struct Site<'e> {
    span: Span,
    callee: String,
    what: &'e str,
    resolved: bool,
    /// Run in a thread or task that the handler waits for.
    waited_thread: bool,
}

/// The callee as written, with the arguments of calls it chains through
/// left out (`sharp(…).resize(…).toBuffer`), on one line.
fn callee_text(context: &RuleContext<'_>, call: &Call) -> String {
    let mut text = String::new();
    let mut depth = 0usize;
    let mut inside = false;
    for c in context.text(call.callee_span).chars() {
        match c {
            '(' | '[' | '{' => {
                if depth == 0 {
                    text.push(c);
                    inside = false;
                } else {
                    inside = true;
                }
                depth += 1;
            }
            ')' | ']' | '}' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    if inside {
                        text.push('…');
                    }
                    text.push(c);
                }
            }
            _ if depth == 0 => text.push(c),
            _ => inside |= !c.is_whitespace(),
        }
    }
    one_line(&text)
}

/// The request handler a call runs in (its function, or one it is nested
/// in), with its id: a handler of a web framework. Serverless functions are
/// left out: most run on a queue or a bucket's events, as the worker.
fn handler_of<'m>(context: &RuleContext<'m>, call: &Call) -> Option<(FunctionId, &'m Function)> {
    let model = context.model;
    let mut current = call.function;
    while let Some(id) = current {
        let function = model.function(id);
        if function.handler.is_some() {
            return Some((id, function));
        }
        current = function.parent;
    }
    None
}

/// A file's calls indexed for the questions the rule asks, built once: a
/// chain's calls share their start, so chains are found by start.
struct FileIndex<'a> {
    context: &'a RuleContext<'a>,
    /// Calls (by index) that start at a byte.
    by_start: HashMap<u32, Vec<usize>>,
    /// Whether each call is the outermost of its chain.
    outermost: Vec<bool>,
    /// Outermost calls by path, in source order.
    outer_by_path: HashMap<&'a str, Vec<usize>>,
    /// Responses that stream what they are given.
    streams: Vec<Span>,
    sql: Vec<SqlUse<'a>>,
}

impl<'a> FileIndex<'a> {
    fn new(context: &'a RuleContext<'a>) -> FileIndex<'a> {
        let calls = &context.model.calls;
        let mut by_start: HashMap<u32, Vec<usize>> = HashMap::new();
        for (index, call) in calls.iter().enumerate() {
            by_start.entry(call.span.start).or_default().push(index);
        }
        let spans: Vec<(Span, Span)> = calls
            .iter()
            .map(|call| (call.span, call.callee_span))
            .collect();
        let outermost: Vec<bool> = inside_a_bigger_call(&spans)
            .into_iter()
            .map(|inside| !inside)
            .collect();
        let mut outer_by_path: HashMap<&str, Vec<usize>> = HashMap::new();
        for (index, call) in calls.iter().enumerate() {
            if outermost[index] {
                outer_by_path
                    .entry(call.path.text.as_str())
                    .or_default()
                    .push(index);
            }
        }
        let streams = calls
            .iter()
            .filter(|call| {
                context
                    .catalog
                    .is_streaming_response(&call.path, context.language)
            })
            .map(|call| call.span)
            .collect();
        FileIndex {
            context,
            by_start,
            outermost,
            outer_by_path,
            streams,
            sql: sql_uses(context),
        }
    }

    fn call(&self, index: usize) -> &'a Call {
        &self.context.model.calls[index]
    }

    /// The calls of the chain that ends at `outer` (`a().b().c()`: all three).
    fn chain(&self, outer: &Call) -> Vec<&'a Call> {
        self.by_start
            .get(&outer.span.start)
            .into_iter()
            .flatten()
            .map(|&index| self.call(index))
            .filter(|call| outer.span.contains(call.span))
            .collect()
    }

    /// The calls chained onto `inner` (`inner.then(…)`, `inner.await`d).
    fn chained_on(&self, inner: &'a Call) -> impl Iterator<Item = &'a Call> + '_ {
        self.by_start
            .get(&inner.span.start)
            .into_iter()
            .flatten()
            .map(|&index| self.call(index))
            .filter(move |outer| outer.span != inner.span && outer.callee_span.contains(inner.span))
    }

    /// Whether the handler waits for the work handed to `hand_off`: it
    /// awaits it, or joins it (`thread.join()`, `future.result()`).
    fn waited(&self, hand_off: &'a Call) -> bool {
        hand_off.awaited
            || self
                .chained_on(hand_off)
                .any(|outer| outer.awaited || WAITING_METHODS.contains(&outer.path.name()))
    }

    /// `transporter.sendMail(…).catch(log)` as a statement: a promise left
    /// to run while the response goes out (JavaScript only).
    fn fire_and_forget(&self, call: &'a Call) -> bool {
        let context = self.context;
        if !matches!(
            context.language,
            Language::JavaScript | Language::TypeScript | Language::Tsx
        ) || call.awaited
        {
            return false;
        }
        let Some(outermost) = self.chained_on(call).max_by_key(|outer| outer.span.end) else {
            return false;
        };
        // Only error handlers chained on: a `.then(…)` may answer the request.
        let chained: Vec<&str> = outermost
            .path
            .text
            .strip_prefix(call.path.text.as_str())
            .unwrap_or("")
            .split('.')
            .map(uncalled)
            .filter(|name| !name.is_empty())
            .collect();
        let handlers_only = !chained.is_empty()
            && chained
                .iter()
                .all(|name| matches!(*name, "catch" | "finally"));
        if outermost.awaited || !handlers_only {
            return false;
        }
        let start = outermost.span.start as usize;
        let line_start = context.source[..start].rfind('\n').map_or(0, |at| at + 1);
        matches!(context.source[line_start..start].trim(), "" | "void")
    }

    /// Whether the call is inside a response that streams what it is given
    /// (`StreamingHttpResponse(writer.writerow(row) for row in rows)`), or in
    /// a generator function handed to one (`StreamingHttpResponse(rows())`).
    fn streamed(&self, call: &Call) -> bool {
        let model = &self.context.model;
        let generator = call.function.map(|id| model.function(id));
        self.streams.iter().any(|stream| {
            if *stream == call.span {
                return false;
            }
            if stream.contains(call.span) {
                return true;
            }
            generator.is_some_and(|function| {
                function.handler.is_none()
                    && self.stream_args(*stream).any(|arg| {
                        arg.strip_prefix(function.name.as_str())
                            .is_some_and(|rest| rest.is_empty() || rest.starts_with('('))
                    })
            })
        })
    }

    /// The arguments' text of the streaming response at `span`.
    fn stream_args(&self, span: Span) -> impl Iterator<Item = &'a str> + '_ {
        self.by_start
            .get(&span.start)
            .into_iter()
            .flatten()
            .map(|&index| self.call(index))
            .filter(move |call| call.span == span)
            .flat_map(|call| call.args.iter())
            .map(|arg| self.context.text(arg.span).trim())
    }

    /// A per-row write in a loop over every row of an unbounded read.
    fn per_row(&self, handler: FunctionId, call: &Call) -> Option<(&'a Loop, &'a Call)> {
        self.context
            .model
            .loop_chain(call.innermost_loop)
            .find_map(|each| {
                let path = each.iterable_path.as_ref()?;
                let read = self.unbounded_read_of(handler, &path.text, call.span.end)?;
                Some((each, read))
            })
    }

    /// A call given every row of an unbounded read (`writer.writerows(qs)`,
    /// `stringify(rows)`), directly or through a generator over them.
    fn rows_argument(&self, handler: FunctionId, call: &'a Call) -> Option<&'a Call> {
        let mut paths = Vec::new();
        for arg in &call.args {
            value_paths(&arg.value, &mut paths);
        }
        paths.into_iter().find_map(|path| {
            // An element of the rows (a generator over them): the rows.
            let rows = path
                .text
                .find(".[]")
                .map_or(path.text.as_str(), |at| &path.text[..at]);
            self.unbounded_read_of(handler, rows, call.span.end)
        })
    }

    /// Every unbounded read of a handler whose rows the handler goes
    /// through (a loop over them, or all of them passed on), in source order.
    fn unbounded_reads_in(&self, handler: FunctionId) -> Vec<&'a Call> {
        let model = self.context.model;
        let in_this = |function: Option<FunctionId>| in_handler(self.context, function, handler);
        let loops: Vec<&CallPath> = model
            .loops
            .iter()
            .filter(|each| in_this(each.function))
            .filter_map(|each| each.iterable_path.as_ref())
            .collect();
        let mut arguments = Vec::new();
        for call in model.calls.iter().filter(|call| in_this(call.function)) {
            for arg in &call.args {
                value_paths(&arg.value, &mut arguments);
            }
        }
        // Iterating the rows through a method (`rows.iter().enumerate()`).
        let iterated: Vec<&CallPath> = model
            .calls
            .iter()
            .filter(|call| in_this(call.function) && ITERATING_METHODS.contains(&call.path.name()))
            .map(|call| &call.path)
            .collect();
        let rows_used = |outer: &Call| {
            let rows = |path: &CallPath| {
                is_called_prefix(&outer.path.text, &path.text)
                    && !path.text[outer.path.text.len()..].contains("[]")
            };
            loops.iter().any(|path| rows(path))
                || arguments.iter().any(|path| rows(path))
                || iterated.iter().any(|path| rows(path))
        };
        model
            .calls
            .iter()
            .enumerate()
            .filter(|(index, call)| self.outermost[*index] && in_this(call.function))
            .filter(|(_, outer)| rows_used(outer))
            .filter_map(|(_, outer)| self.unbounded_chain(handler, outer, &outer.path.text))
            .collect()
    }

    /// The read a value comes from, when it is every row of an unbounded
    /// read: `value` is the value's path (`pool.query().rows`, a queryset's
    /// chain), used by a call ending at `before`.
    fn unbounded_read_of(&self, handler: FunctionId, value: &str, before: u32) -> Option<&'a Call> {
        if value.contains("[]") {
            // One row (`rows[0]`, `rows[0].items`), not the rows.
            return None;
        }
        // The chain the value comes from: its longest called prefix made
        // before the use, in the handler.
        let mut candidates = Vec::new();
        for (at, _) in value.match_indices("()") {
            let prefix = &value[..at];
            let after = &value[at + 2..];
            if !(after.is_empty() || after.starts_with('.')) {
                continue;
            }
            candidates.extend(self.outer_by_path.get(prefix).into_iter().flatten());
        }
        let outer = candidates
            .into_iter()
            .map(|&index| self.call(index))
            .filter(|call| {
                call.span.start < before && in_handler(self.context, call.function, handler)
            })
            .max_by_key(|call| (call.path.text.len(), call.span.start))?;
        self.unbounded_chain(handler, outer, value)
    }

    /// The chain ending at `outer`, when it reads rows and nothing bounds
    /// it; `value` is the path of what is used of it (the chain, or more:
    /// `….rows`).
    fn unbounded_chain(
        &self,
        handler: FunctionId,
        outer: &'a Call,
        value: &str,
    ) -> Option<&'a Call> {
        let context = self.context;
        let chain = self.chain(outer);
        // The innermost call of the chain that reads rows.
        let (read, entry) = chain
            .iter()
            .filter_map(|call| {
                let entry = context.catalog.row_read(
                    &call.path.text,
                    call.path.resolved,
                    context.language,
                )?;
                Some((*call, entry))
            })
            .min_by_key(|(call, _)| call.span.end)?;
        let later: Vec<&str> = value
            .strip_prefix(read.path.text.as_str())
            .unwrap_or("")
            .split('.')
            .map(uncalled)
            .filter(|segment| !segment.is_empty())
            .collect();
        if bounded_by_names(entry, &later)
            || chain.iter().any(|call| has_limit_argument(entry, call))
            || sliced(context, outer)
        {
            return None;
        }
        if entry.sql && !self.selects_every_row(handler, &chain, read) {
            return None;
        }
        Some(outer)
    }

    /// Whether the SQL a read sends selects every row it matches: the SQL
    /// given in its chain (`pool.query(sql)`, `sqlx::query(sql)…fetch_all`),
    /// else the last given to the same receiver before it (`cur.execute(sql)`
    /// then `cur.fetchall()`). Unknown SQL is not known to read every row.
    fn selects_every_row(&self, handler: FunctionId, chain: &[&Call], read: &Call) -> bool {
        let in_chain: Vec<String> = self
            .sql
            .iter()
            .filter(|each| chain.iter().any(|call| std::ptr::eq(*call, each.call)))
            .map(|each| each.shape.literal_text())
            .collect();
        let texts = if in_chain.is_empty() {
            let receiver = |path: &str| {
                path.rsplit_once('.')
                    .map(|(receiver, _)| receiver.to_string())
            };
            let read_receiver = receiver(&read.path.text);
            self.sql
                .iter()
                .filter(|each| {
                    each.call.span.start < read.span.start
                        && in_handler(self.context, each.call.function, handler)
                        && read_receiver.is_some()
                        && receiver(&each.call.path.text) == read_receiver
                })
                .max_by_key(|each| each.call.span.start)
                .map(|each| vec![each.shape.literal_text()])
                .unwrap_or_default()
        } else {
            in_chain
        };
        !texts.is_empty() && texts.iter().all(|text| unbounded_select(text))
    }
}

/// Whether `prefix()` starts `text` at a segment boundary.
fn is_called_prefix(prefix: &str, text: &str) -> bool {
    text.strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix("()"))
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

/// Whether `function` is `handler` or a function nested in it.
fn in_handler(
    context: &RuleContext<'_>,
    function: Option<FunctionId>,
    handler: FunctionId,
) -> bool {
    let mut current = function;
    while let Some(id) = current {
        if id == handler {
            return true;
        }
        current = context.model.function(id).parent;
    }
    false
}

fn value_paths<'v>(value: &'v Value, paths: &mut Vec<&'v CallPath>) {
    match value {
        Value::Path(path) => paths.push(path),
        Value::Sequence(items) | Value::OneOf(items) => {
            for item in items {
                value_paths(item, paths);
            }
        }
        _ => {}
    }
}

/// Whether the names after the read include a bounding call (`first`) or a
/// bounding sequence (`values` then `annotate`).
fn bounded_by_names(entry: &RowRead, later: &[&str]) -> bool {
    entry.bounded_by.iter().any(|names| {
        later
            .windows(names.len())
            .any(|window| window.iter().zip(names).all(|(each, name)| each == name))
    })
}

/// `findMany({ take: 50 })`, `findAll({ limit })`, `.filter(limit=10)`, or a
/// statement built with a bound (`session.scalars(select(X).limit(10))`).
fn has_limit_argument(entry: &RowRead, call: &Call) -> bool {
    call.args.iter().any(|arg| {
        arg.keyword
            .as_deref()
            .is_some_and(|keyword| entry.limit_keys.iter().any(|key| key == keyword))
            || match &arg.value {
                Value::Object(fields) => {
                    fields.iter().any(|(key, _)| entry.limit_keys.contains(key))
                }
                Value::Path(path) => {
                    let names: Vec<&str> = path.segments().map(uncalled).collect();
                    bounded_by_names(entry, &names)
                }
                _ => false,
            }
    })
}

/// `Order.objects.filter(…)[:100]`: a slice or an index right after the chain.
fn sliced(context: &RuleContext<'_>, outer: &Call) -> bool {
    context
        .source
        .get(outer.span.end as usize..)
        .is_some_and(|rest| rest.trim_start().starts_with('['))
}

/// A `SELECT` with no `LIMIT`/`FETCH FIRST`/`TOP`, not by `id`, and not an
/// aggregate (one row, or one per group).
fn unbounded_select(sql: &str) -> bool {
    let text = sql.to_ascii_lowercase();
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| !word.is_empty())
        .collect();
    if !matches!(words.first(), Some(&"select") | Some(&"with")) {
        return false;
    }
    let has = |word: &str| words.contains(&word);
    if has("limit") || has("top") || has("fetch") || text.contains("group by") {
        return false;
    }
    let projection = text
        .split_once(" from ")
        .map_or(text.as_str(), |(projection, _)| projection);
    let aggregate = ["count(", "sum(", "avg(", "min(", "max("]
        .iter()
        .any(|function| projection.contains(function));
    !aggregate && !by_id(&text)
}

/// `… WHERE id = $1`, `WHERE o.id = ?`: one row.
fn by_id(sql: &str) -> bool {
    let Some((_, condition)) = sql.split_once(" where ") else {
        return false;
    };
    condition.match_indices("id").any(|(at, _)| {
        let before = condition[..at].chars().next_back();
        let whole = !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        whole && condition[at + 2..].trim_start().starts_with('=')
    })
}

/// The job queue the file already uses, if any.
fn known_queue<'c>(context: &RuleContext<'c>) -> Option<&'c Queue> {
    context.catalog.queues(context.language).find(|queue| {
        queue
            .imports
            .iter()
            .any(|module| imports_module(context.source, context.language, module))
            || context
                .model
                .calls
                .iter()
                .any(|call| queue.is_used_by(&call.path))
    })
}

/// Whether the file imports `module`, as its language writes an import.
fn imports_module(source: &str, language: Language, module: &str) -> bool {
    if !source.contains(module) {
        return false;
    }
    match language {
        Language::Python => source.lines().any(|line| {
            let line = line.trim_start();
            let named = |rest: &str| {
                rest.strip_prefix(module)
                    .is_some_and(|after| after.is_empty() || after.starts_with([' ', '.', ',']))
            };
            line.strip_prefix("import ").is_some_and(named)
                || line.strip_prefix("from ").is_some_and(named)
        }),
        Language::Rust => source.match_indices(module).any(|(at, _)| {
            let before = source[..at].chars().next_back();
            let after = &source[at + module.len()..];
            !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
                && (after.starts_with("::") || after.starts_with(';'))
        }),
        _ => ["'", "\""].iter().any(|quote| {
            source.contains(&format!("{quote}{module}{quote}"))
                || source.contains(&format!("{quote}{module}/"))
        }),
    }
}

fn diagnostic(
    context: &RuleContext<'_>,
    queue: Option<&Queue>,
    site: &Site<'_>,
    handler: &Function,
    size: Size<'_>,
) -> Diagnostic {
    let callee = &site.callee;
    let what = site.what;
    let name = if handler.name == "<anonymous>" {
        "the request handler".to_string()
    } else {
        format!("the request handler `{}`", handler.name)
    };
    let mut related = vec![Related {
        span: handler.name_span,
        message: "the request handler".to_string(),
    }];
    let mut rows_of = |read: &Call| {
        related.push(Related {
            span: read.span,
            message: "reads every row it matches, with no limit".to_string(),
        });
        callee_text(context, read)
    };
    let message = match &size {
        Size::Fixed if site.waited_thread => {
            format!("`{callee}` {what} in a thread that {name} waits for")
        }
        Size::Fixed => format!("`{callee}` {what} inside {name}"),
        Size::PerRow(each, read) => {
            let read = rows_of(read);
            related.push(Related {
                span: each.header,
                message: "the loop over every row".to_string(),
            });
            format!("`{callee}` {what} for every row of `{read}` inside {name}")
        }
        Size::RowsArgument(read) => {
            let read = rows_of(read);
            format!("`{callee}` {what} from every row of `{read}` inside {name}")
        }
        Size::Document(read) => {
            let read = rows_of(read);
            format!("`{callee}` {what} holding every row of `{read}` inside {name}")
        }
    };
    let rows = !matches!(size, Size::Fixed);
    let why = if rows {
        "Its cost grows with the table: quick in development, it holds a worker for seconds and times out once the table has grown."
    } else {
        "The user waits for the whole job, a request that slow times out at the proxy and may be retried (doing the work twice), and each one holds a worker other users need."
    };
    let hand_to = match queue {
        Some(queue) => format!(
            "Hand it to {}, which this file already uses ({}), and respond at once",
            queue.name, queue.enqueue
        ),
        None if handler
            .handler
            .as_ref()
            .is_some_and(|each| each.framework == "nextjs") =>
        {
            "Hand it to a job queue (Inngest, Trigger.dev, BullMQ) and respond at once, or, for short work, run it after the response with `after(…)` from `next/server`".to_string()
        }
        None => format!(
            "Hand it to a job queue ({}) and respond at once",
            match context.language {
                Language::Python => "Celery, RQ, Dramatiq",
                Language::Rust => "apalis, or a `tokio::spawn`ed task",
                _ => "BullMQ, pg-boss",
            }
        ),
    };
    let help = if rows {
        format!("{hand_to}, or stream the rows to the response as they are read.")
    } else {
        format!("{hand_to}.")
    };
    let confidence = if site.resolved && !rows {
        Confidence::High
    } else {
        Confidence::Medium
    };
    Diagnostic {
        rule: META.id,
        confidence,
        span: site.span,
        message,
        why: why.to_string(),
        help,
        related,
        fix: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::default_catalog;

    /// The rule's findings on a snippet: (line, message, help).
    fn findings(language: Language, source: &str) -> Vec<(usize, String, String)> {
        let model = snag_analyzer::lang::lower(language, source);
        let catalog = default_catalog().unwrap();
        let context = RuleContext::new("src/app", language, source, &model, &catalog);
        let mut diagnostics = Vec::new();
        SlowWorkInHandler.check(&context, &mut diagnostics);
        diagnostics
            .into_iter()
            .map(|each| {
                let line = source[..each.span.start as usize].matches('\n').count() + 1;
                (line, each.message, each.help)
            })
            .collect()
    }

    fn lines(found: &[(usize, String, String)]) -> Vec<usize> {
        found.iter().map(|(line, _, _)| *line).collect()
    }

    #[test]
    fn work_left_to_run_after_the_response_is_not_reported() {
        let source = "import express from 'express';\n\
            import nodemailer from 'nodemailer';\n\
            const mailer = nodemailer.createTransport({});\n\
            const app = express();\n\
            app.post('/a', (req, res) => {\n\
              setImmediate(() => mailer.sendMail({ to: req.body.to }));\n\
              res.sendStatus(202);\n\
            });\n\
            app.post('/b', (req, res) => {\n\
              mailer.sendMail({ to: req.body.to }).then(() => res.sendStatus(200));\n\
            });\n";
        assert_eq!(lines(&findings(Language::JavaScript, source)), vec![10]);
    }

    #[test]
    fn a_thread_the_handler_joins_is_waited_for() {
        let source = "import subprocess\n\
            from concurrent.futures import ThreadPoolExecutor\n\
            from threading import Thread\n\
            from flask import Flask\n\
            app = Flask(__name__)\n\
            pool = ThreadPoolExecutor()\n\
            @app.post('/a')\n\
            def a():\n\
            \x20   Thread(target=lambda: subprocess.run(['make'])).start()\n\
            \x20   return ''\n\
            @app.post('/b')\n\
            def b():\n\
            \x20   return pool.submit(lambda: subprocess.run(['make'])).result()\n";
        assert_eq!(lines(&findings(Language::Python, source)), vec![13]);
    }

    #[test]
    fn a_generator_streamed_to_the_response_is_not_an_export_in_the_request() {
        let source = "import csv\n\
            from django.http import StreamingHttpResponse, HttpResponse\n\
            from .models import Order\n\
            def stream(request):\n\
            \x20   writer = csv.writer(Echo())\n\
            \x20   def rows():\n\
            \x20       for order in Order.objects.all():\n\
            \x20           yield writer.writerow([order.pk])\n\
            \x20   return StreamingHttpResponse(rows(), content_type='text/csv')\n\
            def buffered(request):\n\
            \x20   response = HttpResponse(content_type='text/csv')\n\
            \x20   writer = csv.writer(response)\n\
            \x20   for order in Order.objects.all():\n\
            \x20       writer.writerow([order.pk])\n\
            \x20   return response\n";
        assert_eq!(lines(&findings(Language::Python, source)), vec![14]);
    }

    #[test]
    fn a_lambda_on_a_queue_is_the_worker_not_a_request_handler() {
        let source = "from PIL import Image\n\
            def handler(event, context):\n\
            \x20   image = Image.open(event['path'])\n\
            \x20   image.thumbnail((256, 256))\n";
        assert!(findings(Language::Python, source).is_empty());
    }

    #[test]
    fn the_queue_the_file_uses_is_suggested() {
        let source = "from django.core.mail import send_mail\n\
            from .tasks import send_receipt\n\
            def checkout(request):\n\
            \x20   send_receipt.delay(request.user.pk)\n\
            \x20   send_mail('Thanks', 'body', None, [request.user.email])\n";
        let found = findings(Language::Python, source);
        assert_eq!(lines(&found), vec![5]);
        assert!(found[0].2.contains("Celery"), "{}", found[0].2);
        let without = "from django.core.mail import send_mail\n\
            def checkout(request):\n\
            \x20   send_mail('Thanks', 'body', None, [request.user.email])\n";
        let found = findings(Language::Python, without);
        assert!(found[0].2.contains("a job queue"), "{}", found[0].2);
    }

    #[test]
    fn a_document_of_one_looked_up_row_is_not_an_export() {
        let source = "const express = require('express');\n\
            const PDFDocument = require('pdfkit');\n\
            const { pool } = require('./db');\n\
            const router = express.Router();\n\
            router.get('/invoices/:number.pdf', async (req, res) => {\n\
              const { rows } = await pool.query('SELECT * FROM invoices WHERE number = $1', [req.params.number]);\n\
              const doc = new PDFDocument();\n\
              doc.pipe(res);\n\
              doc.text(`Invoice ${rows[0].number}`);\n\
              doc.end();\n\
            });\n\
            router.get('/invoices.pdf', async (req, res) => {\n\
              const { rows } = await pool.query('SELECT * FROM invoices WHERE shop_id = $1', [req.user.shopId]);\n\
              const doc = new PDFDocument();\n\
              doc.pipe(res);\n\
              for (const invoice of rows) doc.text(invoice.number);\n\
              doc.end();\n\
            });\n";
        let found = findings(Language::JavaScript, source);
        assert_eq!(lines(&found), vec![17]);
        assert!(
            found[0].1.contains("every row of `pool.query`"),
            "{}",
            found[0].1
        );
    }

    #[test]
    fn a_select_reads_every_row_unless_limited_aggregated_or_by_id() {
        assert!(unbounded_select(
            "SELECT id, total FROM orders WHERE shop_id = $1 ORDER BY id"
        ));
        assert!(unbounded_select("WITH t AS (SELECT 1) SELECT * FROM t"));
        assert!(!unbounded_select(
            "SELECT id FROM orders ORDER BY id DESC LIMIT 100"
        ));
        assert!(!unbounded_select(
            "SELECT id FROM orders FETCH FIRST 10 ROWS ONLY"
        ));
        assert!(!unbounded_select("SELECT count(*) FROM orders"));
        assert!(!unbounded_select(
            "SELECT shop_id, sum(total) FROM orders GROUP BY shop_id"
        ));
        assert!(!unbounded_select("SELECT * FROM orders o WHERE o.id = $1"));
        assert!(unbounded_select("SELECT * FROM orders WHERE shop_id = $1"));
        assert!(!unbounded_select("UPDATE orders SET paid = true"));
    }

    #[test]
    fn imports_are_read_as_each_language_writes_them() {
        assert!(imports_module(
            "from celery import shared_task\n",
            Language::Python,
            "celery"
        ));
        assert!(imports_module("import rq.job\n", Language::Python, "rq"));
        assert!(!imports_module(
            "from rqlite import x\n",
            Language::Python,
            "rq"
        ));
        assert!(imports_module(
            "import { Queue } from 'bullmq';",
            Language::TypeScript,
            "bullmq"
        ));
        assert!(!imports_module(
            "import { Queue } from 'bullmq';",
            Language::TypeScript,
            "bull"
        ));
        assert!(imports_module(
            "use apalis::prelude::*;",
            Language::Rust,
            "apalis"
        ));
        assert!(!imports_module(
            "use my_apalis::x;",
            Language::Rust,
            "apalis"
        ));
    }
}
