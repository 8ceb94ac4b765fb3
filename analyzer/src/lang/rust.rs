//! The Rust front end.
//!
//! One recursive walk, in source order, in which `expr` is both the visitor and
//! the evaluator: every node is visited once, and visiting an expression yields
//! what is known of its value. Before the walk, a cheap pass over the file's
//! items binds `use` declarations, `const`/`static` items and the declared
//! types of struct fields, so that functions see them wherever they are
//! declared; inline `mod`, `impl` and `trait` bodies get the same pass when the
//! walk enters them.
//!
//! Macro arguments are token trees to tree-sitter, not expressions. Macros are
//! where Rust builds text (`format!`, `write!`) and where sqlx checks queries
//! (`sqlx::query!`), so their arguments are split on top-level commas and
//! evaluated from the tokens; anything beyond a literal, a name or a simple
//! chain on a name is unknown. In macros whose arguments are expressions
//! (`json!`, `vec!`, `assert_eq!`, the formatting and logging macros) the
//! calls the tokens show (a path or a chain of fields and method calls on a
//! name) are recorded too, and the names they read; other macros (`quote!`,
//! `select!`) have a syntax of their own and are left alone.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use tree_sitter::{Node, Tree};

use super::lowering::{
    append, argument_origin, brace_pieces, concat, is_numeric_annotation, join_origin, join_shapes,
    looks_constant, member_origin, sequence_origin, site_through, worse, AttributeWriteSpec,
    Binding, BracePiece, CallSpec, CalleeRef, Eval, FunctionSpec, LoopSpec, Lowering, ParamSpec,
    ShapeBuilder, SourceOracle, MAX_DEPTH,
};
use super::{children, grammar_fields, named_children, node_text, span, unescape};
use crate::model::{
    Arg, AssignmentKind, CallPath, FileModel, FunctionId, Handler, LoopKind, Origin, Param, Span,
    Value,
};

grammar_fields! {
    /// The Rust grammar's field ids.
    Fields in static FIELDS for crate::model::Language::Rust,
    {
        alias: "alias",
        alternative: "alternative",
        argument: "argument",
        arguments: "arguments",
        body: "body",
        condition: "condition",
        consequence: "consequence",
        element: "element",
        field: "field",
        function: "function",
        left: "left",
        length: "length",
        list: "list",
        macro_: "macro",
        name: "name",
        operator: "operator",
        parameters: "parameters",
        path: "path",
        pattern: "pattern",
        right: "right",
        type_: "type",
        type_arguments: "type_arguments",
        value: "value",
    }
}

pub(crate) fn lower(tree: &Tree, source: &str, sources: Option<SourceOracle<'_>>) -> FileModel {
    let mut walker = Walker::new(source, &tree.language(), sources);
    let root = tree.root_node();
    walker.declare_items(root);
    walker.expr(root);
    walker.resolve_registrations();
    walker.low.finish()
}

/// A call path grows by one segment per method in a chain; past this length it
/// restarts from the method name, so that long generated chains stay linear.
const MAX_PATH_BYTES: usize = 512;
/// A list grown by `push` stops recording items past this many (its origin
/// still follows every push).
const MAX_SEQUENCE_ITEMS: usize = 64;
/// Bound on loops over nested types and patterns written without recursion
/// limits of their own (`Arc<Mutex<Option<…>>>`).
const MAX_TYPE_NESTING: usize = 16;
/// Constant initializers are evaluated before the walk, without its depth
/// guard, so they get a small one of their own.
const MAX_CONSTANT_NESTING: usize = 64;

/// Attribute macros that make a function an actix (or rocket) route.
const ROUTE_ATTRIBUTES: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "trace", "connect", "route",
    "routes",
];

/// Parameter types whose presence makes an `async fn` a request handler.
const HANDLER_SIGNATURE_TYPES: &[&str] = &[
    "Path",
    "Query",
    "Json",
    "Form",
    "State",
    "Extension",
    "HttpRequest",
    "Multipart",
    "TypedHeader",
    "HeaderMap",
];

/// Extractors that carry request input.
const INPUT_EXTRACTORS: &[&str] = &[
    "Path",
    "Query",
    "Json",
    "Form",
    "Multipart",
    "HeaderMap",
    "TypedHeader",
    "HttpRequest",
    "RawQuery",
    "RawForm",
];

/// Extractors of application state: the inner type is what the parameter is.
const STATE_EXTRACTORS: &[&str] = &["State", "Extension", "Data"];

/// Parameter types that are the raw request body, in a function known to be a
/// handler.
const BODY_TYPES: &[&str] = &["String", "Bytes", "Request", "Payload", "Body"];

/// Types that stand for what they wrap, for method resolution: a method on an
/// `Arc<PgPool>` is a method on the pool.
const WRAPPER_TYPES: &[&str] = &[
    "Arc",
    "Rc",
    "Box",
    "Data",
    "State",
    "Extension",
    "Mutex",
    "RwLock",
    "RefCell",
    "Cell",
    "Lazy",
    "LazyLock",
    "OnceLock",
    "OnceCell",
    "Option",
];

/// Axum's method routers: `get(handler)`, `routing::post(handler)`.
const ROUTING_FUNCTIONS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "trace", "any",
];

/// Methods whose result is their receiver as far as text and origin go.
const TRANSPARENT_METHODS: &[&str] = &[
    "unwrap",
    "expect",
    "unwrap_or_default",
    "unwrap_unchecked",
    "clone",
    "cloned",
    "copied",
    "as_ref",
    "as_mut",
    "as_str",
    "as_deref",
    "as_slice",
    "as_bytes",
    "to_owned",
    "to_string",
    "to_str",
    "into",
    "into_owned",
    "into_inner",
    "borrow",
    "borrow_mut",
    "deref",
    "lock",
    "trim",
    "trim_start",
    "trim_end",
    "to_lowercase",
    "to_uppercase",
    "to_ascii_lowercase",
    "to_ascii_uppercase",
    "to_vec",
    "collect",
    "get_ref",
];

/// Methods whose result is their receiver whatever their arguments: error
/// conversions around a value (`x.parse::<i64>().map_err(…)?` is a number).
const TRANSPARENT_WITH_ARGUMENTS: &[&str] = &[
    "expect",
    "map_err",
    "ok_or",
    "ok_or_else",
    "context",
    "with_context",
    "wrap_err",
    "wrap_err_with",
    "inspect_err",
];

const NUMERIC_METHODS: &[&str] = &[
    "len",
    "count",
    "capacity",
    "sum",
    "product",
    "abs",
    "pow",
    "as_secs",
    "as_millis",
    "as_micros",
    "as_nanos",
    "timestamp",
    "timestamp_millis",
    "num_seconds",
    "rows_affected",
    "last_insert_rowid",
    "last_insert_id",
];

const BOOLEAN_METHODS: &[&str] = &[
    "is_empty",
    "contains",
    "contains_key",
    "starts_with",
    "ends_with",
    "is_some",
    "is_none",
    "is_ok",
    "is_err",
    "is_some_and",
    "is_ok_and",
    "eq",
    "ne",
    "any",
    "all",
];

/// Methods that turn their receiver into an iterator over its items.
const ITERATOR_PRODUCERS: &[&str] = &[
    "iter",
    "into_iter",
    "iter_mut",
    "chunks",
    "chunks_exact",
    "windows",
    "drain",
    "keys",
    "values",
    "values_mut",
    "into_keys",
    "into_values",
    "lines",
    "split",
    "split_whitespace",
    "split_terminator",
    "rsplit",
    "splitn",
    "chars",
    "bytes",
    "char_indices",
];

/// Iterator methods that keep the items of their receiver (a sequence stays one).
const ITERATOR_ADAPTERS: &[&str] = &[
    "enumerate",
    "rev",
    "skip",
    "take",
    "zip",
    "chain",
    "peekable",
    "step_by",
    "skip_while",
    "take_while",
    "flatten",
    "filter",
    "inspect",
    "dedup",
    "sorted",
    "unique",
    "fuse",
    "buffer_unordered",
    "buffered",
    "boxed",
];

/// Methods taking a callback that only iterators (and streams) have: a closure
/// passed to them runs once per item.
const ITERATION_METHODS: &[&str] = &[
    "for_each",
    "try_for_each",
    "for_each_concurrent",
    "try_for_each_concurrent",
    "fold",
    "try_fold",
    "filter_map",
    "flat_map",
    "find_map",
    "map_while",
    "scan",
    "any",
    "all",
    "find",
    "position",
    "take_while",
    "skip_while",
    "partition",
    "retain",
    "max_by_key",
    "min_by_key",
    "sort_by_key",
    "sort_by",
    "group_by",
];

/// Callback methods that `Option`, `Result` and futures have too: an iteration
/// unless the receiver is visibly one of those.
const MAYBE_ITERATION_METHODS: &[&str] = &["map", "filter", "inspect", "then"];

/// Callback methods that run per item on a stream but are far more common on
/// `Result`s: a loop only on a receiver known to be a sequence.
const SEQUENCE_ITERATION_METHODS: &[&str] = &["and_then", "try_filter", "try_filter_map"];

/// Methods returning an `Option` or a `Result`, whose `.map(…)` runs at most once.
const OPTIONAL_PRODUCERS: &[&str] = &[
    "ok",
    "err",
    "get",
    "get_mut",
    "first",
    "last",
    "first_mut",
    "last_mut",
    "pop",
    "pop_front",
    "pop_back",
    "next",
    "next_back",
    "peek",
    "find",
    "find_map",
    "position",
    "parse",
    "max",
    "min",
    "max_by",
    "min_by",
    "max_by_key",
    "min_by_key",
    "checked_add",
    "checked_sub",
    "checked_mul",
    "checked_div",
    "strip_prefix",
    "strip_suffix",
    "split_once",
    "rsplit_once",
    "remove",
    "take",
    "ok_or",
    "ok_or_else",
    "map_err",
    "and_then",
    "or_else",
    "map",
    "filter",
    "inspect",
    "var",
    "from_str",
    "try_from",
    "try_into",
    "downcast",
    "downcast_ref",
    "fetch_optional",
    "fetch_one",
    "query_row",
    "lock",
    "read",
    "write",
    "join",
    "send",
    "Some",
    "Ok",
    "Err",
];

/// Free functions and constructors whose value is their first argument.
const WRAPPING_CONSTRUCTORS: &[&str] = &[
    "Box", "Arc", "Rc", "Mutex", "RwLock", "RefCell", "Cell", "Data", "Cow",
];

/// The handler of one kind of node.
type Visit<'src> = for<'tree> fn(&mut Walker<'src>, Node<'tree>) -> Eval;

struct Walker<'src> {
    low: Lowering<'src>,
    depth: usize,
    /// Declared field types of the file's structs: struct → field → what it is.
    structs: HashMap<String, HashMap<String, FieldInfo>>,
    /// The self types of the enclosing `impl` (and `trait`) blocks.
    impl_types: Vec<String>,
    /// Types that derive a command-line parser (clap's `Parser`).
    cli_types: HashSet<String>,
    /// Named functions of the file, for registrations that name them.
    functions_by_name: HashMap<String, Vec<FunctionId>>,
    /// Functions named by router registrations, marked once the file is walked
    /// (a registration may come before the function it names).
    registrations: Vec<(String, Handler)>,
    /// ERROR nodes already walked, so that the recovery after a node does not
    /// walk them twice.
    walked_errors: HashSet<usize>,
    reported_errors: HashSet<Span>,
    /// The node and value path of the call lowered last.
    last_call: Option<(usize, CallPath)>,
    /// The handler of each kind of node, by kind id.
    handlers: Vec<Visit<'src>>,
}

#[derive(Debug, Clone)]
struct FieldInfo {
    /// The instance path of the declared type (`sqlx.PgPool()`).
    path: Option<CallPath>,
    numeric: bool,
}

/// One top-level group of a macro's token tree.
struct MacroArg<'tree> {
    /// `name = value` in formatting macros.
    keyword: Option<String>,
    eval: Eval,
    span: Span,
    text: String,
    /// The token, when the group is a single one (after `&`, `&mut`).
    single: Option<Node<'tree>>,
}

impl MacroArg<'_> {
    /// The argument as the model keeps it.
    fn into_arg(self) -> Arg {
        Arg {
            span: self.span,
            keyword: self.keyword,
            origin: self.eval.origin,
            value: self.eval.value,
            defined_at: None,
        }
    }
}

/// A parameter of a function, before `begin_function` binds it.
struct LoweredParam {
    spec: ParamSpec,
    /// What to bind instead of what `begin_function` derives from the
    /// annotation text (`self`, numbers inside extractors, numeric sequences).
    rebind: Option<Eval>,
    /// A raw body parameter (`String`, `Bytes`): input once the function is
    /// known to be a handler.
    is_body: bool,
    /// The framework whose extractor this parameter is, for handler detection.
    signature_framework: Option<&'static str>,
}

/// A call between its start and its finish (see `Walker::call`).
struct PendingCall<'tree> {
    node: Node<'tree>,
    function: Node<'tree>,
    /// The function expression without its turbofish.
    callee: Node<'tree>,
    turbofish: Option<Node<'tree>>,
    awaited: bool,
    receiver_node: Option<Node<'tree>>,
    method: Option<Node<'tree>>,
    /// A callee that is neither a name nor a method (`(self.f)(x)`).
    callee_is_expression: bool,
    receiver: Option<Eval>,
    callee_eval: Option<Eval>,
    path: CallPath,
    name: String,
    argument_nodes: Vec<Node<'tree>>,
    callback_index: Option<usize>,
    is_iteration: bool,
    args: Vec<(Eval, Node<'tree>)>,
    closure_ids: Vec<FunctionId>,
    callback_body: Option<Eval>,
}

type SavedBindings = Vec<(String, Option<Binding>)>;

/// A closure parameter's names and declared type.
struct ClosureParam {
    name: String,
    span: Span,
    annotation: Option<String>,
    annotation_path: Option<CallPath>,
}

struct ClosureResult {
    body: Eval,
    id: FunctionId,
}

impl<'src> Walker<'src> {
    fn new(
        source: &'src str,
        language: &tree_sitter::Language,
        sources: Option<SourceOracle<'src>>,
    ) -> Walker<'src> {
        let handlers = (0..language.node_kind_count())
            .map(|id| {
                let kind = u16::try_from(id)
                    .ok()
                    .and_then(|id| language.node_kind_for_id(id))
                    .unwrap_or("");
                Self::handler(kind)
            })
            .collect();
        Walker {
            low: Lowering::new(source, sources),
            depth: 0,
            structs: HashMap::new(),
            impl_types: Vec::new(),
            cli_types: HashSet::new(),
            functions_by_name: HashMap::new(),
            registrations: Vec::new(),
            walked_errors: HashSet::new(),
            reported_errors: HashSet::new(),
            last_call: None,
            handlers,
        }
    }

    fn text(&self, node: Node<'_>) -> &'src str {
        node_text(node, self.low.source)
    }

    fn slice(&self, at: Span) -> &'src str {
        self.low.source.get(at.range()).unwrap_or("")
    }

    /// Rewrites what `name` holds (`sql += …`, `sql.push_str(…)`, `write!`).
    ///
    /// The update belongs where the variable is bound: inside a closure that
    /// may be the enclosing function's scope. The shared core's `bind` binds
    /// in the innermost scope, so the value is read, updated and bound again;
    /// a core with an in-place update (`Lowering::update`) makes this a single
    /// call that neither copies the string nor shadows the variable.
    fn update_value(&mut self, name: &str, at: Span, update: impl FnOnce(Eval) -> Eval) {
        let mut update = Some(update);
        let updated = self.low.update(name, |existing| match update.take() {
            Some(update) => update(existing),
            None => existing,
        });
        if !updated {
            if let Some(update) = update {
                let existing = self.low.eval_name(name, at);
                self.low.bind(name, update(existing));
            }
        }
    }

    fn rebind(&mut self, name: &str, eval: Eval) {
        self.low.reassign(name, eval);
    }

    // ----- syntax errors ---------------------------------------------------------

    fn error(&mut self, at: Span) {
        if self.reported_errors.insert(at) {
            self.low.syntax_error(at);
        }
    }

    /// Reports the missing tokens among `node`'s children and walks the ERROR
    /// children its handler did not visit (handlers read fields; an ERROR node
    /// is in none), so that code inside a broken statement is still lowered.
    fn recover(&mut self, node: Node<'_>) {
        if !node.has_error() {
            return;
        }
        for child in children(node) {
            if child.is_missing() {
                self.error(span(child));
            } else if child.is_error() && !self.walked_errors.contains(&child.id()) {
                self.expr(child);
            }
        }
    }

    /// Reports the syntax errors inside a subtree the walk does not visit
    /// (types, patterns, attributes, token trees). Iterative: no recursion.
    fn scan_errors(&mut self, node: Node<'_>) {
        if !node.has_error() {
            return;
        }
        let mut cursor = node.walk();
        loop {
            let current = cursor.node();
            let mut descend = current.has_error();
            if current.is_error() || current.is_missing() {
                self.error(span(current));
                descend = false;
            }
            if descend && cursor.goto_first_child() {
                continue;
            }
            loop {
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    return;
                }
            }
        }
    }

    // ----- items, before the walk ------------------------------------------------

    /// Binds the `use` declarations and constants of an item list and records
    /// its structs' field types.
    fn declare_items(&mut self, list: Node<'_>) {
        let mut struct_items = Vec::new();
        let mut type_aliases = Vec::new();
        let mut derives_parser = false;
        for item in named_children(list) {
            // `#[derive(Parser)]` (clap, structopt): `T::parse()` reads the
            // command line.
            if item.kind() == "attribute_item" {
                let text = self.text(item);
                derives_parser |= text.contains("derive")
                    && (text.contains("Parser") || text.contains("StructOpt"));
                continue;
            }
            if derives_parser && matches!(item.kind(), "struct_item" | "enum_item") {
                if let Some(name) = item.child_by_field_id(FIELDS.name) {
                    self.cli_types.insert(self.text(name).to_string());
                }
            }
            if !is_comment(item) {
                derives_parser = false;
            }
            match item.kind() {
                "use_declaration" => self.use_declaration(item),
                "extern_crate_declaration" => self.extern_crate(item),
                "const_item" | "static_item" => self.declare_constant(item),
                "struct_item" => struct_items.push(item),
                "type_item" => type_aliases.push(item),
                _ => {}
            }
        }
        // Field types and aliases may name structs declared further down.
        for item in &struct_items {
            if let Some(name) = item.child_by_field_id(FIELDS.name) {
                let name = self.text(name).to_string();
                self.structs.entry(name).or_default();
            }
        }
        // `type DbPool = r2d2::Pool<…>;` names what it aliases.
        for item in type_aliases {
            let (Some(name), Some(aliased)) = (
                item.child_by_field_id(FIELDS.name),
                item.child_by_field_id(FIELDS.type_),
            ) else {
                continue;
            };
            let Some(path) = self.type_instance_path(aliased) else {
                continue;
            };
            let Some(base) = path.text.strip_suffix("()") else {
                continue;
            };
            let name = self.text(name);
            if path.resolved {
                self.low.bind_import(name, base.to_string());
            } else {
                let alias = CallPath {
                    text: base.to_string(),
                    resolved: false,
                };
                self.low.bind(name, Eval::path(alias, Origin::Unknown));
            }
        }
        for item in struct_items {
            self.declare_struct(item);
        }
    }

    fn declare_struct(&mut self, item: Node<'_>) {
        let (Some(name), Some(body)) = (
            item.child_by_field_id(FIELDS.name),
            item.child_by_field_id(FIELDS.body),
        ) else {
            return;
        };
        let mut fields = HashMap::new();
        if body.kind() == "field_declaration_list" {
            for field in named_children(body) {
                if field.kind() != "field_declaration" {
                    continue;
                }
                let (Some(field_name), Some(field_type)) = (
                    field.child_by_field_id(FIELDS.name),
                    field.child_by_field_id(FIELDS.type_),
                ) else {
                    continue;
                };
                fields.insert(
                    self.text(field_name).to_string(),
                    self.field_info(field_type),
                );
            }
        } else {
            // A tuple struct: fields are `self.0`, `self.1`…
            let mut cursor = body.walk();
            let types: Vec<Node<'_>> = body.children_by_field_name("type", &mut cursor).collect();
            for (index, field_type) in types.into_iter().enumerate() {
                fields.insert(index.to_string(), self.field_info(field_type));
            }
        }
        self.structs.insert(self.text(name).to_string(), fields);
    }

    fn field_info(&self, field_type: Node<'_>) -> FieldInfo {
        FieldInfo {
            path: self.type_instance_path(field_type),
            numeric: self.type_is_numeric(field_type),
        }
    }

    fn declare_constant(&mut self, item: Node<'_>) {
        let Some(name) = item.child_by_field_id(FIELDS.name) else {
            return;
        };
        let name = self.text(name);
        let eval = item
            .child_by_field_id(FIELDS.value)
            .and_then(|value| self.pure_eval(value, 0))
            .or_else(|| {
                let declared = item.child_by_field_id(FIELDS.type_)?;
                let path = self.type_instance_path(declared)?;
                Some(Eval::path(path, Origin::Constant))
            });
        let Some(eval) = eval else {
            return;
        };
        if self.low.in_function() {
            self.low.bind(name, eval);
        } else {
            self.low.bind_module(name, Binding::Value(eval));
        }
    }

    /// Evaluates a constant initializer without recording anything.
    fn pure_eval(&self, node: Node<'_>, nesting: usize) -> Option<Eval> {
        if nesting > MAX_CONSTANT_NESTING {
            return None;
        }
        match node.kind() {
            "string_literal" | "raw_string_literal" | "char_literal" => {
                Some(self.string_eval(node))
            }
            "integer_literal" | "float_literal" => Some(Eval::number()),
            "boolean_literal" => Some(Eval::literal()),
            "unary_expression" | "type_cast_expression" => Some(Eval::number()),
            "reference_expression" => {
                self.pure_eval(node.child_by_field_id(FIELDS.value)?, nesting + 1)
            }
            "parenthesized_expression" => self.pure_eval(first_named(node)?, nesting + 1),
            "identifier" => match self.low.lookup(self.text(node))? {
                Binding::Value(eval) => Some(eval.clone()),
                Binding::Import(_) => None,
            },
            "array_expression" => {
                let items: Option<Vec<Eval>> = named_children(node)
                    .into_iter()
                    .filter(|item| !is_comment(*item))
                    .map(|item| self.pure_eval(item, nesting + 1))
                    .collect();
                let items = items?;
                let origin = sequence_origin(&items);
                Some(Eval::with_origin(
                    Value::Sequence(items.into_iter().map(|item| item.value).collect()),
                    origin,
                ))
            }
            _ => None,
        }
    }

    // ----- use -------------------------------------------------------------------

    fn use_declaration(&mut self, node: Node<'_>) {
        if let Some(argument) = node.child_by_field_id(FIELDS.argument) {
            self.use_tree(argument, &[], 0);
        }
    }

    fn use_tree(&mut self, node: Node<'_>, prefix: &[String], nesting: usize) {
        if nesting > MAX_CONSTANT_NESTING {
            return;
        }
        match node.kind() {
            "identifier" | "scoped_identifier" | "crate" | "self" | "super" | "metavariable" => {
                let mut segments = prefix.to_vec();
                segments.extend(self.path_segments(node));
                // `use sqlx::{self, PgPool}` binds `sqlx`.
                if segments.len() > 1 && segments.last().is_some_and(|last| last == "self") {
                    segments.pop();
                }
                if let Some(local) = segments.last().cloned() {
                    self.bind_use(&local, &segments);
                }
            }
            "use_as_clause" => {
                let (Some(path), Some(alias)) = (
                    node.child_by_field_id(FIELDS.path),
                    node.child_by_field_id(FIELDS.alias),
                ) else {
                    return;
                };
                let mut segments = prefix.to_vec();
                segments.extend(self.path_segments(path));
                let alias = self.text(alias).to_string();
                self.bind_use(&alias, &segments);
            }
            "scoped_use_list" => {
                let mut segments = prefix.to_vec();
                if let Some(path) = node.child_by_field_id(FIELDS.path) {
                    segments.extend(self.path_segments(path));
                }
                if let Some(list) = node.child_by_field_id(FIELDS.list) {
                    self.use_tree(list, &segments, nesting + 1);
                }
            }
            "use_list" => {
                for child in named_children(node) {
                    self.use_tree(child, prefix, nesting + 1);
                }
            }
            // A glob binds nothing we could name.
            _ => {}
        }
    }

    fn bind_use(&mut self, local: &str, segments: &[String]) {
        if local == "_" || segments.is_empty() {
            return;
        }
        let is_relative = matches!(
            segments.first().map(String::as_str),
            Some("crate" | "self" | "super")
        );
        if is_relative {
            // This project's own items: their API is unknown, so the name stays
            // local. `use super::x` in an inline module names what the parent
            // already bound, which is kept.
            if self.low.lookup(local).is_none() {
                self.low.bind(
                    local,
                    Eval::path(
                        CallPath {
                            text: local.to_string(),
                            resolved: false,
                        },
                        Origin::Unknown,
                    ),
                );
            }
            return;
        }
        self.low.bind_import(local, segments.join("."));
    }

    fn extern_crate(&mut self, node: Node<'_>) {
        let Some(name) = node.child_by_field_id(FIELDS.name) else {
            return;
        };
        let name = self.text(name);
        let local = node
            .child_by_field_id(FIELDS.alias)
            .map_or(name, |alias| self.text(alias));
        self.low.bind_import(local, name.to_string());
    }

    // ----- paths -----------------------------------------------------------------

    /// The segments of a path (`a::b::c`, `Vec::<T>::new`), without recursion.
    fn path_segments(&self, node: Node<'_>) -> Vec<String> {
        let mut segments = Vec::new();
        let mut current = Some(node);
        while let Some(each) = current {
            match each.kind() {
                "scoped_identifier" | "scoped_type_identifier" => {
                    if let Some(name) = each.child_by_field_id(FIELDS.name) {
                        segments.push(self.text(name).to_string());
                    }
                    current = each.child_by_field_id(FIELDS.path);
                }
                "generic_type" | "generic_type_with_turbofish" | "generic_function" => {
                    current = each
                        .child_by_field_id(FIELDS.type_)
                        .or_else(|| each.child_by_field_id(FIELDS.function));
                }
                _ => {
                    segments.push(self.text(each).to_string());
                    current = None;
                }
            }
        }
        segments.reverse();
        segments
    }

    /// Resolves a path's first segment: an import is substituted, a local
    /// binding gives its path, `Self` the impl's type, and anything else is
    /// taken to name a crate.
    fn resolve_segments(&self, segments: &[String]) -> CallPath {
        let Some((first, rest)) = segments.split_first() else {
            return CallPath::default();
        };
        let (root, resolved) = match first.as_str() {
            "crate" | "self" | "super" => (first.clone(), false),
            "Self" => (
                self.impl_types
                    .last()
                    .cloned()
                    .unwrap_or_else(|| first.clone()),
                false,
            ),
            _ => match self.low.lookup(first) {
                Some(Binding::Import(path)) => (path.clone(), true),
                Some(Binding::Value(Eval {
                    value: Value::Path(path),
                    ..
                })) => (path.text.clone(), path.resolved),
                Some(Binding::Value(_)) => (first.clone(), false),
                None => (first.clone(), true),
            },
        };
        let mut text = root;
        for segment in rest {
            text.push('.');
            text.push_str(segment);
        }
        CallPath { text, resolved }
    }

    /// The path of `receiver.name`.
    fn member_path(&self, receiver: &Eval, name: &str, receiver_node: Node<'_>) -> CallPath {
        match &receiver.value {
            Value::Path(path) if path.text.len() <= MAX_PATH_BYTES => CallPath {
                text: format!("{}.{name}", path.text),
                resolved: path.resolved,
            },
            Value::Path(_) => CallPath {
                text: name.to_string(),
                resolved: false,
            },
            Value::Str(_) => CallPath {
                text: format!("str.{name}"),
                resolved: false,
            },
            _ => match &self.last_call {
                // A receiver that is the call just lowered (an iterator chain,
                // whose value is a sequence) is named by that call's path.
                Some((id, path)) if *id == unwrap_call(receiver_node).id() => CallPath {
                    text: format!("{}.{name}", path.text),
                    resolved: path.resolved,
                },
                _ => CallPath {
                    text: format!("{}.{name}", compact(self.text(receiver_node))),
                    resolved: false,
                },
            },
        }
    }

    // ----- types -----------------------------------------------------------------

    /// The segments of a type's base (`web::Path` of `&web::Path<i64>`).
    fn type_segments(&self, declared: Node<'_>) -> Vec<String> {
        let stripped = strip_references(declared);
        match stripped.kind() {
            "generic_type" => stripped
                .child_by_field_id(FIELDS.type_)
                .map(|base| self.path_segments(base))
                .unwrap_or_default(),
            "type_identifier" | "scoped_type_identifier" => self.path_segments(stripped),
            _ => Vec::new(),
        }
    }

    /// The instance path of a declared type: `&PgPool` → `sqlx.PgPool()`,
    /// `web::Data<Arc<PgPool>>` → `sqlx.PgPool()`. Std value types and
    /// unknown local types have none.
    fn type_instance_path(&self, declared: Node<'_>) -> Option<CallPath> {
        let mut current = declared;
        for _ in 0..MAX_TYPE_NESTING {
            current = strip_references(current);
            let segments = match current.kind() {
                "generic_type" => {
                    let segments = self.path_segments(current.child_by_field_id(FIELDS.type_)?);
                    let last = segments.last()?;
                    if WRAPPER_TYPES.contains(&last.as_str()) {
                        current = first_type_argument(current)?;
                        continue;
                    }
                    segments
                }
                "type_identifier" | "scoped_type_identifier" => self.path_segments(current),
                _ => return None,
            };
            return self.instance_path(&segments);
        }
        None
    }

    fn instance_path(&self, segments: &[String]) -> Option<CallPath> {
        let base = if let [name] = segments {
            match self.low.lookup(name) {
                Some(Binding::Import(path)) => CallPath {
                    text: path.clone(),
                    resolved: true,
                },
                Some(Binding::Value(Eval {
                    value: Value::Path(path),
                    ..
                })) => path.clone(),
                _ if name == "Self" => CallPath {
                    text: self.impl_types.last()?.clone(),
                    resolved: false,
                },
                _ if self.structs.contains_key(name) => CallPath {
                    text: name.clone(),
                    resolved: false,
                },
                _ => return None,
            }
        } else {
            self.resolve_segments(segments)
        };
        Some(CallPath {
            text: format!("{}()", base.text),
            resolved: base.resolved,
        })
    }

    /// A number, or a number inside an extractor or an option (`Path<i64>`,
    /// `web::Query<u32>`, `Option<Uuid>`).
    fn type_is_numeric(&self, declared: Node<'_>) -> bool {
        let mut current = declared;
        for _ in 0..MAX_TYPE_NESTING {
            current = strip_references(current);
            match current.kind() {
                "primitive_type" => return is_numeric_annotation(self.text(current)),
                "generic_type" => {
                    let segments = self.type_segments(current);
                    let is_see_through = segments.last().is_some_and(|last| {
                        matches!(
                            last.as_str(),
                            "Path" | "Query" | "Json" | "Form" | "Option" | "Box" | "Arc"
                        )
                    });
                    match first_type_argument(current) {
                        Some(argument) if is_see_through => current = argument,
                        _ => return false,
                    }
                }
                _ => return is_numeric_annotation(self.text(current)),
            }
        }
        false
    }

    /// A sequence of numbers (`Vec<i64>`, `&[u32]`, `Query<Vec<i64>>`).
    fn type_is_numeric_sequence(&self, declared: Node<'_>) -> bool {
        let mut current = declared;
        for _ in 0..MAX_TYPE_NESTING {
            current = strip_references(current);
            match current.kind() {
                "array_type" => {
                    return current
                        .child_by_field_id(FIELDS.element)
                        .is_some_and(|element| self.type_is_numeric(element));
                }
                "generic_type" => {
                    let segments = self.type_segments(current);
                    let Some(last) = segments.last() else {
                        return false;
                    };
                    let Some(argument) = first_type_argument(current) else {
                        return false;
                    };
                    match last.as_str() {
                        "Vec" | "VecDeque" | "HashSet" | "BTreeSet" => {
                            return self.type_is_numeric(argument)
                        }
                        "Path" | "Query" | "Json" | "Form" | "Option" | "Box" | "Arc" => {
                            current = argument
                        }
                        _ => return false,
                    }
                }
                _ => return false,
            }
        }
        false
    }

    // ----- the walk --------------------------------------------------------------

    fn visit_named(&mut self, node: Node<'_>) -> Eval {
        for child in named_children(node) {
            self.expr(child);
        }
        Eval::unknown()
    }

    /// Visits `node` and returns what is known of its value.
    fn expr(&mut self, node: Node<'_>) -> Eval {
        if node.is_missing() {
            self.error(span(node));
            return Eval::unknown();
        }
        if self.depth >= MAX_DEPTH {
            // Deeper than a worker's stack allows: skipped, and said so.
            self.error(span(node));
            return Eval::unknown();
        }
        self.depth += 1;
        let eval = self.dispatch(node);
        self.recover(node);
        self.depth -= 1;
        eval
    }

    /// Visits a node through the handler for its kind. A table rather than a
    /// `match`: this frame is on the stack once per level of nesting, and an
    /// unoptimised `match` over every kind reserves room for every arm.
    fn dispatch(&mut self, node: Node<'_>) -> Eval {
        let handler = match self.handlers.get(usize::from(node.kind_id())) {
            Some(handler) => *handler,
            None => Self::handler(node.kind()),
        };
        handler(self, node)
    }

    fn handler(kind: &str) -> Visit<'src> {
        match kind {
            "ERROR" => Self::error_node,
            "line_comment" | "block_comment" | "empty_statement" | "shebang" => Self::nothing,
            "source_file" | "declaration_list" | "block" => Self::statements,
            "expression_statement"
            | "try_expression"
            | "parenthesized_expression"
            | "unsafe_block"
            | "const_block"
            | "try_block"
            | "gen_block" => Self::inner,
            "async_block" => Self::async_block,
            "function_item" => Self::function_item,
            "impl_item" | "trait_item" => Self::impl_item,
            "mod_item" => Self::mod_item,
            "use_declaration" => Self::use_in_walk,
            "const_item" | "static_item" => Self::constant,
            "struct_item"
            | "enum_item"
            | "union_item"
            | "type_item"
            | "associated_type"
            | "macro_definition"
            | "attribute_item"
            | "inner_attribute_item"
            | "function_signature_item"
            | "foreign_mod_item"
            | "extern_crate_declaration" => Self::skipped_item,
            "let_declaration" => Self::let_declaration,
            "assignment_expression" => Self::assignment,
            "compound_assignment_expr" => Self::compound_assignment,
            "call_expression" => Self::call_expression,
            "macro_invocation" => Self::macro_invocation,
            "await_expression" => Self::await_expression,
            "reference_expression" => Self::reference,
            "unary_expression" => Self::unary,
            "type_cast_expression" => Self::type_cast,
            "binary_expression" => Self::binary,
            "field_expression" => Self::field,
            "identifier" | "self" => Self::name,
            "scoped_identifier" => Self::scoped_value,
            "generic_function" => Self::generic_function,
            "string_literal" | "raw_string_literal" | "char_literal" => Self::string_value,
            "integer_literal" => Self::integer,
            "float_literal" => Self::number,
            "boolean_literal" | "unit_expression" => Self::literal,
            "closure_expression" => Self::closure_value,
            "if_expression" => Self::if_expression,
            "match_expression" => Self::match_expression,
            "for_expression" => Self::for_expression,
            "while_expression" => Self::while_expression,
            "loop_expression" => Self::loop_expression,
            "array_expression" => Self::array,
            "tuple_expression" => Self::tuple,
            "index_expression" => Self::index,
            "range_expression" => Self::range,
            "struct_expression" => Self::struct_expression,
            "let_condition" | "let_chain" => Self::condition_value,
            "return_expression" => Self::return_value,
            _ => Self::visit_named,
        }
    }

    fn error_node(&mut self, node: Node<'_>) -> Eval {
        self.walked_errors.insert(node.id());
        self.error(span(node));
        self.statements(node);
        Eval::unknown()
    }

    fn nothing(&mut self, _node: Node<'_>) -> Eval {
        Eval::unknown()
    }

    fn string_value(&mut self, node: Node<'_>) -> Eval {
        self.string_eval(node)
    }

    fn number(&mut self, _node: Node<'_>) -> Eval {
        Eval::number()
    }

    fn integer(&mut self, node: Node<'_>) -> Eval {
        Eval::numeral(self.text(node))
    }

    fn literal(&mut self, node: Node<'_>) -> Eval {
        match self.text(node) {
            "true" => Eval::boolean(true),
            "false" => Eval::boolean(false),
            _ => Eval::literal(),
        }
    }

    /// Nodes whose value is their only child's: statements, `?`, parentheses,
    /// `async`/`unsafe` blocks.
    /// `async { … }`: a future, run on the executor like an `async fn`.
    fn async_block(&mut self, node: Node<'_>) -> Eval {
        self.low.push_async_block(span(node));
        self.inner(node)
    }

    fn inner(&mut self, node: Node<'_>) -> Eval {
        match first_named(node) {
            Some(inner) => self.expr(inner),
            None => Eval::unknown(),
        }
    }

    fn reference(&mut self, node: Node<'_>) -> Eval {
        match node.child_by_field_id(FIELDS.value) {
            Some(value) => self.expr(value),
            None => Eval::unknown(),
        }
    }

    fn generic_function(&mut self, node: Node<'_>) -> Eval {
        match node.child_by_field_id(FIELDS.function) {
            Some(function) => self.expr(function),
            None => Eval::unknown(),
        }
    }

    fn name(&mut self, node: Node<'_>) -> Eval {
        let name = self.text(node);
        self.low.note_read(name, span(node));
        // `None` (unless the file rebinds it) is a literal, as in Python.
        if name == "None" && self.low.lookup(name).is_none() {
            return Eval::literal();
        }
        let eval = self.low.eval_name(name, span(node));
        self.low.sourced(eval, span(node))
    }

    /// Where the local a method is called on was bound (see
    /// `Call::receiver_defined_at`); fields of `self` are not followed.
    fn receiver_site(&self, node: Node<'_>) -> Option<Span> {
        let node = unwrap_reference(node);
        if node.kind() != "identifier" {
            return None;
        }
        match self.low.lookup(self.text(node))? {
            Binding::Value(eval) => eval.defined_at,
            Binding::Import(_) => None,
        }
    }

    /// Where the object a field is read from was bound, through field reads
    /// (`config` of `config.http.timeout`).
    fn object_site(&self, node: Node<'_>) -> Option<Span> {
        site_through(
            unwrap_reference(node),
            |current| self.receiver_site(current),
            |current| {
                let value = current.child_by_field_id(FIELDS.value);
                value
                    .filter(|_| current.kind() == "field_expression")
                    .map(unwrap_reference)
            },
        )
    }

    /// `#[test]`, `#[tokio::test]`, `#[rstest]`, `#[sqlx::test(…)]`…
    fn has_test_attribute(&self, attributes: &[Node<'_>]) -> bool {
        attributes.iter().any(|item| {
            let text: String = self
                .text(*item)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let inner = text.trim_start_matches("#[").trim_end_matches(']');
            let path = inner.split('(').next().unwrap_or("");
            path == "test" || path.ends_with("::test") || path == "rstest"
        })
    }

    /// `#[cfg(test)]`, `#[cfg(all(test, …))]`.
    fn has_cfg_test(&self, attributes: &[Node<'_>]) -> bool {
        attributes.iter().any(|item| {
            let text: String = self
                .text(*item)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            text.starts_with("#[cfg(")
                && text
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .any(|word| word == "test")
        })
    }

    fn return_value(&mut self, node: Node<'_>) -> Eval {
        let returned = match first_named(node) {
            Some(value) => self.expr(value),
            None => Eval::literal(),
        };
        self.low.note_return(returned);
        // No value reaches what is around a `return`: an arm that returns
        // adds nothing to the arms that yield.
        Eval::with_origin(Value::Unknown, Origin::Constant)
    }

    fn function_item(&mut self, node: Node<'_>) -> Eval {
        self.function(node, &[]);
        Eval::unknown()
    }

    fn mod_item(&mut self, node: Node<'_>) -> Eval {
        if let Some(body) = node.child_by_field_id(FIELDS.body) {
            self.declare_items(body);
            self.expr(body);
        }
        Eval::unknown()
    }

    fn use_in_walk(&mut self, node: Node<'_>) -> Eval {
        // Module-level ones were bound before the walk.
        if self.low.in_function() {
            self.use_declaration(node);
        }
        self.scan_errors(node);
        Eval::unknown()
    }

    fn skipped_item(&mut self, node: Node<'_>) -> Eval {
        self.scan_errors(node);
        Eval::unknown()
    }

    fn call_expression(&mut self, node: Node<'_>) -> Eval {
        self.call(node, false)
    }

    fn macro_invocation(&mut self, node: Node<'_>) -> Eval {
        self.macro_call(node, false)
    }

    fn closure_value(&mut self, node: Node<'_>) -> Eval {
        let params = self.closure_params(node);
        let result = self.closure(node, params, None);
        Eval::with_origin(Value::Function, result.body.origin)
    }

    fn tuple(&mut self, node: Node<'_>) -> Eval {
        let items: Vec<Eval> = named_children(node)
            .into_iter()
            .filter(|item| !is_comment(*item) && item.kind() != "attribute_item")
            .map(|item| self.expr(item))
            .collect();
        let origin = sequence_origin(&items);
        Eval::with_origin(
            Value::Sequence(items.into_iter().map(|item| item.value).collect()),
            origin,
        )
    }

    fn range(&mut self, node: Node<'_>) -> Eval {
        self.visit_named(node);
        Eval::with_origin(Value::Sequence(vec![Value::Number(None)]), Origin::Numeric)
    }

    fn condition_value(&mut self, node: Node<'_>) -> Eval {
        self.condition(node);
        Eval::literal()
    }

    /// The statements or items of a block, a file or a declaration list, with
    /// each item's preceding attributes; yields the block's tail value.
    fn statements(&mut self, node: Node<'_>) -> Eval {
        let mut attributes: Vec<Node<'_>> = Vec::new();
        let mut tail = Eval::unknown();
        for child in named_children(node) {
            match child.kind() {
                "attribute_item" | "inner_attribute_item" => {
                    self.scan_errors(child);
                    attributes.push(child);
                    continue;
                }
                "line_comment" | "block_comment" => continue,
                "function_item" => {
                    if self.has_test_attribute(&attributes) {
                        self.low.push_test_code(span(child));
                    }
                    self.function(child, &attributes);
                    tail = Eval::unknown();
                }
                "mod_item" => {
                    if self.has_cfg_test(&attributes) {
                        self.low.push_test_code(span(child));
                    }
                    tail = self.expr(child);
                }
                "expression_statement" => {
                    let eval = self.expr(child);
                    tail = if ends_with_semicolon(child) {
                        Eval::unknown()
                    } else {
                        eval
                    };
                }
                _ => tail = self.expr(child),
            }
            attributes.clear();
        }
        tail
    }

    // ----- items in the walk -----------------------------------------------------

    fn impl_item(&mut self, node: Node<'_>) -> Eval {
        let field = if node.kind() == "trait_item" {
            FIELDS.name
        } else {
            FIELDS.type_
        };
        let type_name = node
            .child_by_field_id(field)
            .map(|declared| {
                let segments = self.type_segments(declared);
                segments
                    .last()
                    .cloned()
                    .unwrap_or_else(|| self.text(declared).to_string())
            })
            .unwrap_or_default();
        for child in named_children(node) {
            if child.kind() != "declaration_list" {
                self.scan_errors(child);
            }
        }
        self.impl_types.push(type_name);
        if let Some(body) = node.child_by_field_id(FIELDS.body) {
            // Associated constants, for `Self::TABLE`.
            self.declare_items(body);
            self.expr(body);
        }
        self.impl_types.pop();
        Eval::unknown()
    }

    fn constant(&mut self, node: Node<'_>) -> Eval {
        if let Some(declared) = node.child_by_field_id(FIELDS.type_) {
            self.scan_errors(declared);
        }
        let eval = node
            .child_by_field_id(FIELDS.value)
            .map(|value| self.expr(value));
        // Module-level constants were bound before the walk.
        if !self.low.in_function() {
            return Eval::unknown();
        }
        let Some(name) = node.child_by_field_id(FIELDS.name) else {
            return Eval::unknown();
        };
        if let Some(eval) = eval {
            self.low.bind(self.text(name), eval);
        }
        Eval::unknown()
    }

    // ----- functions -------------------------------------------------------------

    fn function(&mut self, node: Node<'_>, attributes: &[Node<'_>]) {
        // Items are reached from statement lists, not through `expr`: the
        // depth guard is repeated here.
        if self.depth >= MAX_DEPTH {
            self.error(span(node));
            return;
        }
        self.depth += 1;
        self.begin_function_item(node, attributes);
        if let Some(body) = node.child_by_field_id(FIELDS.body) {
            let tail = self.expr(body);
            if !matches!(tail.value, Value::Unknown) || tail.origin != Origin::Unknown {
                self.low.note_return(tail);
            }
        }
        self.low.end_function();
        self.recover(node);
        self.depth -= 1;
    }

    fn begin_function_item(&mut self, node: Node<'_>, attributes: &[Node<'_>]) {
        let name_node = node.child_by_field_id(FIELDS.name);
        let name = name_node
            .map_or("<anonymous>", |name| self.text(name))
            .to_string();
        let is_async = named_children(node).iter().any(|child| {
            child.kind() == "function_modifiers"
                && self
                    .text(*child)
                    .split_whitespace()
                    .any(|word| word == "async")
        });
        let mut params = match node.child_by_field_id(FIELDS.parameters) {
            Some(parameters) => self.parameters(parameters),
            None => Vec::new(),
        };
        let mut handler = self.route_attribute(attributes);
        if handler.is_none() && is_async {
            handler = params.iter().find_map(|param| {
                param.signature_framework.map(|framework| Handler {
                    framework,
                    evidence: param.spec.param.span,
                })
            });
        }
        if handler.is_some() {
            for param in &mut params {
                if param.is_body {
                    param.spec.param.is_request_input = true;
                }
            }
        }
        for child in named_children(node) {
            if !matches!(child.kind(), "block" | "parameters" | "identifier") {
                self.scan_errors(child);
            }
        }
        let mut rebinds = Vec::new();
        let mut specs = Vec::with_capacity(params.len());
        for param in params {
            if let Some(eval) = param.rebind {
                rebinds.push((param.spec.param.name.clone(), eval));
            }
            specs.push(param.spec);
        }
        let owner = self.impl_types.last().cloned();
        let id = self.low.begin_function(FunctionSpec {
            callable: owner.is_none(),
            owner,
            name: name.clone(),
            span: span(node),
            name_span: name_node.map_or(span(node), span),
            is_async,
            handler,
            params: specs,
        });
        for (param_name, eval) in rebinds {
            self.low.bind(&param_name, eval);
        }
        self.functions_by_name.entry(name).or_default().push(id);
    }

    /// `#[get("/")]`, `#[actix_web::post("/")]`, `#[route("/", method = "GET")]`.
    fn route_attribute(&self, attributes: &[Node<'_>]) -> Option<Handler> {
        for item in attributes {
            let Some(attribute) = named_children(*item)
                .into_iter()
                .find(|child| child.kind() == "attribute")
            else {
                continue;
            };
            let Some(path) = first_named(attribute) else {
                continue;
            };
            if attribute.child_by_field_id(FIELDS.arguments).is_none() {
                continue;
            }
            let segments = self.path_segments(path);
            let Some(last) = segments.last() else {
                continue;
            };
            if !ROUTE_ATTRIBUTES.contains(&last.as_str()) {
                continue;
            }
            let root = self.resolve_segments(&segments);
            let framework = if root.text.starts_with("rocket") {
                "rocket"
            } else {
                "actix"
            };
            return Some(Handler {
                framework,
                evidence: span(*item),
            });
        }
        None
    }

    fn parameters(&mut self, parameters: Node<'_>) -> Vec<LoweredParam> {
        self.scan_errors(parameters);
        let mut lowered = Vec::new();
        for child in named_children(parameters) {
            match child.kind() {
                "self_parameter" => lowered.push(LoweredParam {
                    spec: ParamSpec {
                        param: Param {
                            name: "self".to_string(),
                            span: span(child),
                            annotation: None,
                            is_request_input: false,
                        },
                        annotation_path: None,
                    },
                    // The receiver's fields are the object's state, not the caller's
                    // data: `self.table` is not a parameter.
                    rebind: Some(Eval {
                        value: Value::Path(CallPath {
                            text: "self".to_string(),
                            resolved: false,
                        }),
                        origin: Origin::Unknown,
                        defined_at: Some(span(child)),
                    }),
                    is_body: false,
                    signature_framework: None,
                }),
                "parameter" => self.parameter(child, &mut lowered),
                _ => {}
            }
        }
        lowered
    }

    fn parameter(&mut self, parameter: Node<'_>, lowered: &mut Vec<LoweredParam>) {
        let Some(pattern) = parameter.child_by_field_id(FIELDS.pattern) else {
            return;
        };
        let declared = parameter.child_by_field_id(FIELDS.type_);
        let annotation = declared.map(|declared| self.text(declared).to_string());
        let segments = declared
            .map(|declared| self.type_segments(declared))
            .unwrap_or_default();
        // Extractors are taken by value (`Path<String>`); `&Path` is
        // `std::path::Path`, and `Path` without arguments is not axum's.
        let by_value_generic = declared.is_some_and(|declared| declared.kind() == "generic_type");
        let base = match segments.last().map(String::as_str).unwrap_or("") {
            "Path" | "Query" | "Json" | "Form" | "State" | "Extension" | "Data"
                if !by_value_generic =>
            {
                ""
            }
            base => base,
        };
        let is_input_extractor = INPUT_EXTRACTORS.contains(&base);
        let is_extractor = is_input_extractor || STATE_EXTRACTORS.contains(&base);
        let signature_framework = if HANDLER_SIGNATURE_TYPES.contains(&base) {
            let resolved = self.resolve_segments(&segments);
            let is_actix = base == "HttpRequest"
                || segments.first().is_some_and(|first| first == "web")
                || resolved.text.starts_with("actix");
            Some(if is_actix { "actix" } else { "axum" })
        } else {
            None
        };
        let inner_type = declared
            .filter(|_| is_extractor)
            .and_then(|declared| first_type_argument(strip_references(declared)));

        // Each bound name with the type of what it holds: `State(pool):
        // State<PgPool>` binds `pool` to a `PgPool`.
        let mut names: Vec<(String, Option<Node<'_>>)> = Vec::new();
        let destructured = (pattern.kind() == "tuple_struct_pattern" && is_extractor)
            .then(|| pattern_parts(pattern))
            .filter(|parts| parts.len() == 1);
        match destructured.as_deref() {
            Some([inner]) => {
                let inner = strip_pattern(*inner);
                let element_types = inner_type
                    .filter(|inner_type| inner_type.kind() == "tuple_type")
                    .map(|inner_type| {
                        named_children(inner_type)
                            .into_iter()
                            .filter(|child| !is_comment(*child))
                            .collect::<Vec<_>>()
                    });
                let elements = (inner.kind() == "tuple_pattern").then(|| pattern_parts(inner));
                match (elements, element_types) {
                    (Some(elements), Some(types)) if elements.len() == types.len() => {
                        for (element, element_type) in elements.into_iter().zip(types) {
                            for (name, _) in self.pattern_names(element) {
                                names.push((name, Some(element_type)));
                            }
                        }
                    }
                    _ => {
                        for (name, _) in self.pattern_names(inner) {
                            names.push((name, inner_type));
                        }
                    }
                }
            }
            _ => {
                // `body: web::Json<Adjustment>` derefs to an `Adjustment`.
                let value_type = if is_input_extractor {
                    inner_type.or(declared)
                } else {
                    declared
                };
                for (name, _) in self.pattern_names(pattern) {
                    names.push((name, value_type));
                }
            }
        }

        let is_plain = matches!(strip_pattern(pattern).kind(), "identifier");
        for (name, value_type) in names {
            let numeric = value_type.is_some_and(|value_type| self.type_is_numeric(value_type));
            let numeric_sequence = !numeric
                && value_type.is_some_and(|value_type| self.type_is_numeric_sequence(value_type));
            let annotation_path =
                value_type.and_then(|value_type| self.type_instance_path(value_type));
            let is_request_input = is_input_extractor && !numeric && !numeric_sequence;
            let annotation_says_numeric = annotation.as_deref().is_some_and(is_numeric_annotation);
            let defined_at = Some(span(parameter));
            let rebind = if numeric && !annotation_says_numeric {
                Some(Eval {
                    value: Value::Number(None),
                    origin: Origin::Numeric,
                    defined_at,
                })
            } else if numeric_sequence {
                // Numbers cannot carry text, however many: `ids: Vec<i64>` joined
                // into SQL is safe.
                Some(Eval {
                    value: Value::Sequence(vec![Value::Number(None)]),
                    origin: Origin::Numeric,
                    defined_at,
                })
            } else {
                None
            };
            lowered.push(LoweredParam {
                spec: ParamSpec {
                    param: Param {
                        name,
                        span: span(parameter),
                        annotation: annotation.clone(),
                        is_request_input,
                    },
                    annotation_path,
                },
                rebind,
                is_body: is_plain && BODY_TYPES.contains(&base),
                signature_framework,
            });
        }
    }

    fn closure_params(&mut self, node: Node<'_>) -> Vec<ClosureParam> {
        let mut params = Vec::new();
        let Some(parameters) = node.child_by_field_id(FIELDS.parameters) else {
            return params;
        };
        self.scan_errors(parameters);
        for child in named_children(parameters) {
            if is_comment(child) {
                continue;
            }
            let (pattern, declared) = if child.kind() == "parameter" {
                (
                    child.child_by_field_id(FIELDS.pattern),
                    child.child_by_field_id(FIELDS.type_),
                )
            } else {
                (Some(child), None)
            };
            let Some(pattern) = pattern else {
                continue;
            };
            let annotation = declared.map(|declared| self.text(declared).to_string());
            let annotation_path = declared.and_then(|declared| self.type_instance_path(declared));
            for (name, _) in self.pattern_names(pattern) {
                params.push(ClosureParam {
                    name,
                    span: span(child),
                    annotation: annotation.clone(),
                    annotation_path: annotation_path.clone(),
                });
            }
        }
        params
    }

    /// Lowers a closure as an anonymous function. `element` is what each
    /// parameter holds when the closure is an iteration callback.
    fn closure(
        &mut self,
        node: Node<'_>,
        params: Vec<ClosureParam>,
        element: Option<&Eval>,
    ) -> ClosureResult {
        let id = self.begin_closure(node, params, element);
        let body = match node.child_by_field_id(FIELDS.body) {
            Some(body) => self.expr(body),
            None => Eval::unknown(),
        };
        self.low.note_return(body.clone());
        self.low.end_function();
        ClosureResult { body, id }
    }

    fn begin_closure(
        &mut self,
        node: Node<'_>,
        params: Vec<ClosureParam>,
        element: Option<&Eval>,
    ) -> FunctionId {
        let name_end = node
            .child_by_field_id(FIELDS.parameters)
            .map_or(node.end_byte(), |parameters| parameters.end_byte());
        let element_names: Vec<String> = params
            .iter()
            .filter(|param| {
                !param
                    .annotation
                    .as_deref()
                    .is_some_and(is_numeric_annotation)
            })
            .map(|param| param.name.clone())
            .collect();
        let specs = params
            .into_iter()
            .map(|param| ParamSpec {
                param: Param {
                    name: param.name,
                    span: param.span,
                    annotation: param.annotation,
                    is_request_input: false,
                },
                annotation_path: param.annotation_path,
            })
            .collect();
        let id = self.low.begin_function(FunctionSpec {
            owner: None,
            callable: false,
            name: "<anonymous>".to_string(),
            span: span(node),
            name_span: Span::new(node.start_byte(), name_end),
            is_async: closure_is_async(node),
            handler: None,
            params: specs,
        });
        if let Some(element) = element {
            for name in &element_names {
                self.low.bind(name, element.clone());
            }
        }
        id
    }

    // ----- statements ------------------------------------------------------------

    fn let_declaration(&mut self, node: Node<'_>) -> Eval {
        let value = node.child_by_field_id(FIELDS.value);
        let mut eval = value.map_or_else(Eval::unknown, |value| self.expr(value));
        if let Some(declared) = node.child_by_field_id(FIELDS.type_) {
            self.scan_errors(declared);
            if self.type_is_numeric(declared) {
                eval = Eval {
                    value: Value::Number(None),
                    origin: Origin::Numeric,
                    defined_at: eval.defined_at,
                };
            } else if self.type_is_numeric_sequence(declared) {
                eval = Eval {
                    value: Value::Sequence(vec![Value::Number(None)]),
                    origin: Origin::Numeric,
                    defined_at: eval.defined_at,
                };
            } else if !matches!(eval.value, Value::Str(_) | Value::Sequence(_)) {
                if let Some(path) = self.type_instance_path(declared) {
                    eval.value = Value::Path(path);
                }
            }
        }
        if eval.defined_at.is_none() {
            eval.defined_at = match &eval.value {
                Value::Str(shape) => Some(shape.span),
                _ => value.map(span),
            };
        }
        if let Some(pattern) = node.child_by_field_id(FIELDS.pattern) {
            self.scan_errors(pattern);
            self.bind_pattern(pattern, &eval);
            self.note_pattern(pattern, value.map(span));
        }
        if let Some(alternative) = node.child_by_field_id(FIELDS.alternative) {
            self.expr(alternative);
        }
        Eval::unknown()
    }

    fn assignment(&mut self, node: Node<'_>) -> Eval {
        let (Some(left), Some(right)) = (
            node.child_by_field_id(FIELDS.left),
            node.child_by_field_id(FIELDS.right),
        ) else {
            return self.visit_named(node);
        };
        let mut eval = self.expr(right);
        if left.kind() == "identifier" {
            self.low
                .note_assignment(span(left), Some(span(right)), AssignmentKind::Bind);
            if eval.defined_at.is_none() {
                eval.defined_at = match &eval.value {
                    Value::Str(shape) => Some(shape.span),
                    _ => Some(span(right)),
                };
            }
            self.rebind(self.text(left), eval);
        } else if left.kind() == "field_expression" {
            let target = self.expr(left);
            let object_defined_at = left
                .child_by_field_id(FIELDS.value)
                .and_then(|object| self.object_site(object));
            self.low.push_attribute_write(AttributeWriteSpec {
                span: span(node),
                target: match target.value {
                    Value::Path(path) => path,
                    _ => CallPath {
                        text: compact(self.text(left)).to_string(),
                        resolved: false,
                    },
                },
                object_defined_at,
                value: eval.value,
                value_span: span(right),
            });
        } else {
            self.note_store(left, Some(span(right)));
            self.expr(left);
        }
        Eval::unknown()
    }

    fn compound_assignment(&mut self, node: Node<'_>) -> Eval {
        let (Some(left), Some(right)) = (
            node.child_by_field_id(FIELDS.left),
            node.child_by_field_id(FIELDS.right),
        ) else {
            return self.visit_named(node);
        };
        let value = self.expr(right);
        if left.kind() != "identifier" {
            self.note_store(left, Some(span(right)));
            self.expr(left);
            return Eval::unknown();
        }
        self.low
            .note_assignment(span(left), Some(span(right)), AssignmentKind::Update);
        let name = self.text(left);
        let is_append = node
            .child_by_field_id(FIELDS.operator)
            .is_some_and(|operator| self.text(operator) == "+=");
        if is_append {
            let spliced = unwrap_reference(right);
            let spliced_text = self.text(spliced);
            self.update_value(name, span(left), |existing| {
                append(existing, value, span(spliced), spliced_text)
            });
        } else {
            self.rebind(name, Eval::number());
        }
        Eval::unknown()
    }

    /// Binds the names of a pattern to what they take from `eval`: a plain name
    /// (or `Some(x)`, `Ok(x)`) gets the whole value, names taken apart from it
    /// get its origin.
    fn bind_pattern(&mut self, pattern: Node<'_>, eval: &Eval) {
        let mut current = pattern;
        for _ in 0..MAX_TYPE_NESTING {
            current = strip_pattern(current);
            match current.kind() {
                "identifier" => {
                    let name = self.text(current);
                    if is_binding_name(name) {
                        self.low.bind(name, eval.clone());
                    }
                    return;
                }
                "tuple_struct_pattern" => {
                    let is_wrapper = current
                        .child_by_field_id(FIELDS.type_)
                        .is_some_and(|kind| matches!(self.text(kind), "Some" | "Ok" | "Box"));
                    let parts = pattern_parts(current);
                    match parts.as_slice() {
                        [inner] if is_wrapper => current = *inner,
                        _ => break,
                    }
                }
                _ => break,
            }
        }
        for (name, _) in self.pattern_names(current) {
            self.low.bind(
                &name,
                Eval {
                    value: Value::Unknown,
                    origin: eval.origin,
                    defined_at: eval.defined_at,
                },
            );
        }
    }

    /// Records the names `pattern` binds as taking their values from the
    /// expression at `value`.
    fn note_pattern(&mut self, pattern: Node<'_>, value: Option<Span>) {
        for (_, at) in self.pattern_names(pattern) {
            self.low.note_assignment(at, value, AssignmentKind::Bind);
        }
    }

    /// `self.total = …`, `rows[i] = …`, `*count += 1`: what the root name
    /// holds changes.
    fn note_store(&mut self, target: Node<'_>, value: Option<Span>) {
        let mut root = target;
        for _ in 0..MAX_DEPTH {
            let inner = match root.kind() {
                "field_expression" => root.child_by_field_id(FIELDS.value),
                "index_expression" | "unary_expression" | "parenthesized_expression" => {
                    first_named(root)
                }
                _ => None,
            };
            match inner {
                Some(inner) => root = inner,
                None => break,
            }
        }
        if matches!(root.kind(), "identifier" | "self") && root != target {
            self.low
                .note_assignment(span(root), value, AssignmentKind::Store);
        }
    }

    /// The names a pattern binds, in order. Iterative: patterns nest without
    /// bound.
    fn pattern_names(&self, pattern: Node<'_>) -> Vec<(String, Span)> {
        let mut names = Vec::new();
        let mut stack = vec![pattern];
        while let Some(node) = stack.pop() {
            match node.kind() {
                "identifier" => {
                    let name = self.text(node);
                    if is_binding_name(name) {
                        names.push((name.to_string(), span(node)));
                    }
                }
                "shorthand_field_identifier" => {
                    names.push((self.text(node).to_string(), span(node)));
                }
                "scoped_identifier"
                | "type_identifier"
                | "scoped_type_identifier"
                | "field_identifier"
                | "string_literal"
                | "raw_string_literal"
                | "char_literal"
                | "integer_literal"
                | "float_literal"
                | "boolean_literal"
                | "negative_literal"
                | "range_pattern"
                | "mutable_specifier" => {}
                _ => {
                    let mut parts = pattern_parts(node);
                    parts.reverse();
                    stack.extend(parts);
                }
            }
        }
        names
    }

    // ----- control flow ----------------------------------------------------------

    fn condition(&mut self, node: Node<'_>) {
        match node.kind() {
            "let_condition" => {
                let value = node.child_by_field_id(FIELDS.value);
                let eval = value.map_or_else(Eval::unknown, |value| self.expr(value));
                if let Some(pattern) = node.child_by_field_id(FIELDS.pattern) {
                    self.scan_errors(pattern);
                    self.bind_pattern(pattern, &eval);
                    self.note_pattern(pattern, value.map(span));
                }
                self.recover(node);
            }
            "let_chain" => {
                for child in named_children(node) {
                    self.condition(child);
                }
                self.recover(node);
            }
            _ => {
                self.expr(node);
            }
        }
    }

    fn if_expression(&mut self, node: Node<'_>) -> Eval {
        if let Some(condition) = node.child_by_field_id(FIELDS.condition) {
            self.condition(condition);
            if let Some(subject) = self.allow_list_guard(node, condition) {
                let subject_node = subject;
                if subject_node.kind() == "identifier" {
                    let name = self.text(subject_node).to_string();
                    self.low.admit(&name);
                } else {
                    let text = self.text(subject_node).to_string();
                    self.low.admit_expression(&text);
                }
            }
        }
        let conditional = self.low.begin_conditional();
        let consequence = node.child_by_field_id(FIELDS.consequence);
        let consequence_span = consequence.map_or(span(node), span);
        self.low.enter_arm(
            conditional,
            0,
            consequence_span,
            consequence.is_some_and(leaves),
        );
        let consequence = consequence.map(|consequence| self.expr(consequence));
        self.low.exit_arm();
        let Some(alternative) = node.child_by_field_id(FIELDS.alternative) else {
            self.low.end_conditional(false);
            return Eval::unknown();
        };
        self.low.enter_arm(
            conditional,
            1,
            span(alternative),
            first_named(alternative).is_some_and(leaves),
        );
        let alternative = first_named(alternative).map(|inner| self.expr(inner));
        self.low.exit_arm();
        self.low.end_conditional(true);
        either(consequence, alternative)
    }

    /// `if !ALLOWED.contains(&x) { return Err(…) }`: the value checked
    /// against a constant collection, when any other value leaves.
    fn allow_list_guard<'tree>(
        &self,
        statement: Node<'tree>,
        condition: Node<'tree>,
    ) -> Option<Node<'tree>> {
        if statement.child_by_field_id(FIELDS.alternative).is_some()
            || condition.kind() != "unary_expression"
            || !self.text(condition).starts_with('!')
        {
            return None;
        }
        let mut call = first_named(condition)?;
        while call.kind() == "parenthesized_expression" {
            call = first_named(call)?;
        }
        if call.kind() != "call_expression" {
            return None;
        }
        let function = call.child_by_field_id(FIELDS.function)?;
        if function.kind() != "field_expression" {
            return None;
        }
        let method = self.text(function.child_by_field_id(FIELDS.field)?);
        if !matches!(method, "contains" | "contains_key") {
            return None;
        }
        let collection = function.child_by_field_id(FIELDS.value)?;
        let collection_text = self.text(collection);
        let collection_name = collection_text
            .rsplit("::")
            .next()
            .unwrap_or(collection_text);
        if !looks_constant(collection_name) {
            return None;
        }
        let arguments = call.child_by_field_id(FIELDS.arguments)?;
        let mut subject = unwrap_reference(first_named(arguments)?);
        // `&x.as_str()`, `x.as_ref()`: the value itself.
        while subject.kind() == "call_expression" {
            let inner = subject.child_by_field_id(FIELDS.function)?;
            let converts = inner.kind() == "field_expression"
                && inner.child_by_field_id(FIELDS.field).is_some_and(|field| {
                    matches!(
                        self.text(field),
                        "as_str" | "as_ref" | "as_deref" | "to_string"
                    )
                });
            if !converts {
                return None;
            }
            subject = inner.child_by_field_id(FIELDS.value)?;
        }
        if !matches!(subject.kind(), "identifier" | "field_expression") {
            return None;
        }
        let consequence = statement.child_by_field_id(FIELDS.consequence)?;
        let last = named_children(consequence)
            .into_iter()
            .rev()
            .find(|child| !is_comment(*child))?;
        let last = if last.kind() == "expression_statement" {
            first_named(last)?
        } else {
            last
        };
        let exits = match last.kind() {
            "return_expression" | "break_expression" | "continue_expression" => true,
            "macro_invocation" => {
                let text = self.text(last);
                ["bail!", "panic!", "unreachable!", "anyhow::bail!"]
                    .iter()
                    .any(|exit| text.starts_with(exit))
            }
            _ => false,
        };
        exits.then_some(subject)
    }

    fn match_expression(&mut self, node: Node<'_>) -> Eval {
        let scrutinee_node = node.child_by_field_id(FIELDS.value);
        let scrutinee = scrutinee_node.map_or_else(Eval::unknown, |value| self.expr(value));
        let Some(body) = node.child_by_field_id(FIELDS.body) else {
            return Eval::unknown();
        };
        let mut result: Option<Eval> = None;
        let conditional = self.low.begin_conditional();
        for (index, arm) in named_children(body).into_iter().enumerate() {
            if arm.kind() != "match_arm" {
                self.expr(arm);
                continue;
            }
            let exits = arm.child_by_field_id(FIELDS.value).is_some_and(leaves);
            self.low
                .enter_arm(conditional, index as u32, span(arm), exits);
            if let Some(pattern) = arm.child_by_field_id(FIELDS.pattern) {
                self.scan_errors(pattern);
                self.bind_pattern(pattern, &scrutinee);
                self.note_pattern(pattern, scrutinee_node.map(span));
                if let Some(guard) = pattern.child_by_field_id(FIELDS.condition) {
                    self.condition(guard);
                }
            }
            if let Some(value) = arm.child_by_field_id(FIELDS.value) {
                let eval = self.expr(value);
                result = Some(match result {
                    Some(previous) => either(Some(previous), Some(eval)),
                    None => eval,
                });
            }
            self.recover(arm);
            self.low.exit_arm();
        }
        self.low.end_conditional(true);
        self.recover(body);
        result.unwrap_or_else(Eval::unknown)
    }

    fn save_bindings(&self, names: &[String]) -> SavedBindings {
        names
            .iter()
            .map(|name| (name.clone(), self.low.lookup(name).cloned()))
            .collect()
    }

    /// A loop's bindings live in the loop: afterwards the names mean what
    /// they meant before it.
    fn restore_bindings(&mut self, saved: SavedBindings) {
        for (name, binding) in saved {
            match binding {
                Some(Binding::Value(eval)) => self.low.bind(&name, eval),
                Some(Binding::Import(path)) => self.low.bind_import(&name, path),
                None => {
                    let origin = if looks_constant(&name) {
                        Origin::Constant
                    } else {
                        Origin::Unknown
                    };
                    let path = CallPath {
                        text: name.clone(),
                        resolved: false,
                    };
                    self.low.bind(&name, Eval::path(path, origin));
                }
            }
        }
    }

    fn for_expression(&mut self, node: Node<'_>) -> Eval {
        // The iterable is evaluated once, before the loop.
        let value = node.child_by_field_id(FIELDS.value);
        let iterable = value.map_or_else(Eval::unknown, |value| self.expr(value));
        let pattern = node.child_by_field_id(FIELDS.pattern);
        let names: Vec<String> = pattern
            .map(|pattern| {
                self.scan_errors(pattern);
                self.pattern_names(pattern)
                    .into_iter()
                    .map(|(name, _)| name)
                    .collect()
            })
            .unwrap_or_default();
        let header = Span::new(
            node.start_byte(),
            value.map_or(node.start_byte(), |value| value.end_byte()),
        );
        let saved = self.save_bindings(&names);
        self.low.begin_loop(LoopSpec {
            iterable_origin: Some(iterable.origin),
            kind: LoopKind::For,
            span: span(node),
            header,
            bindings: names,
            iterable: value.map(|value| iterable_text(self.text(value))),
            iterable_value: Some(iterable.value.clone()),
            is_async: false,
        });
        if let Some(pattern) = pattern {
            let element = element_eval(&iterable, header);
            self.bind_pattern(pattern, &element);
        }
        if let Some(body) = node.child_by_field_id(FIELDS.body) {
            self.expr(body);
        }
        self.low.end_loop();
        self.restore_bindings(saved);
        Eval::unknown()
    }

    fn while_expression(&mut self, node: Node<'_>) -> Eval {
        let condition = node.child_by_field_id(FIELDS.condition);
        let header = Span::new(
            node.start_byte(),
            condition.map_or(node.start_byte(), |condition| condition.end_byte()),
        );
        let lets: Vec<Node<'_>> = match condition {
            Some(condition) if condition.kind() == "let_condition" => vec![condition],
            Some(condition) if condition.kind() == "let_chain" => named_children(condition)
                .into_iter()
                .filter(|child| child.kind() == "let_condition")
                .collect(),
            _ => Vec::new(),
        };
        let mut names = Vec::new();
        for each in &lets {
            if let Some(pattern) = each.child_by_field_id(FIELDS.pattern) {
                self.scan_errors(pattern);
                names.extend(
                    self.pattern_names(pattern)
                        .into_iter()
                        .map(|(name, _)| name),
                );
            }
        }
        let iterable = lets
            .first()
            .and_then(|each| each.child_by_field_id(FIELDS.value))
            .map(|value| iterable_text(self.text(value)));
        let saved = self.save_bindings(&names);
        self.low.begin_loop(LoopSpec {
            iterable_origin: None,
            kind: LoopKind::While,
            span: span(node),
            header,
            bindings: names,
            iterable,
            iterable_value: None,
            is_async: false,
        });
        // The condition runs on every iteration, inside the loop.
        match condition {
            Some(condition) if !lets.is_empty() => {
                let parts = if condition.kind() == "let_chain" {
                    named_children(condition)
                } else {
                    vec![condition]
                };
                for part in parts {
                    if part.kind() != "let_condition" {
                        self.condition(part);
                        continue;
                    }
                    // `while let Some(row) = stream.next().await`: each row is an item.
                    let mut eval = part
                        .child_by_field_id(FIELDS.value)
                        .map_or_else(Eval::unknown, |value| self.expr(value));
                    eval.origin = worse(eval.origin, Origin::Loop);
                    if let Some(pattern) = part.child_by_field_id(FIELDS.pattern) {
                        self.bind_pattern(pattern, &eval);
                        // A new element each time round, whatever the
                        // expression reads.
                        self.note_pattern(pattern, None);
                    }
                    self.recover(part);
                }
                self.recover(condition);
            }
            Some(condition) => self.condition(condition),
            None => {}
        }
        if let Some(body) = node.child_by_field_id(FIELDS.body) {
            self.expr(body);
        }
        self.low.end_loop();
        self.restore_bindings(saved);
        Eval::unknown()
    }

    fn loop_expression(&mut self, node: Node<'_>) -> Eval {
        let body = node.child_by_field_id(FIELDS.body);
        let mut header_end = body.map_or(node.end_byte(), |body| body.start_byte());
        let bytes = self.low.source.as_bytes();
        while header_end > node.start_byte()
            && bytes
                .get(header_end - 1)
                .is_some_and(|byte| byte.is_ascii_whitespace())
        {
            header_end -= 1;
        }
        self.low.begin_loop(LoopSpec {
            iterable_origin: None,
            kind: LoopKind::While,
            span: span(node),
            header: Span::new(node.start_byte(), header_end),
            bindings: Vec::new(),
            iterable: None,
            iterable_value: None,
            is_async: false,
        });
        if let Some(body) = body {
            self.expr(body);
        }
        self.low.end_loop();
        Eval::unknown()
    }

    // ----- expressions -----------------------------------------------------------

    fn await_expression(&mut self, node: Node<'_>) -> Eval {
        let Some(inner) = first_named(node) else {
            return Eval::unknown();
        };
        // The awaited call is the one `.await` applies to, through `?` and parens.
        let mut target = inner;
        for _ in 0..MAX_TYPE_NESTING {
            match target.kind() {
                "parenthesized_expression" | "try_expression" => match first_named(target) {
                    Some(next) => target = next,
                    None => break,
                },
                _ => break,
            }
        }
        if self.depth >= MAX_DEPTH {
            self.error(span(target));
            return Eval::unknown();
        }
        match target.kind() {
            "call_expression" => {
                let eval = self.call(target, true);
                self.recover(target);
                eval
            }
            "macro_invocation" => self.macro_call(target, true),
            _ => self.expr(inner),
        }
    }

    fn unary(&mut self, node: Node<'_>) -> Eval {
        let operator = node.child(0).map(|operator| operator.kind()).unwrap_or("");
        let operand = first_named(node).map_or_else(Eval::unknown, |operand| self.expr(operand));
        match operator {
            "-" => Eval::number(),
            "!" => Eval::literal(),
            _ => operand,
        }
    }

    fn type_cast(&mut self, node: Node<'_>) -> Eval {
        let value = node
            .child_by_field_id(FIELDS.value)
            .map_or_else(Eval::unknown, |value| self.expr(value));
        let is_numeric = node
            .child_by_field_id(FIELDS.type_)
            .is_some_and(|declared| self.type_is_numeric(declared));
        if is_numeric {
            Eval::number()
        } else {
            value
        }
    }

    fn binary(&mut self, node: Node<'_>) -> Eval {
        let (Some(left), Some(right), Some(operator)) = (
            node.child_by_field_id(FIELDS.left),
            node.child_by_field_id(FIELDS.right),
            node.child_by_field_id(FIELDS.operator),
        ) else {
            self.visit_named(node);
            return Eval::unknown();
        };
        let left_eval = self.expr(left);
        let right_eval = self.expr(right);
        match operator.kind() {
            "+" if matches!(left_eval.value, Value::Str(_))
                || matches!(right_eval.value, Value::Str(_)) =>
            {
                let (left, right) = (unwrap_reference(left), unwrap_reference(right));
                concat(
                    left_eval,
                    span(left),
                    self.text(left),
                    right_eval,
                    span(right),
                    self.text(right),
                    span(node),
                )
            }
            "+" if left_eval.origin == Origin::Numeric && right_eval.origin == Origin::Numeric => {
                Eval::number()
            }
            // `base + &name` on a `String` whose text is not known.
            "+" => Eval::with_origin(Value::Unknown, worse(left_eval.origin, right_eval.origin)),
            "-" | "*" | "/" | "%" | "<<" | ">>" | "&" | "|" | "^" => Eval::number(),
            _ => Eval::literal(),
        }
    }

    fn field(&mut self, node: Node<'_>) -> Eval {
        let (Some(value), Some(field)) = (
            node.child_by_field_id(FIELDS.value),
            node.child_by_field_id(FIELDS.field),
        ) else {
            return self.visit_named(node);
        };
        let receiver = self.expr(value);
        let name = self.text(field);
        let path = self.member_path(&receiver, name, value);
        let eval = self.member(receiver, name, path);
        if self.low.is_admitted(self.text(node)) {
            return Eval {
                origin: Origin::Constant,
                ..eval
            };
        }
        self.low.sourced(eval, span(node))
    }

    /// `receiver.name` as a value: a declared field's type, or the member path
    /// with the receiver's origin.
    fn member(&self, receiver: Eval, name: &str, path: CallPath) -> Eval {
        if let Some(info) = self.declared_field(&receiver, name) {
            if info.numeric {
                return Eval {
                    value: Value::Number(None),
                    origin: Origin::Numeric,
                    defined_at: receiver.defined_at,
                };
            }
            if let Some(path) = info.path {
                return Eval {
                    value: Value::Path(path),
                    origin: receiver.origin,
                    defined_at: receiver.defined_at,
                };
            }
        }
        let origin = member_origin(receiver.origin, name);
        Eval {
            value: Value::Path(path),
            origin,
            defined_at: receiver.defined_at,
        }
    }

    /// The declared field of a struct of this file: `self.pool` in an `impl`,
    /// or a field of a value whose type is known (`state.pool`).
    fn declared_field(&self, receiver: &Eval, name: &str) -> Option<FieldInfo> {
        let Value::Path(path) = &receiver.value else {
            return None;
        };
        let struct_name = if path.text == "self" {
            self.impl_types.last()?.as_str()
        } else {
            let type_name = path.text.strip_suffix("()")?;
            if type_name.contains(['.', '(']) {
                return None;
            }
            type_name
        };
        self.structs.get(struct_name)?.get(name).cloned()
    }

    fn scoped_value(&mut self, node: Node<'_>) -> Eval {
        self.scan_errors(node);
        let segments = self.path_segments(node);
        let path = self.resolve_segments(&segments);
        let Some(last) = segments.last() else {
            return Eval::unknown();
        };
        if segments.len() >= 2 && looks_constant(last) {
            // `Self::TABLE`, `consts::TABLE`: the text when this file declares it.
            if let Some(Binding::Value(eval)) = self.low.lookup(last) {
                if matches!(
                    eval.value,
                    Value::Str(_) | Value::Number(_) | Value::Sequence(_)
                ) {
                    return eval.clone();
                }
            }
            return Eval::path(path, Origin::Constant);
        }
        let eval = Eval::path(path, Origin::Unknown);
        self.low.sourced(eval, span(node))
    }

    fn array(&mut self, node: Node<'_>) -> Eval {
        let length = node.child_by_field_id(FIELDS.length);
        let items: Vec<Eval> = named_children(node)
            .into_iter()
            .filter(|item| !is_comment(*item) && item.kind() != "attribute_item")
            .map(|item| {
                let eval = self.expr(item);
                (Some(item) != length).then_some(eval)
            })
            .collect::<Vec<_>>()
            .into_iter()
            .flatten()
            .collect();
        let origin = sequence_origin(&items);
        Eval::with_origin(
            Value::Sequence(items.into_iter().map(|item| item.value).collect()),
            origin,
        )
    }

    fn index(&mut self, node: Node<'_>) -> Eval {
        let mut evals = named_children(node)
            .into_iter()
            .filter(|child| !is_comment(*child))
            .map(|child| self.expr(child))
            .collect::<Vec<_>>()
            .into_iter();
        let Some(base) = evals.next() else {
            return Eval::unknown();
        };
        // An item of a value comes from where the value comes from.
        let value = match base.value {
            Value::Sequence(mut items) if items.len() == 1 => items.pop().unwrap_or(Value::Unknown),
            _ => Value::Unknown,
        };
        Eval {
            value,
            origin: base.origin,
            defined_at: base.defined_at,
        }
    }

    fn struct_expression(&mut self, node: Node<'_>) -> Eval {
        if let Some(body) = node.child_by_field_id(FIELDS.body) {
            self.visit_named(body);
        }
        let name = node
            .child_by_field_id(FIELDS.name)
            .map(|name| self.path_segments(name))
            .and_then(|segments| segments.last().cloned());
        match name {
            Some(name) if self.structs.contains_key(&name) => Eval::path(
                CallPath {
                    text: format!("{name}()"),
                    resolved: false,
                },
                Origin::Unknown,
            ),
            _ => Eval::unknown(),
        }
    }

    // ----- strings ---------------------------------------------------------------

    fn string_eval(&self, node: Node<'_>) -> Eval {
        Eval::string(span(node), self.string_text(node))
    }

    /// The text of a string, raw string or char literal, escapes decoded.
    fn string_text(&self, node: Node<'_>) -> String {
        match node.kind() {
            "char_literal" => {
                let text = self.text(node);
                let body = text
                    .trim_start_matches('b')
                    .strip_prefix('\'')
                    .and_then(|body| body.strip_suffix('\''))
                    .unwrap_or("");
                unescape(body)
            }
            "raw_string_literal" => named_children(node)
                .into_iter()
                .filter(|child| child.kind() == "string_content")
                .map(|child| self.text(child))
                .collect(),
            _ => {
                let mut text = String::new();
                let mut after_continuation = false;
                for child in named_children(node) {
                    match child.kind() {
                        "string_content" => {
                            let body = self.text(child);
                            // A `\` at the end of a line also eats the next
                            // line's indentation.
                            let body = if after_continuation {
                                body.trim_start()
                            } else {
                                body
                            };
                            text.push_str(body);
                            after_continuation = false;
                        }
                        "escape_sequence" => {
                            let escape = self.text(child);
                            if escape.starts_with("\\\n") || escape.starts_with("\\\r") {
                                after_continuation = true;
                            } else {
                                text.push_str(&unescape(escape));
                                after_continuation = false;
                            }
                        }
                        _ => {}
                    }
                }
                text
            }
        }
    }

    // ----- calls -----------------------------------------------------------------

    /// Lowers a call. The work is split so that the frames on the stack while
    /// the receiver and the arguments are lowered (the recursion) stay small:
    /// what a call needs is kept in a boxed `PendingCall`.
    fn call(&mut self, node: Node<'_>, awaited: bool) -> Eval {
        let Some(mut pending) = self.call_start(node, awaited) else {
            return self.visit_named(node);
        };
        if let Some(receiver) = pending.receiver_node {
            pending.receiver = Some(self.expr(receiver));
        } else if pending.callee_is_expression {
            pending.callee_eval = Some(self.expr(pending.callee));
        }
        self.call_callee(&mut pending);
        for index in 0..pending.argument_nodes.len() {
            self.call_argument(&mut pending, index);
        }
        self.call_finish(pending)
    }

    /// Takes a call expression apart, before anything in it is lowered.
    fn call_start<'tree>(
        &mut self,
        node: Node<'tree>,
        awaited: bool,
    ) -> Option<Box<PendingCall<'tree>>> {
        let function = node.child_by_field_id(FIELDS.function)?;
        let (callee, turbofish) = if function.kind() == "generic_function" {
            self.recover(function);
            (
                function
                    .child_by_field_id(FIELDS.function)
                    .unwrap_or(function),
                function.child_by_field_id(FIELDS.type_arguments),
            )
        } else {
            (function, None)
        };
        let (receiver_node, method) = match callee.kind() {
            "field_expression" => {
                self.recover(callee);
                match (
                    callee.child_by_field_id(FIELDS.value),
                    callee.child_by_field_id(FIELDS.field),
                ) {
                    (Some(value), Some(field)) => (Some(value), Some(field)),
                    _ => (None, None),
                }
            }
            _ => (None, None),
        };
        let callee_is_expression =
            receiver_node.is_none() && !matches!(callee.kind(), "identifier" | "scoped_identifier");
        let arguments = node.child_by_field_id(FIELDS.arguments);
        if let Some(arguments) = arguments {
            self.recover(arguments);
        }
        let argument_nodes: Vec<Node<'tree>> = arguments
            .map(named_children)
            .unwrap_or_default()
            .into_iter()
            .filter(|argument| !is_comment(*argument) && argument.kind() != "attribute_item")
            .collect();
        Some(Box::new(PendingCall {
            node,
            function,
            callee,
            turbofish,
            awaited,
            receiver_node,
            method,
            callee_is_expression,
            receiver: None,
            callee_eval: None,
            path: CallPath::default(),
            name: String::new(),
            argument_nodes,
            callback_index: None,
            is_iteration: false,
            args: Vec::new(),
            closure_ids: Vec::new(),
            callback_body: None,
        }))
    }

    /// The call path, once the receiver is lowered; and whether a closure
    /// argument is the body of a loop.
    fn call_callee(&mut self, pending: &mut PendingCall<'_>) {
        let callee = pending.callee;
        pending.path = match (&pending.receiver, pending.method) {
            (Some(receiver), Some(field)) => {
                let receiver_node = pending.receiver_node.unwrap_or(callee);
                self.member_path(receiver, self.text(field), receiver_node)
            }
            _ => match callee.kind() {
                "identifier" => {
                    // A local closure or function value is read to be called.
                    self.low.note_read(self.text(callee), span(callee));
                    self.low.name_path(self.text(callee))
                }
                "scoped_identifier" => {
                    self.scan_errors(callee);
                    let segments = self.path_segments(callee);
                    self.resolve_segments(&segments)
                }
                _ => pending
                    .callee_eval
                    .as_ref()
                    .and_then(|eval| eval.call_path().cloned())
                    .unwrap_or_else(|| CallPath {
                        text: compact(self.text(callee)).to_string(),
                        resolved: false,
                    }),
            },
        };
        pending.name = match pending.method {
            Some(field) => self.text(field).to_string(),
            None => pending.path.name().to_string(),
        };
        // A closure passed to an iterator method is the body of a loop; the
        // receiver (the iterable) was lowered above, outside it.
        pending.callback_index = pending
            .argument_nodes
            .iter()
            .rposition(|argument| argument.kind() == "closure_expression");
        pending.is_iteration = match (
            &pending.receiver,
            pending.receiver_node,
            pending.callback_index,
        ) {
            (Some(receiver), Some(receiver_node), Some(index)) => self.is_iteration(
                &pending.name,
                receiver,
                receiver_node,
                pending.argument_nodes[index],
            ),
            _ => false,
        };
    }

    fn call_argument(&mut self, pending: &mut PendingCall<'_>, index: usize) {
        let argument = pending.argument_nodes[index];
        if argument.kind() != "closure_expression" {
            let eval = self.expr(argument);
            pending.args.push((eval, argument));
            return;
        }
        let result = if pending.is_iteration && Some(index) == pending.callback_index {
            self.callback_loop(pending, argument)
        } else {
            let params = self.closure_params(argument);
            self.closure(argument, params, None)
        };
        self.recover(argument);
        pending.closure_ids.push(result.id);
        pending.args.push((
            Eval::with_origin(Value::Function, result.body.origin),
            argument,
        ));
        pending.callback_body = Some(result.body);
    }

    /// `xs.iter().map(|x| …)`: the closure inside a loop over the receiver.
    fn callback_loop(&mut self, pending: &PendingCall<'_>, callback: Node<'_>) -> ClosureResult {
        let (params, element, saved) = self.begin_callback_loop(pending, callback);
        let result = self.closure(callback, params, Some(&element));
        self.low.end_loop();
        self.restore_bindings(saved);
        result
    }

    fn begin_callback_loop(
        &mut self,
        pending: &PendingCall<'_>,
        callback: Node<'_>,
    ) -> (Vec<ClosureParam>, Eval, SavedBindings) {
        let params = self.closure_params(callback);
        let header = pending.method.map_or(span(pending.callee), span);
        let element = pending
            .receiver
            .as_ref()
            .map_or_else(Eval::unknown, |receiver| element_eval(receiver, header));
        let names: Vec<String> = params.iter().map(|param| param.name.clone()).collect();
        let saved = self.save_bindings(&names);
        self.low.begin_loop(LoopSpec {
            iterable_origin: pending.receiver.as_ref().map(|receiver| receiver.origin),
            kind: LoopKind::Callback,
            span: span(pending.node),
            header,
            bindings: names,
            iterable: pending
                .receiver_node
                .map(|receiver| iterable_text(self.text(receiver))),
            iterable_value: pending
                .receiver
                .as_ref()
                .map(|receiver| receiver.value.clone()),
            is_async: closure_is_async(callback),
        });
        (params, element, saved)
    }

    fn call_finish(&mut self, mut pending: Box<PendingCall<'_>>) -> Eval {
        let callee_ref = self.callee_ref(&pending);
        let target = callee_ref
            .as_ref()
            .and_then(|callee_ref| self.low.resolve_here(callee_ref));
        let summary = target.and_then(|target| {
            let args: Vec<(Option<&str>, &Eval, Span, &str)> = pending
                .args
                .iter()
                .map(|(eval, argument)| {
                    let argument = unwrap_reference(*argument);
                    (None, eval, span(argument), self.text(argument))
                })
                .collect();
            self.low.call_summary(target, &args)
        });
        let result = match (pending.receiver.take(), pending.receiver_node) {
            (Some(receiver), Some(receiver_node)) => {
                let result = self.method_result(&mut pending, &receiver, receiver_node);
                pending.receiver = Some(receiver);
                result
            }
            _ => self.function_result(pending.node, &pending.path, &pending.args),
        };
        let result = summary.unwrap_or(result);
        let PendingCall {
            node,
            function,
            awaited,
            receiver_node,
            receiver,
            path,
            name,
            argument_nodes,
            args,
            closure_ids,
            ..
        } = *pending;
        self.register(
            node,
            &path,
            &name,
            receiver_node,
            &argument_nodes,
            &closure_ids,
        );
        // `stdin.read_line(&mut line)`: what a source reads lands in `line`.
        if let Some(receiver) = receiver.as_ref().filter(|receiver| {
            matches!(receiver.origin, Origin::Input(_) | Origin::Remote(_))
                && name.starts_with("read")
        }) {
            for (_, argument) in &args {
                let target = unwrap_reference(*argument);
                if argument.kind() == "reference_expression"
                    && self.text(*argument).starts_with("&mut")
                    && target.kind() == "identifier"
                {
                    let origin = receiver.origin;
                    self.update_value(self.text(target), span(target), |existing| Eval {
                        value: Value::Unknown,
                        origin,
                        defined_at: existing.defined_at,
                    });
                }
            }
        }
        let is_new = receiver.is_none() && is_constructor_path(&path);
        if path.text.len() <= MAX_PATH_BYTES {
            self.last_call = Some((node.id(), called(&path)));
        }
        let receiver_defined_at = match receiver_node {
            Some(receiver_node) => self.receiver_site(receiver_node),
            None => node
                .child_by_field_id(FIELDS.function)
                .and_then(|function| self.receiver_site(function)),
        };
        self.low.push_call(CallSpec {
            span: span(node),
            callee_span: span(function),
            path,
            args: args
                .into_iter()
                .map(|(eval, argument)| Arg {
                    span: span(argument),
                    keyword: None,
                    origin: eval.origin,
                    value: eval.value,
                    defined_at: self.receiver_site(argument),
                })
                .collect(),
            awaited,
            tagged_template: false,
            is_macro: false,
            is_new,
            receiver_defined_at,
            target,
        });
        if let (Some(callee_ref), None) = (callee_ref, target) {
            self.low.note_callee(callee_ref);
        }
        self.low.sourced(result, span(node))
    }

    /// How a call may name a function of this file: `helper(…)`,
    /// `self.helper(…)`, `Self::helper(…)`, `Repo::find(…)`.
    fn callee_ref(&self, pending: &PendingCall<'_>) -> Option<CalleeRef> {
        let callee = pending.callee;
        match (pending.receiver_node, pending.method) {
            (Some(receiver), Some(method)) => {
                let receiver = unwrap_reference(receiver);
                (receiver.kind() == "self")
                    .then(|| CalleeRef::OwnMethod(self.text(method).to_string()))
            }
            _ => match callee.kind() {
                "identifier" => {
                    let name = self.text(callee);
                    self.low
                        .lookup(name)
                        .is_none()
                        .then(|| CalleeRef::Plain(name.to_string()))
                }
                "scoped_identifier" => {
                    let segments = self.path_segments(callee);
                    let [owner, name] = segments.as_slice() else {
                        return None;
                    };
                    if owner == "Self" {
                        return Some(CalleeRef::OwnMethod(name.clone()));
                    }
                    if self.low.lookup(owner).is_some() {
                        return None;
                    }
                    Some(CalleeRef::Method {
                        owner: owner.clone(),
                        name: name.clone(),
                    })
                }
                _ => None,
            },
        }
    }

    /// Whether `receiver.name(closure)` runs the closure once per item.
    fn is_iteration(
        &self,
        name: &str,
        receiver_eval: &Eval,
        receiver_node: Node<'_>,
        callback: Node<'_>,
    ) -> bool {
        if ITERATION_METHODS.contains(&name) {
            return true;
        }
        if SEQUENCE_ITERATION_METHODS.contains(&name) {
            return matches!(receiver_eval.value, Value::Sequence(_));
        }
        if !MAYBE_ITERATION_METHODS.contains(&name) {
            return false;
        }
        // `bool::then(|| …)` takes no item.
        let takes_item = callback
            .child_by_field_id(FIELDS.parameters)
            .is_some_and(|parameters| {
                named_children(parameters)
                    .iter()
                    .any(|parameter| !is_comment(*parameter))
                    || self.text(parameters).contains('_')
            });
        if name == "then" && !takes_item {
            return false;
        }
        if matches!(receiver_eval.value, Value::Sequence(_)) {
            return true;
        }
        !is_optional_receiver(receiver_node, self.low.source)
    }

    /// What `receiver.name(args)` evaluates to.
    fn method_result(
        &mut self,
        pending: &mut PendingCall<'_>,
        receiver: &Eval,
        receiver_node: Node<'_>,
    ) -> Eval {
        let call_node = pending.node;
        let PendingCall {
            path,
            name,
            args,
            turbofish,
            is_iteration,
            callback_body,
            ..
        } = pending;
        let (name, turbofish, is_iteration) = (name.as_str(), *turbofish, *is_iteration);
        let callback_body = callback_body.take();
        let first = args.first().map(|(eval, _)| eval);
        let keep_origin = || Eval {
            value: Value::Unknown,
            origin: receiver.origin,
            defined_at: receiver.defined_at,
        };
        match name {
            "push_str" | "push" if args.len() == 1 => {
                self.append_to(receiver_node, &args[0]);
                return Eval::literal();
            }
            "join" if args.len() == 1 => {
                let separator = first.cloned().unwrap_or_else(Eval::unknown);
                if let Some(joined) =
                    join_shapes(span(call_node), self.text(call_node), &separator, receiver)
                {
                    return joined;
                }
                return Eval {
                    value: Value::Unknown,
                    origin: join_origin(&separator, receiver),
                    defined_at: receiver.defined_at,
                };
            }
            "concat" if args.is_empty() => return keep_origin(),
            "parse" => {
                let is_numeric = turbofish
                    .and_then(first_named)
                    .is_some_and(|argument| self.type_is_numeric(argument));
                return if is_numeric {
                    Eval::number()
                } else {
                    keep_origin()
                };
            }
            "unwrap_or" | "unwrap_or_else" | "or" | "or_else" | "map_or" | "map_or_else" => {
                let alternative = first.map_or(Origin::Constant, |eval| eval.origin);
                let mut eval = receiver.clone();
                eval.origin = worse(receiver.origin, alternative);
                if !matches!(eval.value, Value::Path(_)) {
                    eval.value = Value::Unknown;
                }
                return eval;
            }
            "replace" | "replacen" => {
                let replacement = args
                    .get(1)
                    .map_or(Origin::Constant, |(eval, _)| eval.origin);
                return Eval {
                    value: Value::Unknown,
                    origin: worse(receiver.origin, replacement),
                    defined_at: receiver.defined_at,
                };
            }
            _ => {}
        }
        if TRANSPARENT_METHODS.contains(&name) && args.is_empty() {
            return receiver.clone();
        }
        if TRANSPARENT_WITH_ARGUMENTS.contains(&name) {
            return receiver.clone();
        }
        if NUMERIC_METHODS.contains(&name) {
            return Eval::number();
        }
        if BOOLEAN_METHODS.contains(&name) {
            return Eval::literal();
        }
        if ITERATOR_PRODUCERS.contains(&name) {
            return Eval {
                value: Value::Sequence(vec![element_value(receiver)]),
                origin: receiver.origin,
                defined_at: receiver.defined_at,
            };
        }
        if let Some(body) = callback_body {
            match name {
                // What the callback returns, per item or once.
                "map" | "flat_map" | "filter_map" | "then" | "map_while" | "and_then"
                | "find_map" => {
                    return if is_iteration {
                        Eval {
                            value: Value::Sequence(vec![body.value]),
                            origin: body.origin,
                            defined_at: body.defined_at,
                        }
                    } else {
                        body
                    };
                }
                "fold" | "try_fold" => {
                    let initial = first.map_or(Origin::Constant, |eval| eval.origin);
                    return Eval::with_origin(Value::Unknown, worse(initial, body.origin));
                }
                _ => {}
            }
        }
        if matches!(receiver.value, Value::Sequence(_)) {
            if ITERATOR_ADAPTERS.contains(&name) {
                let mut eval = receiver.clone();
                for (argument, _) in args {
                    if !matches!(argument.value, Value::Function | Value::Number(_)) {
                        eval.origin = worse(eval.origin, argument.origin);
                    }
                }
                return eval;
            }
            // `ids.iter().map(ToString::to_string)`: the items, converted.
            if name == "map" && args.len() == 1 {
                let element = element_eval(receiver, Span::default());
                return Eval::with_origin(Value::Sequence(vec![Value::Unknown]), element.origin);
            }
        }
        // Data read from a tainted value is tainted (`params.get("q")`).
        let origin = match receiver.origin {
            Origin::Input(_) | Origin::Param(..) | Origin::Loop | Origin::Remote(_) => {
                receiver.origin
            }
            _ => Origin::Unknown,
        };
        Eval {
            value: Value::Path(called(path)),
            origin,
            defined_at: None,
        }
    }

    fn function_result(
        &mut self,
        node: Node<'_>,
        path: &CallPath,
        args: &[(Eval, Node<'_>)],
    ) -> Eval {
        let first = args.first().map(|(eval, _)| eval.clone());
        let mut segments = path.text.rsplit('.');
        let last = segments.next().unwrap_or("");
        let owner = segments.next();
        match (owner, last) {
            (Some("String"), "new" | "with_capacity" | "default") => {
                return Eval::string(span(node), "");
            }
            (Some("Vec" | "VecDeque"), "new" | "with_capacity") => {
                return Eval::with_origin(Value::Sequence(Vec::new()), Origin::Constant);
            }
            (Some("String"), "from") | (None, "Some" | "Ok") => {
                return first.unwrap_or_else(Eval::unknown);
            }
            (Some(owner), "new" | "from") if WRAPPING_CONSTRUCTORS.contains(&owner) => {
                return first.unwrap_or_else(Eval::unknown);
            }
            (Some(owner), _) if is_numeric_annotation(owner) => return Eval::number(),
            // `Args::parse()` on a clap `Parser`: the command line, typed.
            (
                Some(owner),
                "parse" | "try_parse" | "parse_from" | "try_parse_from" | "from_args",
            ) if self.cli_types.contains(owner) => {
                return Eval {
                    value: Value::Path(CallPath {
                        text: format!("{owner}()"),
                        resolved: false,
                    }),
                    origin: Origin::Input(span(node)),
                    defined_at: Some(span(node)),
                };
            }
            (Some("stream" | "iter"), "iter" | "repeat" | "repeat_n" | "once") => {
                let first = first.unwrap_or_else(Eval::unknown);
                let item = if last == "iter" {
                    element_value(&first)
                } else {
                    first.value
                };
                return Eval::with_origin(Value::Sequence(vec![item]), first.origin);
            }
            _ => {}
        }
        // What a file holds is not its name.
        if path.resolved
            && matches!(
                path.text.as_str(),
                "std.fs.read_to_string"
                    | "std.fs.read"
                    | "tokio.fs.read_to_string"
                    | "tokio.fs.read"
            )
        {
            return Eval::path(called(path), Origin::Unknown);
        }
        if is_constructor_path(path) {
            // `Client::new()` is a `Client`.
            let prefix = path
                .text
                .rsplit_once('.')
                .map_or(path.text.as_str(), |(prefix, _)| prefix);
            return Eval::path(
                CallPath {
                    text: format!("{prefix}()"),
                    resolved: path.resolved,
                },
                Origin::Unknown,
            );
        }
        Eval::path(
            called(path),
            argument_origin(args.iter().map(|(eval, _)| eval.origin)),
        )
    }

    /// `sql.push_str(x)`, `sql.push(',')`: the string variable grows.
    fn append_to(&mut self, receiver_node: Node<'_>, argument: &(Eval, Node<'_>)) {
        let target = unwrap_reference(receiver_node);
        if target.kind() != "identifier" {
            return;
        }
        let name = self.text(target);
        // An object with a `push` of its own (sqlx's `QueryBuilder`), an import
        // or an unknown name has no text to grow.
        let is_text_or_list = match self.low.lookup(name) {
            Some(Binding::Value(eval)) => !matches!(eval.value, Value::Path(_)),
            _ => false,
        };
        if !is_text_or_list {
            return;
        }
        let spliced = unwrap_reference(argument.1);
        let spliced_text = self.text(spliced);
        let value = argument.0.clone();
        self.update_value(name, span(target), |mut existing| {
            match &mut existing.value {
                // `conditions.push("a = ?")`: the list gains an item.
                Value::Sequence(items) => {
                    if items.len() < MAX_SEQUENCE_ITEMS {
                        items.push(value.value);
                    }
                    existing.origin = worse(existing.origin, value.origin);
                    existing
                }
                _ => append(existing, value, span(spliced), spliced_text),
            }
        });
    }

    /// Router registrations that name a handler: axum's `get(h)`,
    /// `routing::post(h)`, `get(h).post(h2)`, `.fallback(h)`; actix's
    /// `web::get().to(h)` and `.service(h)`.
    fn register(
        &mut self,
        node: Node<'_>,
        path: &CallPath,
        name: &str,
        receiver_node: Option<Node<'_>>,
        arguments: &[Node<'_>],
        closure_ids: &[FunctionId],
    ) {
        let [argument] = arguments else {
            return;
        };
        let framework = match (name, receiver_node) {
            (_, None) if ROUTING_FUNCTIONS.contains(&name) => {
                let is_router = path.text == name
                    || path.text.starts_with("axum")
                    || path.text.contains("routing");
                is_router.then_some("axum")
            }
            (_, Some(receiver)) if ROUTING_FUNCTIONS.contains(&name) => {
                let receiver = unwrap_reference(receiver);
                let chains_router = receiver.kind() == "call_expression"
                    && ROUTING_FUNCTIONS.contains(&callee_name(receiver, self.low.source));
                chains_router.then_some("axum")
            }
            ("fallback", Some(_)) => Some("axum"),
            ("to" | "service", Some(_)) => Some("actix"),
            _ => None,
        };
        let Some(framework) = framework else {
            return;
        };
        let handler = Handler {
            framework,
            evidence: span(node),
        };
        let named = match argument.kind() {
            "identifier" => Some(*argument),
            "scoped_identifier" => argument.child_by_field_id(FIELDS.name),
            "generic_function" => argument
                .child_by_field_id(FIELDS.function)
                .map(|function| function.child_by_field_id(FIELDS.name).unwrap_or(function)),
            "closure_expression" => {
                if let Some(id) = closure_ids.last() {
                    self.low.mark_handler(*id, handler.clone());
                }
                None
            }
            _ => None,
        };
        if let Some(named) = named {
            self.registrations
                .push((self.text(named).to_string(), handler));
        }
    }

    fn resolve_registrations(&mut self) {
        for (name, handler) in std::mem::take(&mut self.registrations) {
            let Some(ids) = self.functions_by_name.get(&name) else {
                continue;
            };
            for id in ids.clone() {
                self.low.mark_handler(id, handler.clone());
            }
        }
    }

    // ----- macros ----------------------------------------------------------------

    fn macro_call(&mut self, node: Node<'_>, awaited: bool) -> Eval {
        let Some(macro_node) = node.child_by_field_id(FIELDS.macro_) else {
            self.scan_errors(node);
            return Eval::unknown();
        };
        let path = match macro_node.kind() {
            "identifier" => self.low.name_path(self.text(macro_node)),
            _ => {
                let segments = self.path_segments(macro_node);
                self.resolve_segments(&segments)
            }
        };
        let token_tree = named_children(node)
            .into_iter()
            .find(|child| child.kind() == "token_tree");
        let mut args = Vec::new();
        let mut is_repetition = false;
        if let Some(token_tree) = token_tree {
            self.scan_errors(token_tree);
            let (groups, has_semicolon) = macro_groups(token_tree);
            is_repetition = has_semicolon;
            for group in groups {
                args.push(self.macro_arg(&group));
            }
            if EXPRESSION_MACROS.contains(&path.name()) {
                self.macro_tokens(token_tree, 0);
            }
        }
        if is_typed_query_macro(&path) && args.len() >= 2 {
            // `query_as!(User, "SELECT …")`: the record type is where the
            // function form has its turbofish, not an argument.
            args.remove(0);
        }
        let result = self.macro_result(node, &path, &args, is_repetition);
        self.low.push_call(CallSpec {
            span: span(node),
            callee_span: span(macro_node),
            path,
            args: args.into_iter().map(MacroArg::into_arg).collect(),
            awaited,
            tagged_template: false,
            is_macro: true,
            is_new: false,
            receiver_defined_at: None,
            target: None,
        });
        result
    }

    /// Calls and names inside the tokens of a macro whose arguments are
    /// expressions (`json!`, `vec!`, `assert_eq!`, `format!`…), as far as
    /// the tokens show them: a path or a chain of fields and method calls on
    /// a name, with its arguments. Recorded as the walk records calls, so
    /// that `json!({ "n": conn.query_row(…)? })` holds a query.
    fn macro_tokens(&mut self, tree: Node<'_>, depth: usize) {
        if depth >= MAX_DEPTH {
            return;
        }
        let tokens = children(tree);
        let mut index = 0;
        while let Some(token) = tokens.get(index) {
            match token.kind() {
                "token_tree" => {
                    self.macro_tokens(*token, depth + 1);
                    index += 1;
                }
                "string_literal" => {
                    self.inline_captures(*token);
                    index += 1;
                }
                "identifier" | "self" | "crate" | "super" => {
                    let after_member =
                        index > 0 && matches!(tokens[index - 1].kind(), "." | "::" | "'" | "$");
                    index = if after_member {
                        index + 1
                    } else {
                        self.token_chain_calls(&tokens, index, depth)
                    };
                }
                _ => index += 1,
            }
        }
    }

    /// Reads the variables a format string captures (`"{name}"`, `"{n:>4}"`).
    fn inline_captures(&mut self, literal: Node<'_>) {
        let text = self.text(literal);
        let bytes = text.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            if bytes[at] != b'{' {
                at += 1;
                continue;
            }
            if bytes.get(at + 1) == Some(&b'{') {
                at += 2;
                continue;
            }
            let start = at + 1;
            let mut end = start;
            while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
                end += 1;
            }
            let closes = matches!(bytes.get(end), Some(b'}' | b':'));
            let is_name = bytes
                .get(start)
                .is_some_and(|first| first.is_ascii_alphabetic() || *first == b'_');
            if closes && is_name && end > start {
                let offset = literal.start_byte();
                self.low
                    .note_read(&text[start..end], Span::new(offset + start, offset + end));
            }
            at = end.max(at + 1);
        }
    }

    /// The path or chain that starts at `tokens[start]`: records its calls
    /// and the name it reads; returns the index after it.
    fn token_chain_calls(&mut self, tokens: &[Node<'_>], start: usize, depth: usize) -> usize {
        let root = tokens[start];
        let mut segments = vec![self.text(root).to_string()];
        let mut index = start + 1;
        while let (Some(colons), Some(name)) = (tokens.get(index), tokens.get(index + 1)) {
            if colons.kind() != "::" || name.kind() != "identifier" {
                break;
            }
            segments.push(self.text(*name).to_string());
            index += 2;
        }
        index = skip_turbofish(tokens, index);
        // A macro inside a macro: its tokens are visited as a token tree.
        if tokens.get(index).is_some_and(|token| token.kind() == "!") {
            return index + 1;
        }
        // A struct literal or a block after a path is not a call.
        let source = self.low.source;
        let is_call = |token: Option<&Node<'_>>| {
            token.is_some_and(|token| {
                token.kind() == "token_tree" && node_text(*token, source).starts_with('(')
            })
        };
        let mut current = if is_call(tokens.get(index)) {
            let path = if segments.len() == 1 {
                self.low.name_path(&segments[0])
            } else {
                self.resolve_segments(&segments)
            };
            let callee_end = tokens[index - 1].end_byte();
            let eval = self.token_call(tokens, root, callee_end, index, path, depth);
            index += 1;
            eval
        } else if segments.len() == 1 {
            self.low.note_read(self.text(root), span(root));
            let mut eval = self.low.eval_name(self.text(root), span(root));
            if !matches!(eval.value, Value::Path(_)) {
                // A local of unknown value is called on by its name.
                eval.value = Value::Path(self.low.name_path(self.text(root)));
            }
            eval
        } else {
            self.segments_value(&segments)
        };
        // `.field`, `.method(…)`, `.await`, `?`.
        loop {
            match (tokens.get(index), tokens.get(index + 1)) {
                (Some(question), _) if question.kind() == "?" => index += 1,
                (Some(dot), Some(name))
                    if dot.kind() == "."
                        && matches!(name.kind(), "identifier" | "integer_literal") =>
                {
                    let method = self.text(*name).to_string();
                    index = skip_turbofish(tokens, index + 2);
                    let path = match &current.value {
                        Value::Path(path) if path.text.len() <= MAX_PATH_BYTES => CallPath {
                            text: format!("{}.{method}", path.text),
                            resolved: path.resolved,
                        },
                        _ => CallPath {
                            text: format!("<expr>.{method}"),
                            resolved: false,
                        },
                    };
                    if is_call(tokens.get(index)) {
                        let callee_end = name.end_byte();
                        current = self.token_call(tokens, root, callee_end, index, path, depth);
                        index += 1;
                    } else {
                        current = Eval::path(path, current.origin);
                    }
                }
                (Some(dot), Some(_)) if dot.kind() == "." => index += 2,
                _ => break,
            }
        }
        index
    }

    /// Records the call whose arguments are the token tree `tokens[at]`,
    /// written from `root` on; what it returns.
    fn token_call(
        &mut self,
        tokens: &[Node<'_>],
        root: Node<'_>,
        callee_end: usize,
        at: usize,
        path: CallPath,
        depth: usize,
    ) -> Eval {
        let arguments = tokens[at];
        let (mut groups, _) = macro_groups(arguments);
        // A closure runs to the end of the arguments: the commas of its body
        // (`|r| r.get::<_, i64>(0)`) do not separate arguments.
        if let Some(closure) = groups.iter().position(|group| {
            group
                .iter()
                .find(|token| token.kind() != "move")
                .is_some_and(|token| matches!(token.kind(), "|" | "||"))
        }) {
            let rest: Vec<Node<'_>> = groups.drain(closure..).flatten().collect();
            groups.push(rest);
        }
        let args: Vec<MacroArg<'_>> = groups.iter().map(|group| self.macro_arg(group)).collect();
        self.macro_tokens(arguments, depth + 1);
        let awaited = matches!(
            (tokens.get(at + 1), tokens.get(at + 2)),
            (Some(dot), Some(keyword)) if dot.kind() == "." && self.text(*keyword) == "await"
        );
        self.low.push_call(CallSpec {
            span: Span::new(root.start_byte(), arguments.end_byte()),
            callee_span: Span::new(root.start_byte(), callee_end),
            path: path.clone(),
            args: args.into_iter().map(MacroArg::into_arg).collect(),
            awaited,
            tagged_template: false,
            is_macro: false,
            is_new: false,
            receiver_defined_at: None,
            target: None,
        });
        Eval::path(called(&path), Origin::Unknown)
    }

    fn macro_result(
        &mut self,
        node: Node<'_>,
        path: &CallPath,
        args: &[MacroArg<'_>],
        is_repetition: bool,
    ) -> Eval {
        match path.name() {
            "format" | "format_args" => match args.split_first() {
                Some((template, rest)) => self.format_shape(node, template, rest, ""),
                None => Eval::string(span(node), ""),
            },
            "write" | "writeln" => {
                let newline = if path.name() == "writeln" { "\n" } else { "" };
                if let [target, template, rest @ ..] = args {
                    let shape = self.format_shape(node, template, rest, newline);
                    if let Some(target_node) = target.single.filter(|n| n.kind() == "identifier") {
                        let name = self.text(target_node);
                        let text = self.slice(span(node));
                        self.update_value(name, span(target_node), |existing| {
                            append(existing, shape, span(node), text)
                        });
                    }
                }
                Eval::unknown()
            }
            "concat" => {
                let mut builder = ShapeBuilder::new(span(node));
                for arg in args {
                    builder.splice(arg.eval.clone(), arg.span, &arg.text);
                }
                builder.into_eval()
            }
            "vec" => {
                let items: Vec<Eval> = if is_repetition {
                    args.first()
                        .map(|arg| arg.eval.clone())
                        .into_iter()
                        .collect()
                } else {
                    args.iter().map(|arg| arg.eval.clone()).collect()
                };
                let origin = sequence_origin(&items);
                Eval::with_origin(
                    Value::Sequence(items.into_iter().map(|item| item.value).collect()),
                    origin,
                )
            }
            // Text fixed at compile time.
            "include_str" | "env" | "stringify" | "file" | "module_path" => {
                Eval::with_origin(Value::Unknown, Origin::Constant)
            }
            "line" | "column" => Eval::number(),
            "matches" => Eval::literal(),
            _ => Eval::path(called(path), Origin::Unknown),
        }
    }

    /// One comma-separated group of a macro's tokens.
    fn macro_arg<'tree>(&mut self, group: &[Node<'tree>]) -> MacroArg<'tree> {
        let (keyword, mut tokens) = match group {
            [name, equals, rest @ ..]
                if name.kind() == "identifier" && equals.kind() == "=" && !rest.is_empty() =>
            {
                (Some(self.text(*name).to_string()), rest)
            }
            _ => (None, group),
        };
        while let [first, rest @ ..] = tokens {
            if matches!(first.kind(), "&" | "mutable_specifier" | "*") && !rest.is_empty() {
                tokens = rest;
            } else {
                break;
            }
        }
        let arg_span = match (tokens.first(), tokens.last()) {
            (Some(first), Some(last)) => Span::new(first.start_byte(), last.end_byte()),
            _ => Span::default(),
        };
        let mut eval = self.token_eval(tokens, arg_span);
        if self.low.is_admitted(self.slice(arg_span)) {
            eval.origin = Origin::Constant;
        }
        MacroArg {
            keyword,
            eval,
            span: arg_span,
            text: self.slice(arg_span).to_string(),
            single: match tokens {
                [single] => Some(*single),
                _ => None,
            },
        }
    }

    /// What a group of tokens evaluates to: a literal, a name, a path, or a
    /// chain of fields and method calls on a name (which keeps the name's
    /// origin: a method on a parameter is still the parameter's data).
    fn token_eval(&mut self, tokens: &[Node<'_>], at: Span) -> Eval {
        match tokens {
            [] => Eval::unknown(),
            [single] => match single.kind() {
                "string_literal" | "raw_string_literal" | "char_literal" => {
                    self.string_eval(*single)
                }
                "integer_literal" | "float_literal" => Eval::number(),
                "boolean_literal" => Eval::literal(),
                "identifier" => {
                    self.low.note_read(self.text(*single), span(*single));
                    self.low.eval_name(self.text(*single), at)
                }
                "self" => {
                    self.low.note_read("self", span(*single));
                    self.low.eval_name("self", at)
                }
                _ => Eval::unknown(),
            },
            [minus, number] if minus.kind() == "-" => match number.kind() {
                "integer_literal" | "float_literal" => Eval::number(),
                _ => Eval::unknown(),
            },
            [.., cast, target]
                if cast.kind() == "as"
                    && target.kind() == "primitive_type"
                    && is_numeric_annotation(self.text(*target)) =>
            {
                Eval::number()
            }
            [root, rest @ ..] if matches!(root.kind(), "identifier" | "self") => {
                let is_chain = rest.iter().all(|token| {
                    matches!(
                        token.kind(),
                        "." | "::"
                            | "identifier"
                            | "integer_literal"
                            | "token_tree"
                            | "?"
                            | "await"
                    )
                });
                if !is_chain {
                    return Eval::unknown();
                }
                if rest
                    .iter()
                    .all(|token| matches!(token.kind(), "::" | "identifier"))
                {
                    // A path: `Self::TABLE`, `consts::TABLE`, `Ordering::Less`.
                    let segments: Vec<String> = tokens
                        .iter()
                        .filter(|token| token.kind() == "identifier")
                        .map(|token| self.text(*token).to_string())
                        .collect();
                    return self.segments_value(&segments);
                }
                self.low.note_read(self.text(*root), span(*root));
                let root_eval = self.low.eval_name(self.text(*root), at);
                self.token_chain(root_eval, rest)
            }
            _ => Eval::unknown(),
        }
    }

    /// A chain of fields and method calls written as tokens after a root
    /// (`state.limit`, `user.name.trim()`), evaluated as the expression would
    /// be, except that a method keeps the origin of what it is called on.
    fn token_chain(&self, root: Eval, chain: &[Node<'_>]) -> Eval {
        let mut current = root;
        let mut index = 0;
        while let Some(token) = chain.get(index) {
            index += 1;
            if !matches!(token.kind(), "identifier" | "integer_literal") {
                continue;
            }
            let name = self.text(*token);
            let is_call = chain.get(index).is_some_and(|next| {
                next.kind() == "token_tree" && self.text(*next).starts_with('(')
            });
            if !is_call {
                current = match &current.value {
                    Value::Path(path) if path.text.len() <= MAX_PATH_BYTES => {
                        let path = CallPath {
                            text: format!("{}.{name}", path.text),
                            resolved: path.resolved,
                        };
                        self.member(current, name, path)
                    }
                    _ => Eval {
                        value: Value::Unknown,
                        origin: current.origin,
                        defined_at: current.defined_at,
                    },
                };
                continue;
            }
            index += 1;
            if NUMERIC_METHODS.contains(&name) {
                current = Eval::number();
            } else if !TRANSPARENT_METHODS.contains(&name) {
                let value = match &current.value {
                    Value::Path(path) if path.text.len() <= MAX_PATH_BYTES => {
                        Value::Path(CallPath {
                            text: format!("{}.{name}()", path.text),
                            resolved: path.resolved,
                        })
                    }
                    _ => Value::Unknown,
                };
                current = Eval {
                    value,
                    origin: current.origin,
                    defined_at: current.defined_at,
                };
            }
        }
        current
    }

    fn segments_value(&self, segments: &[String]) -> Eval {
        let path = self.resolve_segments(segments);
        match segments.last() {
            Some(last) if looks_constant(last) => {
                if let Some(Binding::Value(eval)) = self.low.lookup(last) {
                    if matches!(
                        eval.value,
                        Value::Str(_) | Value::Number(_) | Value::Sequence(_)
                    ) {
                        return eval.clone();
                    }
                }
                Eval::path(path, Origin::Constant)
            }
            _ => Eval::path(path, Origin::Unknown),
        }
    }

    /// `format!("…{}…{name}…", args)` as a string shape over the whole macro.
    fn format_shape(
        &mut self,
        node: Node<'_>,
        template: &MacroArg<'_>,
        rest: &[MacroArg<'_>],
        suffix: &str,
    ) -> Eval {
        let Some(template_node) = template
            .single
            .filter(|single| matches!(single.kind(), "string_literal" | "raw_string_literal"))
        else {
            let origin = rest
                .iter()
                .fold(template.eval.origin, |acc, arg| worse(acc, arg.eval.origin));
            return Eval::with_origin(Value::Unknown, origin);
        };
        let template_text = self.string_text(template_node);
        let raw_template = self.text(template_node);
        let positional: Vec<&MacroArg<'_>> =
            rest.iter().filter(|arg| arg.keyword.is_none()).collect();
        let mut next_positional = 0;
        let mut search_from = 0;
        let mut builder = ShapeBuilder::new(span(node));
        for piece in brace_pieces(&template_text) {
            let (name, spec) = match piece {
                BracePiece::Text(text) => {
                    builder.push_literal(&text);
                    continue;
                }
                BracePiece::Field { name, spec } => (name, spec),
            };
            if spec.contains(".*") {
                // The precision is taken from the next argument.
                next_positional += 1;
            }
            let argument = if name.is_empty() {
                next_positional += 1;
                positional.get(next_positional - 1).copied()
            } else if let Ok(index) = name.parse::<usize>() {
                positional.get(index).copied()
            } else {
                rest.iter()
                    .find(|arg| arg.keyword.as_deref() == Some(name.as_str()))
            };
            match argument {
                Some(arg) => builder.splice(arg.eval.clone(), arg.span, &arg.text),
                None if !name.is_empty() && name.parse::<usize>().is_err() => {
                    // An inline capture reads the variable in scope.
                    // Pointed at in the literal when it can be found there;
                    // after one miss (escapes shift the text) the search stops,
                    // so that it stays linear.
                    let found = raw_template
                        .get(search_from..)
                        .and_then(|rest| rest.find(&format!("{{{name}")))
                        .map(|offset| search_from + offset);
                    let hole_span = match found {
                        Some(start) => {
                            let length = raw_template[start..].find('}').map_or(1, |end| end + 1);
                            search_from = start + length;
                            let start = template_node.start_byte() + start;
                            // The name itself, after the brace.
                            let name_start = start + 1;
                            self.low
                                .note_read(&name, Span::new(name_start, name_start + name.len()));
                            Span::new(start, start + length)
                        }
                        None => {
                            search_from = raw_template.len();
                            span(template_node)
                        }
                    };
                    let eval = self.low.eval_name(&name, hole_span);
                    builder.splice(eval, hole_span, &name);
                }
                None => builder.splice(Eval::unknown(), span(template_node), ""),
            }
        }
        builder.push_literal(suffix);
        builder.into_eval()
    }
}

// ----- helpers ---------------------------------------------------------------------

fn is_comment(node: Node<'_>) -> bool {
    matches!(node.kind(), "line_comment" | "block_comment")
}

/// The first named child that is not a comment.
fn first_named(node: Node<'_>) -> Option<Node<'_>> {
    let mut cursor = node.walk();
    let found = node
        .named_children(&mut cursor)
        .find(|child| !is_comment(*child));
    found
}

fn ends_with_semicolon(statement: Node<'_>) -> bool {
    statement
        .child(statement.child_count().saturating_sub(1))
        .is_some_and(|last| last.kind() == ";")
}

/// Through `&`, `&mut`, `*` and parentheses, which keep a value what it is.
fn unwrap_reference(node: Node<'_>) -> Node<'_> {
    let mut current = node;
    for _ in 0..MAX_TYPE_NESTING {
        let next = match current.kind() {
            "reference_expression" => current.child_by_field_id(FIELDS.value),
            "parenthesized_expression" => first_named(current),
            "unary_expression" if current.child(0).is_some_and(|op| op.kind() == "*") => {
                first_named(current)
            }
            _ => None,
        };
        match next {
            Some(next) => current = next,
            None => break,
        }
    }
    current
}

/// Through `?`, `.await` and parentheses, to the call they apply to.
fn unwrap_call(node: Node<'_>) -> Node<'_> {
    let mut current = node;
    for _ in 0..MAX_TYPE_NESTING {
        match current.kind() {
            "try_expression" | "await_expression" | "parenthesized_expression" => {
                match first_named(current) {
                    Some(inner) => current = inner,
                    None => break,
                }
            }
            _ => break,
        }
    }
    current
}

fn strip_references(declared: Node<'_>) -> Node<'_> {
    let mut current = declared;
    for _ in 0..MAX_TYPE_NESTING {
        match current.kind() {
            "reference_type" | "pointer_type" => match current.child_by_field_id(FIELDS.type_) {
                Some(inner) => current = inner,
                None => break,
            },
            _ => break,
        }
    }
    current
}

/// Through `mut x`, `ref x`, `&x`.
fn strip_pattern(pattern: Node<'_>) -> Node<'_> {
    let mut current = pattern;
    for _ in 0..MAX_TYPE_NESTING {
        match current.kind() {
            "mut_pattern" | "ref_pattern" | "reference_pattern" => {
                match named_children(current)
                    .into_iter()
                    .find(|child| child.kind() != "mutable_specifier" && !is_comment(*child))
                {
                    Some(inner) => current = inner,
                    None => break,
                }
            }
            _ => break,
        }
    }
    current
}

/// A pattern's sub-patterns: its named children except the type of a tuple
/// struct or struct pattern and a match arm's guard.
fn pattern_parts(pattern: Node<'_>) -> Vec<Node<'_>> {
    let mut parts = Vec::new();
    let mut cursor = pattern.walk();
    if !cursor.goto_first_child() {
        return parts;
    }
    loop {
        let child = cursor.node();
        let is_part = child.is_named()
            && !is_comment(child)
            && !matches!(cursor.field_name(), Some("type" | "condition"));
        if is_part {
            parts.push(child);
        }
        if !cursor.goto_next_sibling() {
            break;
        }
    }
    parts
}

/// Names bound by patterns: lower-case identifiers (`None` and `Foo` are
/// constants or variants).
fn is_binding_name(name: &str) -> bool {
    name != "_"
        && name
            .chars()
            .next()
            .is_some_and(|first| first.is_lowercase() || first == '_')
}

fn first_type_argument(declared: Node<'_>) -> Option<Node<'_>> {
    let arguments = declared.child_by_field_id(FIELDS.type_arguments)?;
    let mut cursor = arguments.walk();
    let found = arguments
        .named_children(&mut cursor)
        .find(|child| !matches!(child.kind(), "lifetime" | "line_comment" | "block_comment"));
    found
}

fn closure_is_async(closure: Node<'_>) -> bool {
    closure
        .child_by_field_id(FIELDS.body)
        .is_some_and(|body| body.kind() == "async_block")
        || children(closure)
            .iter()
            .any(|child| child.kind() == "async")
}

/// The name a call expression calls: `get` of `get(h)`, `to` of `x.to(h)`.
fn callee_name<'src>(call: Node<'_>, source: &'src str) -> &'src str {
    let Some(mut function) = call.child_by_field_id(FIELDS.function) else {
        return "";
    };
    if function.kind() == "generic_function" {
        function = function
            .child_by_field_id(FIELDS.function)
            .unwrap_or(function);
    }
    let name = match function.kind() {
        "field_expression" => function.child_by_field_id(FIELDS.field),
        "scoped_identifier" => function.child_by_field_id(FIELDS.name),
        _ => Some(function),
    };
    name.map_or("", |name| node_text(name, source))
}

/// Whether a receiver is visibly an `Option`, a `Result` or a future's output,
/// whose `.map(…)` runs once.
fn is_optional_receiver(receiver: Node<'_>, source: &str) -> bool {
    let receiver = unwrap_reference(receiver);
    match receiver.kind() {
        "try_expression" | "await_expression" => true,
        // A struct field is not an iterator (a `Vec` needs `.iter()` first):
        // `user.manager_id.map(…)` maps an `Option`.
        "field_expression" => true,
        "call_expression" => OPTIONAL_PRODUCERS.contains(&callee_name(receiver, source)),
        _ => false,
    }
}

/// What each item of an iterated value is: a number for a numeric range or a
/// numeric sequence, the item itself for a constant sequence, otherwise a
/// value derived from the loop.
fn element_eval(iterable: &Eval, header: Span) -> Eval {
    let (value, origin) = match &iterable.value {
        Value::Sequence(items)
            if !items.is_empty() && items.iter().all(|item| matches!(item, Value::Number(_))) =>
        {
            (Value::Number(None), Origin::Numeric)
        }
        Value::Sequence(items) if !items.is_empty() && iterable.origin.is_clean() => {
            let value = match items.as_slice() {
                [single] => single.clone(),
                _ => Value::Unknown,
            };
            (value, iterable.origin)
        }
        // An item of request input or of a parameter is as tainted.
        _ if matches!(
            iterable.origin,
            Origin::Input(_) | Origin::Param(..) | Origin::Remote(_)
        ) =>
        {
            (Value::Unknown, iterable.origin)
        }
        _ => (Value::Unknown, Origin::Loop),
    };
    Eval {
        value,
        origin,
        defined_at: Some(header),
    }
}

/// The item value of an iterated value, for the sequence an iterator stands for.
fn element_value(iterable: &Eval) -> Value {
    match &iterable.value {
        Value::Sequence(items) if items.len() == 1 => items[0].clone(),
        Value::Sequence(items)
            if !items.is_empty() && items.iter().all(|item| matches!(item, Value::Number(_))) =>
        {
            Value::Number(None)
        }
        _ => Value::Unknown,
    }
}

/// sqlx's macros that take the record type before the SQL.
fn is_typed_query_macro(path: &CallPath) -> bool {
    path.resolved
        && path.text.starts_with("sqlx.")
        && matches!(
            path.name(),
            "query_as" | "query_as_unchecked" | "query_file_as" | "query_file_as_unchecked"
        )
}

/// `Type::new(…)`, `Type::default()`: a constructor by Rust convention.
fn is_constructor_path(path: &CallPath) -> bool {
    let mut segments = path.text.rsplit('.');
    let last = segments.next().unwrap_or("");
    let owner = segments.next();
    matches!(last, "new" | "default")
        && owner.is_some_and(|owner| owner.chars().next().is_some_and(char::is_uppercase))
}

/// The value path of a call: the callee's path, called.
fn called(path: &CallPath) -> CallPath {
    CallPath {
        text: format!("{}()", path.text),
        resolved: path.resolved,
    }
}

/// A loop's iterable as written, cut short: a chain of adapters would
/// otherwise copy its whole receiver once per link.
fn iterable_text(text: &str) -> String {
    const MAX_ITERABLE_BYTES: usize = 256;
    let text = text.trim();
    if text.len() <= MAX_ITERABLE_BYTES {
        return text.to_string();
    }
    let mut end = MAX_ITERABLE_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// Receiver text short enough to be a path segment.
fn compact(text: &str) -> &str {
    let text = text.trim();
    if text.len() <= 80 && !text.contains(['\n', '\r']) {
        text
    } else {
        "<expr>"
    }
}

/// A value that is one of two (the arms of an `if` or a `match`): every string
/// either arm may be is kept.
fn either(left: Option<Eval>, right: Option<Eval>) -> Eval {
    match (left, right) {
        (Some(left), Some(right)) => {
            let origin = worse(left.origin, right.origin);
            let value = match (&left.value, &right.value) {
                (Value::Number(_), Value::Number(_)) => Value::Number(None),
                _ => Value::Unknown,
            };
            super::lowering::one_of(left, right).unwrap_or_else(|| Eval::with_origin(value, origin))
        }
        (Some(one), None) | (None, Some(one)) => one,
        (None, None) => Eval::unknown(),
    }
}

/// Macros whose arguments are ordinary expressions: calls written in them
/// are recorded. Others (`quote!`, `select!`, `html!`) have a syntax of
/// their own.
const EXPRESSION_MACROS: &[&str] = &[
    "json",
    "vec",
    "dbg",
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "format",
    "format_args",
    "print",
    "println",
    "eprint",
    "eprintln",
    "write",
    "writeln",
    "panic",
    "anyhow",
    "bail",
    "ensure",
    "trace",
    "debug",
    "info",
    "warn",
    "error",
    "join",
    "try_join",
];

/// The index after a turbofish (`::<T, U>`) at `index`, or `index`.
fn skip_turbofish(tokens: &[Node<'_>], index: usize) -> usize {
    let opens = matches!(
        (tokens.get(index), tokens.get(index + 1)),
        (Some(colons), Some(angle)) if colons.kind() == "::" && angle.kind() == "<"
    );
    if !opens {
        return index;
    }
    let mut nesting = 0usize;
    for (offset, token) in tokens[index + 1..].iter().enumerate() {
        match token.kind() {
            "<" => nesting += 1,
            ">" => {
                nesting = nesting.saturating_sub(1);
                if nesting == 0 {
                    return index + 2 + offset;
                }
            }
            _ => {}
        }
    }
    tokens.len()
}

/// Whether an expression or block leaves: it is, or ends with, `return`,
/// `break` or `continue`.
fn leaves(node: Node<'_>) -> bool {
    let mut current = node;
    for _ in 0..MAX_DEPTH {
        match current.kind() {
            "return_expression" | "break_expression" | "continue_expression" => return true,
            "block" | "expression_statement" => {
                let last = named_children(current)
                    .into_iter()
                    .rev()
                    .find(|child| !matches!(child.kind(), "line_comment" | "block_comment"));
                match last {
                    Some(last) => current = last,
                    None => return false,
                }
            }
            _ => return false,
        }
    }
    false
}

/// The top-level groups of a macro's token tree, split on `,` and `;`; and
/// whether a `;` was among the separators (`vec![x; n]`).
fn macro_groups(token_tree: Node<'_>) -> (Vec<Vec<Node<'_>>>, bool) {
    let tokens = children(token_tree);
    let inner = match tokens.as_slice() {
        [open, inner @ .., close]
            if matches!(open.kind(), "(" | "[" | "{")
                && matches!(close.kind(), ")" | "]" | "}") =>
        {
            inner
        }
        [open, inner @ ..] if matches!(open.kind(), "(" | "[" | "{") => inner,
        _ => tokens.as_slice(),
    };
    let mut groups = Vec::new();
    let mut current = Vec::new();
    let mut has_semicolon = false;
    for token in inner {
        match token.kind() {
            "," | ";" => {
                has_semicolon |= token.kind() == ";";
                groups.push(std::mem::take(&mut current));
            }
            "line_comment" | "block_comment" => {}
            _ => current.push(*token),
        }
    }
    if !current.is_empty() {
        groups.push(current);
    }
    (groups, has_semicolon)
}

#[cfg(test)]
mod tests {
    use crate::model::{
        AssignmentKind, Call, FileModel, Language, LoopKind, NameScope, OriginKind, StrShape, Value,
    };

    #[test]
    fn every_field_the_walker_reads_is_a_field_of_the_grammar() {
        // A misspelled name would be id 0 and silently find no child.
        assert_eq!(super::FIELDS.missing(), Vec::<&str>::new());
    }

    fn lower(source: &str) -> FileModel {
        crate::lang::lower(Language::Rust, source)
    }

    fn call<'m>(model: &'m FileModel, path: &str) -> &'m Call {
        model
            .calls
            .iter()
            .find(|call| call.path.text == path)
            .unwrap_or_else(|| {
                let paths: Vec<&str> = model.calls.iter().map(|c| c.path.text.as_str()).collect();
                panic!("no call `{path}` among {paths:?}")
            })
    }

    fn has_call(model: &FileModel, path: &str) -> bool {
        model.calls.iter().any(|call| call.path.text == path)
    }

    fn shape(call: &Call, index: usize) -> &StrShape {
        match &call.args[index].value {
            Value::Str(shape) => shape,
            other => panic!("argument {index} of `{}` is {other:?}", call.path.text),
        }
    }

    /// The shape with each hole written as its origin: `a = {Param}`.
    fn render(shape: &StrShape) -> String {
        shape.render(|_, hole| format!("{{{:?}}}", hole.origin.kind()))
    }

    fn is_clean(shape: &StrShape) -> bool {
        shape.holes().all(|hole| hole.origin.is_clean())
    }

    fn text_of(source: &str, span: crate::model::Span) -> &str {
        &source[span.range()]
    }

    // ----- use and call paths ----------------------------------------------------

    #[test]
    fn scoped_and_imported_calls_resolve_through_use() {
        let model = lower(
            r#"
use sqlx::{query, postgres::PgPoolOptions};
use rusqlite::Connection as Conn;
use diesel::prelude::*;
use crate::db::Repo;

fn f() {
    sqlx::query("SELECT 1");
    query("SELECT 2");
    PgPoolOptions::new();
    Conn::open("db.sqlite");
    Repo::load();
    load_users();
}
"#,
        );
        let scoped = call(&model, "sqlx.query");
        assert!(scoped.path.resolved);
        assert_eq!(
            model
                .calls
                .iter()
                .filter(|c| c.path.text == "sqlx.query")
                .count(),
            2
        );
        assert!(
            call(&model, "sqlx.postgres.PgPoolOptions.new")
                .path
                .resolved
        );
        assert!(call(&model, "rusqlite.Connection.open").path.resolved);
        // The project's own items and local functions are not resolved.
        assert!(!call(&model, "Repo.load").path.resolved);
        assert!(!call(&model, "load_users").path.resolved);
    }

    #[test]
    fn turbofish_is_stripped_from_call_paths() {
        let model = lower(
            r#"
use sqlx::query_as;
async fn f(pool: &sqlx::PgPool) {
    let users = sqlx::query_as::<_, User>("SELECT id FROM users").fetch_all(pool).await;
    let one = query_as::<_, User>("SELECT id FROM users WHERE id = 1").fetch_one(pool).await;
}
"#,
        );
        assert!(call(&model, "sqlx.query_as").path.resolved);
        assert!(has_call(&model, "sqlx.query_as().fetch_all"));
        assert!(has_call(&model, "sqlx.query_as().fetch_one"));
    }

    #[test]
    fn method_calls_follow_local_origins() {
        let model = lower(
            r#"
use rusqlite::Connection;
fn f(p: &str) -> rusqlite::Result<()> {
    let conn = Connection::open(p)?;
    conn.execute("DELETE FROM t", [])?;
    let client = reqwest::Client::new();
    client.get("https://example.com").send();
    Ok(())
}
"#,
        );
        assert!(
            call(&model, "rusqlite.Connection.open().execute")
                .path
                .resolved
        );
        // `Type::new()` is an instance of the type.
        assert!(call(&model, "reqwest.Client.new").is_new);
        assert!(has_call(&model, "reqwest.Client().get().send"));
    }

    #[test]
    fn typed_parameters_give_instance_paths() {
        let model = lower(
            r#"
use sqlx::PgPool;
async fn a(pool: &PgPool) { pool.execute("x").await; }
fn b(conn: &mut rusqlite::Connection) { conn.execute("x", []); }
async fn c(State(pool): State<PgPool>) { pool.fetch_all("x").await; }
async fn d(data: web::Data<PgPool>) { data.execute("x").await; }
fn e() { let pool: PgPool = make_pool(); pool.begin(); }
"#,
        );
        assert!(call(&model, "sqlx.PgPool().execute").path.resolved);
        assert!(has_call(&model, "rusqlite.Connection().execute"));
        assert!(has_call(&model, "sqlx.PgPool().fetch_all"));
        assert_eq!(
            model
                .calls
                .iter()
                .filter(|c| c.path.text == "sqlx.PgPool().execute")
                .count(),
            2
        );
        assert!(has_call(&model, "sqlx.PgPool().begin"));
        let annotation = model.functions[0].params[0].annotation.as_deref();
        assert_eq!(annotation, Some("&PgPool"));
    }

    #[test]
    fn self_fields_resolve_through_struct_declarations() {
        let model = lower(
            r#"
impl Repo {
    async fn find(&self, id: i64) {
        self.pool.fetch_one("SELECT 1").await;
        self.cache.get(id);
    }
}
struct Repo { pool: PgPool, cache: Cache }
use sqlx::PgPool;
"#,
        );
        assert!(call(&model, "sqlx.PgPool().fetch_one").path.resolved);
        // A field whose type is not known stays a field of `self`.
        assert!(!call(&model, "self.cache.get").path.resolved);
    }

    // ----- strings -----------------------------------------------------------------

    #[test]
    fn sqlx_query_macro_arguments_are_values() {
        let source = r#"
async fn f(pool: &sqlx::PgPool, name: &str) {
    sqlx::query!("SELECT id FROM users WHERE name = $1", name).fetch_one(pool).await;
}
"#;
        let model = lower(source);
        let query = call(&model, "sqlx.query");
        assert!(query.is_macro);
        assert_eq!(
            render(shape(query, 0)),
            "SELECT id FROM users WHERE name = $1"
        );
        assert_eq!(text_of(source, query.args[1].span), "name");
        assert!(has_call(&model, "sqlx.query().fetch_one"));
    }

    #[test]
    fn typed_query_macro_puts_the_sql_first() {
        let model = lower(
            r#"
async fn f(pool: &sqlx::PgPool, status: &str) {
    sqlx::query_as!(Order, "SELECT id FROM orders WHERE status = $1", status).fetch_all(pool).await;
}
"#,
        );
        let query = call(&model, "sqlx.query_as");
        assert_eq!(query.args.len(), 2);
        assert_eq!(
            render(shape(query, 0)),
            "SELECT id FROM orders WHERE status = $1"
        );
    }

    #[test]
    fn error_conversions_keep_numbers() {
        let model = lower(
            r#"
async fn f(raw: String) -> Result<(), Error> {
    let id = raw.parse::<i64>().map_err(Error::BadRequest)?;
    let other = raw.parse::<u32>().context("not a number")?;
    run(format!("DELETE FROM t WHERE id = {} OR id = {other}", id));
    Ok(())
}
"#,
        );
        assert!(is_clean(shape(call(&model, "run"), 0)));
    }

    #[test]
    fn format_shape_spliced_into_a_query() {
        let source = r#"
async fn f(pool: &sqlx::PgPool, name: String) {
    sqlx::query(&format!("SELECT id FROM users WHERE name = '{}'", name)).execute(pool).await;
}
"#;
        let model = lower(source);
        let query = call(&model, "sqlx.query");
        let sql = shape(query, 0);
        assert_eq!(render(sql), "SELECT id FROM users WHERE name = '{Param}'");
        assert!(text_of(source, sql.span).starts_with("format!("));
        assert!(text_of(source, sql.span).ends_with(')'));
        let hole = sql.holes().next().unwrap();
        assert_eq!(hole.text, "name");
    }

    #[test]
    fn format_holes_positional_inline_and_named() {
        let model = lower(
            r#"
const TABLE: &str = "users";
fn f(a: String, b: String, c: String, limit: i64) {
    let sql = format!("SELECT {1}, {0:?} FROM {TABLE} WHERE x = {c} AND y = {named} LIMIT {limit:>8} {{}}", a, b, named = c);
    run(sql);
}
"#,
        );
        let run = call(&model, "run");
        assert_eq!(
            render(shape(run, 0)),
            "SELECT {Param}, {Param} FROM users WHERE x = {Param} AND y = {Param} LIMIT {Numeric} {}"
        );
        let holes: Vec<&str> = shape(run, 0).holes().map(|h| h.text.as_str()).collect();
        assert_eq!(holes, ["b", "a", "c", "c", "limit"]);
    }

    #[test]
    fn request_input_from_axum_extractors() {
        let model = lower(
            r#"
use axum::extract::{Json, Query};
async fn search(Query(params): Query<SearchParams>, Json(body): Json<Filter>) {
    let sql = format!("SELECT * FROM t WHERE q = '{}' AND f = '{}'", params.q, body.field);
    run(&sql);
}
"#,
        );
        let handler = &model.functions[0];
        assert_eq!(handler.handler.as_ref().unwrap().framework, "axum");
        assert!(handler.params.iter().all(|param| param.is_request_input));
        assert_eq!(
            render(shape(call(&model, "run"), 0)),
            "SELECT * FROM t WHERE q = '{Input}' AND f = '{Input}'"
        );
    }

    #[test]
    fn loop_bindings_numbers_and_constants_in_holes() {
        let model = lower(
            r#"
const COLUMNS: &str = "id, name";
fn f(names: Vec<String>, raw: &str) {
    let n = raw.parse::<i64>().unwrap();
    let m: u32 = raw.parse().unwrap();
    for name in names {
        run(format!("SELECT {COLUMNS} FROM t WHERE name = '{name}' AND a = {n} AND b = {m} AND c = {}", raw.len()));
    }
}
"#,
        );
        assert_eq!(
            render(shape(call(&model, "run"), 0)),
            "SELECT id, name FROM t WHERE name = '{Param}' AND a = {Numeric} AND b = {Numeric} AND c = {Numeric}"
        );
    }

    #[test]
    fn push_str_and_plus_equals_grow_the_string() {
        let model = lower(
            r#"
fn f(name: &str, city: String) {
    let mut sql = String::from("SELECT id FROM users WHERE 1 = 1");
    sql.push_str(" AND name = '");
    sql.push_str(&name);
    sql += "' AND city = '";
    sql += &city;
    sql.push('\'');
    run(&sql);
    let joined = "a".to_string() + &city + "b";
    run2(joined);
}
"#,
        );
        let sql = shape(call(&model, "run"), 0);
        assert_eq!(
            render(sql),
            "SELECT id FROM users WHERE 1 = 1 AND name = '{Param}' AND city = '{Param}'"
        );
        assert_eq!(render(shape(call(&model, "run2"), 0)), "a{Param}b");
    }

    #[test]
    fn placeholder_lists_are_clean_and_quoted_values_are_not() {
        let model = lower(
            r#"
fn f(ids: &[String]) {
    let a = vec!["?"; ids.len()].join(",");
    let b = ids.iter().map(|_| "?").collect::<Vec<_>>().join(", ");
    let c = (1..=ids.len()).map(|i| format!("${}", i)).collect::<Vec<_>>().join(",");
    let d = ids.iter().map(|id| format!("'{}'", id)).collect::<Vec<_>>().join(",");
    run_a(format!("SELECT 1 FROM t WHERE id IN ({a})"));
    run_b(format!("SELECT 1 FROM t WHERE id IN ({b})"));
    run_c(format!("SELECT 1 FROM t WHERE id IN ({c})"));
    run_d(format!("SELECT 1 FROM t WHERE id IN ({d})"));
}
"#,
        );
        assert!(is_clean(shape(call(&model, "run_a"), 0)));
        assert!(is_clean(shape(call(&model, "run_b"), 0)));
        assert!(is_clean(shape(call(&model, "run_c"), 0)));
        let quoted = shape(call(&model, "run_d"), 0);
        assert!(!is_clean(quoted));
        // One item as `map` makes each, its element from the parameter.
        assert_eq!(render(quoted), "SELECT 1 FROM t WHERE id IN ('{Param}')");
    }

    #[test]
    fn numeric_id_lists_are_clean() {
        let model = lower(
            r#"
fn f(ids: Vec<i64>) {
    let list = ids.iter().map(|id| id.to_string()).collect::<Vec<_>>().join(",");
    run(format!("SELECT 1 FROM t WHERE id IN ({list})"));
}
"#,
        );
        assert!(is_clean(shape(call(&model, "run"), 0)));
    }

    #[test]
    fn branches_yield_the_worse_origin() {
        let model = lower(
            r#"
fn f(order: &str, desc: bool) {
    let direction = if desc { "DESC" } else { "ASC" };
    let column = match order { "name" => "name", _ => order };
    run(format!("SELECT 1 FROM t ORDER BY {column} {direction}"));
}
"#,
        );
        let sql = shape(call(&model, "run"), 0);
        let origins: Vec<OriginKind> = sql.holes().map(|hole| hole.origin.kind()).collect();
        assert!(origins.contains(&OriginKind::Param));
        assert!(sql.literal_text().contains("DESC"));
    }

    #[test]
    fn assignments_in_exclusive_arms_keep_both_texts() {
        let model = lower(
            r#"
fn f(archived: bool, pool: &sqlx::PgPool) {
    let sql;
    if archived { sql = "SELECT * FROM a"; } else { sql = "SELECT id FROM b"; }
    sqlx::query(sql);
}
"#,
        );
        let query = call(&model, "sqlx.query");
        assert_eq!(query.args[0].value.strings().count(), 2);
    }

    #[test]
    fn raw_strings_escapes_and_continuations() {
        let model = lower(
            "fn f() {\n    run(r#\"SELECT \"id\" FROM t\"#);\n    run2(\"a\\tb\\\n        c\");\n}\n",
        );
        assert_eq!(
            render(shape(call(&model, "run"), 0)),
            "SELECT \"id\" FROM t"
        );
        assert_eq!(render(shape(call(&model, "run2"), 0)), "a\tbc");
    }

    #[test]
    fn appends_inside_a_closure_keep_the_outer_string() {
        let model = lower(
            r#"
fn f(ids: &[String], name: &str) {
    let mut sql = String::from("SELECT id FROM t WHERE 1 = 1");
    sql.push_str(" AND a = 1");
    ids.iter().for_each(|id| sql.push_str(" OR x = 1"));
    sql += " AND name = '";
    sql += name;
    run(&sql);
}
"#,
        );
        let sql = shape(call(&model, "run"), 0);
        assert!(sql
            .literal_text()
            .starts_with("SELECT id FROM t WHERE 1 = 1 AND a = 1"));
        assert_eq!(
            sql.holes()
                .map(|hole| hole.origin.kind())
                .collect::<Vec<_>>(),
            [OriginKind::Param]
        );
    }

    #[test]
    fn write_macro_appends_to_its_target() {
        let model = lower(
            r#"
use std::fmt::Write;
fn f(name: &str) {
    let mut sql = String::new();
    write!(sql, "SELECT id FROM users WHERE name = '{}'", name).unwrap();
    run(&sql);
}
"#,
        );
        assert_eq!(
            render(shape(call(&model, "run"), 0)),
            "SELECT id FROM users WHERE name = '{Param}'"
        );
    }

    // ----- functions and handlers --------------------------------------------------

    #[test]
    fn actix_route_attribute_marks_a_handler() {
        let source = r#"
use actix_web::{get, web, HttpResponse};
#[get("/users/{id}")]
async fn user(path: web::Path<i64>, req: HttpRequest, body: String) -> HttpResponse { HttpResponse::Ok().finish() }
#[actix_web::post("/x")]
async fn create() {}
async fn helper(x: i64) {}
"#;
        let model = lower(source);
        let user = &model.functions[0];
        let handler = user.handler.as_ref().unwrap();
        assert_eq!(handler.framework, "actix");
        assert_eq!(text_of(source, handler.evidence), "#[get(\"/users/{id}\")]");
        // `web::Path<i64>` is a number; the request and the raw body are input.
        assert!(!user.params[0].is_request_input);
        assert!(user.params[1].is_request_input);
        assert!(user.params[2].is_request_input);
        assert_eq!(
            model.functions[1].handler.as_ref().unwrap().framework,
            "actix"
        );
        assert!(model.functions[2].handler.is_none());
    }

    #[test]
    fn axum_handler_by_extractor_signature() {
        let model = lower(
            r#"
async fn show(Path(id): Path<i64>, State(state): State<AppState>) {}
async fn plain(id: i64) {}
fn sync_fn(Path(id): Path<i64>) {}
"#,
        );
        let show = &model.functions[0];
        assert_eq!(show.handler.as_ref().unwrap().framework, "axum");
        assert_eq!(show.params[0].name, "id");
        assert_eq!(show.params[0].annotation.as_deref(), Some("Path<i64>"));
        assert!(!show.params[0].is_request_input);
        assert!(!show.params[1].is_request_input);
        assert!(model.functions[1].handler.is_none());
        assert!(model.functions[2].handler.is_none());
    }

    #[test]
    fn axum_registration_marks_handlers_declared_later() {
        let source = r#"
fn app() -> Router {
    Router::new()
        .route("/users", get(list_users).post(handlers::create_user))
        .route("/health", routing::get(|| async { "ok" }))
}
async fn list_users() {}
mod handlers { pub async fn create_user() {} }
async fn unrelated() {}
"#;
        let model = lower(source);
        let by_name = |name: &str| model.functions.iter().find(|f| f.name == name).unwrap();
        let list = by_name("list_users").handler.as_ref().unwrap();
        assert_eq!(list.framework, "axum");
        assert_eq!(text_of(source, list.evidence), "get(list_users)");
        assert!(by_name("create_user").handler.is_some());
        assert!(by_name("<anonymous>").handler.is_some());
        assert!(by_name("unrelated").handler.is_none());
    }

    #[test]
    fn actix_registration_with_to() {
        let model = lower(
            r#"
fn config(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(index)).service(web::resource("/x").route(web::post().to(create)));
}
async fn index() {}
async fn create() {}
"#,
        );
        for function in &model.functions[1..] {
            assert_eq!(
                function.handler.as_ref().unwrap().framework,
                "actix",
                "{}",
                function.name
            );
        }
    }

    #[test]
    fn functions_closures_and_methods() {
        let source = r#"
trait Store { fn get(&self) -> i64 { 0 } }
impl Repo {
    pub async fn load(&self) {
        fn nested() {}
        let handle = async |x| x;
        let plain = |y: i64| y + 1;
    }
}
"#;
        let model = lower(source);
        let names: Vec<&str> = model.functions.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            ["get", "load", "nested", "<anonymous>", "<anonymous>"]
        );
        assert!(model.functions[1].is_async);
        assert_eq!(model.functions[1].params[0].name, "self");
        assert_eq!(model.functions[2].parent, Some(crate::model::FunctionId(1)));
        assert!(model.functions[3].is_async);
        assert!(!model.functions[4].is_async);
        assert_eq!(text_of(source, model.functions[4].name_span), "|y: i64|");
    }

    // ----- loops -------------------------------------------------------------------

    #[test]
    fn loops_of_every_kind() {
        let model = lower(
            r#"
async fn f(pool: &PgPool, mut stream: Rows) {
    for (i, row) in rows.iter().enumerate() { q1(row); }
    while let Some(row) = stream.try_next().await? { q2(row); }
    while more() { q3(); }
    loop { q4(); break; }
    ids.iter().for_each(|id| { q5(id); });
}
"#,
        );
        let kinds: Vec<LoopKind> = model.loops.iter().map(|each| each.kind).collect();
        assert_eq!(
            kinds,
            [
                LoopKind::For,
                LoopKind::While,
                LoopKind::While,
                LoopKind::While,
                LoopKind::Callback
            ]
        );
        assert_eq!(model.loops[0].bindings, ["i", "row"]);
        assert_eq!(
            model.loops[0].iterable.as_deref(),
            Some("rows.iter().enumerate()")
        );
        assert_eq!(model.loops[1].bindings, ["row"]);
        assert_eq!(model.loops[4].bindings, ["id"]);
        assert_eq!(model.loops[4].iterable.as_deref(), Some("ids.iter()"));
        for (index, name) in ["q1", "q2", "q3", "q4", "q5"].iter().enumerate() {
            let inside = call(&model, name).innermost_loop;
            assert_eq!(inside.map(|id| id.0 as usize), Some(index), "{name}");
        }
        // The `while let` condition runs on each iteration.
        assert!(call(&model, "stream.try_next").innermost_loop.is_some());
    }

    #[test]
    fn iterables_are_evaluated_outside_the_loop() {
        let source = r#"
async fn f(pool: &sqlx::PgPool, ids: Vec<i64>) {
    for row in sqlx::query("SELECT id FROM t").fetch_all(pool).await? {
        sqlx::query("SELECT 1").execute(pool).await?;
    }
    let users = futures::future::join_all(ids.iter().map(|id| async move {
        sqlx::query("SELECT 2").bind(id).fetch_one(pool).await
    })).await;
    stream::iter(load_ids().await).then(|id| fetch(id));
}
"#;
        let model = lower(source);
        let fetch_all = call(&model, "sqlx.query().fetch_all");
        assert!(fetch_all.innermost_loop.is_none());
        assert!(call(&model, "sqlx.query().execute")
            .innermost_loop
            .is_some());
        let map_loop = &model.loops[1];
        assert_eq!(map_loop.kind, LoopKind::Callback);
        assert!(map_loop.is_async);
        assert_eq!(text_of(source, map_loop.header), "map");
        assert_eq!(map_loop.iterable.as_deref(), Some("ids.iter()"));
        let fetch_one = call(&model, "sqlx.query().bind().fetch_one");
        assert_eq!(fetch_one.innermost_loop, Some(crate::model::LoopId(1)));
        assert!(call(&model, "ids.iter").innermost_loop.is_none());
        let join_all = call(&model, "futures.future.join_all");
        assert!(join_all.innermost_loop.is_none());
        assert!(join_all.awaited);
        assert!(call(&model, "load_ids").innermost_loop.is_none());
        assert!(call(&model, "fetch").innermost_loop.is_some());
    }

    #[test]
    fn option_map_is_not_a_loop() {
        let model = lower(
            r#"
async fn f(headers: HeaderMap, pool: &PgPool) {
    let user = headers.get("x-user").map(|value| lookup(value));
    let found = repo.find(1).await?.map(|row| convert(row));
    let names = rows.into_iter().map(|row| convert2(row)).collect::<Vec<_>>();
}
"#,
        );
        assert!(call(&model, "lookup").innermost_loop.is_none());
        assert!(call(&model, "convert").innermost_loop.is_none());
        assert!(call(&model, "convert2").innermost_loop.is_some());
        assert_eq!(model.loops.len(), 1);
    }

    #[test]
    fn awaited_through_try_and_parentheses() {
        let model = lower(
            r#"
async fn f(pool: &PgPool) -> Result<()> {
    let a = sqlx::query("a").fetch_all(pool).await?;
    let b = (sqlx::query("b").fetch_one(pool)).await;
    let c = sqlx::query("c").execute(pool);
    Ok(())
}
"#,
        );
        assert!(call(&model, "sqlx.query().fetch_all").awaited);
        assert!(call(&model, "sqlx.query().fetch_one").awaited);
        assert!(!call(&model, "sqlx.query().execute").awaited);
        assert!(model
            .calls
            .iter()
            .filter(|c| c.path.text == "sqlx.query")
            .all(|c| !c.awaited));
    }

    // ----- broken and hostile input ------------------------------------------------

    #[test]
    fn syntax_error_keeps_the_rest_of_the_file() {
        let model = lower(
            r#"
fn broken() {
    let x = foo(;
    let y = 5
}
fn fine(pool: &PgPool) {
    sqlx::query("SELECT 1").execute(pool);
}
"#,
        );
        assert!(!model.syntax_errors.is_empty());
        assert!(has_call(&model, "sqlx.query().execute"));
        assert!(model.functions.iter().any(|f| f.name == "fine"));
    }

    #[test]
    fn calls_inside_error_regions_are_kept() {
        // The parser gives up on `f` and wraps it, calls and all, in an ERROR.
        let model = lower(
            "fn f() {\n    let x = (sqlx::query(\"a\"), ;\n    foo(sqlx::query(\"b\") +);\n}\nimpl { fn g() { sqlx::query(\"c\"); } }\n",
        );
        assert!(!model.syntax_errors.is_empty());
        let queries = model
            .calls
            .iter()
            .filter(|c| c.path.text == "sqlx.query")
            .count();
        assert_eq!(queries, 3);
        assert!(model.functions.iter().any(|f| f.name == "g"));
    }

    #[test]
    fn deep_nesting_does_not_overflow_the_stack() {
        // Every construct the walk recurses through, nested far past the depth
        // limit, on a worker-sized stack (unoptimised frames are the largest).
        let depth = 5000;
        let nest = |open: &str, middle: &str, close: &str| {
            format!("{}{middle}{}", open.repeat(depth), close.repeat(depth))
        };
        let sources = vec![
            format!("fn f() {{ let x = {}; }}", nest("(", "1", ")")),
            format!("fn f() {{ let x = {}; }}", nest("1 + ", "0", "")),
            format!("fn f() {{ let x = {}; }}", nest("\"a\" + ", "\"b\"", "")),
            format!("fn f() {{ {} }}", nest("g(", "x", ")")),
            format!("fn f() {{ {}; }}", nest("", "x", ".m()")),
            format!("fn f() {{ {}; }}", nest("", "x", ".m::<i64>()")),
            format!("fn f() {{ {}; }}", nest("", "x", ".a")),
            format!("async fn f() {{ {}; }}", nest("", "x", ".await?")),
            format!("fn f() {{ {} }}", nest("{ ", "", "}")),
            format!("fn f() {{ {} }}", nest("|x| ", "1", "")),
            format!("fn f() {{ {} }}", nest("g(|x| ", "1", ")")),
            format!("fn f() {{ {} }}", nest("xs.iter().map(|x| ", "1", ")")),
            format!("fn f() {{ {} }}", nest("if let Some(x) = y { ", "", "}")),
            format!("fn f() {{ {} }}", nest("match a { _ => ", "1", "}")),
            format!("fn f() {{ {} }}", nest("for x in y { ", "", "}")),
            format!("fn f() {{ {} }}", nest("while let Some(x) = y { ", "", "}")),
            format!("fn f() {{ {} }}", nest("{ let x = ", "1", "; }")),
            nest("fn f() { ", "", "}"),
            nest("mod m { ", "", "}"),
            format!("fn f() {{ {} }}", nest("a[", "0", "]")),
            format!("fn f() {{ {}; }}", nest("[", "1", "]")),
            format!("fn f() {{ {}; }}", nest("S {{ a: ", "1", " }}")),
            format!("fn f() {{ {}; }}", nest("async {{ ", "", "}}")),
            format!("fn f() {{ {}; }}", nest("x = ", "1", "")),
            format!("fn f() {{ {}; }}", nest("format!(\"{{}}\", ", "1", ")")),
            format!("use {};", nest("a::{{", "x", "}}")),
            format!("fn f(x: {}) {{}}", nest("A<", "i64", ">")),
            format!("fn f() {{ let {} = 1; }}", nest("(", "x", ",)")),
        ];
        let worker = std::thread::Builder::new()
            .stack_size(8 * 1024 * 1024)
            .spawn(move || {
                sources
                    .iter()
                    .map(|source| lower(source).syntax_errors.len())
                    .collect::<Vec<_>>()
            })
            .unwrap();
        let errors = worker.join().expect("lowering overflowed the stack");
        // The nested expressions are cut off at the depth limit, and say so;
        // macros, `use` trees, types and patterns are not walked recursively.
        let cut_off = &errors[..errors.len() - 4];
        assert!(cut_off.iter().all(|count| *count > 0), "{errors:?}");
    }

    #[test]
    fn type_aliases_and_shared_state_resolve() {
        let model = lower(
            r#"
use diesel::r2d2::{ConnectionManager, Pool};
type DbPool = Pool<ConnectionManager<PgConnection>>;
type Shared = std::sync::Arc<AppState>;
struct AppState { client: reqwest::Client }
async fn handler(pool: web::Data<DbPool>, state: Shared) {
    let conn = pool.get().unwrap();
    state.client.get("https://example.com").send().await;
}
"#,
        );
        assert!(call(&model, "diesel.r2d2.Pool().get").path.resolved);
        assert!(call(&model, "reqwest.Client().get().send").path.resolved);
    }

    #[test]
    fn query_builder_push_keeps_the_builder() {
        let model = lower(
            r#"
use sqlx::QueryBuilder;
async fn f(pool: &sqlx::PgPool, names: &[String]) {
    let mut builder = QueryBuilder::new("SELECT id FROM users WHERE name = ");
    builder.push_bind(&names[0]);
    builder.push(" LIMIT 1");
    builder.build().fetch_all(pool).await;
}
"#,
        );
        assert!(
            call(&model, "sqlx.QueryBuilder().build().fetch_all")
                .path
                .resolved
        );
    }

    #[test]
    fn conditions_pushed_to_a_list_carry_their_origin() {
        let model = lower(
            r#"
fn f(name: Option<String>, active: bool) {
    let mut clean = Vec::new();
    clean.push("active = true");
    clean.push("deleted = false");
    run_clean(format!("SELECT 1 FROM t WHERE {}", clean.join(" AND ")));
    let mut dirty = vec![];
    if let Some(name) = name {
        dirty.push(format!("name = '{name}'"));
    }
    run_dirty(format!("SELECT 1 FROM t WHERE {}", dirty.join(" AND ")));
}
"#,
        );
        assert!(is_clean(shape(call(&model, "run_clean"), 0)));
        assert_eq!(
            render(shape(call(&model, "run_dirty"), 0)),
            "SELECT 1 FROM t WHERE {Param}"
        );
    }

    #[test]
    fn result_and_then_is_not_a_loop() {
        let model = lower(
            r#"
fn f(raw: &str) {
    let value = std::env::var(raw).and_then(|value| lookup(value));
}
"#,
        );
        assert!(model.loops.is_empty());
        assert!(call(&model, "lookup").innermost_loop.is_none());
    }

    #[test]
    fn inline_capture_holes_point_into_the_literal() {
        let source = r#"fn f(limit: i64, name: &str) { run(format!("a {name} b {limit:>8}")); }"#;
        let model = lower(source);
        let holes: Vec<&str> = shape(call(&model, "run"), 0)
            .holes()
            .map(|hole| text_of(source, hole.span))
            .collect();
        assert_eq!(holes, ["{name}", "{limit:>8}"]);
    }

    #[test]
    fn locals_and_arguments_know_where_their_client_was_built() {
        let source = "use std::time::Duration;\nuse reqwest::Client;\n\n\
async fn run() -> reqwest::Result<()> {\n    \
let http = Client::builder().timeout(None).build()?;\n    \
http.get(URL).timeout(Duration::from_secs(5)).send().await?;\n    \
fetch(&http).await;\n    config.http.timeout = 30;\n    Ok(())\n}\n";
        let model = lower(source);
        let text = |span: crate::model::Span| &source[span.range()];
        let get = call(&model, "reqwest.Client.builder().timeout().build().get");
        assert_eq!(
            get.receiver_defined_at.map(text),
            Some("Client::builder().timeout(None).build()?")
        );
        assert_eq!(
            call(&model, "fetch").args[0].defined_at,
            get.receiver_defined_at
        );
        // `None` is a literal; a written integer is kept.
        assert_eq!(
            call(&model, "reqwest.Client.builder().timeout").args[0].value,
            Value::Literal
        );
        assert_eq!(
            call(&model, "std.time.Duration.from_secs").args[0].value,
            Value::Number(Some(5))
        );
        let write = &model.attribute_writes[0];
        assert_eq!(write.target.text, "config.http.timeout");
        assert_eq!(write.value, Value::Number(Some(30)));
    }

    #[test]
    fn test_functions_and_modules_are_test_code() {
        let source = "fn serve() {}\n\n#[tokio::test]\nasync fn polls() {}\n\n\
#[cfg(test)]\nmod tests {\n    fn helper() {}\n}\n\n#[cfg(feature = \"x\")]\nmod extra {}\n";
        let model = lower(source);
        let first_lines: Vec<&str> = model
            .test_code
            .iter()
            .map(|span| source[span.range()].lines().next().unwrap_or(""))
            .collect();
        assert_eq!(first_lines, ["async fn polls() {}", "mod tests {"]);
    }

    #[test]
    fn name_reads_assignments_and_arms() {
        let source = "use regex::Regex;\nconst PATH: &str = \"x\";\nfn f(conn: &Connection, items: &[Item]) -> Result<u32> {\n    let mut total = 0;\n    for item in items {\n        total += item.n;\n        state.seen[0] = item.id;\n        let re = Regex::new(PATH)?;\n        match item.kind {\n            Some(kind) => println!(\"{kind}\"),\n            None => return Err(e()),\n        }\n    }\n    Ok(total)\n}\n";
        let model = lower(source);
        let text = |span: crate::model::Span| &source[span.range()];
        let reads: Vec<(&str, &NameScope)> = model
            .name_reads
            .iter()
            .map(|read| (text(read.span), &read.scope))
            .collect();
        assert!(reads.contains(&("items", &NameScope::Local)));
        assert!(reads.contains(&("PATH", &NameScope::Module)));
        // An inline format capture is read where it is written.
        assert!(reads.contains(&("kind", &NameScope::Local)));
        let assignments: Vec<(&str, AssignmentKind, Option<&str>)> = model
            .assignments
            .iter()
            .map(|assignment| {
                (
                    text(assignment.target),
                    assignment.kind,
                    assignment.value.map(text),
                )
            })
            .collect();
        assert_eq!(
            assignments,
            vec![
                ("total", AssignmentKind::Bind, Some("0")),
                ("total", AssignmentKind::Update, Some("item.n")),
                ("state", AssignmentKind::Store, Some("item.id")),
                ("re", AssignmentKind::Bind, Some("Regex::new(PATH)?")),
                ("kind", AssignmentKind::Bind, Some("item.kind")),
            ]
        );
        let exits: Vec<bool> = model.arms.iter().map(|arm| arm.exits).collect();
        assert_eq!(exits, vec![false, true]);
    }

    #[test]
    fn calls_inside_expression_macros_are_recorded() {
        let model = lower(
            "fn summary(conn: &rusqlite::Connection) -> serde_json::Value {\n    serde_json::json!({ \"n\": conn.query_row(SQL, [], |r| r.get::<_, i64>(0)).unwrap() })\n}\n",
        );
        let query = call(&model, "rusqlite.Connection().query_row");
        // The closure's turbofish does not split the arguments.
        assert_eq!(query.args.len(), 3);
        assert!(model
            .calls
            .iter()
            .any(|each| each.path.text == "rusqlite.Connection().query_row().unwrap"));
        let quoted = lower("fn g() -> TokenStream { quote! { conn.query_row(SQL) } }\n");
        assert!(!quoted
            .calls
            .iter()
            .any(|each| each.path.text.ends_with("query_row")));
    }

    #[test]
    fn numeric_fields_of_extractors_guards_and_reads_into_buffers() {
        let oracle = |path: &crate::model::CallPath| {
            (path.resolved && path.text.starts_with("std.io.stdin"))
                .then_some(crate::lang::SourceKind::Input)
        };
        let lower = |source: &str| crate::lang::lower_with(Language::Rust, source, Some(&oracle));
        let model = lower(
            r#"
use actix_web::web;
const ZONES: &[&str] = &["eu", "us"];
struct Adjustment { delta: i32, reason: String, zone: String }
async fn adjust(body: web::Json<Adjustment>) {
    if !ZONES.contains(&body.zone.as_str()) {
        return;
    }
    let mut note = String::new();
    std::io::stdin().read_line(&mut note);
    let line = format!("{} {} {}", body.delta, body.zone, body.reason);
    run(format!("{line} {note}"));
}
"#,
        );
        let kinds: Vec<OriginKind> = shape(call(&model, "run"), 0)
            .holes()
            .map(|hole| hole.origin.kind())
            .collect();
        assert_eq!(
            kinds,
            vec![
                OriginKind::Numeric,
                OriginKind::Constant,
                OriginKind::Input,
                OriginKind::Input
            ]
        );
    }

    #[test]
    fn helpers_return_what_their_arguments_make() {
        let model = lower(
            r#"
fn clause(code: &str) -> String {
    format!("warehouse = '{code}'")
}
impl Repo {
    fn kind(&self, name: &str) -> &'static str {
        match name { "a" => "x", _ => "y" }
    }
    fn list(&self, code: String) {
        let condition = clause(&code);
        let kind = self.kind(&code);
        run(format!("SELECT 1 WHERE {condition} AND {kind}"));
        Self::later(&code);
    }
    fn later(code: &str) {}
}
"#,
        );
        assert_eq!(
            render(shape(call(&model, "run"), 0)),
            "SELECT 1 WHERE warehouse = '{Param}' AND x"
        );
        let later = call(&model, "Repo.later");
        assert!(later.target.is_some());
    }
}
