//! The language-neutral semantic model: what every front end lowers a file into,
//! and the only thing rules read.
//!
//! Everything here is plain data addressed by byte spans into the file's text.
//! Front ends fill it in one walk of the syntax tree; rules never see the tree.
//! Entities refer to each other by index (`FunctionId`, `LoopId`), so the model is
//! cheap to build, to clone and to drop, and has no lifetimes.

use std::fmt;

/// A half-open byte range `[start, end)` into the file's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    pub fn contains(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    Python,
    TypeScript,
    Tsx,
    JavaScript,
    Rust,
}

impl Language {
    /// Every language, in [`Language::index`] order.
    pub const ALL: [Language; 5] = [
        Language::Python,
        Language::TypeScript,
        Language::Tsx,
        Language::JavaScript,
        Language::Rust,
    ];

    /// The position of the language in [`Language::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The language of a path, from its extension.
    pub fn from_path(path: &std::path::Path) -> Option<Language> {
        let extension = path.extension()?.to_str()?;
        Some(match extension {
            "py" | "pyi" => Language::Python,
            "ts" | "mts" | "cts" => Language::TypeScript,
            "tsx" => Language::Tsx,
            "js" | "jsx" | "mjs" | "cjs" => Language::JavaScript,
            "rs" => Language::Rust,
            _ => return None,
        })
    }

    /// The corpus and report name of the language family.
    pub fn name(self) -> &'static str {
        match self {
            Language::Python => "python",
            Language::TypeScript | Language::Tsx => "typescript",
            Language::JavaScript => "javascript",
            Language::Rust => "rust",
        }
    }

    /// The line-comment leader, used for suppressions and fixes.
    pub fn comment_leader(self) -> &'static str {
        match self {
            Language::Python => "#",
            _ => "//",
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FunctionId(pub u32);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LoopId(pub u32);

/// Everything a front end learned about one file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileModel {
    pub functions: Vec<Function>,
    pub loops: Vec<Loop>,
    /// Calls in source order of their start.
    pub calls: Vec<Call>,
    /// Regions the parser could not make sense of; the rest was analysed.
    pub syntax_errors: Vec<Span>,
    /// `async` blocks (Rust `async move { … }`): futures that run on the
    /// executor like an async function's body, wherever they are written.
    pub async_blocks: Vec<Span>,
    /// ORM model classes defined in the file (Django `models.Model`).
    pub orm_models: Vec<OrmModel>,
    /// Attribute reads on an element of an iterated value, inside the loop
    /// (`invoice.customer.name` in `for invoice in …`), in source order.
    pub element_reads: Vec<ElementRead>,
    /// Assignments to an attribute or field (`api.defaults.timeout = 5000`,
    /// `self.session.request = …`), in source order: how a file configures
    /// an object after making it.
    pub attribute_writes: Vec<AttributeWrite>,
    /// Test code: test functions (`def test_…`, `#[test]`, `#[tokio::test]`),
    /// test classes (`class Test…`, `TestCase` subclasses), test modules
    /// (`#[cfg(test)] mod`) and test-runner calls with their callbacks
    /// (`describe(…)`, `it(…)`, `test(…)`, `beforeAll(…)`). Whether a whole
    /// file is a test is decided from its path (`RuleContext::path`).
    pub test_code: Vec<Span>,
    /// Plain names read as values (not called, not assigned to), in source
    /// order: with `assignments`, which names a value depends on and where
    /// they got theirs (a loop-invariant argument, a value made of constants).
    pub name_reads: Vec<NameRead>,
    /// Where names get their values, in source order: assignments,
    /// declarations, pattern bindings, and stores into what a name holds.
    /// Loop bindings and plain parameters are in `loops` and `functions`.
    pub assignments: Vec<Assignment>,
    /// The arms of conditionals (`if`/`else`, `match`, `switch`, and a
    /// `try` body with its handlers), in source order: two calls in
    /// different arms of one conditional do not both run to completion.
    pub arms: Vec<Arm>,
}

/// `target = value` where the target is an attribute or field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeWrite {
    /// The whole assignment.
    pub span: Span,
    /// The assigned attribute's path (`axios.create().defaults.timeout`,
    /// `requests.Session().request`).
    pub target: CallPath,
    /// Where the object the target is read from was defined, when it is a
    /// local name or a `self.`/`this.` field bound in this file, followed
    /// through attribute reads (`api` of `api.defaults.timeout`): the span of
    /// the expression it was bound to, as [`Call::receiver_defined_at`].
    pub object_defined_at: Option<Span>,
    pub value: Value,
    pub value_span: Span,
    pub function: Option<FunctionId>,
}

/// A name read as a value. Its text (the span's) is the name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameRead {
    pub span: Span,
    /// Where the front end found the name bound, at the point of the read.
    pub scope: NameScope,
    pub function: Option<FunctionId>,
}

/// Where a name read was bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameScope {
    /// In a function (the reading one or one around it): a parameter, a
    /// local variable, a loop or pattern binding.
    Local,
    /// At module level: a module variable or constant, a function, a class.
    Module,
    /// An import, with the path it stands for (`flask.request`).
    Import(String),
    /// Nowhere in the file: a builtin or a global (`open`, `process`).
    Global,
}

/// A place where a name gets a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// The name given a value (its text is the name); for a store
    /// (`cache[key] = …`, `self.x = …`), the root name stored into.
    pub target: Span,
    /// The expression the value is computed from: the right-hand side, the
    /// value a pattern takes apart (`match x {…}`, `if let … = x`, `with x
    /// as y`). `None` when the value comes from elsewhere (a destructured
    /// parameter, a caught exception).
    pub value: Option<Span>,
    pub kind: AssignmentKind,
    pub function: Option<FunctionId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignmentKind {
    /// `x = v`, `let x = v`, a declaration or a pattern binding: the name
    /// holds the new value.
    Bind,
    /// `x += v`, `x ??= v`, `x++`: the new value is made from the old one.
    Update,
    /// `x[k] = v`, `x.field = v`: what the name holds is changed.
    Store,
}

/// One arm of a conditional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arm {
    /// Identifies the conditional within the file; arms of one conditional share it.
    pub conditional: u32,
    pub span: Span,
    /// The arm ends by leaving (`return`, `raise`/`throw`, `break`,
    /// `continue`): code after the conditional does not run after it.
    pub exits: bool,
}

/// An ORM model class and its relation fields: reading one on a row loads
/// the related row unless the query joined or prefetched it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrmModel {
    pub name: String,
    pub span: Span,
    /// Fields that point at another model (`ForeignKey`, `OneToOneField`).
    pub relations: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElementRead {
    pub span: Span,
    /// The read's path through the element (`app.Invoice.objects.filter().[].customer.name`).
    pub path: CallPath,
    pub function: Option<FunctionId>,
    pub innermost_loop: Option<LoopId>,
}

impl FileModel {
    pub fn function(&self, id: FunctionId) -> &Function {
        &self.functions[id.0 as usize]
    }

    pub fn loop_(&self, id: LoopId) -> &Loop {
        &self.loops[id.0 as usize]
    }

    /// The loops around `innermost`, innermost first.
    pub fn loop_chain(&self, innermost: Option<LoopId>) -> impl Iterator<Item = &Loop> {
        std::iter::successors(innermost.map(|id| self.loop_(id)), |each| {
            each.parent.map(|id| self.loop_(id))
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    /// `<anonymous>` for lambdas, arrow functions and closures.
    pub name: String,
    pub span: Span,
    /// The name, or the head of an anonymous function.
    pub name_span: Span,
    pub is_async: bool,
    pub handler: Option<Handler>,
    pub params: Vec<Param>,
    pub parent: Option<FunctionId>,
}

/// Why a function is taken to serve requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handler {
    /// `flask`, `fastapi`, `django`, `express`, `nestjs`, `nextjs`, `axum`, `actix`…
    pub framework: &'static str,
    /// The decorator, registration or convention that made it one.
    pub evidence: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub name: String,
    pub span: Span,
    /// The declared type as written, if any (`int`, `&PgPool`, `Request`).
    pub annotation: Option<String>,
    /// The parameter carries request input (a handler's request object or extractor).
    pub is_request_input: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoopKind {
    For,
    While,
    /// List, set, dict and generator comprehensions.
    Comprehension,
    /// A callback run once per element: `.forEach`, `.map`, `Promise.all(xs.map(…))`,
    /// Rust iterator adapters, Python `map(lambda…)`.
    Callback,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loop {
    pub kind: LoopKind,
    /// The whole loop.
    pub span: Span,
    /// The part a reader recognises: `for x in xs`, `xs.map(`, `while …`.
    pub header: Span,
    /// Names the loop binds on each iteration.
    pub bindings: Vec<String>,
    /// Source text of what is iterated, when there is one.
    pub iterable: Option<String>,
    /// The resolved path of what is iterated, when it is a name, attribute or
    /// call (`app.models.Invoice.objects.filter()`); a single binding then
    /// has the element path `….[]`, so `invoice.save()` inside the loop is
    /// `app.models.Invoice.objects.filter().[].save`.
    pub iterable_path: Option<CallPath>,
    /// What is iterated is written out in the loop, a list, tuple or array
    /// display (`("a", "b")`, `[user, admin]`): the loop runs a fixed number
    /// of times, whatever the data.
    pub over_literal: bool,
    /// What is iterated is a constant collection: written out, a module
    /// constant, or made from one (`[t for t in TABLES if t in wanted]`).
    pub over_constant: bool,
    pub is_async: bool,
    pub function: Option<FunctionId>,
    pub parent: Option<LoopId>,
}

/// A call path: the callee, resolved through imports and simple local origins.
///
/// Segments are joined with `.` whatever the language (`sqlx::query` is
/// `sqlx.query`); a segment that was itself called ends in `()`, so
/// `cur = psycopg2.connect().cursor(); cur.execute(…)` gives
/// `psycopg2.connect().cursor().execute`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CallPath {
    pub text: String,
    /// The root came from an import, a `use`, a `require`, or a declared type;
    /// otherwise it is a local name whose origin is unknown (a parameter, `self`).
    pub resolved: bool,
}

/// A path or a segment without the `()` its calls end in: `connect` of
/// `connect()`, `a().b` of `a().b()()`.
pub fn uncalled(text: &str) -> &str {
    let mut text = text;
    while let Some(rest) = text.strip_suffix("()") {
        text = rest;
    }
    text
}

impl CallPath {
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.text.split('.')
    }

    /// The last segment: the method or function name.
    pub fn name(&self) -> &str {
        self.text.rsplit('.').next().unwrap_or("")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The whole call expression.
    pub span: Span,
    /// The callee expression (`cursor.execute`, `sqlx::query`).
    pub callee_span: Span,
    pub path: CallPath,
    pub args: Vec<Arg>,
    pub function: Option<FunctionId>,
    /// The innermost loop around the call, within its function.
    pub innermost_loop: Option<LoopId>,
    pub awaited: bool,
    /// A tagged template (`sql\`…\``): the template is the only argument and its
    /// holes are passed to the tag as values, not spliced into the text.
    pub tagged_template: bool,
    /// A macro invocation (`sqlx::query!(…)`).
    pub is_macro: bool,
    /// A constructor call (`new Pool()`).
    pub is_new: bool,
    /// Where the object the method is called on was made, when the callee is
    /// a method of a local name or of a `self.`/`this.` field bound in this
    /// file (`api.get(…)` after `const api = axios.create({…})`), or is such
    /// a name itself (`api(…)`): the span of the expression it was last bound
    /// to (`axios.create({…})`, `Client::builder()….build()?`). Receivers that
    /// are calls, parameters' attributes or imports have none; a parameter
    /// itself gives its declaration's span.
    pub receiver_defined_at: Option<Span>,
    /// The function of this file it calls, when it names one.
    pub target: Option<CallTarget>,
}

/// A call to a function defined in the same file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallTarget {
    pub function: FunctionId,
    /// The parameter the first positional argument binds to: 1 for a method
    /// called on its receiver whose parameter 0 is `self`.
    pub first_param: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    pub span: Span,
    /// Keyword arguments (`timeout=5`) and object-literal-free named arguments.
    pub keyword: Option<String>,
    pub value: Value,
    /// When the argument is a local name or a `self.`/`this.` field bound in
    /// this file (also behind `&`/`&mut`), the span of the expression it was
    /// bound to, as [`Call::receiver_defined_at`]: an object handed to a
    /// helper of the file can be followed into it.
    pub defined_at: Option<Span>,
    /// Where the argument's value comes from, as a whole (for a string, the
    /// worst of its holes).
    pub origin: Origin,
}

/// The key under which [`Value::Object`] keeps a spread.
pub const SPREAD_KEY: &str = "...";

/// What the model knows of a value at the point it is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A string, fully or partly known.
    Str(StrShape),
    /// A number or a value known to be numeric; the integer when it is
    /// written as one (`0`, `6_000`, `0x10`).
    Number(Option<i64>),
    /// `None`, `null`, `undefined`, the result of a comparison…
    Literal,
    /// `True`/`true` or `False`/`false`, written out.
    Bool(bool),
    /// A list, tuple, array or set literal.
    Sequence(Vec<Value>),
    /// An object or dict literal with the keys that are plain names or
    /// strings; a spread (`...defaults`, `**defaults`) is kept under the key
    /// [`SPREAD_KEY`], since it may bring any key.
    Object(Vec<(String, Value)>),
    /// The result of a call or a name with a known origin.
    Path(CallPath),
    /// A lambda, arrow function or closure.
    Function,
    /// One of these, depending on the path taken: a variable assigned in both
    /// arms of an `if`, a conditional expression, a `match`.
    OneOf(Vec<Value>),
    Unknown,
}

impl Value {
    pub fn as_str(&self) -> Option<&StrShape> {
        match self {
            Value::Str(shape) => Some(shape),
            _ => None,
        }
    }

    /// Every string this value may be: itself, or each string alternative.
    pub fn strings(&self) -> impl Iterator<Item = &StrShape> {
        let (single, alternatives) = match self {
            Value::Str(shape) => (Some(shape), &[][..]),
            Value::OneOf(values) => (None, values.as_slice()),
            _ => (None, &[][..]),
        };
        single
            .into_iter()
            .chain(alternatives.iter().filter_map(Value::as_str))
    }
}

/// A string as a template: literal parts and holes, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrShape {
    /// Where the string expression is (the literal, the f-string, the `+` chain…):
    /// the expression that built the text, wherever it was written.
    pub span: Span,
    pub parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Lit(String),
    Hole(Hole),
}

/// A value spliced into a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hole {
    pub span: Span,
    /// Source text of the spliced expression, trimmed, for messages.
    pub text: String,
    pub origin: Origin,
    /// The resolved path of the spliced expression when it is a name, an attribute
    /// or a call (`flask.request.args.get()`), for catalogs to classify as a
    /// source or a sanitizer.
    pub path: Option<CallPath>,
    /// Where the hole's value was defined, when it came through a variable.
    pub defined_at: Option<Span>,
}

/// Where a spliced value comes from, as far as the file can tell.
///
/// Origins form a lattice ordered by how much an attacker may control the
/// value (`worse` in the lowering keeps the higher of two); the data they
/// carry lets rules explain and follow a value: the span where untrusted
/// data entered, or which parameters of the enclosing function it came
/// from (so a call in the same file can pass its arguments' taint in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origin {
    /// Literal text or a constant whose text was not known (a constant from
    /// another module, placeholders joined from constants, a lookup in a
    /// constant table, a value an allow-list check admitted).
    Constant,
    /// A number: a numeric literal, a numeric conversion, a numeric-typed
    /// parameter or field.
    Numeric,
    Unknown,
    /// Data read from the network (an HTTP response body, a shared cache):
    /// untrusted for deserialising and evaluating, not request input. The
    /// span is where it was read.
    Remote(Span),
    /// Derived from a loop's binding over something of unknown origin.
    Loop,
    /// Derived from these parameters of this function (the enclosing one,
    /// or a function around the closure it is used in).
    Param(FunctionId, Params),
    /// Request input, the environment, the command line or standard input:
    /// a handler's request parameter or a catalogued source. The span is
    /// where it entered (the parameter, the `request.args.get(…)` read).
    Input(Span),
}

/// A set of parameter positions (the first 64).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Params(pub u64);

impl Params {
    pub fn of(index: usize) -> Params {
        Params(1u64.checked_shl(index as u32).unwrap_or(0))
    }

    pub fn union(self, other: Params) -> Params {
        Params(self.0 | other.0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The positions in the set, in order.
    pub fn iter(self) -> impl Iterator<Item = usize> {
        (0..64).filter(move |index| self.0 & (1u64 << index) != 0)
    }
}

/// An origin without its data, for comparisons and messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OriginKind {
    Constant,
    Numeric,
    Unknown,
    Remote,
    Loop,
    Param,
    Input,
}

impl Origin {
    pub fn kind(self) -> OriginKind {
        match self {
            Origin::Constant => OriginKind::Constant,
            Origin::Numeric => OriginKind::Numeric,
            Origin::Unknown => OriginKind::Unknown,
            Origin::Remote(_) => OriginKind::Remote,
            Origin::Loop => OriginKind::Loop,
            Origin::Param(..) => OriginKind::Param,
            Origin::Input(_) => OriginKind::Input,
        }
    }

    /// Constants and numbers cannot carry an attack.
    pub fn is_clean(self) -> bool {
        matches!(self, Origin::Constant | Origin::Numeric)
    }

    /// Request input or a parameter: data a caller or a client chose.
    pub fn is_tainted(self) -> bool {
        matches!(self, Origin::Input(_) | Origin::Param(..) | Origin::Loop)
    }

    /// Where untrusted data entered, for request input and network reads.
    pub fn source(self) -> Option<Span> {
        match self {
            Origin::Input(span) | Origin::Remote(span) => Some(span),
            _ => None,
        }
    }
}

impl StrShape {
    pub fn literal(span: Span, text: impl Into<String>) -> StrShape {
        StrShape {
            span,
            parts: vec![Part::Lit(text.into())],
        }
    }

    pub fn holes(&self) -> impl Iterator<Item = &Hole> {
        self.parts.iter().filter_map(|part| match part {
            Part::Hole(hole) => Some(hole),
            Part::Lit(_) => None,
        })
    }

    /// The literal text with every hole replaced by `placeholder(index)`.
    pub fn render(&self, mut placeholder: impl FnMut(usize, &Hole) -> String) -> String {
        let mut text = String::new();
        let mut index = 0;
        for part in &self.parts {
            match part {
                Part::Lit(literal) => text.push_str(literal),
                Part::Hole(hole) => {
                    text.push_str(&placeholder(index, hole));
                    index += 1;
                }
            }
        }
        text
    }

    /// The literal text alone, holes dropped.
    pub fn literal_text(&self) -> String {
        self.render(|_, _| String::new())
    }
}
