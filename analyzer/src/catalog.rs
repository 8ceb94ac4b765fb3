//! Catalogs: knowledge of APIs as data.
//!
//! A catalog says what a call path *does*: which calls send SQL to a database,
//! which query builders select columns, which expressions carry untrusted input,
//! which calls make a value safe. Built-in catalogs are TOML files embedded by the
//! rules crate; users extend them from their config, so snag learns a team's own
//! data layer without a rule being written.
//!
//! Call-path patterns are segments joined with `.`, as in [`CallPath`]: a literal
//! segment (`execute`, `connect()`), `*` for any one segment, `**` for any run of
//! segments (none included). `sqlalchemy.**.execute` matches every `execute`
//! reached from an import of `sqlalchemy`. Patterns are indexed by their last
//! segment, so a lookup costs one hash probe and a few short matches.

use foldhash::{HashMap, HashMapExt, HashSet};
use std::fmt;

use serde::Deserialize;

use crate::model::{uncalled, Call, CallPath, Language, Value};

/// One catalog file, or the `[catalog]` table of a config.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CatalogFile {
    /// Calls that send SQL text to a database.
    #[serde(default)]
    pub sql_sink: Vec<SqlSinkEntry>,
    /// Query-builder calls whose `'*'` argument selects every column.
    #[serde(default)]
    pub star_select: Vec<StarSelectEntry>,
    /// Expressions whose values come from outside: request data, environment.
    #[serde(default)]
    pub source: Vec<SourceEntry>,
    /// Calls whose result is safe to splice into SQL, a shell command or code.
    #[serde(default)]
    pub sanitizer: Vec<SanitizerEntry>,
    /// Calls that run a shell command (or split a string into a command line).
    #[serde(default)]
    pub shell_sink: Vec<ShellSinkEntry>,
    /// Calls that evaluate code or deserialise objects that can run code.
    #[serde(default)]
    pub eval_sink: Vec<EvalSinkEntry>,
    /// Calls that do a round trip to a database or another service.
    #[serde(default)]
    pub io_call: Vec<IoCallEntry>,
    /// Calls that open a connection or build a client meant to be reused.
    #[serde(default)]
    pub client_constructor: Vec<ClientConstructorEntry>,
    /// Calls that block the thread they run on (sleeps, sync I/O).
    #[serde(default)]
    pub blocking_call: Vec<BlockingCallEntry>,
    /// Calls that run their argument off the event loop (`asyncio.to_thread`,
    /// `spawn_blocking`): blocking work inside them is fine.
    #[serde(default)]
    pub offload: Vec<PathsEntry>,
    /// HTTP APIs whose timeout is given with each request (`requests.get`,
    /// `axios.post`, `ureq::get`).
    #[serde(default)]
    pub http_call: Vec<HttpCallEntry>,
    /// HTTP clients that take a default timeout when built (`axios.create`,
    /// `reqwest::Client::builder()…build()`).
    #[serde(default)]
    pub http_client: Vec<HttpClientEntry>,
    /// Calls that bound the request or future passed to them
    /// (`tokio::time::timeout`).
    #[serde(default)]
    pub timeout_wrapper: Vec<PathsEntry>,
    /// Work that takes seconds: sending email, processing images and media,
    /// rendering PDFs, running processes, writing exports.
    #[serde(default)]
    pub slow_call: Vec<SlowCallEntry>,
    /// Reads that return every row they match (a queryset, `findMany`,
    /// `fetch_all`), unless something bounds them.
    #[serde(default)]
    pub row_read: Vec<RowReadEntry>,
    /// Calls that run the work given to them elsewhere (a task, a thread,
    /// after the response): the caller waits only if it awaits or joins it.
    #[serde(default)]
    pub hand_off: Vec<PathsEntry>,
    /// Responses that send what a generator yields as it yields it.
    #[serde(default)]
    pub streaming_response: Vec<PathsEntry>,
    /// Job queues a file may already use, to suggest by name.
    #[serde(default)]
    pub queue: Vec<QueueEntry>,
    /// Calls whose work is worth doing once and reusing: compiling a regular
    /// expression, a template or a schema, loading a key, reading a file.
    #[serde(default)]
    pub expensive_call: Vec<ExpensiveCallEntry>,
    /// Calls that keep what their callback makes (`useMemo`,
    /// `LazyLock::new`, `cache.get_or_set`): work inside them is cached.
    #[serde(default)]
    pub memoizer: Vec<PathsEntry>,
}

/// An HTTP API whose timeout is given per request.
///
/// `timeout` names what bounds a request in the language's own way: keyword
/// arguments in Python, keys of an options object in JavaScript, methods
/// chained on the request in Rust. A value of `None`/`null`/`undefined`/
/// `false`/`0` switches the timeout off rather than setting one.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct HttpCallEntry {
    pub paths: Vec<String>,
    /// The library, for messages (`requests`).
    pub library: String,
    /// What bounds one request.
    #[serde(default)]
    pub timeout: Vec<String>,
    /// The timeout's position among positional arguments
    /// (`urlopen(url, data, timeout)`: 2).
    #[serde(default)]
    pub timeout_position: Option<usize>,
    /// The position of the options argument (`axios.post(url, data,
    /// options)`: 2). A value there that the file does not spell out may
    /// hold a timeout; a string there is the URL, and the options follow it.
    #[serde(default)]
    pub options_position: Option<usize>,
    /// The library's own default (`"5 s"`): then only a request that
    /// switches it off is reported.
    #[serde(default)]
    pub default: Option<String>,
    /// Calls or assigned attributes that give every request of the process a
    /// default when the file makes them before the request or at module
    /// level (`socket.setdefaulttimeout`, `axios.defaults.timeout`).
    #[serde(default)]
    pub module_defaults: Vec<String>,
    /// The request is a method of an object these calls make (a
    /// `requests.Session`): only objects made in this file are judged, since
    /// one made elsewhere may be configured there.
    #[serde(default)]
    pub made_by: Vec<String>,
    /// Attributes of that object whose assignment gives its requests a
    /// default (`session.request = functools.partial(session.request,
    /// timeout=…)`); assigning a call without a timeout does not.
    #[serde(default)]
    pub object_defaults: Vec<String>,
    /// Methods of that object that install a transport (`mount`) ...
    #[serde(default)]
    pub transport_methods: Vec<String>,
    /// ... and the stock transports, which set no timeout: a transport of any
    /// other class may set one (an `HTTPAdapter` subclass whose `send` does).
    #[serde(default)]
    pub stock_transports: Vec<String>,
    /// What to do instead, for the finding's help.
    pub fix: String,
    #[serde(default)]
    pub languages: Vec<LanguageName>,
    #[serde(default)]
    pub note: Option<String>,
}

/// An HTTP client that takes a default timeout when it is built.
///
/// `timeout` names what sets the default: keyword arguments in Python, keys
/// of the options object in JavaScript, builder methods in the construction
/// chain in Rust.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct HttpClientEntry {
    pub paths: Vec<String>,
    pub library: String,
    #[serde(default)]
    pub timeout: Vec<String>,
    #[serde(default)]
    pub timeout_position: Option<usize>,
    /// The position of the options argument of the construction.
    #[serde(default)]
    pub options_position: Option<usize>,
    /// Builder methods that switch the default off (awc's `disable_timeout`).
    #[serde(default)]
    pub disable: Vec<String>,
    /// The library's own default, when it has one: then only a client that
    /// switches it off is reported.
    #[serde(default)]
    pub default: Option<String>,
    /// As in `[[http-call]]`: set before the construction, or at module level.
    #[serde(default)]
    pub module_defaults: Vec<String>,
    /// Attributes of the client whose assignment sets its default after it
    /// is built (`defaults.timeout`).
    #[serde(default)]
    pub object_defaults: Vec<String>,
    /// Methods of the client that send a request (`get`, `post`; `()` for
    /// calling the client itself).
    #[serde(default)]
    pub requests: Vec<String>,
    /// What bounds one request sent through it (as `timeout` of
    /// `[[http-call]]`): a client whose every request in the file sets one
    /// needs no default.
    #[serde(default)]
    pub request_timeout: Vec<String>,
    pub fix: String,
    #[serde(default)]
    pub languages: Vec<LanguageName>,
    #[serde(default)]
    pub note: Option<String>,
}

/// Whether an HTTP API takes its timeout per request or per client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpApiKind {
    PerCall,
    Client,
}

/// An `[[http-call]]` or `[[http-client]]` entry, compiled.
#[derive(Debug, Clone)]
pub struct HttpApi {
    pub kind: HttpApiKind,
    pub patterns: Vec<Pattern>,
    pub library: String,
    pub timeout: Vec<String>,
    pub timeout_position: Option<usize>,
    pub options_position: Option<usize>,
    pub disable: Vec<String>,
    pub default: Option<String>,
    pub module_defaults: Vec<Pattern>,
    pub made_by: Vec<Pattern>,
    pub object_defaults: Vec<String>,
    pub transport_methods: Vec<String>,
    pub stock_transports: Vec<Pattern>,
    pub requests: Vec<String>,
    pub request_timeout: Vec<String>,
    pub fix: String,
    languages: Vec<LanguageName>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SlowCallEntry {
    pub paths: Vec<String>,
    /// What the call does, for messages (`sends an email`).
    pub what: String,
    /// Whether the work is slow whatever its input, or grows with rows.
    #[serde(default)]
    pub scale: SlowScale,
    /// The call counts only when one of its arguments is a value made by
    /// one of these paths (`ses.send(new SendEmailCommand(…))`, not any
    /// command).
    #[serde(default)]
    pub argument: Vec<String>,
    /// The call counts only in files that contain this word, for patterns
    /// whose root no import resolves (`**.save_to_bytes` of `printpdf`).
    #[serde(default)]
    pub file_mentions: Option<String>,
    #[serde(default)]
    pub languages: Vec<LanguageName>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ExpensiveCallEntry {
    pub paths: Vec<String>,
    pub kind: ExpensiveKind,
    /// What the call does, for messages (`compiles a regular expression`).
    pub what: String,
    /// What to do instead, for the finding's help.
    pub instead: String,
    /// The pattern's root may be a global that no import resolves
    /// (`RegExp`, `JSON.parse`, `open`).
    #[serde(default)]
    pub global: bool,
    #[serde(default)]
    pub languages: Vec<LanguageName>,
    #[serde(default)]
    pub note: Option<String>,
}

/// How the cost of a slow call grows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SlowScale {
    /// Slow whatever its input: sending an email, rendering HTML to PDF.
    #[default]
    Fixed,
    /// Writes one row (`writer.writerow`): slow when a loop repeats it over
    /// every row of an unbounded read.
    PerRow,
    /// Takes the rows as an argument (`writer.writerows(rows)`): slow when
    /// they are every row of an unbounded read.
    RowsArgument,
    /// Finishes a document built from rows (`workbook.save`, `doc.end()`):
    /// slow when the handler reads an unbounded set of rows.
    Document,
}

/// A slow call, compiled.
#[derive(Debug, Clone)]
pub struct SlowCall {
    pub patterns: Vec<Pattern>,
    pub what: String,
    pub scale: SlowScale,
    argument: Vec<Pattern>,
    /// The pattern needs the file to mention a word: the match is weaker.
    pub file_mentions: Option<String>,
    languages: Vec<LanguageName>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RowReadEntry {
    pub paths: Vec<String>,
    /// Calls later in the chain that bound how many rows come back
    /// (`first`, `limit`); `a.b` means `a` directly followed by `b`
    /// (`values.annotate`: one row per group).
    #[serde(default)]
    pub bounded_by: Vec<String>,
    /// Argument keys that bound it (`take`, `limit`).
    #[serde(default)]
    pub limit_keys: Vec<String>,
    /// The rows are what a SQL text sent with the read selects: only a
    /// known `SELECT` without `LIMIT` (and not by `id`) reads every row.
    #[serde(default)]
    pub sql: bool,
    #[serde(default)]
    pub languages: Vec<LanguageName>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A row read, compiled.
#[derive(Debug, Clone)]
pub struct RowRead {
    pub patterns: Vec<Pattern>,
    /// Each entry split at its dots: names that must follow one another.
    pub bounded_by: Vec<Vec<String>>,
    pub limit_keys: Vec<String>,
    pub sql: bool,
    languages: Vec<LanguageName>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct QueueEntry {
    /// The queue as people name it (`Celery`).
    pub name: String,
    /// How work is handed to it, for the finding's help (`a task's `.delay(…)``).
    pub enqueue: String,
    /// Modules whose import shows that a file uses it.
    #[serde(default)]
    pub imports: Vec<String>,
    /// Calls that show that a file uses it (`**.apply_async`).
    #[serde(default)]
    pub calls: Vec<String>,
    #[serde(default)]
    pub languages: Vec<LanguageName>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A job queue, compiled.
#[derive(Debug, Clone)]
pub struct Queue {
    pub name: String,
    pub enqueue: String,
    pub imports: Vec<String>,
    calls: Vec<Pattern>,
    languages: Vec<LanguageName>,
}

impl Queue {
    /// Whether a call with this path hands work to this queue.
    pub fn is_used_by(&self, path: &CallPath) -> bool {
        let text = uncalled(&path.text);
        let split = Split::new(text);
        self.calls
            .iter()
            .any(|pattern| pattern.matches_split(&split, path.resolved))
    }
}

/// Why a call is worth caching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExpensiveKind {
    /// Builds something from its input: a regex, a template, a validator, a key.
    Build,
    /// Reads a file.
    FileRead,
    /// Opens a file (`open`, `File::open`): a read when what it opens is
    /// parsed, not on its own (the handle may be streamed).
    FileOpen,
    /// Parses text (JSON, YAML, TOML): worth caching when the text is a file's.
    Parse,
}

/// An expensive call, compiled.
#[derive(Debug, Clone)]
pub struct ExpensiveCall {
    pub patterns: Vec<Pattern>,
    pub kind: ExpensiveKind,
    pub what: String,
    pub instead: String,
    global: bool,
    languages: Vec<LanguageName>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ClientConstructorEntry {
    pub paths: Vec<String>,
    /// What is being made, for messages (`a PostgreSQL connection`).
    pub what: String,
    /// What to do instead, for the finding's help.
    pub instead: String,
    /// Made per call of any function, not only per request: the client
    /// itself holds a pool (`new PrismaClient()`).
    #[serde(default)]
    pub anywhere: bool,
    /// Only made per loop iteration counts (`requests.get` opens a fresh
    /// connection each call; once per request is fine).
    #[serde(default)]
    pub loops_only: bool,
    #[serde(default)]
    pub languages: Vec<LanguageName>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A client constructor, compiled.
#[derive(Debug, Clone)]
pub struct ClientConstructor {
    pub patterns: Vec<Pattern>,
    pub what: String,
    pub instead: String,
    pub anywhere: bool,
    pub loops_only: bool,
    languages: Vec<LanguageName>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BlockingCallEntry {
    pub paths: Vec<String>,
    /// What to call instead, for the finding's help (`await asyncio.sleep(…)`).
    pub instead: String,
    /// A mechanical rewrite, offered when the callee is written exactly so.
    #[serde(default)]
    pub fix: Option<FixTemplate>,
    /// The pattern's root may be a builtin no import resolves (`open`).
    #[serde(default)]
    pub global: bool,
    #[serde(default)]
    pub languages: Vec<LanguageName>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A rewrite of a whole call: `replacement` with `{args}` standing for the
/// argument list's text, offered only where the callee is written
/// `callee` and, when set, the file contains `requires` (an import the
/// replacement needs).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FixTemplate {
    pub callee: String,
    pub replacement: String,
    #[serde(default)]
    pub requires: Option<String>,
}

/// A blocking call, compiled.
#[derive(Debug, Clone)]
pub struct BlockingCall {
    pub patterns: Vec<Pattern>,
    pub instead: String,
    pub fix: Option<FixTemplate>,
    global: bool,
    languages: Vec<LanguageName>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct IoCallEntry {
    pub paths: Vec<String>,
    pub kind: IoKind,
    /// The call only counts on a model class (`Invoice.findAll`, a receiver
    /// whose last name is capitalised), for method names common elsewhere.
    #[serde(default)]
    pub model_receiver: bool,
    /// The pattern's root may be a global that no import resolves (`fetch`).
    #[serde(default)]
    pub global: bool,
    #[serde(default)]
    pub languages: Vec<LanguageName>,
    #[serde(default)]
    pub note: Option<String>,
}

/// What a round trip does, for messages and fixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IoKind {
    /// Reads from a database (SQL or an ORM lookup).
    Query,
    /// Writes to a database (insert, update, delete, save).
    Write,
    /// An HTTP request.
    Http,
}

/// A round-trip call, compiled.
#[derive(Debug, Clone)]
pub struct IoCall {
    pub patterns: Vec<Pattern>,
    pub kind: IoKind,
    model_receiver: bool,
    global: bool,
    languages: Vec<LanguageName>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SqlSinkEntry {
    /// Call-path patterns of the sink.
    pub paths: Vec<String>,
    /// Position of the SQL argument.
    #[serde(default)]
    pub arg: usize,
    /// Keyword naming the SQL argument, when it may be passed by name.
    #[serde(default)]
    pub keyword: Option<String>,
    /// The sink keeps spliced values out of the SQL text itself (tagged
    /// templates that bind, `psycopg.sql.SQL` composition): it receives SQL,
    /// but a hole in its template is not an injection.
    #[serde(default)]
    pub parameterized: bool,
    /// The pattern is loose (a method name on any receiver): only text that
    /// reads as SQL counts.
    #[serde(default)]
    pub needs_sql_text: bool,
    /// The sink takes SQL fragments (`whereRaw("a = 1")`, `text(...)`) as
    /// well as whole statements, so its SQL need not begin with a keyword.
    #[serde(default)]
    pub fragment: bool,
    /// Languages the entry applies to (all when empty).
    #[serde(default)]
    pub languages: Vec<LanguageName>,
    /// What the entry covers, for people reading the catalog.
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct StarSelectEntry {
    pub paths: Vec<String>,
    /// A call with no argument selects every column too (supabase `.select()`).
    #[serde(default)]
    pub empty_is_star: bool,
    #[serde(default)]
    pub languages: Vec<LanguageName>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PathsEntry {
    pub paths: Vec<String>,
    #[serde(default)]
    pub languages: Vec<LanguageName>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SourceEntry {
    pub paths: Vec<String>,
    /// What the values are: `input` (request data, the environment, the
    /// command line, standard input; the default) or `network` (response
    /// bodies, shared caches: untrusted for deserialising and evaluating).
    #[serde(default)]
    pub kind: SourceKindName,
    /// The roots are globals, not imports (`process.env`, `XMLHttpRequest`).
    #[serde(default)]
    pub global: bool,
    #[serde(default)]
    pub languages: Vec<LanguageName>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKindName {
    #[default]
    Input,
    Network,
}

/// The kinds of interpreter a sink feeds, which a sanitizer may make a
/// value safe for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SinkKind {
    Sql,
    Shell,
    Code,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SanitizerEntry {
    pub paths: Vec<String>,
    /// The sinks its result is safe for (all when empty): `sql`, `shell`, `code`.
    #[serde(default)]
    pub sinks: Vec<SinkKind>,
    /// The roots are globals, not imports (`JSON.stringify`).
    #[serde(default)]
    pub global: bool,
    #[serde(default)]
    pub languages: Vec<LanguageName>,
    #[serde(default)]
    pub note: Option<String>,
}

/// How a call that runs a program takes its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArgvForm {
    /// A list: the program, then its arguments (`subprocess.run([…])`).
    Sequence,
    /// The program, then each argument (`create_subprocess_exec(p, a, b)`).
    Varargs,
    /// The program, then an array of arguments (`spawn(p, [a, b])`).
    Array,
    /// A builder: the program given here, arguments by `.arg(…)` and
    /// `.args([…])` calls chained on it (`Command::new(p).arg(a)`).
    Builder,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ShellSinkEntry {
    pub paths: Vec<String>,
    /// Position of the command argument.
    #[serde(default)]
    pub arg: usize,
    /// Keyword naming the command argument, when it may be passed by name.
    #[serde(default)]
    pub keyword: Option<String>,
    /// The call runs a shell only when this option is true: a keyword
    /// argument (`shell=True`) or a property of an options object
    /// (`{ shell: true }`). Without it, the call always runs a shell.
    #[serde(default)]
    pub shell_option: Option<String>,
    /// The call takes a program and its arguments in this form: with no
    /// shell option set, it runs a shell only when the program is one
    /// (`sh`, `bash`, `cmd`…) given a command with `-c` or `/C`.
    #[serde(default)]
    pub argv: Option<ArgvForm>,
    /// The roots are globals, not imports.
    #[serde(default)]
    pub global: bool,
    #[serde(default)]
    pub languages: Vec<LanguageName>,
    #[serde(default)]
    pub note: Option<String>,
}

/// What an eval sink does with its argument.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EvalKind {
    /// Runs it as code.
    #[default]
    Code,
    /// Deserialises it into objects whose loading can run code.
    Deserialize,
    /// Loads it as a native library.
    Library,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct EvalSinkEntry {
    pub paths: Vec<String>,
    #[serde(default)]
    pub kind: EvalKind,
    /// Position of the code argument; `-1` for the last one (`new Function(a, b, body)`).
    #[serde(default)]
    pub arg: i64,
    /// Keyword naming the code argument.
    #[serde(default)]
    pub keyword: Option<String>,
    /// The call is safe when this keyword argument or option names one of
    /// `safe-values` (`yaml.load(…, Loader=SafeLoader)`).
    #[serde(default)]
    pub safe_keyword: Option<String>,
    #[serde(default)]
    pub safe_values: Vec<String>,
    /// Only a string argument is code (`setTimeout(fn, ms)` takes a
    /// function too).
    #[serde(default)]
    pub strings_only: bool,
    /// The roots are globals or builtins, not imports (`eval`, `Function`):
    /// the pattern then matches the bare name, never a method of that name.
    #[serde(default)]
    pub global: bool,
    #[serde(default)]
    pub languages: Vec<LanguageName>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A language family as catalogs name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LanguageName {
    Python,
    Typescript,
    Javascript,
    Rust,
}

impl LanguageName {
    fn covers(self, language: Language) -> bool {
        matches!(
            (self, language),
            (LanguageName::Python, Language::Python)
                | (LanguageName::Typescript, Language::TypeScript | Language::Tsx)
                | (LanguageName::Javascript, Language::JavaScript)
                // JavaScript libraries are used the same way from TypeScript.
                | (LanguageName::Javascript, Language::TypeScript | Language::Tsx)
                | (LanguageName::Typescript, Language::JavaScript)
                | (LanguageName::Rust, Language::Rust)
        )
    }
}

fn applies(languages: &[LanguageName], language: Language) -> bool {
    languages.is_empty() || languages.iter().any(|each| each.covers(language))
}

/// A catalog entry that failed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    /// The catalog file or config it came from.
    pub origin: String,
    pub message: String,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.origin, self.message)
    }
}

impl std::error::Error for CatalogError {}

/// One telling literal per pattern, sorted and deduplicated.
fn telling_names<'a>(patterns: impl Iterator<Item = &'a Pattern>) -> Vec<String> {
    let mut names: Vec<String> = patterns
        .filter_map(Pattern::telling_literal)
        .map(|name| uncalled(name).to_string())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// A compiled catalog entry with call-path patterns, for its needles.
trait Patterned {
    fn patterns(&self) -> &[Pattern];
    fn languages(&self) -> &[LanguageName];
}

macro_rules! patterned {
    ($($entry:ty),*) => {
        $(impl Patterned for $entry {
            fn patterns(&self) -> &[Pattern] {
                &self.patterns
            }
            fn languages(&self) -> &[LanguageName] {
                &self.languages
            }
        })*
    };
}

patterned!(
    ClientConstructor,
    HttpApi,
    ExpensiveCall,
    ShellSink,
    EvalSink,
    IoCall,
    BlockingCall
);

/// The telling names of the entries that apply to `language`.
fn names_for<'a, T: Patterned + 'a>(
    entries: impl Iterator<Item = &'a T>,
    language: Language,
) -> Vec<String> {
    telling_names(
        entries
            .filter(|entry| applies(entry.languages(), language))
            .flat_map(|entry| entry.patterns().iter()),
    )
}

/// Method names found in most files, whatever they do: poor needles.
const COMMON_METHODS: &[&str] = &[
    "get",
    "all",
    "first",
    "last",
    "one",
    "filter",
    "query",
    "execute",
    "update",
    "delete",
    "create",
    "save",
    "send",
    "find",
    "count",
    "sum",
    "min",
    "max",
    "del",
    "insert",
    "post",
    "put",
    "patch",
    "head",
    "request",
    "values",
    "fetch",
    "scalar",
    "scalars",
    "exists",
    "aggregate",
    "select",
    "pluck",
    "load",
    "run",
    "table",
    "first_or_404",
    "filter_by",
];

/// Module and attribute names found in most files of a code base that uses
/// them (`from django.db import models`, `template`, `options`): a pattern's
/// other literals, when it has any, make rarer needles.
const COMMON_WORDS: &[&str] = &[
    "django",
    "db",
    "models",
    "template",
    "templates",
    "database",
    "core",
    "utils",
    "util",
    "http",
    "options",
    "default",
    "stream",
    "session",
    "sessions",
    "client",
    "json",
    "io",
    "os",
    "sys",
    "std",
    "fs",
    "path",
    "api",
    "data",
    "config",
    "response",
    "types",
    "lib",
    "sync",
    "tokio",
    "contrib",
    "conf",
];

/// Compiled entries of one catalog section, indexed by the last segment of
/// their patterns, so a lookup costs one hash probe and a few short matches.
#[derive(Debug, Clone)]
struct Indexed<T> {
    entries: Vec<T>,
    by_name: HashMap<String, Vec<usize>>,
}

impl<T> Default for Indexed<T> {
    fn default() -> Indexed<T> {
        Indexed {
            entries: Vec::new(),
            by_name: HashMap::new(),
        }
    }
}

impl<T> Indexed<T> {
    fn add(&mut self, names: Vec<String>, entry: T) {
        let index = self.entries.len();
        for name in names {
            self.by_name.entry(name).or_default().push(index);
        }
        self.entries.push(entry);
    }

    /// The entries with a pattern ending in `name`, in catalog order.
    fn named<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a T> + 'a {
        self.by_name
            .get(name)
            .into_iter()
            .flatten()
            .map(|index| &self.entries[*index])
    }

    /// The indices of the entries with a pattern ending in `name`.
    fn indices(&self, name: &str) -> &[usize] {
        self.by_name.get(name).map_or(&[], Vec::as_slice)
    }

    /// The index of the first entry named `name` that `accepts`.
    fn position(&self, name: &str, accepts: impl Fn(&T) -> bool) -> Option<usize> {
        self.by_name
            .get(name)?
            .iter()
            .copied()
            .find(|index| accepts(&self.entries[*index]))
    }

    fn iter(&self) -> std::slice::Iter<'_, T> {
        self.entries.iter()
    }

    fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Index names of patterns whose last segment may be written called
/// (`connect()`): the name without `()`.
fn called_names(patterns: &[Pattern]) -> Vec<String> {
    patterns
        .iter()
        .map(|pattern| uncalled(pattern.last_literal()).to_string())
        .collect()
}

/// A compiled call-path pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    segments: Vec<Segment>,
    /// Whether the pattern's root is a literal: it then only matches paths
    /// resolved through an import (an unresolved local `pg` is not the module).
    anchored: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Any,
    AnyRun,
}

impl Pattern {
    pub fn parse(text: &str) -> Result<Pattern, String> {
        let normalized = text.trim().replace("::", ".");
        if normalized.is_empty() {
            return Err("empty call-path pattern".to_string());
        }
        let mut segments = Vec::new();
        for segment in normalized.split('.') {
            segments.push(match segment {
                "" => return Err(format!("empty segment in pattern `{text}`")),
                "*" => Segment::Any,
                "**" => Segment::AnyRun,
                literal => Segment::Literal(literal.to_string()),
            });
        }
        if !matches!(segments.last(), Some(Segment::Literal(_))) {
            return Err(format!(
                "pattern `{text}` must end in a literal name (the called function or method)"
            ));
        }
        let anchored = matches!(segments.first(), Some(Segment::Literal(_)));
        Ok(Pattern { segments, anchored })
    }

    /// A literal that a matching path certainly contains (every segment of
    /// a path is written in its file, in an import or at the call), chosen
    /// to be rare in code: the longest that is not a common method name.
    fn telling_literal(&self) -> Option<&str> {
        let all: Vec<&str> = self
            .segments
            .iter()
            .filter_map(|segment| match segment {
                Segment::Literal(literal) => Some(literal.as_str()),
                _ => None,
            })
            .collect();
        let plain = |name: &&str| COMMON_METHODS.contains(&uncalled(name));
        let common = |name: &&str| COMMON_WORDS.contains(&uncalled(name));
        let length = |name: &&&str| uncalled(name).len();
        all.iter()
            .filter(|name| !plain(name) && !common(name))
            .max_by_key(length)
            .or_else(|| all.iter().filter(|name| !plain(name)).max_by_key(length))
            .or_else(|| all.iter().max_by_key(length))
            .copied()
    }

    /// The first segment (called or not), or `*` when it is a wildcard.
    fn root(&self) -> &str {
        match self.segments.first() {
            Some(Segment::Literal(literal)) => uncalled(literal),
            _ => "*",
        }
    }

    fn last_literal(&self) -> &str {
        match self.segments.last() {
            Some(Segment::Literal(literal)) => literal,
            _ => "",
        }
    }

    pub fn matches(&self, path: &CallPath) -> bool {
        self.matches_text(&path.text, path.resolved)
    }

    /// Matches a path given as text (an expression's path, `()` stripped or not).
    pub fn matches_text(&self, text: &str, resolved: bool) -> bool {
        self.matches_split(&Split::new(text), resolved)
    }

    /// Matches a path split already.
    pub fn matches_split(&self, split: &Split<'_>, resolved: bool) -> bool {
        if self.anchored && !resolved {
            return false;
        }
        let path = split.segments();
        // Patterns end in a literal: most paths asked about end in another.
        let last = self.last_literal();
        path.last()
            .is_some_and(|name| *name == last || name.strip_suffix("()") == Some(last))
            && match_segments(&self.segments, path)
    }

    /// Whether the pattern matches `text` or any prefix of it that ends at a
    /// segment boundary (`flask.request` matches `flask.request.args.get()`).
    pub fn matches_prefix_of(&self, text: &str, resolved: bool) -> bool {
        if self.anchored && !resolved {
            return false;
        }
        let segments: Vec<&str> = text.split('.').collect();
        (1..=segments.len()).any(|length| {
            let prefix: Vec<&str> = segments[..length]
                .iter()
                .map(|segment| uncalled(segment))
                .collect();
            match_segments(&self.segments, &prefix)
                || match_segments(&self.segments, &segments[..length])
        })
    }
}

/// A path's text split at its dots once, when a pattern first asks, to be
/// matched against every pattern that may apply (rules ask the catalogs
/// about every call, and most calls have a name no entry has): on the stack
/// for paths of usual length.
pub struct Split<'a> {
    text: &'a str,
    segments: std::cell::OnceCell<Segments<'a>>,
}

struct Segments<'a> {
    inline: [&'a str; Segments::INLINE],
    count: usize,
    spilled: Vec<&'a str>,
}

impl<'a> Split<'a> {
    pub fn new(text: &'a str) -> Split<'a> {
        Split {
            text,
            segments: std::cell::OnceCell::new(),
        }
    }

    fn segments(&self) -> &[&'a str] {
        let segments = self.segments.get_or_init(|| {
            let mut segments = Segments {
                inline: [""; Segments::INLINE],
                count: 0,
                spilled: Vec::new(),
            };
            for segment in self.text.split('.') {
                if segments.count == Segments::INLINE {
                    segments.spilled = self.text.split('.').collect();
                    break;
                }
                segments.inline[segments.count] = segment;
                segments.count += 1;
            }
            segments
        });
        if segments.spilled.is_empty() {
            &segments.inline[..segments.count]
        } else {
            &segments.spilled
        }
    }
}

impl Segments<'_> {
    const INLINE: usize = 16;
}

/// Glob matching over segments; patterns are a handful of segments long.
fn match_segments(pattern: &[Segment], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((Segment::AnyRun, rest)) => {
            (0..=path.len()).any(|skip| match_segments(rest, &path[skip..]))
        }
        Some((Segment::Any, rest)) => !path.is_empty() && match_segments(rest, &path[1..]),
        // A literal `pg` also matches the called segment `pg()` (an instance
        // made by calling the module or class); `pg()` only matches `pg()`.
        Some((Segment::Literal(literal), rest)) => {
            path.first().is_some_and(|first| {
                first == literal || first.strip_suffix("()") == Some(literal.as_str())
            }) && match_segments(rest, &path[1..])
        }
    }
}

/// A SQL sink, compiled.
#[derive(Debug, Clone)]
pub struct SqlSink {
    pub patterns: Vec<Pattern>,
    pub arg: usize,
    pub keyword: Option<String>,
    pub parameterized: bool,
    pub needs_sql_text: bool,
    pub fragment: bool,
    languages: Vec<LanguageName>,
}

impl SqlSink {
    /// The argument of `call` that holds the SQL.
    pub fn sql_argument<'call>(&self, call: &'call Call) -> Option<&'call crate::model::Arg> {
        if let Some(keyword) = &self.keyword {
            if let Some(arg) = call
                .args
                .iter()
                .find(|arg| arg.keyword.as_deref() == Some(keyword.as_str()))
            {
                return Some(arg);
            }
        }
        call.args
            .iter()
            .filter(|arg| arg.keyword.is_none())
            .nth(self.arg)
    }
}

#[derive(Debug, Clone)]
pub struct StarSelect {
    pub patterns: Vec<Pattern>,
    pub empty_is_star: bool,
    languages: Vec<LanguageName>,
}

#[derive(Debug, Clone)]
struct PathSet {
    patterns: Vec<Pattern>,
    languages: Vec<LanguageName>,
}

#[derive(Debug, Clone)]
struct SourceSet {
    patterns: Vec<Pattern>,
    kind: SourceKindName,
    global: bool,
    languages: Vec<LanguageName>,
}

#[derive(Debug, Clone)]
struct SanitizerSet {
    patterns: Vec<Pattern>,
    sinks: Vec<SinkKind>,
    global: bool,
    languages: Vec<LanguageName>,
}

/// A shell sink, compiled.
#[derive(Debug, Clone)]
pub struct ShellSink {
    pub patterns: Vec<Pattern>,
    pub arg: usize,
    pub keyword: Option<String>,
    pub shell_option: Option<String>,
    pub argv: Option<ArgvForm>,
    global: bool,
    languages: Vec<LanguageName>,
}

/// An eval sink, compiled.
#[derive(Debug, Clone)]
pub struct EvalSink {
    pub patterns: Vec<Pattern>,
    pub kind: EvalKind,
    pub arg: i64,
    pub keyword: Option<String>,
    pub safe_keyword: Option<String>,
    pub safe_values: Vec<String>,
    pub strings_only: bool,
    global: bool,
    languages: Vec<LanguageName>,
}

impl EvalSink {
    /// The argument of `call` that holds the code.
    pub fn code_argument<'call>(&self, call: &'call Call) -> Option<&'call crate::model::Arg> {
        if let Some(keyword) = &self.keyword {
            if let Some(arg) = call
                .args
                .iter()
                .find(|arg| arg.keyword.as_deref() == Some(keyword.as_str()))
            {
                return Some(arg);
            }
        }
        let positional: Vec<&crate::model::Arg> = call
            .args
            .iter()
            .filter(|arg| arg.keyword.is_none())
            .collect();
        if self.arg < 0 {
            let back = self.arg.unsigned_abs() as usize;
            return positional
                .len()
                .checked_sub(back)
                .and_then(|at| positional.get(at).copied());
        }
        positional.get(self.arg as usize).copied()
    }
}

impl ShellSink {
    /// The argument of `call` that holds the command.
    pub fn command_argument<'call>(&self, call: &'call Call) -> Option<&'call crate::model::Arg> {
        if let Some(keyword) = &self.keyword {
            if let Some(arg) = call
                .args
                .iter()
                .find(|arg| arg.keyword.as_deref() == Some(keyword.as_str()))
            {
                return Some(arg);
            }
        }
        call.args
            .iter()
            .filter(|arg| arg.keyword.is_none())
            .nth(self.arg)
    }
}

/// Whether `text`/`resolved` matches one of `patterns`, a global set matching
/// unresolved roots too.
fn set_matches(patterns: &[Pattern], text: &str, resolved: bool, global: bool) -> bool {
    let split = Split::new(text);
    patterns
        .iter()
        .any(|pattern| pattern.matches_split(&split, resolved || global))
}

/// All catalogs, compiled and indexed.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Names this catalog's content for the answers remembered per thread
    /// ([`Catalog::remembered`]): each `extend` takes a new one; clones share it.
    id: u64,
    sql_sinks: Indexed<SqlSink>,
    star_selects: Indexed<StarSelect>,
    sources: Vec<SourceSet>,
    /// The first segment of every source pattern (`*` for a wildcard), so
    /// that most paths are told apart by one probe.
    source_roots: HashSet<String>,
    sanitizers: Vec<SanitizerSet>,
    shell_sinks: Indexed<ShellSink>,
    eval_sinks: Indexed<EvalSink>,
    io_calls: Indexed<IoCall>,
    client_constructors: Indexed<ClientConstructor>,
    blocking_calls: Indexed<BlockingCall>,
    offloads: Indexed<PathSet>,
    http_apis: Indexed<HttpApi>,
    timeout_wrappers: Indexed<PathSet>,
    slow_calls: Indexed<SlowCall>,
    row_reads: Indexed<RowRead>,
    /// Hand-offs and offloads, indexed by name.
    hand_offs: Indexed<PathSet>,
    streaming_responses: Indexed<PathSet>,
    queues: Vec<Queue>,
    expensive_calls: Indexed<ExpensiveCall>,
    memoizers: Indexed<PathSet>,
}

/// The questions whose answers [`Catalog::remembered`] keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Query {
    IoCall,
    Blocking,
    Expensive,
    SqlSinks,
}

/// An answer kept: the question whole (its hash is the map's key), and
/// what was found: the index of an entry (`u64::MAX` for none), or for
/// [`Query::SqlSinks`] which of the entries of the path's name match, one
/// bit each.
struct Answer {
    catalog: u64,
    query: Query,
    resolved: bool,
    language: Language,
    text: Box<str>,
    found: u64,
}

/// How many answers a thread keeps before it starts afresh: more than a
/// large file asks distinct questions, few enough that a full scan (which
/// asks mostly new ones) holds under 2 MiB of them per thread.
const MOST_ANSWERS: usize = 1 << 14;

thread_local! {
    static ANSWERS: std::cell::RefCell<HashMap<u64, Answer>> =
        std::cell::RefCell::new(HashMap::new());
}

impl Catalog {
    /// The answer `find` gives to a question about a call path, kept per
    /// thread: a file asks about the same paths many times (`cur.execute`,
    /// `requests.get`), and the language server about the same calls at
    /// every edit. Matching a path against the patterns of a name costs
    /// far more than hashing it.
    fn remembered(
        &self,
        query: Query,
        text: &str,
        resolved: bool,
        language: Language,
        find: impl FnOnce() -> Option<usize>,
    ) -> Option<usize> {
        let found = self.kept(query, text, resolved, language, || {
            find().map_or(u64::MAX, |index| index as u64)
        });
        (found != u64::MAX).then_some(found as usize)
    }

    /// [`Catalog::remembered`] for any answer that fits in 64 bits.
    fn kept(
        &self,
        query: Query,
        text: &str,
        resolved: bool,
        language: Language,
        find: impl FnOnce() -> u64,
    ) -> u64 {
        use std::hash::BuildHasher;
        let key = foldhash::fast::FixedState::default()
            .hash_one((self.id, query, resolved, language, text));
        let same = |answer: &Answer| {
            answer.catalog == self.id
                && answer.query == query
                && answer.resolved == resolved
                && answer.language == language
                && *answer.text == *text
        };
        let known = ANSWERS.with(|answers| {
            answers
                .borrow()
                .get(&key)
                .filter(|answer| same(answer))
                .map(|answer| answer.found)
        });
        if let Some(found) = known {
            return found;
        }
        let found = find();
        ANSWERS.with(|answers| {
            let mut answers = answers.borrow_mut();
            if answers.len() >= MOST_ANSWERS {
                answers.clear();
            }
            answers.insert(
                key,
                Answer {
                    catalog: self.id,
                    query,
                    resolved,
                    language,
                    text: text.into(),
                    found,
                },
            );
        });
        found
    }

    /// Adds a catalog file's entries; `origin` names it in errors.
    pub fn extend(&mut self, file: &CatalogFile, origin: &str) -> Result<(), CatalogError> {
        static IDS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        self.id = IDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let compile = |paths: &[String], section: &str| -> Result<Vec<Pattern>, CatalogError> {
            if paths.is_empty() {
                return Err(CatalogError {
                    origin: origin.to_string(),
                    message: format!("a `[[{section}]]` entry has no `paths`"),
                });
            }
            paths
                .iter()
                .map(|path| {
                    Pattern::parse(path).map_err(|message| CatalogError {
                        origin: origin.to_string(),
                        message: format!("in `[[{section}]]`: {message}"),
                    })
                })
                .collect()
        };
        for entry in &file.sql_sink {
            let patterns = compile(&entry.paths, "sql-sink")?;
            let names = patterns
                .iter()
                .map(|p| p.last_literal().to_string())
                .collect();
            self.sql_sinks.add(
                names,
                SqlSink {
                    patterns,
                    arg: entry.arg,
                    keyword: entry.keyword.clone(),
                    parameterized: entry.parameterized,
                    needs_sql_text: entry.needs_sql_text,
                    fragment: entry.fragment,
                    languages: entry.languages.clone(),
                },
            );
        }
        for entry in &file.star_select {
            let patterns = compile(&entry.paths, "star-select")?;
            let names = patterns
                .iter()
                .map(|p| p.last_literal().to_string())
                .collect();
            self.star_selects.add(
                names,
                StarSelect {
                    patterns,
                    empty_is_star: entry.empty_is_star,
                    languages: entry.languages.clone(),
                },
            );
        }
        for entry in &file.client_constructor {
            let patterns = compile(&entry.paths, "client-constructor")?;
            let names = called_names(&patterns);
            self.client_constructors.add(
                names,
                ClientConstructor {
                    patterns,
                    what: entry.what.clone(),
                    instead: entry.instead.clone(),
                    anywhere: entry.anywhere,
                    loops_only: entry.loops_only,
                    languages: entry.languages.clone(),
                },
            );
        }
        for entry in &file.blocking_call {
            let patterns = compile(&entry.paths, "blocking-call")?;
            let names = called_names(&patterns);
            self.blocking_calls.add(
                names,
                BlockingCall {
                    patterns,
                    instead: entry.instead.clone(),
                    fix: entry.fix.clone(),
                    global: entry.global,
                    languages: entry.languages.clone(),
                },
            );
        }
        for entry in &file.offload {
            let set = PathSet {
                patterns: compile(&entry.paths, "offload")?,
                languages: entry.languages.clone(),
            };
            self.hand_offs.add(called_names(&set.patterns), set.clone());
            self.offloads.add(called_names(&set.patterns), set);
        }
        for entry in &file.io_call {
            let patterns = compile(&entry.paths, "io-call")?;
            let names = called_names(&patterns);
            self.io_calls.add(
                names,
                IoCall {
                    patterns,
                    kind: entry.kind,
                    model_receiver: entry.model_receiver,
                    global: entry.global,
                    languages: entry.languages.clone(),
                },
            );
        }
        for entry in &file.http_call {
            let patterns = compile(&entry.paths, "http-call")?;
            let optional = |paths: &[String]| -> Result<Vec<Pattern>, CatalogError> {
                if paths.is_empty() {
                    Ok(Vec::new())
                } else {
                    compile(paths, "http-call")
                }
            };
            let api = HttpApi {
                kind: HttpApiKind::PerCall,
                library: entry.library.clone(),
                timeout: entry.timeout.clone(),
                timeout_position: entry.timeout_position,
                options_position: entry.options_position,
                disable: Vec::new(),
                default: entry.default.clone(),
                module_defaults: optional(&entry.module_defaults)?,
                made_by: optional(&entry.made_by)?,
                object_defaults: entry.object_defaults.clone(),
                transport_methods: entry.transport_methods.clone(),
                stock_transports: optional(&entry.stock_transports)?,
                requests: Vec::new(),
                request_timeout: Vec::new(),
                fix: entry.fix.clone(),
                languages: entry.languages.clone(),
                patterns,
            };
            self.http_apis.add(called_names(&api.patterns), api);
        }
        for entry in &file.http_client {
            let patterns = compile(&entry.paths, "http-client")?;
            let module_defaults = if entry.module_defaults.is_empty() {
                Vec::new()
            } else {
                compile(&entry.module_defaults, "http-client")?
            };
            let api = HttpApi {
                kind: HttpApiKind::Client,
                library: entry.library.clone(),
                timeout: entry.timeout.clone(),
                timeout_position: entry.timeout_position,
                options_position: entry.options_position,
                disable: entry.disable.clone(),
                default: entry.default.clone(),
                module_defaults,
                made_by: Vec::new(),
                object_defaults: entry.object_defaults.clone(),
                transport_methods: Vec::new(),
                stock_transports: Vec::new(),
                requests: entry.requests.clone(),
                request_timeout: entry.request_timeout.clone(),
                fix: entry.fix.clone(),
                languages: entry.languages.clone(),
                patterns,
            };
            self.http_apis.add(called_names(&api.patterns), api);
        }
        for entry in &file.timeout_wrapper {
            let patterns = compile(&entry.paths, "timeout-wrapper")?;
            self.timeout_wrappers.add(
                called_names(&patterns),
                PathSet {
                    patterns,
                    languages: entry.languages.clone(),
                },
            );
        }
        for entry in &file.slow_call {
            let patterns = compile(&entry.paths, "slow-call")?;
            let argument = if entry.argument.is_empty() {
                Vec::new()
            } else {
                compile(&entry.argument, "slow-call")?
            };
            let names = called_names(&patterns);
            self.slow_calls.add(
                names,
                SlowCall {
                    patterns,
                    what: entry.what.clone(),
                    scale: entry.scale,
                    argument,
                    file_mentions: entry.file_mentions.clone(),
                    languages: entry.languages.clone(),
                },
            );
        }
        for entry in &file.expensive_call {
            let patterns = compile(&entry.paths, "expensive-call")?;
            let names = called_names(&patterns);
            self.expensive_calls.add(
                names,
                ExpensiveCall {
                    patterns,
                    kind: entry.kind,
                    what: entry.what.clone(),
                    instead: entry.instead.clone(),
                    global: entry.global,
                    languages: entry.languages.clone(),
                },
            );
        }
        for entry in &file.row_read {
            let patterns = compile(&entry.paths, "row-read")?;
            let names = called_names(&patterns);
            self.row_reads.add(
                names,
                RowRead {
                    patterns,
                    bounded_by: entry
                        .bounded_by
                        .iter()
                        .map(|names| names.split('.').map(str::to_string).collect())
                        .collect(),
                    limit_keys: entry.limit_keys.clone(),
                    sql: entry.sql,
                    languages: entry.languages.clone(),
                },
            );
        }
        for entry in &file.hand_off {
            let patterns = compile(&entry.paths, "hand-off")?;
            let names = called_names(&patterns);
            let set = PathSet {
                patterns,
                languages: entry.languages.clone(),
            };
            self.hand_offs.add(names, set);
        }
        for entry in &file.streaming_response {
            let patterns = compile(&entry.paths, "streaming-response")?;
            let names = called_names(&patterns);
            let set = PathSet {
                patterns,
                languages: entry.languages.clone(),
            };
            self.streaming_responses.add(names, set);
        }
        for entry in &file.queue {
            self.queues.push(Queue {
                name: entry.name.clone(),
                enqueue: entry.enqueue.clone(),
                imports: entry.imports.clone(),
                calls: if entry.calls.is_empty() {
                    Vec::new()
                } else {
                    compile(&entry.calls, "queue")?
                },
                languages: entry.languages.clone(),
            });
        }
        for entry in &file.memoizer {
            let patterns = compile(&entry.paths, "memoizer")?;
            self.memoizers.add(
                called_names(&patterns),
                PathSet {
                    patterns,
                    languages: entry.languages.clone(),
                },
            );
        }
        for entry in &file.source {
            let patterns = compile(&entry.paths, "source")?;
            for pattern in &patterns {
                self.source_roots.insert(pattern.root().to_string());
            }
            self.sources.push(SourceSet {
                patterns,
                kind: entry.kind,
                global: entry.global,
                languages: entry.languages.clone(),
            });
        }
        for entry in &file.sanitizer {
            self.sanitizers.push(SanitizerSet {
                patterns: compile(&entry.paths, "sanitizer")?,
                sinks: entry.sinks.clone(),
                global: entry.global,
                languages: entry.languages.clone(),
            });
        }
        for entry in &file.shell_sink {
            let patterns = compile(&entry.paths, "shell-sink")?;
            let names = called_names(&patterns);
            self.shell_sinks.add(
                names,
                ShellSink {
                    patterns,
                    arg: entry.arg,
                    keyword: entry.keyword.clone(),
                    shell_option: entry.shell_option.clone(),
                    argv: entry.argv,
                    global: entry.global,
                    languages: entry.languages.clone(),
                },
            );
        }
        for entry in &file.eval_sink {
            let patterns = compile(&entry.paths, "eval-sink")?;
            if entry.safe_keyword.is_some() == entry.safe_values.is_empty() {
                return Err(CatalogError {
                    origin: origin.to_string(),
                    message: "in `[[eval-sink]]`: `safe-keyword` and `safe-values` go together"
                        .to_string(),
                });
            }
            let names = called_names(&patterns);
            self.eval_sinks.add(
                names,
                EvalSink {
                    patterns,
                    kind: entry.kind,
                    arg: entry.arg,
                    keyword: entry.keyword.clone(),
                    safe_keyword: entry.safe_keyword.clone(),
                    safe_values: entry.safe_values.clone(),
                    strings_only: entry.strings_only,
                    global: entry.global,
                    languages: entry.languages.clone(),
                },
            );
        }
        Ok(())
    }

    /// Parses and adds a TOML catalog.
    pub fn extend_from_toml(&mut self, text: &str, origin: &str) -> Result<(), CatalogError> {
        let file: CatalogFile = toml::from_str(text).map_err(|error| CatalogError {
            origin: origin.to_string(),
            message: error.to_string(),
        })?;
        self.extend(&file, origin)
    }

    /// The SQL sinks `call` matches, first match per entry.
    pub fn sql_sinks<'a>(
        &'a self,
        call: &'a Call,
        language: Language,
    ) -> impl Iterator<Item = &'a SqlSink> + 'a {
        let name = uncalled(call.path.name());
        let named = self.sql_sinks.indices(name);
        let split = Split::new(&call.path.text);
        let matches = move |index: usize| {
            let sink = &self.sql_sinks.entries[index];
            applies(&sink.languages, language)
                && sink
                    .patterns
                    .iter()
                    .any(|pattern| pattern.matches_split(&split, call.path.resolved))
        };
        // Which of the named sinks match, one bit each, kept when they fit.
        let fits = named.len() <= 64;
        let mask = if fits {
            self.kept(
                Query::SqlSinks,
                &call.path.text,
                call.path.resolved,
                language,
                || {
                    named
                        .iter()
                        .enumerate()
                        .filter(|(_, index)| matches(**index))
                        .fold(0, |mask, (bit, _)| mask | 1 << bit)
                },
            )
        } else {
            0
        };
        named
            .iter()
            .enumerate()
            .filter(move |(bit, index)| {
                if fits {
                    mask & 1 << bit != 0
                } else {
                    matches(**index)
                }
            })
            .map(|(_, index)| &self.sql_sinks.entries[*index])
    }

    pub fn star_selects<'a>(
        &'a self,
        call: &'a Call,
        language: Language,
    ) -> impl Iterator<Item = &'a StarSelect> + 'a {
        let split = Split::new(&call.path.text);
        self.star_selects
            .named(call.path.name())
            .filter(move |entry| {
                applies(&entry.languages, language)
                    && entry
                        .patterns
                        .iter()
                        .any(|pattern| pattern.matches_split(&split, call.path.resolved))
            })
    }

    /// The round trip a call with this path makes, if the catalogs know it.
    pub fn io_call(&self, path: &CallPath, language: Language) -> Option<&IoCall> {
        self.io_call_at(&path.text, path.resolved, language)
    }

    /// [`Catalog::io_call`] for a path given as text, such as a prefix of
    /// a call's path (`resp.json()` of `resp.json().get`).
    pub fn io_call_at(&self, text: &str, resolved: bool, language: Language) -> Option<&IoCall> {
        let found = self.remembered(Query::IoCall, text, resolved, language, || {
            let text = uncalled(text);
            let split = Split::new(text);
            let name = text.rsplit('.').next().unwrap_or("");
            let receiver_is_model = || {
                let segments = split.segments();
                segments.len() >= 2
                    && uncalled(segments[segments.len() - 2])
                        .starts_with(|c: char| c.is_ascii_uppercase())
            };
            self.io_calls.position(name, |entry| {
                applies(&entry.languages, language)
                    && (!entry.model_receiver || receiver_is_model())
                    && entry
                        .patterns
                        .iter()
                        .any(|pattern| pattern.matches_split(&split, resolved || entry.global))
            })
        });
        found.map(|index| &self.io_calls.entries[index])
    }

    /// The blocking call a call with this path is, if the catalogs know it.
    pub fn blocking_call(&self, path: &CallPath, language: Language) -> Option<&BlockingCall> {
        let found = self.remembered(Query::Blocking, &path.text, path.resolved, language, || {
            let text = uncalled(&path.text);
            let split = Split::new(text);
            let name = text.rsplit('.').next().unwrap_or("");
            self.blocking_calls.position(name, |entry| {
                applies(&entry.languages, language)
                    && entry
                        .patterns
                        .iter()
                        .any(|pattern| pattern.matches_split(&split, path.resolved || entry.global))
            })
        });
        found.map(|index| &self.blocking_calls.entries[index])
    }

    /// The client a call with this path constructs, if the catalogs know it.
    pub fn client_constructor(
        &self,
        path: &CallPath,
        language: Language,
    ) -> Option<&ClientConstructor> {
        let text = uncalled(&path.text);
        let name = text.rsplit('.').next().unwrap_or("");
        let split = Split::new(text);
        self.client_constructors.named(name).find(|entry| {
            applies(&entry.languages, language)
                && entry
                    .patterns
                    .iter()
                    .any(|pattern| pattern.matches_split(&split, path.resolved))
        })
    }

    /// Names that a client constructor call's file certainly contains.
    pub fn client_constructor_names(&self, language: Language) -> Vec<String> {
        names_for(self.client_constructors.iter(), language)
    }

    /// The HTTP API a call with this path sends a request with or builds a
    /// client of, if the catalogs know it.
    pub fn http_api(&self, path: &CallPath, language: Language) -> Option<&HttpApi> {
        let text = path.text.as_str();
        // `api(…)` on a client made by `got.extend()` calls the client; it
        // does not make another one.
        if text.ends_with("()") {
            return None;
        }
        let split = Split::new(text);
        let name = text.rsplit('.').next().unwrap_or("");
        self.http_apis.named(name).find(|api| {
            applies(&api.languages, language)
                && api
                    .patterns
                    .iter()
                    .any(|pattern| pattern.matches_split(&split, path.resolved))
        })
    }

    /// Whether a call with this path bounds the request or future passed to
    /// it (`tokio::time::timeout`).
    pub fn is_timeout_wrapper(&self, path: &CallPath, language: Language) -> bool {
        let text = uncalled(&path.text);
        let name = text.rsplit('.').next().unwrap_or("");
        let split = Split::new(text);
        self.timeout_wrappers.named(name).any(|set| {
            applies(&set.languages, language)
                && set
                    .patterns
                    .iter()
                    .any(|pattern| pattern.matches_split(&split, path.resolved))
        })
    }

    /// Names that a file with a catalogued HTTP request or client certainly
    /// contains.
    pub fn http_api_names(&self, language: Language) -> Vec<String> {
        names_for(self.http_apis.iter(), language)
    }

    /// The expensive work a call with this path does, if the catalogs know it.
    pub fn expensive_call(&self, path: &CallPath, language: Language) -> Option<&ExpensiveCall> {
        // `render = compile(…); render(…)`: a call of what a call returned.
        if path.text.ends_with("()") {
            return None;
        }
        let text = path.text.as_str();
        let found = self.remembered(Query::Expensive, text, path.resolved, language, || {
            let split = Split::new(text);
            let name = text.rsplit('.').next().unwrap_or("");
            self.expensive_calls.position(name, |entry| {
                applies(&entry.languages, language)
                    && entry
                        .patterns
                        .iter()
                        .any(|pattern| pattern.matches_split(&split, path.resolved || entry.global))
            })
        });
        found.map(|index| &self.expensive_calls.entries[index])
    }

    /// Names that an expensive call's file certainly contains.
    pub fn expensive_call_names(&self, language: Language) -> Vec<String> {
        names_for(self.expensive_calls.iter(), language)
    }

    /// Whether a call with this path caches what its callback makes.
    pub fn is_memoizer(&self, path: &CallPath, language: Language) -> bool {
        let text = uncalled(&path.text);
        let name = text.rsplit('.').next().unwrap_or("");
        let split = Split::new(text);
        self.memoizers.named(name).any(|set| {
            applies(&set.languages, language)
                && set
                    .patterns
                    .iter()
                    .any(|pattern| pattern.matches_split(&split, path.resolved))
        })
    }

    /// Whether a call with this path runs its arguments off the event loop.
    pub fn is_offload(&self, path: &CallPath, language: Language) -> bool {
        let text = uncalled(&path.text);
        let name = text.rsplit('.').next().unwrap_or("");
        let split = Split::new(text);
        self.offloads.named(name).any(|set| {
            applies(&set.languages, language)
                && set
                    .patterns
                    .iter()
                    .any(|pattern| pattern.matches_split(&split, path.resolved))
        })
    }

    /// The slow work `call` does, if the catalogs know it. `source` is the
    /// file's text, for entries that need the file to mention a name.
    pub fn slow_call(&self, call: &Call, language: Language, source: &str) -> Option<&SlowCall> {
        let text = uncalled(&call.path.text);
        let split = Split::new(text);
        let name = text.rsplit('.').next().unwrap_or("");
        self.slow_calls.named(name).find(|entry| {
            applies(&entry.languages, language)
                && entry
                    .patterns
                    .iter()
                    .any(|pattern| pattern.matches_split(&split, call.path.resolved))
                && (entry.argument.is_empty()
                    || call
                        .args
                        .iter()
                        .any(|arg| made_by(&arg.value, &entry.argument)))
                && entry
                    .file_mentions
                    .as_deref()
                    .is_none_or(|word| source.contains(word))
        })
    }

    /// The slow work a function does when it is passed, not called
    /// (`asyncio.to_thread(subprocess.run, …)`): entries that need no
    /// particular argument.
    pub fn slow_function(&self, path: &CallPath, language: Language) -> Option<&SlowCall> {
        if path.text.ends_with("()") {
            return None;
        }
        let name = path.name();
        let split = Split::new(&path.text);
        self.slow_calls.named(name).find(|entry| {
            applies(&entry.languages, language)
                && entry.argument.is_empty()
                && entry.file_mentions.is_none()
                && entry.scale == SlowScale::Fixed
                && entry
                    .patterns
                    .iter()
                    .any(|pattern| pattern.matches_split(&split, path.resolved))
        })
    }

    /// Names that a slow call's file certainly contains: for an entry that
    /// needs an argument or a word in the file, that (`**.send` is in most
    /// files, `flask_mail` is not).
    pub fn slow_call_names(&self, language: Language) -> Vec<String> {
        let mut names = telling_names(
            self.slow_calls
                .iter()
                .filter(|entry| applies(&entry.languages, language))
                .filter(|entry| entry.file_mentions.is_none())
                .flat_map(|entry| {
                    if entry.argument.is_empty() {
                        entry.patterns.iter()
                    } else {
                        entry.argument.iter()
                    }
                }),
        );
        names.extend(
            self.slow_calls
                .iter()
                .filter(|entry| applies(&entry.languages, language))
                .filter_map(|entry| entry.file_mentions.clone()),
        );
        names.sort();
        names.dedup();
        names
    }

    /// The row read a call with this path (`()` stripped or not) makes.
    pub fn row_read(
        &self,
        path_text: &str,
        resolved: bool,
        language: Language,
    ) -> Option<&RowRead> {
        let text = uncalled(path_text);
        let split = Split::new(text);
        let name = text.rsplit('.').next().unwrap_or("");
        self.row_reads.named(name).find(|entry| {
            applies(&entry.languages, language)
                && entry
                    .patterns
                    .iter()
                    .any(|pattern| pattern.matches_split(&split, resolved))
        })
    }

    /// Whether a call with this path runs the work given to it elsewhere:
    /// a `hand-off`, or an `offload` to a thread.
    pub fn is_hand_off(&self, path: &CallPath, language: Language) -> bool {
        let text = uncalled(&path.text);
        let split = Split::new(text);
        let name = text.rsplit('.').next().unwrap_or("");
        self.hand_offs.named(name).any(|set| {
            applies(&set.languages, language)
                && set
                    .patterns
                    .iter()
                    .any(|pattern| pattern.matches_split(&split, path.resolved))
        })
    }

    /// Whether a call with this path is a response that streams.
    pub fn is_streaming_response(&self, path: &CallPath, language: Language) -> bool {
        let text = uncalled(&path.text);
        let split = Split::new(text);
        let name = text.rsplit('.').next().unwrap_or("");
        self.streaming_responses.named(name).any(|set| {
            applies(&set.languages, language)
                && set
                    .patterns
                    .iter()
                    .any(|pattern| pattern.matches_split(&split, path.resolved))
        })
    }

    /// The job queues of a language, in catalog order.
    pub fn queues(&self, language: Language) -> impl Iterator<Item = &Queue> {
        self.queues
            .iter()
            .filter(move |queue| applies(&queue.languages, language))
    }

    /// Whether an expression with this path carries outside input.
    pub fn is_source(&self, path: &CallPath, language: Language) -> bool {
        self.source_kind(path, language) == Some(SourceKindName::Input)
    }

    /// What an expression with this path reads from outside, if anything.
    pub fn source_kind(&self, path: &CallPath, language: Language) -> Option<SourceKindName> {
        let root = path.text.split('.').next().unwrap_or("");
        let root = uncalled(root);
        if !self.source_roots.contains(root) && !self.source_roots.contains("*") {
            return None;
        }
        self.sources
            .iter()
            .find(|set| {
                applies(&set.languages, language)
                    && set.patterns.iter().any(|pattern| {
                        pattern.matches_prefix_of(&path.text, path.resolved || set.global)
                    })
            })
            .map(|set| set.kind)
    }

    /// Whether a value with this path was made safe for any sink
    /// (`shlex.quote(x)`).
    pub fn is_sanitizer(&self, path: &CallPath, language: Language) -> bool {
        [SinkKind::Sql, SinkKind::Shell, SinkKind::Code]
            .into_iter()
            .any(|kind| self.is_sanitizer_for(path, language, kind))
    }

    /// Whether a value with this path was made safe for sinks of `kind`.
    pub fn is_sanitizer_for(&self, path: &CallPath, language: Language, kind: SinkKind) -> bool {
        let Some(called) = path.text.strip_suffix("()") else {
            return false;
        };
        self.sanitizers.iter().any(|set| {
            applies(&set.languages, language)
                && (set.sinks.is_empty() || set.sinks.contains(&kind))
                && set_matches(&set.patterns, called, path.resolved, set.global)
        })
    }

    /// The shell sinks `call` matches.
    pub fn shell_sinks<'a>(
        &'a self,
        call: &'a Call,
        language: Language,
    ) -> impl Iterator<Item = &'a ShellSink> + 'a {
        // A call of what a call returned (`Function(code)()`) is not the sink.
        let text = call.path.text.as_str();
        let name = text.rsplit('.').next().unwrap_or("");
        self.shell_sinks.named(name).filter(move |sink| {
            applies(&sink.languages, language)
                && set_matches(&sink.patterns, text, call.path.resolved, sink.global)
        })
    }

    /// The eval sinks `call` matches.
    pub fn eval_sinks<'a>(
        &'a self,
        call: &'a Call,
        language: Language,
    ) -> impl Iterator<Item = &'a EvalSink> + 'a {
        let text = call.path.text.as_str();
        let name = text.rsplit('.').next().unwrap_or("");
        self.eval_sinks.named(name).filter(move |sink| {
            applies(&sink.languages, language)
                && set_matches(&sink.patterns, text, call.path.resolved, sink.global)
        })
    }

    /// Names a file with a shell sink certainly contains.
    pub fn shell_sink_names(&self, language: Language) -> Vec<String> {
        names_for(self.shell_sinks.iter(), language)
    }

    /// Names a file with an eval sink certainly contains.
    pub fn eval_sink_names(&self, language: Language) -> Vec<String> {
        names_for(self.eval_sinks.iter(), language)
    }

    /// One name per round-trip pattern that any call it matches has written
    /// somewhere in its file: the import a resolved path starts from, else
    /// the most distinctive literal segment (`objects` rather than `get`).
    /// Paths are built from the file's own text, so a file without any of
    /// these names cannot hold a round trip.
    pub fn io_call_names(&self, language: Language) -> Vec<String> {
        names_for(self.io_calls.iter(), language)
    }

    /// The same for blocking calls.
    pub fn blocking_call_names(&self, language: Language) -> Vec<String> {
        names_for(self.blocking_calls.iter(), language)
    }

    /// The names of sinks that take SQL fragments, and of query builders'
    /// `select`: calls whose SQL need not contain a statement keyword, so a
    /// file without keywords may still hold a finding through them.
    pub fn fragment_names(&self, language: Language) -> Vec<String> {
        let fragments = self
            .sql_sinks
            .iter()
            .filter(|entry| applies(&entry.languages, language))
            .filter(|sink| sink.fragment)
            .flat_map(|sink| sink.patterns.iter());
        let builders = self
            .star_selects
            .iter()
            .filter(|entry| applies(&entry.languages, language))
            .flat_map(|entry| entry.patterns.iter());
        let mut names: Vec<String> = fragments
            .chain(builders)
            .map(|pattern| uncalled(pattern.last_literal()).to_string())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    pub fn is_empty(&self) -> bool {
        self.sql_sinks.is_empty()
            && self.star_selects.is_empty()
            && self.shell_sinks.is_empty()
            && self.eval_sinks.is_empty()
    }
}

/// Whether a value (or one of its alternatives) was made by a call or
/// constructor matching one of `patterns` (`new SendEmailCommand(…)`).
fn made_by(value: &Value, patterns: &[Pattern]) -> bool {
    match value {
        Value::Path(path) => {
            path.text.ends_with("()") && {
                let text = uncalled(&path.text);
                let split = Split::new(text);
                patterns
                    .iter()
                    .any(|pattern| pattern.matches_split(&split, path.resolved))
            }
        }
        Value::OneOf(values) => values.iter().any(|each| made_by(each, patterns)),
        _ => false,
    }
}

/// Whether a value is exactly the string `*`.
pub fn is_star_literal(value: &Value) -> bool {
    match value {
        Value::Str(shape) => shape.holes().next().is_none() && shape.literal_text().trim() == "*",
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(text: &str, resolved: bool) -> CallPath {
        CallPath {
            text: text.to_string(),
            resolved,
        }
    }

    #[test]
    fn a_path_longer_than_the_inline_split_matches_as_a_short_one() {
        let pattern = Pattern::parse("**.objects.filter").unwrap();
        let long = format!("{}.objects.filter", vec!["a"; 30].join("."));
        assert!(pattern.matches_text(&long, false));
        assert!(!pattern.matches_text(&format!("{long}.other"), false));
        let split = Split::new("app.models.Invoice.objects.filter()");
        assert!(pattern.matches_split(&split, true));
        assert!(!Pattern::parse("**.objects.get")
            .unwrap()
            .matches_split(&split, true));
    }

    #[test]
    fn any_run_matches_zero_or_more_segments() {
        let pattern = Pattern::parse("sqlalchemy.**.execute").unwrap();
        assert!(pattern.matches(&path("sqlalchemy.create_engine().connect().execute", true)));
        assert!(pattern.matches(&path("sqlalchemy.execute", true)));
        assert!(!pattern.matches(&path(
            "sqlalchemy.create_engine().connect().executemany",
            true
        )));
    }

    #[test]
    fn anchored_patterns_need_a_resolved_root() {
        let pattern = Pattern::parse("pg.**.query").unwrap();
        assert!(pattern.matches(&path("pg.Pool().query", true)));
        assert!(!pattern.matches(&path("pg.query", false)));
        let loose = Pattern::parse("**.query").unwrap();
        assert!(loose.matches(&path("db.query", false)));
    }

    #[test]
    fn a_literal_matches_its_called_form() {
        let pattern = Pattern::parse("better-sqlite3.**.prepare").unwrap();
        assert!(pattern.matches(&path("better-sqlite3().prepare", true)));
        let called = Pattern::parse("sqlite3.connect().execute").unwrap();
        assert!(!called.matches(&path("sqlite3.connect.execute", true)));
    }

    #[test]
    fn rust_paths_are_normalised() {
        let pattern = Pattern::parse("sqlx::query").unwrap();
        assert!(pattern.matches(&path("sqlx.query", true)));
    }

    #[test]
    fn bad_patterns_are_rejected_with_a_reason() {
        assert!(Pattern::parse("").is_err());
        assert!(Pattern::parse("a..b")
            .unwrap_err()
            .contains("empty segment"));
        assert!(Pattern::parse("pg.**")
            .unwrap_err()
            .contains("literal name"));
    }

    #[test]
    fn sources_match_by_prefix() {
        let mut catalog = Catalog::default();
        catalog
            .extend_from_toml("[[source]]\npaths = [\"flask.request\"]\n", "test")
            .unwrap();
        assert!(catalog.is_source(&path("flask.request.args.get()", true), Language::Python));
        assert!(!catalog.is_source(&path("flask.requests", true), Language::Python));
    }

    #[test]
    fn unknown_catalog_keys_are_errors_naming_the_key() {
        let mut catalog = Catalog::default();
        let error = catalog
            .extend_from_toml("[[sql-sink]]\npaths = [\"a.b\"]\nargs = 1\n", "my.toml")
            .unwrap_err();
        assert!(error.to_string().contains("my.toml"));
        assert!(error.to_string().contains("args"), "{error}");
    }

    #[test]
    fn an_http_client_is_made_by_its_constructor_not_by_calling_it() {
        let mut catalog = Catalog::default();
        catalog
            .extend_from_toml(
                "[[http-client]]\nlibrary = \"got\"\npaths = [\"got.extend\"]\nfix = \"…\"\n",
                "test",
            )
            .unwrap();
        let language = Language::JavaScript;
        let api = catalog
            .http_api(&path("got.extend", true), language)
            .unwrap();
        assert_eq!(api.kind, HttpApiKind::Client);
        assert!(catalog
            .http_api(&path("got.extend()", true), language)
            .is_none());
        assert!(catalog
            .http_api(&path("got.extend", false), language)
            .is_none());
        assert_eq!(catalog.http_api_names(language), ["extend"]);
    }

    /// Answers are kept per thread, per catalog content: a catalog extended
    /// since, or another catalog, is asked afresh.
    #[test]
    fn kept_answers_belong_to_one_catalog() {
        let io = |paths: &str| format!("[[io-call]]\nkind = \"query\"\npaths = [{paths}]\n");
        let mut catalog = Catalog::default();
        catalog
            .extend_from_toml(&io("\"db.run\""), "one.toml")
            .unwrap();
        let run = path("db.run()", true);
        let fetch = path("db.fetch()", true);
        assert!(catalog.io_call(&run, Language::Python).is_some());
        assert!(catalog.io_call(&fetch, Language::Python).is_none());
        // The same questions again: the kept answers.
        assert!(catalog.io_call(&run, Language::Python).is_some());
        assert!(catalog.io_call(&fetch, Language::Python).is_none());
        let copy = catalog.clone();
        catalog
            .extend_from_toml(&io("\"db.fetch\""), "two.toml")
            .unwrap();
        assert!(catalog.io_call(&fetch, Language::Python).is_some());
        assert!(copy.io_call(&fetch, Language::Python).is_none());
        let other = Catalog::default();
        assert!(other.io_call(&run, Language::Python).is_none());
        // Another language is another question.
        let mut rust_only = Catalog::default();
        rust_only
            .extend_from_toml(
                &format!("{}languages = [\"rust\"]\n", io("\"db.run\"")),
                "rust.toml",
            )
            .unwrap();
        assert!(rust_only.io_call(&run, Language::Python).is_none());
        assert!(rust_only.io_call(&run, Language::Rust).is_some());
    }

    #[test]
    fn kept_sql_sinks_are_the_ones_that_match() {
        let sink = |path: &str, arg: usize, language: &str| {
            format!(
                "[[sql-sink]]\npaths = [\"{path}\"]\narg = {arg}\nlanguages = [\"{language}\"]\n"
            )
        };
        let mut catalog = Catalog::default();
        let file = [
            sink("db.execute", 0, "python"),
            sink("other.execute", 1, "python"),
            sink("db.execute", 2, "rust"),
        ]
        .concat();
        catalog.extend_from_toml(&file, "sinks.toml").unwrap();
        let call = |text: &str| Call {
            span: crate::model::Span::default(),
            callee_span: crate::model::Span::default(),
            path: path(text, true),
            args: Vec::new(),
            function: None,
            innermost_loop: None,
            awaited: false,
            tagged_template: false,
            is_macro: false,
            is_new: false,
            receiver_defined_at: None,
            target: None,
        };
        let args = |catalog: &Catalog, text: &str, language: Language| -> Vec<usize> {
            let call = call(text);
            catalog
                .sql_sinks(&call, language)
                .map(|sink| sink.arg)
                .collect()
        };
        for _ in 0..2 {
            assert_eq!(args(&catalog, "db.execute", Language::Python), [0]);
            assert_eq!(args(&catalog, "other.execute", Language::Python), [1]);
            assert_eq!(args(&catalog, "db.execute", Language::Rust), [2]);
            assert_eq!(
                args(&catalog, "db.fetch", Language::Python),
                [] as [usize; 0]
            );
        }
        catalog
            .extend_from_toml(&sink("db.execute", 3, "python"), "more.toml")
            .unwrap();
        assert_eq!(args(&catalog, "db.execute", Language::Python), [0, 3]);
    }
}
