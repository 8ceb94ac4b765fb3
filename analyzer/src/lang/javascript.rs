//! The TypeScript, TSX and JavaScript front end: one grammar family whose three
//! grammars share their expression and statement node kinds (TypeScript adds
//! types, parameter decorators and parameter properties; TSX and JavaScript add
//! JSX), so one walk handles the union of their kinds.
//!
//! The decision that shapes it: every expression is evaluated exactly once, in
//! source order, by `Walker::eval`, and what it returns (an `Eval`) serves every
//! purpose at once: the call path of a callee, the shape of a string argument,
//! the binding of a variable, the receiver of `.join` or `.map`. Nothing is
//! re-walked to answer a second question about the same expression.
//!
//! Before the walk, a cheap pass over the program's top-level statements only
//! binds imports, top-level declarations whose value is known without walking
//! (literals, `require`, `new X()`, member chains; bounded work per declaration),
//! and route registrations of named functions, so that a function sees them
//! wherever it is declared in the file.

use foldhash::{HashMap, HashMapExt};

use tree_sitter::{Node, Tree};

use crate::lang::lowering::{
    append, argument_origin, concat, is_numeric_annotation, join_origin, join_shapes,
    looks_constant, member_origin, one_of, shape_origin, site_through, worse, AttributeWriteSpec,
    Binding, CallSpec, CalleeRef, Eval, FunctionSpec, LoopSpec, Lowering, ParamSpec, ShapeBuilder,
    SourceOracle, MAX_DEPTH,
};
use crate::lang::{grammar_fields, named_children, node_text, span, unescape};
use crate::model::{
    uncalled, Arg, AssignmentKind, CallPath, FileModel, FunctionId, Handler, Language, LoopKind,
    Origin, Param, Params, Part, Span, Value,
};

/// A call path longer than this stops growing (its prefix is dropped), so that
/// a builder chain of thousands of calls stays linear.
const MAX_PATH_BYTES: usize = 512;
/// Source text copied into the model for messages (hole text, iterables).
const MAX_TEXT_BYTES: usize = 256;
/// Items kept per array or object literal value.
const MAX_ITEMS: usize = 256;
/// Nodes the first pass may read to evaluate one top-level declaration.
const PREPASS_BUDGET: u32 = 256;

/// Methods of a route object (`app.get('/x', handler)`) that register handlers.
const ROUTE_METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "del", "all", "use", "options", "head",
];
/// Instance paths of Express, Fastify and Koa apps and routers.
const SERVER_PATHS: &[&str] = &[
    "express()",
    "express.Router()",
    "express.default()",
    "express.default.Router()",
    "fastify()",
    "fastify.default()",
    "fastify.fastify()",
    "fastify.Fastify()",
    "koa-router()",
    "@koa/router()",
    "koa-router.Router()",
    "@koa/router.Router()",
];
/// Conventional names of app and router objects whose origin is not known.
const SERVER_NAMES: &[&str] = &[
    "app",
    "router",
    "api",
    "routes",
    "server",
    "apirouter",
    "r",
    "fastify",
];
/// Callbacks run once per element of their receiver.
const ITERATION_METHODS: &[&str] = &[
    "forEach",
    "map",
    "flatMap",
    "filter",
    "reduce",
    "reduceRight",
    "some",
    "every",
    "find",
    "findIndex",
    "findLast",
    "findLastIndex",
];
/// Next.js app-router handlers are exported functions named after the method.
const NEXT_METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
/// Next.js pages-router data functions that run on every request for a
/// page; their parameter is the request context.
const NEXT_REQUEST_FUNCTIONS: &[&str] = &["getServerSideProps"];
/// NestJS method decorators that make a controller method a route handler.
const NEST_ROUTE_DECORATORS: &[&str] = &[
    "Get", "Post", "Put", "Patch", "Delete", "All", "Head", "Options",
];
/// NestJS GraphQL resolver decorators (from `@nestjs/graphql` only).
const NEST_RESOLVER_DECORATORS: &[&str] = &["Query", "Mutation", "Subscription", "ResolveField"];
/// NestJS parameter decorators that inject request input.
const NEST_INPUT_DECORATORS: &[&str] = &[
    "Query",
    "Param",
    "Body",
    "Headers",
    "Req",
    "Request",
    "Ip",
    "HostParam",
    "Args",
];

/// Element, index, array: the parameters of `forEach`/`map`/`filter` callbacks.
const ELEMENT_ROLES: &[Origin] = &[Origin::Loop, Origin::Numeric, Origin::Loop];
/// Accumulator, element, index, array: the parameters of `reduce` callbacks.
const REDUCE_ROLES: &[Origin] = &[Origin::Loop, Origin::Loop, Origin::Numeric, Origin::Loop];

pub(crate) fn lower(
    tree: &Tree,
    source: &str,
    language: Language,
    sources: Option<SourceOracle<'_>>,
) -> FileModel {
    // Kinds that exist in one grammar of the family simply never occur in the
    // others, so the walk needs no branch on the language.
    let _ = language;
    let root = tree.root_node();
    let fields = Fields::of(&tree.language());
    let mut walker = Walker::new(source, fields, sources);
    walker.prepass(root);
    walker.eval(root, 0);
    walker.resolve_pending();
    walker.lowering.finish()
}

grammar_fields! {
    /// The grammar's field ids, looked up once per file.
    Fields {
        alias: "alias",
        alternative: "alternative",
        argument: "argument",
        arguments: "arguments",
        body: "body",
        condition: "condition",
        consequence: "consequence",
        constructor: "constructor",
        declaration: "declaration",
        decorator: "decorator",
        function: "function",
        increment: "increment",
        index: "index",
        initializer: "initializer",
        key: "key",
        left: "left",
        name: "name",
        object: "object",
        operator: "operator",
        parameter: "parameter",
        parameters: "parameters",
        pattern: "pattern",
        property: "property",
        right: "right",
        source: "source",
        type_: "type",
        value: "value",
    }
}

/// How a handler's parameters carry request input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InputRule {
    /// `(req, res, next)`, or `(err, req, res, next)` for error middleware;
    /// a function with fewer than two parameters is not a handler.
    Express,
    /// `GET(request, { params })`: both parameters.
    NextApp,
    /// `handler(req, res)`: only when the parameters say so by name or type.
    NextPages,
    /// The parameters' own decorators decide (NestJS `@Query()`, `@Body()`…).
    Decorated,
    /// Koa `(ctx, next)` and Fastify `(request, reply)`, registered on a
    /// known app or router: the first parameter, if any, is the request.
    FirstParam,
    /// Next.js server actions: every argument comes from the client.
    AllParams,
}

#[derive(Debug, Clone, Copy)]
struct HandlerHint {
    framework: &'static str,
    evidence: Span,
    rule: InputRule,
}

/// What the construct around a call says about the functions passed to it.
#[derive(Debug, Clone, Copy)]
enum CallRole {
    /// `app.get('/x', …)`: function arguments are handlers, call arguments wrap them.
    Registration(HandlerHint),
    /// `asyncHandler(…)` passed to a registration: its function arguments are handlers.
    Wrapper(HandlerHint),
}

impl CallRole {
    fn hint(self) -> HandlerHint {
        match self {
            CallRole::Registration(hint) | CallRole::Wrapper(hint) => hint,
        }
    }
}

/// An iteration callback about to be lowered as a loop.
struct Iteration {
    callback_index: usize,
    roles: &'static [Origin],
    span: Span,
    header: Span,
    iterable: Option<String>,
    iterable_value: Option<Value>,
    iterable_origin: Option<Origin>,
}

/// What the surroundings of a function tell its lowering.
#[derive(Default)]
struct FunctionContext {
    /// The name and its span, when the function is anonymous syntax bound to a
    /// name (`const f = () => …`, a method, an object key).
    name: Option<(String, Span)>,
    /// The name is a variable in scope (declarations and `const f = …`), so a
    /// registration by name can refer to it.
    binds_name: bool,
    handler: Option<HandlerHint>,
    /// Origins of the parameters of an iteration callback, by position.
    iteration: Option<&'static [Origin]>,
    /// What the element parameter of an iteration callback stands for.
    element: Option<Value>,
    /// Where the elements of an iteration callback's receiver come from.
    element_origin: Option<Origin>,
    /// The class of a method.
    owner: Option<String>,
}

struct LoweredFunction {
    /// The returned values merged: the worst origin wins.
    returned: Option<Eval>,
}

struct ParamInfo<'tree> {
    param: Param,
    annotation_path: Option<CallPath>,
    annotation_span: Option<Span>,
    /// The object or array pattern of a destructured parameter.
    pattern: Option<Node<'tree>>,
    default: Option<Node<'tree>>,
}

struct ClassContext {
    /// `this.<field>` → the instance path of its declared type or initializer.
    fields: HashMap<String, CallPath>,
    /// `this.<field>` → the expression first assigned to it (its initializer,
    /// or `this.field = …` in a method), for `Call::receiver_defined_at`.
    sites: HashMap<String, Span>,
    is_controller: bool,
    name: Option<String>,
}

/// The callee of a call, evaluated.
struct Callee<'tree, 'src> {
    path: CallPath,
    /// The object of a member callee and its evaluation (`xs` in `xs.map`).
    receiver: Option<(Node<'tree>, Eval)>,
    method: Option<&'src str>,
}

/// The syntax of a call being recorded.
struct CallShape<'tree> {
    node: Node<'tree>,
    callee_node: Node<'tree>,
    awaited: bool,
    tagged_template: bool,
    is_new: bool,
}

struct Member<'src> {
    object: Eval,
    path: CallPath,
    property: &'src str,
    /// The value of the key, when the object is a literal that has it.
    keyed: Option<Eval>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum BindMode {
    Declare,
    Assign,
}

/// The lowering of one kind of node.
type LowerFn<'src> = for<'walker, 'tree> fn(&'walker mut Walker<'src>, Node<'tree>, usize) -> Eval;

struct Walker<'src> {
    source: &'src str,
    fields: Fields,
    lowering: Lowering<'src>,
    /// The call or `new` that is the direct operand of the `await` being lowered.
    awaited: Option<usize>,
    /// Handler conventions decided by an enclosing `export`, by function node id.
    hints: Vec<(usize, HandlerHint)>,
    /// A call passed to a registration, whose function arguments are handlers.
    wrapped: Option<(usize, HandlerHint)>,
    /// One slot per function being lowered: what it returns.
    returns: Vec<Option<Eval>>,
    classes: Vec<ClassContext>,
    /// Functions bound to a name in this file, for registrations by name.
    declared: HashMap<String, FunctionId>,
    /// Names registered as handlers by top-level statements (first pass).
    registered: HashMap<String, HandlerHint>,
    /// Registrations by name, resolved once every function is known.
    pending: Vec<(String, HandlerHint)>,
    /// The value path of the call lowered last, by node id: a member of a call
    /// whose value is not a path (`s.split(',').map`, `Model.find().skip`)
    /// still extends the call's path.
    last_call: Option<(usize, CallPath)>,
    /// The file's `'use server'` directive: its exported async functions are
    /// Next.js server actions.
    server_file: Option<Span>,
    /// The expression a pattern being destructured takes its value from.
    destructuring: Option<Span>,
}

impl<'src> Walker<'src> {
    fn new(source: &'src str, fields: Fields, sources: Option<SourceOracle<'src>>) -> Walker<'src> {
        Walker {
            source,
            fields,
            lowering: Lowering::new(source, sources),
            awaited: None,
            hints: Vec::new(),
            wrapped: None,
            returns: Vec::new(),
            classes: Vec::new(),
            declared: HashMap::new(),
            registered: HashMap::new(),
            pending: Vec::new(),
            last_call: None,
            server_file: None,
            destructuring: None,
        }
    }

    fn text(&self, node: Node<'_>) -> &'src str {
        node_text(node, self.source)
    }

    // ----- the first pass ---------------------------------------------------------

    fn prepass(&mut self, root: Node<'_>) {
        self.server_file = self.use_server_directive(root);
        let mut cursor = root.walk();
        for statement in root.named_children(&mut cursor) {
            match statement.kind() {
                "import_statement" => self.lower_import(statement),
                "lexical_declaration" | "variable_declaration" => {
                    self.prepass_declaration(statement)
                }
                "export_statement" => {
                    if let Some(declaration) = statement.child_by_field_id(self.fields.declaration)
                    {
                        if matches!(
                            declaration.kind(),
                            "lexical_declaration" | "variable_declaration"
                        ) {
                            self.prepass_declaration(declaration);
                        }
                    }
                }
                "expression_statement" => self.prepass_registration(statement),
                // Declarations are hoisted: a registration above one names it.
                "function_declaration" | "generator_function_declaration" => {
                    if let Some(name) = statement.child_by_field_id(self.fields.name) {
                        self.lowering.bind(self.text(name), function_value());
                    }
                }
                _ => {}
            }
        }
    }

    fn lower_import(&mut self, statement: Node<'_>) {
        let statement_source = statement
            .child_by_field_id(self.fields.source)
            .map(|node| unescape(string_body(self.text(node))));
        let mut cursor = statement.walk();
        for child in statement.named_children(&mut cursor) {
            match child.kind() {
                "import_clause" => {
                    let Some(module) = statement_source.as_deref() else {
                        continue;
                    };
                    for part in named_children(child) {
                        match part.kind() {
                            "identifier" => self.bind_module_import(self.text(part), module, None),
                            "namespace_import" => {
                                if let Some(local) = first_named(part) {
                                    self.bind_module_import(self.text(local), module, None);
                                }
                            }
                            "named_imports" => {
                                for specifier in named_children(part) {
                                    if specifier.kind() != "import_specifier" {
                                        continue;
                                    }
                                    let Some(name) = specifier.child_by_field_id(self.fields.name)
                                    else {
                                        continue;
                                    };
                                    let imported = unescape(string_body(self.text(name)));
                                    let local = match specifier.child_by_field_id(self.fields.alias)
                                    {
                                        Some(alias) => self.text(alias).to_string(),
                                        None => imported.clone(),
                                    };
                                    self.bind_module_import(&local, module, Some(&imported));
                                }
                            }
                            _ => {}
                        }
                    }
                }
                // TypeScript's `import x = require('y')`.
                "import_require_clause" => {
                    let module = child
                        .child_by_field_id(self.fields.source)
                        .map(|node| unescape(string_body(self.text(node))));
                    if let (Some(local), Some(module)) = (first_named(child), module) {
                        self.bind_module_import(self.text(local), &module, None);
                    }
                }
                _ => {}
            }
        }
    }

    fn bind_module_import(&mut self, local: &str, module: &str, member: Option<&str>) {
        if is_relative(module) {
            // Our own modules' APIs are unknown: the name stays itself.
            self.lowering.bind(local, relative_eval(local));
            return;
        }
        let path = match member {
            None | Some("default") => module.to_string(),
            Some(member) => format!("{module}.{member}"),
        };
        self.lowering.bind_import(local, path);
    }

    fn prepass_declaration(&mut self, declaration: Node<'_>) {
        let mut cursor = declaration.walk();
        for declarator in declaration.named_children(&mut cursor) {
            if declarator.kind() != "variable_declarator" {
                continue;
            }
            let (Some(name), Some(value)) = (
                declarator.child_by_field_id(self.fields.name),
                declarator.child_by_field_id(self.fields.value),
            ) else {
                continue;
            };
            if self
                .require_specifier(value)
                .is_some_and(|module| is_relative(&module))
            {
                self.bind_relative_names(name);
                continue;
            }
            let mut budget = PREPASS_BUDGET;
            let mut eval = self.static_eval(value, &mut budget);
            if let Some(path) = self.declared_type(declarator) {
                let keeps_value = eval.as_ref().is_some_and(|eval| {
                    eval.call_path().is_some_and(|path| path.resolved)
                        || matches!(eval.value, Value::Object(_))
                });
                if !keeps_value {
                    eval = Some(Eval::path(path, Origin::Unknown));
                }
            }
            let Some(mut eval) = eval else {
                continue;
            };
            eval.defined_at = Some(span(value));
            match name.kind() {
                "identifier" => self.lowering.bind(self.text(name), eval),
                "object_pattern" => {
                    for property in named_children(name) {
                        let (key, local) = match property.kind() {
                            "shorthand_property_identifier_pattern" => {
                                (self.text(property), property)
                            }
                            "pair_pattern" => {
                                let (Some(key), Some(local)) = (
                                    property.child_by_field_id(self.fields.key),
                                    property.child_by_field_id(self.fields.value),
                                ) else {
                                    continue;
                                };
                                if local.kind() != "identifier" {
                                    continue;
                                }
                                (self.text(key), local)
                            }
                            _ => continue,
                        };
                        let value = member_of(&eval, key);
                        self.lowering.bind(self.text(local), value);
                    }
                }
                _ => {}
            }
        }
    }

    /// `app.get('/x', listUsers)` at the top level: `listUsers` is a handler
    /// wherever it is declared, and its body should see `req` as input.
    fn prepass_registration(&mut self, statement: Node<'_>) {
        let Some(call) = first_named(statement) else {
            return;
        };
        if call.kind() != "call_expression" {
            return;
        }
        let (Some(function), Some(arguments)) = (
            call.child_by_field_id(self.fields.function),
            call.child_by_field_id(self.fields.arguments),
        ) else {
            return;
        };
        if function.kind() != "member_expression" || arguments.kind() != "arguments" {
            return;
        }
        let (Some(object), Some(property)) = (
            function.child_by_field_id(self.fields.object),
            function.child_by_field_id(self.fields.property),
        ) else {
            return;
        };
        let mut budget = PREPASS_BUDGET;
        let receiver = match self.static_eval(object, &mut budget) {
            Some(Eval {
                value: Value::Path(path),
                ..
            }) => path,
            _ => CallPath {
                text: self.text(object).to_string(),
                resolved: false,
            },
        };
        let path = extend_path(&receiver, self.text(property));
        let receiver_name = (object.kind() == "identifier").then(|| self.text(object));
        let Some(hint) = registration_hint(&path, receiver_name, span(function)) else {
            return;
        };
        for argument in named_children(arguments) {
            match argument.kind() {
                "identifier" => {
                    self.registered
                        .entry(self.text(argument).to_string())
                        .or_insert(hint);
                }
                "call_expression" => {
                    let Some(inner) = argument.child_by_field_id(self.fields.arguments) else {
                        continue;
                    };
                    for wrapped in named_children(inner) {
                        if wrapped.kind() == "identifier" {
                            self.registered
                                .entry(self.text(wrapped).to_string())
                                .or_insert(hint);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// What a top-level initializer evaluates to, from its syntax alone and
    /// without recording anything: `None` when that needs the full walk.
    fn static_eval(&self, node: Node<'_>, budget: &mut u32) -> Option<Eval> {
        if *budget == 0 {
            return None;
        }
        *budget -= 1;
        match node.kind() {
            "string" => Some(Eval::string(
                span(node),
                unescape(string_body(self.text(node))),
            )),
            "number" => Some(Eval::numeral(self.text(node))),
            "template_string" => {
                let mut builder = ShapeBuilder::new(span(node));
                let mut literal_start = node.start_byte() + 1;
                for child in named_children(node) {
                    if child.kind() != "template_substitution" {
                        continue;
                    }
                    builder.push_literal(&unescape(
                        self.source
                            .get(literal_start..child.start_byte())
                            .unwrap_or(""),
                    ));
                    let inner = first_named(child)?;
                    let eval = self.static_eval(inner, budget)?;
                    builder.splice(eval, span(inner), clip(self.text(inner)));
                    literal_start = child.end_byte();
                }
                let close = node.end_byte().saturating_sub(1).max(literal_start);
                builder.push_literal(&unescape(
                    self.source.get(literal_start..close).unwrap_or(""),
                ));
                Some(builder.into_eval())
            }
            "identifier" => Some(self.lowering.eval_name(self.text(node), span(node))),
            "member_expression" => {
                let object = node.child_by_field_id(self.fields.object)?;
                let property = self.text(node.child_by_field_id(self.fields.property)?);
                let object = self.static_eval(object, budget)?;
                match &object.value {
                    Value::Path(path) => Some(Eval::path(
                        extend_path(path, property),
                        if looks_constant(property) {
                            Origin::Constant
                        } else {
                            object.origin
                        },
                    )),
                    Value::Object(entries) => entries
                        .iter()
                        .find(|(key, _)| key == property)
                        .map(|(_, value)| value_eval(value, object.origin)),
                    _ => None,
                }
            }
            "call_expression" => {
                if let Some(module) = self.require_specifier(node) {
                    return Some(Eval::path(
                        CallPath {
                            resolved: !is_relative(&module),
                            text: module,
                        },
                        Origin::Unknown,
                    ));
                }
                let function = node.child_by_field_id(self.fields.function)?;
                let callee = self.static_eval(function, budget)?;
                let path = match callee.call_path() {
                    Some(path) => path.clone(),
                    // A function of this file: the call is still named by it.
                    None if function.kind() == "identifier" => CallPath {
                        text: self.text(function).to_string(),
                        resolved: false,
                    },
                    None => return None,
                };
                Some(Eval::path(called(&path), Origin::Unknown))
            }
            "new_expression" => {
                let constructor = node.child_by_field_id(self.fields.constructor)?;
                let callee = self.static_eval(constructor, budget)?;
                let path = callee.call_path()?;
                Some(Eval::path(called(path), Origin::Unknown))
            }
            "binary_expression" => {
                let operator = node.child_by_field_id(self.fields.operator)?;
                if operator.kind() != "+" {
                    return None;
                }
                let left_node = node.child_by_field_id(self.fields.left)?;
                let right_node = node.child_by_field_id(self.fields.right)?;
                let left = self.static_eval(left_node, budget)?;
                let right = self.static_eval(right_node, budget)?;
                if !is_str(&left) && !is_str(&right) {
                    return None;
                }
                Some(concat(
                    left,
                    span(left_node),
                    clip(self.text(left_node)),
                    right,
                    span(right_node),
                    clip(self.text(right_node)),
                    span(node),
                ))
            }
            "parenthesized_expression"
            | "await_expression"
            | "as_expression"
            | "satisfies_expression"
            | "non_null_expression" => self.static_eval(first_expression(node)?, budget),
            "object" => {
                let mut entries = Vec::new();
                let mut origin = Origin::Constant;
                for pair in named_children(node) {
                    if pair.kind() != "pair" || entries.len() >= MAX_ITEMS {
                        continue;
                    }
                    let (Some(key), Some(value)) = (
                        pair.child_by_field_id(self.fields.key),
                        pair.child_by_field_id(self.fields.value),
                    ) else {
                        continue;
                    };
                    let Some(key) = self.property_key(key) else {
                        continue;
                    };
                    // A key whose value needs the walk is left out; the known
                    // keys still serve lookups such as `TABLES.users`.
                    match self.static_eval(value, budget) {
                        Some(eval) => {
                            origin = worse(origin, eval.origin);
                            entries.push((key, eval.value));
                        }
                        None => origin = worse(origin, Origin::Unknown),
                    }
                }
                Some(Eval::with_origin(Value::Object(entries), origin))
            }
            "array" => {
                let mut items = Vec::new();
                let mut origin = Origin::Constant;
                for item in named_children(node) {
                    if item.is_extra() {
                        continue;
                    }
                    let eval = self.static_eval(item, budget)?;
                    origin = worse(origin, eval.origin);
                    if items.len() < MAX_ITEMS {
                        items.push(eval.value);
                    }
                }
                Some(Eval::with_origin(Value::Sequence(items), origin))
            }
            _ => None,
        }
    }

    /// Registrations by name met during the walk, now that every function of
    /// the file is known.
    fn resolve_pending(&mut self) {
        for (name, hint) in std::mem::take(&mut self.pending) {
            let Some(id) = self.declared.get(&name) else {
                continue;
            };
            let Some(function) = self.lowering.model.functions.get_mut(id.0 as usize) else {
                continue;
            };
            if function.handler.is_some() {
                continue;
            }
            if apply_input_rule(hint.rule, &mut function.params) {
                function.handler = Some(Handler {
                    framework: hint.framework,
                    evidence: hint.evidence,
                });
            }
        }
    }

    // ----- the walk ---------------------------------------------------------------

    /// Lowers one node and returns what is known of its value. Every node of
    /// the tree passes through here at most once.
    ///
    /// This is the recursion of the walk, so its frame is kept small: the
    /// lowering of the node's kind is chosen by a separate function and
    /// called from a single call site.
    fn eval(&mut self, node: Node<'_>, depth: usize) -> Eval {
        if depth > MAX_DEPTH {
            self.lowering.syntax_error(span(node));
            return Eval::unknown();
        }
        if node.has_error() || node.is_missing() {
            self.note_errors(node, depth);
        }
        let lowering = Self::lowering_of(node);
        lowering(self, node, depth)
    }

    fn lowering_of(node: Node<'_>) -> LowerFn<'src> {
        match classify(node) {
            Kind::Identifier => |walker, node, _| walker.eval_identifier(node),
            Kind::This => |_, node, _| this_value(node),
            Kind::String => |walker, node, _| walker.eval_string(node),
            Kind::Template => Self::eval_template,
            Kind::Number => |walker, node, _| Eval::numeral(walker.text(node)),
            Kind::Literal => |_, node, _| match node.kind() {
                "true" => Eval::boolean(true),
                "false" => Eval::boolean(false),
                _ => Eval::literal(),
            },
            Kind::Member => Self::eval_member,
            Kind::Subscript => Self::eval_subscript,
            Kind::Call => Self::eval_call,
            Kind::New => Self::eval_new,
            Kind::Await => Self::eval_await,
            Kind::Transparent => Self::eval_transparent,
            Kind::TypeAssertion => Self::eval_type_assertion,
            Kind::Binary => Self::eval_binary,
            Kind::Ternary => Self::eval_ternary,
            Kind::Unary => Self::eval_unary,
            Kind::Update => Self::eval_update,
            Kind::Assignment => Self::eval_assignment,
            Kind::Augmented => Self::eval_augmented,
            Kind::Sequence => Self::eval_sequence,
            Kind::Array => Self::eval_array,
            Kind::Object => Self::eval_object,
            Kind::FunctionExpression => Self::eval_function_expression,
            Kind::FunctionDeclaration => Self::lower_function_declaration,
            Kind::Class => |walker, node, depth| walker.lower_class(node, depth, false),
            Kind::ClassBody => Self::lower_class_body,
            Kind::Declarator => Self::lower_declarator,
            Kind::For => Self::lower_for,
            Kind::ForIn => Self::lower_for_in,
            Kind::While => Self::lower_while,
            Kind::Do => Self::lower_do,
            Kind::Return => Self::lower_return,
            Kind::Export => Self::lower_export,
            Kind::Skip => |_, _, _| Eval::unknown(),
            Kind::If => Self::lower_if,
            Kind::Switch => Self::lower_switch,
            Kind::Try => Self::lower_try,
            Kind::Other => Self::walk_children,
        }
    }

    /// `if … else …`: each arm is a branch, so a variable assigned in both
    /// keeps both values (`else if` nests another conditional in the else arm).
    fn lower_if(&mut self, node: Node<'_>, depth: usize) -> Eval {
        let condition = node.child_by_field_name("condition");
        if let Some(condition) = condition {
            self.eval(condition, depth + 1);
        }
        let admitted = condition.and_then(|condition| self.allow_list_guard(node, condition));
        let conditional = self.lowering.begin_conditional();
        for (arm, field) in ["consequence", "alternative"].into_iter().enumerate() {
            if let Some(branch) = node.child_by_field_name(field) {
                self.lowering
                    .enter_arm(conditional, arm as u32, span(branch), leaves(branch));
                self.eval(branch, depth + 1);
                self.lowering.exit_arm();
            }
        }
        self.lowering
            .end_conditional(node.child_by_field_name("alternative").is_some());
        if let Some(name) = admitted {
            self.lowering.admit(&name);
        }
        Eval::unknown()
    }

    /// `try`/`catch`: the body and the handler are arms of one conditional
    /// (the handler runs instead of the rest of the body).
    fn lower_try(&mut self, node: Node<'_>, depth: usize) -> Eval {
        let conditional = self.lowering.conditional_id();
        for field in ["body", "handler"] {
            if let Some(arm) = node.child_by_field_name(field) {
                let exits = if field == "handler" {
                    arm.child_by_field_name("body").is_some_and(leaves)
                } else {
                    leaves(arm)
                };
                self.lowering.record_arm(conditional, span(arm), exits);
            }
        }
        // `catch (error)`: bound to what was thrown.
        let parameter = node
            .child_by_field_name("handler")
            .and_then(|handler| handler.child_by_field_name("parameter"));
        if let Some(parameter) = parameter.filter(|parameter| parameter.kind() == "identifier") {
            self.lowering
                .note_assignment(span(parameter), None, AssignmentKind::Bind);
        }
        self.walk_children(node, depth)
    }

    /// `if (!ALLOWED.has(x)) return …;` (also `.includes`): the name checked
    /// against a constant collection, when any other value leaves.
    fn allow_list_guard(&self, statement: Node<'_>, condition: Node<'_>) -> Option<String> {
        if statement.child_by_field_name("alternative").is_some() {
            return None;
        }
        let mut inner = condition;
        while matches!(inner.kind(), "parenthesized_expression") {
            inner = first_expression(inner)?;
        }
        if inner.kind() != "unary_expression"
            || inner
                .child_by_field_id(self.fields.operator)
                .is_none_or(|operator| operator.kind() != "!")
        {
            return None;
        }
        let mut call = inner.child_by_field_id(self.fields.argument)?;
        while matches!(call.kind(), "parenthesized_expression") {
            call = first_expression(call)?;
        }
        if call.kind() != "call_expression" {
            return None;
        }
        let function = call.child_by_field_id(self.fields.function)?;
        if function.kind() != "member_expression" {
            return None;
        }
        let method = self.text(function.child_by_field_id(self.fields.property)?);
        if !matches!(method, "has" | "includes") {
            return None;
        }
        let collection = function.child_by_field_id(self.fields.object)?;
        let constant = match collection.kind() {
            "identifier" => {
                let name = self.text(collection);
                looks_constant(name)
                    || matches!(
                        self.lowering.lookup(name),
                        Some(Binding::Value(eval)) if eval.origin == Origin::Constant
                    )
            }
            "array" => named_children(collection)
                .iter()
                .all(|item| matches!(item.kind(), "string" | "number")),
            _ => false,
        };
        if !constant {
            return None;
        }
        let arguments = call.child_by_field_id(self.fields.arguments)?;
        let subject = first_named(arguments)?;
        if subject.kind() != "identifier" {
            return None;
        }
        let consequence = statement.child_by_field_name("consequence")?;
        let last = if consequence.kind() == "statement_block" {
            named_children(consequence)
                .into_iter()
                .rev()
                .find(|child| child.kind() != "comment")?
        } else {
            consequence
        };
        let exits = match last.kind() {
            "return_statement" | "throw_statement" | "continue_statement" | "break_statement" => {
                true
            }
            "expression_statement" => {
                let text = self.text(last);
                let callee = text.split('(').next().unwrap_or("").trim();
                callee.ends_with(".throw") || callee.ends_with("process.exit")
            }
            _ => false,
        };
        exits.then(|| self.text(subject).to_string())
    }

    /// `switch`: each case is a branch (fall-through is not followed).
    fn lower_switch(&mut self, node: Node<'_>, depth: usize) -> Eval {
        if let Some(value) = node.child_by_field_name("value") {
            self.eval(value, depth + 1);
        }
        let Some(body) = node.child_by_field_name("body") else {
            return Eval::unknown();
        };
        let conditional = self.lowering.begin_conditional();
        let mut cursor = body.walk();
        let cases: Vec<Node<'_>> = body.named_children(&mut cursor).collect();
        let exhaustive = cases.iter().any(|case| case.kind() == "switch_default");
        for (arm, case) in cases.into_iter().enumerate() {
            self.lowering
                .enter_arm(conditional, arm as u32, span(case), leaves(case));
            self.eval(case, depth + 1);
            self.lowering.exit_arm();
        }
        self.lowering.end_conditional(exhaustive);
        Eval::unknown()
    }

    /// Syntax errors at `node`: itself when it is an ERROR or MISSING node,
    /// and its MISSING children.
    fn note_errors(&mut self, node: Node<'_>, depth: usize) {
        if node.is_error() || node.is_missing() {
            self.lowering.syntax_error(span(node));
        }
        // Functions scan their own children as they begin (they are not
        // always reached through here).
        if node.has_error() && !is_function_kind(node.kind()) {
            self.scan_errors(node, depth, visits_only_fields(node.kind()));
        }
    }

    fn eval_string(&self, node: Node<'_>) -> Eval {
        Eval::string(span(node), unescape(string_body(self.text(node))))
    }

    fn eval_member(&mut self, node: Node<'_>, depth: usize) -> Eval {
        let member = self.member(node, depth);
        let eval = member_value(member);
        self.lowering.sourced(eval, span(node))
    }

    /// `<T>value`: the expression follows the type.
    fn eval_type_assertion(&mut self, node: Node<'_>, depth: usize) -> Eval {
        match last_named(node) {
            Some(inner) => self.eval(inner, depth + 1),
            None => Eval::unknown(),
        }
    }

    fn eval_update(&mut self, node: Node<'_>, depth: usize) -> Eval {
        if let Some(argument) = node.child_by_field_id(self.fields.argument) {
            if argument.kind() == "identifier" {
                self.lowering
                    .note_assignment(span(argument), None, AssignmentKind::Update);
            } else {
                self.note_store(argument, None);
            }
        }
        self.walk_children(node, depth);
        // `n++`: whatever integer `n` held, it holds another now.
        if let Some(argument) = node.child_by_field_id(self.fields.argument) {
            if argument.kind() == "identifier" {
                self.lowering.update(self.text(argument), |mut existing| {
                    if matches!(existing.value, Value::Number(Some(_))) {
                        existing.value = Value::Number(None);
                    }
                    existing
                });
            }
        }
        Eval::number()
    }

    fn eval_function_expression(&mut self, node: Node<'_>, depth: usize) -> Eval {
        self.lower_function(node, depth, FunctionContext::default());
        function_value()
    }

    fn lower_return(&mut self, node: Node<'_>, depth: usize) -> Eval {
        if let Some(value) = first_expression(node) {
            let returned = self.eval(value, depth + 1);
            self.note_return(returned);
        }
        Eval::unknown()
    }

    /// Lowers every named child, for nodes that need nothing more.
    fn walk_children(&mut self, node: Node<'_>, depth: usize) -> Eval {
        let mut cursor = node.walk();
        if cursor.goto_first_child() {
            loop {
                let child = cursor.node();
                if child.is_named() {
                    self.eval(child, depth + 1);
                }
                if !cursor.goto_next_sibling() {
                    break;
                }
            }
        }
        Eval::unknown()
    }

    /// Reports MISSING tokens among a node's children and, for nodes whose
    /// lowering only follows fields, walks the ERROR nodes it would not reach.
    fn scan_errors(&mut self, node: Node<'_>, depth: usize, walk_errors: bool) {
        let mut cursor = node.walk();
        if !cursor.goto_first_child() {
            return;
        }
        loop {
            let child = cursor.node();
            if child.is_missing() {
                self.lowering.syntax_error(span(child));
            } else if walk_errors && child.is_error() && cursor.field_name().is_none() {
                self.eval(child, depth + 1);
            }
            if !cursor.goto_next_sibling() {
                break;
            }
        }
    }

    fn eval_identifier(&mut self, node: Node<'_>) -> Eval {
        match self.text(node) {
            "undefined" => Eval::literal(),
            "NaN" | "Infinity" => Eval::number(),
            name => {
                self.lowering.note_read(name, span(node));
                let eval = self.lowering.eval_name(name, span(node));
                self.lowering.sourced(eval, span(node))
            }
        }
    }

    fn eval_transparent(&mut self, node: Node<'_>, depth: usize) -> Eval {
        match first_expression(node) {
            Some(inner) => self.eval(inner, depth + 1),
            None => Eval::unknown(),
        }
    }

    fn eval_await(&mut self, node: Node<'_>, depth: usize) -> Eval {
        let Some(inner) = first_expression(node) else {
            return Eval::unknown();
        };
        let mut operand = inner;
        while operand.kind() == "parenthesized_expression" {
            match first_expression(operand) {
                Some(next) => operand = next,
                None => break,
            }
        }
        if matches!(operand.kind(), "call_expression" | "new_expression") {
            self.awaited = Some(operand.id());
        }
        self.eval(inner, depth + 1)
    }

    fn eval_sequence(&mut self, node: Node<'_>, depth: usize) -> Eval {
        let mut last = Eval::unknown();
        for child in named_children(node) {
            last = self.eval(child, depth + 1);
        }
        last
    }

    fn eval_template(&mut self, node: Node<'_>, depth: usize) -> Eval {
        let mut builder = ShapeBuilder::new(span(node));
        let opens_with_backtick = self.source.as_bytes().get(node.start_byte()) == Some(&b'`');
        let mut literal_start = node.start_byte() + usize::from(opens_with_backtick);
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            if child.kind() != "template_substitution" {
                continue;
            }
            builder.push_literal(&unescape(
                self.source
                    .get(literal_start..child.start_byte())
                    .unwrap_or(""),
            ));
            if child.has_error() {
                self.scan_errors(child, depth, true);
            }
            if let Some(inner) = first_expression(child) {
                let eval = self.eval(inner, depth + 1);
                builder.splice(eval, span(inner), clip(self.text(inner)));
            }
            literal_start = child.end_byte();
        }
        let end = node.end_byte();
        let closes_with_backtick =
            end > literal_start && self.source.as_bytes().get(end - 1) == Some(&b'`');
        let close = end - usize::from(closes_with_backtick);
        builder.push_literal(&unescape(
            self.source.get(literal_start..close).unwrap_or(""),
        ));
        builder.into_eval()
    }

    fn eval_binary(&mut self, node: Node<'_>, depth: usize) -> Eval {
        let operator = node
            .child_by_field_id(self.fields.operator)
            .map(|operator| operator.kind())
            .unwrap_or("");
        let left_node = node.child_by_field_id(self.fields.left);
        let right_node = node.child_by_field_id(self.fields.right);
        let left = match left_node {
            Some(left) => self.eval(left, depth + 1),
            None => Eval::unknown(),
        };
        let right = match right_node {
            Some(right) => self.eval(right, depth + 1),
            None => Eval::unknown(),
        };
        match operator {
            "+" => {
                if let (Some(left_node), Some(right_node)) = (left_node, right_node) {
                    if is_str(&left) || is_str(&right) {
                        return concat(
                            left,
                            span(left_node),
                            clip(self.text(left_node)),
                            right,
                            span(right_node),
                            clip(self.text(right_node)),
                            span(node),
                        );
                    }
                }
                if is_number(&left) || is_number(&right) || both_numeric(&left, &right) {
                    Eval::number()
                } else {
                    Eval::with_origin(Value::Unknown, worse(left.origin, right.origin))
                }
            }
            "-" | "*" | "/" | "%" | "**" | "<<" | ">>" | ">>>" | "&" | "|" | "^" => Eval::number(),
            "||" | "??" => pick_worse(left, right),
            "&&" => right,
            _ => Eval::literal(),
        }
    }

    fn eval_ternary(&mut self, node: Node<'_>, depth: usize) -> Eval {
        if let Some(condition) = node.child_by_field_id(self.fields.condition) {
            self.eval(condition, depth + 1);
        }
        let consequence = match node.child_by_field_id(self.fields.consequence) {
            Some(consequence) => self.eval(consequence, depth + 1),
            None => Eval::unknown(),
        };
        let alternative = match node.child_by_field_id(self.fields.alternative) {
            Some(alternative) => self.eval(alternative, depth + 1),
            None => Eval::unknown(),
        };
        match one_of(consequence.clone(), alternative.clone()) {
            Some(both) => both,
            None => pick_worse(consequence, alternative),
        }
    }

    fn eval_unary(&mut self, node: Node<'_>, depth: usize) -> Eval {
        let operator = node
            .child_by_field_id(self.fields.operator)
            .map(|operator| operator.kind())
            .unwrap_or("");
        if let Some(argument) = node.child_by_field_id(self.fields.argument) {
            self.eval(argument, depth + 1);
        }
        match operator {
            "-" | "+" | "~" => Eval::number(),
            _ => Eval::literal(),
        }
    }

    fn eval_array(&mut self, node: Node<'_>, depth: usize) -> Eval {
        let mut items = Vec::new();
        let mut origin = Origin::Constant;
        let mut cursor = node.walk();
        for item in node.named_children(&mut cursor) {
            let eval = self.eval(item, depth + 1);
            if item.is_extra() || item.is_error() {
                continue;
            }
            origin = worse(origin, eval.origin);
            match eval.value {
                // `[a, ...rest]`: the items of `rest` (one unknown when not known).
                Value::Sequence(spread) if item.kind() == "spread_element" => {
                    if spread.is_empty() {
                        items.push(Value::Unknown);
                    }
                    for value in spread {
                        if items.len() < MAX_ITEMS {
                            items.push(value);
                        }
                    }
                }
                _ if item.kind() == "spread_element" => items.push(Value::Unknown),
                value => {
                    if items.len() < MAX_ITEMS {
                        items.push(value);
                    }
                }
            }
        }
        Eval::with_origin(Value::Sequence(items), origin)
    }

    fn eval_object(&mut self, node: Node<'_>, depth: usize) -> Eval {
        let mut entries = Vec::new();
        let mut origin = Origin::Constant;
        let mut cursor = node.walk();
        for member in node.named_children(&mut cursor) {
            let (key, eval) = match member.kind() {
                "pair" => {
                    if member.has_error() {
                        self.scan_errors(member, depth, true);
                    }
                    let key_node = member.child_by_field_id(self.fields.key);
                    let key = match key_node {
                        Some(key_node) if key_node.kind() == "computed_property_name" => {
                            self.walk_children(key_node, depth + 1);
                            None
                        }
                        Some(key_node) => self.property_key(key_node),
                        None => None,
                    };
                    let Some(value) = member.child_by_field_id(self.fields.value) else {
                        continue;
                    };
                    let eval = if is_function_node(value) {
                        let name = key.clone().zip(key_node.map(span));
                        self.lower_function(
                            value,
                            depth + 1,
                            FunctionContext {
                                name,
                                ..FunctionContext::default()
                            },
                        );
                        function_value()
                    } else {
                        self.eval(value, depth + 1)
                    };
                    (key, eval)
                }
                "shorthand_property_identifier" => {
                    let name = self.text(member);
                    self.lowering.note_read(name, span(member));
                    (
                        Some(name.to_string()),
                        self.lowering.eval_name(name, span(member)),
                    )
                }
                "method_definition" => {
                    let name = member
                        .child_by_field_id(self.fields.name)
                        .map(|name| (self.text(name).to_string(), span(name)));
                    let key = name.as_ref().map(|(name, _)| name.clone());
                    self.lower_function(
                        member,
                        depth + 1,
                        FunctionContext {
                            name,
                            ..FunctionContext::default()
                        },
                    );
                    (key, function_value())
                }
                "spread_element" => (
                    Some(crate::model::SPREAD_KEY.to_string()),
                    self.eval(member, depth + 1),
                ),
                _ => (None, self.eval(member, depth + 1)),
            };
            if member.is_extra() || member.is_error() {
                continue;
            }
            origin = worse(origin, eval.origin);
            if let Some(key) = key {
                if entries.len() < MAX_ITEMS {
                    entries.push((key, eval.value));
                }
            }
        }
        Eval::with_origin(Value::Object(entries), origin)
    }

    fn property_key(&self, key: Node<'_>) -> Option<String> {
        match key.kind() {
            "property_identifier" | "private_property_identifier" | "identifier" | "number" => {
                Some(self.text(key).to_string())
            }
            "string" => Some(unescape(string_body(self.text(key)))),
            _ => None,
        }
    }

    /// A member access: its object evaluated, and the path it extends.
    fn member(&mut self, node: Node<'_>, depth: usize) -> Member<'src> {
        let property = node
            .child_by_field_id(self.fields.property)
            .map(|property| self.text(property))
            .unwrap_or("");
        let Some(object) = node.child_by_field_id(self.fields.object) else {
            return Member {
                object: Eval::unknown(),
                path: CallPath {
                    text: property.to_string(),
                    resolved: false,
                },
                property,
                keyed: None,
            };
        };
        match object.kind() {
            "this" => {
                let field = self
                    .classes
                    .last()
                    .and_then(|class| class.fields.get(property))
                    .cloned();
                let this = CallPath {
                    text: "this".to_string(),
                    resolved: false,
                };
                let path = field.unwrap_or_else(|| extend_path(&this, property));
                let site = self
                    .classes
                    .last()
                    .and_then(|class| class.sites.get(property))
                    .copied();
                return Member {
                    object: Eval {
                        defined_at: site,
                        ..Eval::path(this, Origin::Unknown)
                    },
                    path,
                    property,
                    keyed: None,
                };
            }
            "identifier" => {
                // A name bound to an object literal (`TABLES.users`): take the
                // one key instead of copying the whole object.
                let name = self.text(object);
                if let Some(Binding::Value(Eval {
                    value: Value::Object(entries),
                    origin,
                    defined_at,
                })) = self.lowering.lookup(name)
                {
                    let keyed = entries
                        .iter()
                        .find(|(key, _)| key == property)
                        .map(|(_, value)| value_eval(value, *origin));
                    return Member {
                        object: Eval {
                            value: Value::Unknown,
                            origin: *origin,
                            defined_at: *defined_at,
                        },
                        path: CallPath {
                            text: format!("{name}.{property}"),
                            resolved: false,
                        },
                        property,
                        keyed,
                    };
                }
            }
            _ => {}
        }
        let object_eval = self.eval(object, depth + 1);
        let keyed = match &object_eval.value {
            Value::Object(entries) => entries
                .iter()
                .find(|(key, _)| key == property)
                .map(|(_, value)| value_eval(value, object_eval.origin)),
            _ => None,
        };
        let path = extend_path(&self.base_path(object, &object_eval), property);
        Member {
            object: object_eval,
            path,
            property,
            keyed,
        }
    }

    /// The path a member of `object` extends: its value's path, the path of
    /// the call it is, or its name.
    fn base_path(&self, object: Node<'_>, eval: &Eval) -> CallPath {
        if let Value::Path(path) = &eval.value {
            return path.clone();
        }
        let inner = unwrap_transparent(object);
        if let Some((id, path)) = &self.last_call {
            if *id == inner.id() {
                return path.clone();
            }
        }
        let text = match object.kind() {
            "identifier" => self.text(object),
            "string" | "template_string" => "<string>",
            "array" => "<array>",
            "object" => "<object>",
            "number" => "<number>",
            _ => "<expr>",
        };
        CallPath {
            text: text.to_string(),
            resolved: false,
        }
    }

    fn eval_subscript(&mut self, node: Node<'_>, depth: usize) -> Eval {
        let object_node = node.child_by_field_id(self.fields.object);
        let object = match object_node {
            Some(object) => self.eval(object, depth + 1),
            None => Eval::unknown(),
        };
        let index = node.child_by_field_id(self.fields.index);
        if let Some(index) = index {
            self.eval(index, depth + 1);
        }
        // `req.query['id']` is `req.query.id`.
        if let (Some(object_node), Some(index)) = (object_node, index) {
            if index.kind() == "string" {
                let key = unescape(string_body(self.text(index)));
                let keyed = match &object.value {
                    Value::Object(entries) => entries
                        .iter()
                        .find(|(each, _)| *each == key)
                        .map(|(_, value)| value_eval(value, object.origin)),
                    _ => None,
                };
                if let Some(keyed) = keyed {
                    return keyed;
                }
                let path = extend_path(&self.base_path(object_node, &object), &key);
                let origin = if looks_constant(&key) {
                    Origin::Constant
                } else {
                    object.origin
                };
                let eval = Eval {
                    value: Value::Path(path),
                    origin,
                    defined_at: object.defined_at,
                };
                return self.lowering.sourced(eval, span(node));
            }
        }
        // An element of a table is as trustworthy as the table, whatever the key.
        let value = match object_node {
            Some(object_node) => Value::Path(element_path(&self.base_path(object_node, &object))),
            None => Value::Unknown,
        };
        Eval {
            value,
            origin: object.origin,
            defined_at: object.defined_at,
        }
    }

    // ----- calls ------------------------------------------------------------------

    fn callee<'tree>(&mut self, function: Node<'tree>, depth: usize) -> Callee<'tree, 'src> {
        match function.kind() {
            "member_expression" => {
                let object = function.child_by_field_id(self.fields.object);
                let member = self.member(function, depth + 1);
                let method = Some(member.property);
                Callee {
                    path: member.path,
                    receiver: object.map(|object| (object, member.object)),
                    method,
                }
            }
            "identifier" => {
                // A local function value is read to be called.
                self.lowering.note_read(self.text(function), span(function));
                Callee {
                    path: self.lowering.name_path(self.text(function)),
                    receiver: None,
                    method: None,
                }
            }
            // `await api.get<T>(…)` parses as a call of `await api.get`
            // with type arguments: the callee is the awaited member.
            "await_expression" => match first_expression(function) {
                Some(inner) if inner.kind() == "member_expression" => self.callee(inner, depth),
                _ => {
                    let eval = self.eval(function, depth + 1);
                    Callee {
                        path: self.base_path(function, &eval),
                        receiver: None,
                        method: None,
                    }
                }
            },
            "import" | "super" => Callee {
                path: CallPath {
                    text: function.kind().to_string(),
                    resolved: false,
                },
                receiver: None,
                method: None,
            },
            _ => {
                let eval = self.eval(function, depth + 1);
                Callee {
                    path: self.base_path(function, &eval),
                    receiver: None,
                    method: None,
                }
            }
        }
    }

    fn eval_call(&mut self, node: Node<'_>, depth: usize) -> Eval {
        let Some(function) = node.child_by_field_id(self.fields.function) else {
            return self.walk_children(node, depth);
        };
        let awaited = self.awaited == Some(node.id()) || function.kind() == "await_expression";
        let callee = self.callee(function, depth);
        let arguments = node.child_by_field_id(self.fields.arguments);
        if self.is_test_runner_call(&callee.path, arguments) {
            self.lowering.push_test_code(span(node));
        }
        let tagged_template =
            arguments.is_some_and(|arguments| arguments.kind() == "template_string");
        let mut evaluated = Vec::new();
        let mut callback_return = None;
        if let Some(arguments) = arguments {
            if tagged_template {
                let template = self.eval_template(arguments, depth + 1);
                evaluated.push((span(arguments), template));
            } else {
                callback_return =
                    self.call_arguments(node, function, &callee, arguments, depth, &mut evaluated);
            }
        }
        // The callee of `await api.get<T>(…)` is the member, without `await`.
        let callee_node = match function.kind() {
            "await_expression" => first_expression(function).unwrap_or(function),
            _ => function,
        };
        let shape = CallShape {
            node,
            callee_node,
            awaited,
            tagged_template,
            is_new: false,
        };
        self.finish_call(shape, callee, evaluated, callback_return)
    }

    /// The arguments of a call whose callee may register handlers or iterate.
    fn call_arguments(
        &mut self,
        node: Node<'_>,
        function: Node<'_>,
        callee: &Callee<'_, 'src>,
        arguments: Node<'_>,
        depth: usize,
        evaluated: &mut Vec<(Span, Eval)>,
    ) -> Option<Eval> {
        let role = self.call_role(node, function, callee);
        let iteration = self.iteration(node, function, callee, arguments);
        self.eval_arguments(arguments, depth, role, iteration.as_ref(), evaluated)
    }

    fn eval_new(&mut self, node: Node<'_>, depth: usize) -> Eval {
        let awaited = self.awaited == Some(node.id());
        let Some(constructor) = node.child_by_field_id(self.fields.constructor) else {
            return self.walk_children(node, depth);
        };
        let callee = self.callee(constructor, depth);
        let mut evaluated = Vec::new();
        if let Some(arguments) = node.child_by_field_id(self.fields.arguments) {
            self.eval_arguments(arguments, depth, None, None, &mut evaluated);
        }
        let shape = CallShape {
            node,
            callee_node: constructor,
            awaited,
            tagged_template: false,
            is_new: true,
        };
        self.finish_call(shape, callee, evaluated, None)
    }

    /// Records a call whose arguments are lowered, and returns its value.
    /// (Kept apart from `eval_call` so that its locals are not on the stack
    /// while arguments recurse.)
    fn finish_call(
        &mut self,
        shape: CallShape<'_>,
        callee: Callee<'_, 'src>,
        evaluated: Vec<(Span, Eval)>,
        callback_return: Option<Eval>,
    ) -> Eval {
        let callee_ref = if shape.is_new || shape.tagged_template {
            None
        } else {
            self.callee_ref(shape.callee_node, &callee)
        };
        let target = callee_ref
            .as_ref()
            .and_then(|callee_ref| self.lowering.resolve_here(callee_ref));
        let summary = target.and_then(|target| {
            let args: Vec<(Option<&str>, &Eval, Span, &str)> = evaluated
                .iter()
                .map(|(span, eval)| {
                    (
                        None,
                        eval,
                        *span,
                        clip(self.source.get(span.range()).unwrap_or("")),
                    )
                })
                .collect();
            self.lowering.call_summary(target, &args)
        });
        let value = if shape.is_new {
            Eval::path(called(&callee.path), Origin::Unknown)
        } else if let Some(summary) = summary {
            summary
        } else {
            self.call_value(shape.node, &callee, &evaluated, callback_return)
        };
        self.last_call = Some((shape.node.id(), called(&callee.path)));
        let receiver_defined_at = match &callee.receiver {
            Some((object, _)) => self.receiver_site(*object),
            None if shape.callee_node.kind() == "identifier" => {
                self.receiver_site(shape.callee_node)
            }
            None => None,
        };
        let args = evaluated
            .into_iter()
            .map(|(span, eval)| {
                // A plain name or `this.field` passes the object it holds.
                let text = self.source.get(span.range()).unwrap_or("");
                let names_an_object =
                    is_identifier(text) || text.strip_prefix("this.").is_some_and(is_identifier);
                Arg {
                    span,
                    keyword: None,
                    origin: eval.origin,
                    value: eval.value,
                    defined_at: eval.defined_at.filter(|_| names_an_object),
                }
            })
            .collect();
        self.lowering.push_call(CallSpec {
            span: span(shape.node),
            callee_span: span(shape.callee_node),
            path: callee.path,
            args,
            awaited: shape.awaited,
            tagged_template: shape.tagged_template,
            is_macro: false,
            is_new: shape.is_new,
            receiver_defined_at,
            target,
        });
        if let (Some(callee_ref), None) = (callee_ref, target) {
            self.lowering.note_callee(callee_ref);
        }
        self.lowering.sourced(value, span(shape.node))
    }

    /// How a call may name a function of this file: `helper(…)`,
    /// `this.helper(…)`, `this.service.helper(…)` with `service: Service`.
    fn callee_ref(&self, callee_node: Node<'_>, callee: &Callee<'_, 'src>) -> Option<CalleeRef> {
        match callee_node.kind() {
            "identifier" => {
                let name = self.text(callee_node);
                match self.lowering.lookup(name) {
                    None
                    | Some(Binding::Value(Eval {
                        value: Value::Function,
                        ..
                    })) => Some(CalleeRef::Plain(name.to_string())),
                    _ => None,
                }
            }
            "member_expression" => {
                let method = callee.method?.to_string();
                let object = callee_node.child_by_field_id(self.fields.object)?;
                if object.kind() == "this" {
                    return Some(CalleeRef::OwnMethod(method));
                }
                if callee.path.resolved {
                    return None;
                }
                // `Service().helper` (a field typed with a class of this file)
                // or `Service.helper` (a static method).
                let (receiver, _) = callee.path.text.rsplit_once('.')?;
                let owner = receiver.strip_suffix("()").unwrap_or(receiver);
                let is_type_name = !owner.contains(['.', '(', '[', '<'])
                    && owner.starts_with(|character: char| character.is_ascii_uppercase());
                is_type_name.then(|| CalleeRef::Method {
                    owner: owner.to_string(),
                    name: method,
                })
            }
            _ => None,
        }
    }

    /// Where the object a method is called on was made: a local name's
    /// binding or a `this.` field's first assignment (see
    /// `Call::receiver_defined_at`).
    fn receiver_site(&self, node: Node<'_>) -> Option<Span> {
        let node = unwrap_transparent(node);
        match node.kind() {
            "identifier" => match self.lowering.lookup(self.text(node))? {
                Binding::Value(eval) => eval.defined_at,
                Binding::Import(_) => None,
            },
            "member_expression" => {
                let object = node.child_by_field_id(self.fields.object)?;
                let property = node.child_by_field_id(self.fields.property)?;
                if object.kind() != "this" {
                    return None;
                }
                self.classes.last()?.sites.get(self.text(property)).copied()
            }
            _ => None,
        }
    }

    /// Where the object an attribute is read from was made, through member
    /// reads (`api` of `api.defaults.timeout`).
    fn object_site(&self, node: Node<'_>) -> Option<Span> {
        site_through(
            unwrap_transparent(node),
            |current| self.receiver_site(current),
            |current| {
                let object = current.child_by_field_id(self.fields.object);
                object
                    .filter(|_| current.kind() == "member_expression")
                    .map(unwrap_transparent)
            },
        )
    }

    /// `describe('…', () => …)`, `it(…)`, `test(…)`, `beforeEach(…)`: a
    /// test-runner call with a callback (Jest, Vitest, Mocha, `node:test`).
    fn is_test_runner_call(&self, path: &CallPath, arguments: Option<Node<'_>>) -> bool {
        const RUNNER_FUNCTIONS: &[&str] = &[
            "describe",
            "it",
            "test",
            "suite",
            "context",
            "specify",
            "beforeAll",
            "beforeEach",
            "afterAll",
            "afterEach",
            "before",
            "after",
        ];
        const RUNNER_MODULES: &[&str] =
            &["vitest", "@jest/globals", "node:test", "mocha", "bun:test"];
        let mut segments = path.text.split('.');
        let first = uncalled(segments.next().unwrap_or(""));
        let function = if path.resolved {
            if !RUNNER_MODULES.contains(&first) {
                return false;
            }
            uncalled(segments.next().unwrap_or(""))
        } else {
            first
        };
        RUNNER_FUNCTIONS.contains(&function)
            && arguments.is_some_and(|arguments| {
                named_children(arguments).into_iter().any(is_function_node)
            })
    }

    /// Lowers a call's arguments in order; returns what the iteration
    /// callback returns, when there is one.
    fn eval_arguments(
        &mut self,
        arguments: Node<'_>,
        depth: usize,
        role: Option<CallRole>,
        iteration: Option<&Iteration>,
        evaluated: &mut Vec<(Span, Eval)>,
    ) -> Option<Eval> {
        if arguments.has_error() {
            self.scan_errors(arguments, depth, false);
        }
        let mut callback_return = None;
        let mut index = 0;
        let mut cursor = arguments.walk();
        for argument in arguments.named_children(&mut cursor) {
            if argument.is_extra() || argument.is_error() {
                self.eval(argument, depth + 1);
                continue;
            }
            let eval = if is_function_node(argument) {
                let callback = iteration.filter(|iteration| iteration.callback_index == index);
                let returned = self.function_argument(argument, depth, role, callback);
                if returned.is_some() {
                    callback_return = returned;
                }
                function_value()
            } else {
                if let Some(role) = role {
                    self.note_registered_argument(argument, role);
                }
                self.eval(argument, depth + 1)
            };
            evaluated.push((span(argument), eval));
            index += 1;
        }
        callback_return
    }

    /// A function passed to a call: a handler when the call registers it, a
    /// loop body when the call iterates with it.
    fn function_argument(
        &mut self,
        argument: Node<'_>,
        depth: usize,
        role: Option<CallRole>,
        iteration: Option<&Iteration>,
    ) -> Option<Eval> {
        let context = FunctionContext {
            handler: role.map(CallRole::hint),
            ..FunctionContext::default()
        };
        match iteration {
            Some(iteration) => Some(self.lower_callback_loop(argument, depth, context, iteration)),
            None => {
                self.lower_function(argument, depth + 1, context);
                None
            }
        }
    }

    /// `app.get('/x', listUsers)`, `app.get('/x', wrap(…))`: handlers by name
    /// are resolved at the end; a wrapping call passes the role on.
    fn note_registered_argument(&mut self, argument: Node<'_>, role: CallRole) {
        match argument.kind() {
            "identifier" => self
                .pending
                .push((self.text(argument).to_string(), role.hint())),
            "call_expression" if matches!(role, CallRole::Registration(_)) => {
                self.wrapped = Some((argument.id(), role.hint()))
            }
            _ => {}
        }
    }

    fn lower_callback_loop(
        &mut self,
        callback: Node<'_>,
        depth: usize,
        mut context: FunctionContext,
        iteration: &Iteration,
    ) -> Eval {
        let mut bindings = Vec::new();
        for parameter in self.parameter_nodes(callback) {
            if let Some(pattern) = self.parameter_pattern(parameter) {
                self.pattern_names(pattern, &mut bindings);
            }
        }
        let saved = self.save_bindings(&bindings);
        self.lowering.begin_loop(LoopSpec {
            iterable_origin: iteration.iterable_origin,
            kind: LoopKind::Callback,
            span: iteration.span,
            header: iteration.header,
            bindings,
            iterable: iteration.iterable.clone(),
            iterable_value: iteration.iterable_value.clone(),
            is_async: has_token(callback, "async"),
        });
        context.iteration = Some(iteration.roles);
        context.element_origin = iteration.iterable_origin.filter(|origin| {
            matches!(
                origin,
                Origin::Constant
                    | Origin::Numeric
                    | Origin::Input(_)
                    | Origin::Param(..)
                    | Origin::Remote(_)
            )
        });
        if std::ptr::eq(iteration.roles, ELEMENT_ROLES) {
            context.element = match &iteration.iterable_value {
                Some(Value::Path(path)) => Some(Value::Path(CallPath {
                    text: format!("{}.[]", path.text),
                    resolved: path.resolved,
                })),
                _ => None,
            };
        }
        let lowered = self.lower_function(callback, depth + 1, context);
        self.lowering.end_loop();
        self.restore_bindings(saved);
        lowered.returned.unwrap_or_else(Eval::unknown)
    }

    /// Whether this call registers handlers (or wraps one being registered).
    fn call_role(
        &mut self,
        node: Node<'_>,
        function: Node<'_>,
        callee: &Callee<'_, 'src>,
    ) -> Option<CallRole> {
        if let Some((id, hint)) = self.wrapped {
            if id == node.id() {
                self.wrapped = None;
                return Some(CallRole::Wrapper(hint));
            }
        }
        let receiver_name = callee
            .receiver
            .as_ref()
            .filter(|(object, _)| object.kind() == "identifier")
            .map(|(object, _)| self.text(*object));
        registration_hint(&callee.path, receiver_name, span(function)).map(CallRole::Registration)
    }

    /// `xs.map(cb)` and friends, `Array.from(xs, cb)`: the callback is a loop.
    fn iteration(
        &self,
        node: Node<'_>,
        function: Node<'_>,
        callee: &Callee<'_, 'src>,
        arguments: Node<'_>,
    ) -> Option<Iteration> {
        let mut iterable_value = None;
        let mut iterable_origin = None;
        let (callback_index, roles, iterable) = match (&callee.receiver, callee.method) {
            (Some((receiver, eval)), Some(method)) if ITERATION_METHODS.contains(&method) => {
                iterable_origin = Some(eval.origin);
                let roles = if method.starts_with("reduce") {
                    REDUCE_ROLES
                } else {
                    iterable_value = Some(eval.value.clone());
                    ELEMENT_ROLES
                };
                (0, roles, Some(clip(self.text(*receiver)).to_string()))
            }
            _ if !callee.path.resolved && callee.path.text == "Array.from" => {
                let source = first_expression(arguments);
                (
                    1,
                    ELEMENT_ROLES,
                    source.map(|source| clip(self.text(source)).to_string()),
                )
            }
            _ => return None,
        };
        Some(Iteration {
            callback_index,
            roles,
            span: span(node),
            header: span(function),
            iterable,
            iterable_value,
            iterable_origin,
        })
    }

    /// What a call evaluates to: known conversions and string methods keep or
    /// set the origin; anything else is the call's path, of unknown origin.
    fn call_value(
        &mut self,
        node: Node<'_>,
        callee: &Callee<'_, 'src>,
        args: &[(Span, Eval)],
        callback_return: Option<Eval>,
    ) -> Eval {
        let path = &callee.path;
        let first = args.first().map(|(_, eval)| eval);
        let first_origin = first.map_or(Origin::Unknown, |eval| eval.origin);
        if !path.resolved {
            match path.text.as_str() {
                "require" | "import" => {
                    if let Some(module) = first.and_then(literal_text) {
                        return Eval::path(
                            CallPath {
                                resolved: !is_relative(&module),
                                text: module,
                            },
                            Origin::Unknown,
                        );
                    }
                }
                // What each promise resolves to, in order, for `const [a, b] = await …`.
                "Promise.all" => {
                    if let Some(eval) =
                        first.filter(|eval| matches!(eval.value, Value::Sequence(_)))
                    {
                        return eval.clone();
                    }
                }
                "parseInt" | "parseFloat" | "Number" | "Number.parseInt" | "Number.parseFloat"
                | "BigInt" | "Date.now" => return Eval::number(),
                text if text.starts_with("Math.") => return Eval::number(),
                "Boolean" | "Array.isArray" | "Number.isInteger" | "isNaN" => {
                    return Eval::literal()
                }
                "String" => {
                    if let Some(eval) = first.filter(|eval| is_str(eval)) {
                        return eval.clone();
                    }
                    return Eval::path(called(path), first_origin);
                }
                "JSON.stringify" | "encodeURIComponent" | "encodeURI" => {
                    return Eval::path(called(path), first_origin);
                }
                "Object.keys" | "Object.values" | "Object.entries" | "Array.of" => {
                    return Eval::with_origin(Value::Sequence(Vec::new()), first_origin);
                }
                "Array.from" => {
                    let origin = callback_return.map_or(first_origin, |returned| returned.origin);
                    return Eval::with_origin(Value::Sequence(Vec::new()), origin);
                }
                _ => {}
            }
        }
        // `readFileSync(0)`, `readFileSync('/dev/stdin')`: standard input.
        if path.resolved
            && matches!(path.name(), "readFileSync" | "readFile")
            && matches!(
                path.text.split('.').next(),
                Some("fs" | "node:fs" | "fs/promises" | "node:fs/promises")
            )
        {
            let reads_stdin = args.first().is_some_and(|(span, _)| {
                matches!(
                    self.source.get(span.range()).unwrap_or("").trim(),
                    "0" | "'/dev/stdin'" | "\"/dev/stdin\"" | "process.stdin.fd"
                )
            });
            if reads_stdin {
                return Eval::path(called(path), Origin::Input(crate::lang::span(node)));
            }
            // What a file holds is not its name.
            return Eval::path(called(path), Origin::Unknown);
        }
        // `promisify(exec)` is `exec`, called the promise way.
        if path.resolved && matches!(path.text.as_str(), "util.promisify" | "node:util.promisify") {
            if let Some(Value::Path(function)) = first.map(|eval| &eval.value) {
                return Eval::path(function.clone(), Origin::Unknown);
            }
        }
        let (Some((receiver_node, receiver)), Some(method)) = (&callee.receiver, callee.method)
        else {
            return Eval::path(
                called(path),
                argument_origin(args.iter().map(|(_, eval)| eval.origin)),
            );
        };
        // A function of a module or of a global namespace (`path.join(a, b)`,
        // `JSON.parse(s)`, `Buffer.from(s)`), not a method of a value: its
        // arguments' taint passes through.
        if let Value::Path(module) = &receiver.value {
            let global_namespace = !module.resolved
                && receiver_node.kind() == "identifier"
                && self.lowering.lookup(self.text(*receiver_node)).is_none();
            if (module.resolved || global_namespace)
                && !module.text.contains("()")
                && !module.text.contains("[]")
            {
                return Eval::path(
                    called(path),
                    argument_origin(args.iter().map(|(_, eval)| eval.origin)),
                );
            }
        }
        let derived = |receiver: &Eval| {
            if is_str(receiver) {
                receiver.clone()
            } else {
                Eval {
                    value: Value::Path(called(path)),
                    origin: receiver.origin,
                    defined_at: receiver.defined_at,
                }
            }
        };
        match method {
            "toString" | "trim" | "trimStart" | "trimEnd" | "toLowerCase" | "toUpperCase"
            | "toLocaleLowerCase" | "toLocaleUpperCase" | "normalize" | "padStart" | "padEnd"
            | "valueOf" | "slice" | "substring" | "substr" | "at" | "charAt" | "repeat"
            | "filter" | "sort" | "reverse" | "flat" | "toSorted" | "toReversed" => {
                derived(receiver)
            }
            "join" => join_value(node, clip(self.text(node)), path, receiver, first),
            "concat" => {
                if is_str(receiver) {
                    let mut eval = receiver.clone();
                    for (span, arg) in args {
                        eval = concat(
                            eval,
                            Span::default(),
                            "",
                            arg.clone(),
                            *span,
                            clip(self.source.get(span.range()).unwrap_or("")),
                            crate::lang::span(node),
                        );
                    }
                    eval
                } else {
                    let origin = args.iter().fold(receiver.origin, |origin, (_, arg)| {
                        worse(origin, arg.origin)
                    });
                    Eval::with_origin(Value::Sequence(Vec::new()), origin)
                }
            }
            "map" | "flatMap" => match callback_return {
                // One element, as the callback makes each.
                Some(returned) => {
                    Eval::with_origin(Value::Sequence(vec![returned.value]), returned.origin)
                }
                None => {
                    Eval::with_origin(Value::Sequence(Vec::new()), mapping_origin(first, receiver))
                }
            },
            "reduce" | "reduceRight" => match callback_return {
                Some(returned) => Eval::with_origin(Value::Unknown, returned.origin),
                None => Eval::unknown(),
            },
            "split" => Eval::with_origin(Value::Sequence(Vec::new()), receiver.origin),
            "replace" | "replaceAll" => {
                // Replacing a placeholder with data splices the data in.
                match args.get(1) {
                    Some((span, replacement)) if !replacement.origin.is_clean() => {
                        if is_str(receiver) {
                            concat(
                                receiver.clone(),
                                Span::default(),
                                "",
                                replacement.clone(),
                                *span,
                                clip(self.source.get(span.range()).unwrap_or("")),
                                crate::lang::span(node),
                            )
                        } else {
                            Eval::path(called(path), worse(receiver.origin, replacement.origin))
                        }
                    }
                    _ => derived(receiver),
                }
            }
            "push" | "unshift" => {
                if receiver_node.kind() == "identifier" {
                    self.grow_sequence(self.text(*receiver_node), args);
                }
                Eval::number()
            }
            "indexOf" | "lastIndexOf" | "findIndex" | "findLastIndex" | "charCodeAt"
            | "codePointAt" | "getTime" | "localeCompare" => Eval::number(),
            "includes" | "startsWith" | "endsWith" | "some" | "every" | "test" | "has"
            | "forEach" => Eval::literal(),
            // `Model.find({ … })` is a query, not `Array.prototype.find`.
            "find" if !args.is_empty() && callback_return.is_none() && path.resolved => {
                Eval::path(called(path), Origin::Unknown)
            }
            "find" | "findLast" | "pop" | "shift" => {
                Eval::with_origin(Value::Unknown, receiver.origin)
            }
            _ => {
                // A method of request input or of a loop element yields more of it.
                let origin = match receiver.origin {
                    Origin::Input(_) | Origin::Loop | Origin::Remote(_) => receiver.origin,
                    _ => Origin::Unknown,
                };
                Eval::path(called(path), origin)
            }
        }
    }

    /// `conditions.push(…)`: the array bound to `name` now holds the items too.
    fn grow_sequence(&mut self, name: &str, args: &[(Span, Eval)]) {
        let origin = args.iter().fold(Origin::Constant, |origin, (_, arg)| {
            worse(origin, arg.origin)
        });
        self.lowering.update(name, |mut existing| {
            existing.origin = worse(existing.origin, origin);
            if let Value::Sequence(items) = &mut existing.value {
                for (_, arg) in args {
                    if items.len() < MAX_ITEMS {
                        items.push(arg.value.clone());
                    }
                }
            }
            existing
        });
    }

    // ----- assignments ------------------------------------------------------------

    fn lower_declarator(&mut self, node: Node<'_>, depth: usize) -> Eval {
        let Some(name) = node.child_by_field_id(self.fields.name) else {
            self.walk_children(node, depth);
            return Eval::unknown();
        };
        let declared_type = self.declared_type(node);
        let Some(value) = node.child_by_field_id(self.fields.value) else {
            let eval = match declared_type {
                Some(path) => Eval::path(path, Origin::Unknown),
                None => Eval::unknown(),
            };
            let mut names = Vec::new();
            self.pattern_names(name, &mut names);
            for each in names {
                self.lowering.bind(&each, eval.clone());
            }
            if name.kind() == "identifier" {
                self.lowering
                    .note_assignment(span(name), None, AssignmentKind::Bind);
            }
            return Eval::unknown();
        };
        if name.kind() == "identifier" {
            self.lowering
                .note_assignment(span(name), Some(span(value)), AssignmentKind::Bind);
        }
        if name.kind() == "identifier" && is_function_node(value) {
            let text = self.text(name);
            self.lower_function(
                value,
                depth + 1,
                FunctionContext {
                    name: Some((text.to_string(), span(name))),
                    binds_name: true,
                    ..FunctionContext::default()
                },
            );
            self.lowering.bind(text, function_value());
            return Eval::unknown();
        }
        let relative = self
            .require_specifier(value)
            .is_some_and(|module| is_relative(&module));
        let mut eval = self.eval(value, depth + 1);
        if relative {
            self.bind_relative_names(name);
            return Eval::unknown();
        }
        // A typed object literal (`const config: AxiosRequestConfig = {…}`)
        // keeps its keys; other values take the declared type's path.
        if let Some(path) = declared_type {
            if !eval.call_path().is_some_and(|path| path.resolved)
                && !matches!(eval.value, Value::Object(_))
            {
                eval.value = Value::Path(path);
            }
        }
        eval.defined_at = Some(span(value));
        if name.kind() == "identifier" {
            self.lowering.bind(self.text(name), eval);
        } else {
            let outer = self.destructuring.replace(span(value));
            self.destructure(name, &eval, depth + 1, BindMode::Declare);
            self.destructuring = outer;
        }
        Eval::unknown()
    }

    /// The instance path of a declarator's type annotation, when it resolves.
    fn declared_type(&self, declarator: Node<'_>) -> Option<CallPath> {
        let annotation = declarator.child_by_field_id(self.fields.type_)?;
        self.type_path(first_named(annotation)?, 0)
    }

    fn bind_relative_names(&mut self, pattern: Node<'_>) {
        let mut names = Vec::new();
        self.pattern_names(pattern, &mut names);
        for name in names {
            let eval = relative_eval(&name);
            self.lowering.bind(&name, eval);
        }
    }

    /// Binds the names of a pattern to the parts of `base` they take.
    fn destructure(&mut self, pattern: Node<'_>, base: &Eval, depth: usize, mode: BindMode) {
        if depth > MAX_DEPTH {
            self.lowering.syntax_error(span(pattern));
            return;
        }
        match pattern.kind() {
            "identifier" | "shorthand_property_identifier_pattern" => {
                let name = self.text(pattern);
                self.note_destructured(pattern);
                self.store(name, base.clone(), mode);
            }
            "object_pattern" => {
                for property in named_children(pattern) {
                    match property.kind() {
                        "shorthand_property_identifier_pattern" => {
                            let name = self.text(property);
                            self.note_destructured(property);
                            self.store(name, member_of(base, name), mode);
                        }
                        "pair_pattern" => {
                            let key = property
                                .child_by_field_id(self.fields.key)
                                .and_then(|key| self.property_key(key));
                            let Some(value) = property.child_by_field_id(self.fields.value) else {
                                continue;
                            };
                            let part = match key {
                                Some(key) => member_of(base, &key),
                                None => element_of(base),
                            };
                            self.destructure(value, &part, depth + 1, mode);
                        }
                        "object_assignment_pattern" => {
                            if let Some(default) = property.child_by_field_id(self.fields.right) {
                                self.eval(default, depth + 1);
                            }
                            let Some(left) = property.child_by_field_id(self.fields.left) else {
                                continue;
                            };
                            let part = if left.kind() == "shorthand_property_identifier_pattern" {
                                member_of(base, self.text(left))
                            } else {
                                element_of(base)
                            };
                            self.destructure(left, &part, depth + 1, mode);
                        }
                        "rest_pattern" => {
                            if let Some(inner) = first_named(property) {
                                self.destructure(inner, &element_of(base), depth + 1, mode);
                            }
                        }
                        _ => {
                            if property.is_error() {
                                self.eval(property, depth + 1);
                            }
                        }
                    }
                }
            }
            "array_pattern" => {
                let element = element_of(base);
                let items = match &base.value {
                    Value::Sequence(items) => items.as_slice(),
                    _ => &[],
                };
                let mut position = 0;
                for item in named_children(pattern) {
                    if item.kind() == "comment" {
                        continue;
                    }
                    // `[a, b] = [x, y]`: each name gets its own value.
                    let part = match items.get(position) {
                        Some(value) if item.kind() != "rest_pattern" => Eval {
                            value: value.clone(),
                            ..element.clone()
                        },
                        _ => element.clone(),
                    };
                    position += 1;
                    self.destructure(item, &part, depth + 1, mode);
                }
            }
            "assignment_pattern" => {
                if let Some(default) = pattern.child_by_field_id(self.fields.right) {
                    self.eval(default, depth + 1);
                }
                if let Some(left) = pattern.child_by_field_id(self.fields.left) {
                    self.destructure(left, base, depth + 1, mode);
                }
            }
            "rest_pattern" => {
                if let Some(inner) = first_named(pattern) {
                    self.destructure(inner, base, depth + 1, mode);
                }
            }
            "ERROR" => {
                self.eval(pattern, depth + 1);
            }
            _ => {}
        }
    }

    fn note_destructured(&mut self, name: Node<'_>) {
        self.lowering
            .note_assignment(span(name), self.destructuring, AssignmentKind::Bind);
    }

    /// `obj.field = …`, `list[i] = …`, `obj.count++`: what the root name holds
    /// changes.
    fn note_store(&mut self, target: Node<'_>, value: Option<Span>) {
        let mut root = target;
        for _ in 0..MAX_DEPTH {
            let inner = match root.kind() {
                "member_expression" => root.child_by_field_id(self.fields.object),
                "subscript_expression" => root.child_by_field_id(self.fields.object),
                "parenthesized_expression" | "non_null_expression" => first_named(root),
                _ => None,
            };
            match inner {
                Some(inner) => root = inner,
                None => break,
            }
        }
        if root.kind() == "identifier" && root != target {
            self.lowering
                .note_assignment(span(root), value, AssignmentKind::Store);
        }
    }

    /// `name = …`: rebinds the variable where it lives, so that an
    /// assignment in a callback reaches the enclosing function's variable.
    fn assign(&mut self, name: &str, eval: Eval) {
        if matches!(self.lowering.lookup(name), Some(Binding::Value(_))) {
            self.lowering.reassign(name, eval);
        } else {
            self.lowering.bind(name, eval);
        }
    }

    fn store(&mut self, name: &str, eval: Eval, mode: BindMode) {
        match mode {
            BindMode::Declare => self.lowering.bind(name, eval),
            BindMode::Assign => self.assign(name, eval),
        }
    }

    fn eval_assignment(&mut self, node: Node<'_>, depth: usize) -> Eval {
        let (Some(left), Some(right)) = (
            node.child_by_field_id(self.fields.left),
            node.child_by_field_id(self.fields.right),
        ) else {
            return self.walk_children(node, depth);
        };
        match left.kind() {
            "identifier" => {
                let name = self.text(left);
                self.lowering
                    .note_assignment(span(left), Some(span(right)), AssignmentKind::Bind);
                if is_function_node(right) {
                    self.lower_function(
                        right,
                        depth + 1,
                        FunctionContext {
                            name: Some((name.to_string(), span(left))),
                            binds_name: true,
                            ..FunctionContext::default()
                        },
                    );
                    self.assign(name, function_value());
                    return function_value();
                }
                let mut eval = self.eval(right, depth + 1);
                eval.defined_at = Some(span(right));
                let origin = eval.origin;
                self.assign(name, eval);
                Eval::with_origin(Value::Unknown, origin)
            }
            "member_expression" => {
                self.note_store(left, Some(span(right)));
                let target = self.eval(left, depth + 1);
                let property = left.child_by_field_id(self.fields.property);
                if is_function_node(right) {
                    let name =
                        property.map(|property| (self.text(property).to_string(), span(property)));
                    self.lower_function(
                        right,
                        depth + 1,
                        FunctionContext {
                            name,
                            ..FunctionContext::default()
                        },
                    );
                    return function_value();
                }
                let eval = self.eval(right, depth + 1);
                let object = left.child_by_field_id(self.fields.object);
                let object_defined_at = object.and_then(|object| self.object_site(object));
                self.lowering.push_attribute_write(AttributeWriteSpec {
                    span: span(node),
                    target: match &target.value {
                        Value::Path(path) => path.clone(),
                        _ => CallPath {
                            text: clip(self.text(left)).to_string(),
                            resolved: false,
                        },
                    },
                    object_defined_at,
                    value: eval.value.clone(),
                    value_span: span(right),
                });
                // `this.pool = new Pool()`: later methods resolve `this.pool`.
                let on_this = object.is_some_and(|object| object.kind() == "this");
                if let (true, Some(property)) = (on_this, property) {
                    let property = self.text(property).to_string();
                    if let Some(class) = self.classes.last_mut() {
                        class.sites.entry(property).or_insert(span(right));
                    }
                }
                if let (true, Some(property), Some(path)) = (on_this, property, eval.call_path()) {
                    if path.resolved {
                        let property = self.text(property).to_string();
                        let path = path.clone();
                        if let Some(class) = self.classes.last_mut() {
                            class.fields.entry(property).or_insert(path);
                        }
                    }
                }
                eval
            }
            "object_pattern" | "array_pattern" => {
                let mut eval = self.eval(right, depth + 1);
                eval.defined_at = Some(span(right));
                let outer = self.destructuring.replace(span(right));
                self.destructure(left, &eval, depth + 1, BindMode::Assign);
                self.destructuring = outer;
                eval
            }
            _ => {
                self.note_store(left, Some(span(right)));
                self.eval(left, depth + 1);
                self.eval(right, depth + 1)
            }
        }
    }

    fn eval_augmented(&mut self, node: Node<'_>, depth: usize) -> Eval {
        let operator = node
            .child_by_field_id(self.fields.operator)
            .map(|operator| operator.kind())
            .unwrap_or("");
        let (Some(left), Some(right)) = (
            node.child_by_field_id(self.fields.left),
            node.child_by_field_id(self.fields.right),
        ) else {
            return self.walk_children(node, depth);
        };
        if left.kind() != "identifier" {
            self.note_store(left, Some(span(right)));
            self.eval(left, depth + 1);
            return self.eval(right, depth + 1);
        }
        self.lowering
            .note_assignment(span(left), Some(span(right)), AssignmentKind::Update);
        let value = self.eval(right, depth + 1);
        let name = self.text(left);
        let value_span = span(right);
        let value_text = clip(self.text(right));
        let combine = |existing: Eval| match operator {
            "+=" => plus_assign(existing, value, value_span, value_text),
            "||=" | "??=" | "&&=" => pick_worse(existing, value),
            _ => Eval::number(),
        };
        let mut origin = Origin::Unknown;
        if matches!(self.lowering.lookup(name), Some(Binding::Value(_))) {
            self.lowering.update(name, |existing| {
                let updated = combine(existing);
                origin = updated.origin;
                updated
            });
        } else {
            // Not bound to a value here (a global, an import): start from what
            // the name evaluates to.
            let existing = self.lowering.eval_name(name, span(left));
            let updated = combine(existing);
            origin = updated.origin;
            self.assign(name, updated);
        }
        Eval::with_origin(Value::Unknown, origin)
    }

    // ----- functions --------------------------------------------------------------

    fn lower_function_declaration(&mut self, node: Node<'_>, depth: usize) -> Eval {
        let name = node
            .child_by_field_id(self.fields.name)
            .map(|name| (self.text(name).to_string(), span(name)));
        let bound = name.as_ref().map(|(name, _)| name.clone());
        self.lower_function(
            node,
            depth,
            FunctionContext {
                name,
                binds_name: true,
                ..FunctionContext::default()
            },
        );
        if let Some(name) = bound {
            self.lowering.bind(&name, function_value());
        }
        Eval::unknown()
    }

    fn lower_function(
        &mut self,
        node: Node<'_>,
        depth: usize,
        context: FunctionContext,
    ) -> LoweredFunction {
        if depth > MAX_DEPTH {
            self.lowering.syntax_error(span(node));
            return LoweredFunction { returned: None };
        }
        let body = node.child_by_field_id(self.fields.body);
        self.enter_function(node, body, depth, context);
        self.returns.push(None);
        if let Some(body) = body {
            if body.kind() == "statement_block" {
                self.eval(body, depth + 1);
            } else {
                let returned = self.eval(body, depth + 1);
                self.note_return(returned);
            }
        }
        let returned = self.returns.pop().flatten();
        self.lowering.end_function();
        LoweredFunction { returned }
    }

    /// Begins a function: its parameters, its handler convention, the scope
    /// in which its parameters are bound. Parameter decorators and defaults
    /// recurse from here with a larger frame, so they count double in depth.
    fn enter_function<'tree>(
        &mut self,
        node: Node<'tree>,
        body: Option<Node<'tree>>,
        depth: usize,
        context: FunctionContext,
    ) {
        let depth = depth + 1;
        if node.has_error() {
            self.scan_errors(node, depth, true);
        }
        let (name, name_span) = match context.name {
            Some(name) => name,
            None => match node.child_by_field_id(self.fields.name) {
                Some(name) => (self.text(name).to_string(), span(name)),
                None => {
                    let head_end = body.map_or(node.end_byte(), |body| body.start_byte());
                    (
                        "<anonymous>".to_string(),
                        self.trimmed_span(node.start_byte(), head_end),
                    )
                }
            },
        };
        let is_async = has_token(node, "async");
        let hint = context
            .handler
            .or_else(|| self.take_hint(node.id()))
            .or_else(|| {
                context
                    .binds_name
                    .then(|| self.registered.get(&name).copied())
                    .flatten()
            })
            .or_else(|| self.server_action(node, body, is_async));
        let infos = self.collect_params(node, depth);
        let mut params = Vec::with_capacity(infos.len());
        let mut extras = Vec::with_capacity(infos.len());
        let mut typed_request = None;
        for (index, info) in infos.into_iter().enumerate() {
            let mut param = info.param;
            // A submitted form (a server action's `FormData`) is client input.
            if param.annotation.as_deref() == Some("FormData") {
                param.is_request_input = true;
            }
            if let Some(framework) = info
                .annotation_path
                .as_ref()
                .and_then(|path| request_framework(&path.text))
            {
                // A parameter typed as a framework's request carries request
                // input wherever the function is registered.
                param.is_request_input = true;
                if index == 0 {
                    typed_request = Some((framework, info.annotation_span.unwrap_or(param.span)));
                }
            }
            params.push(param);
            extras.push((info.annotation_path, info.pattern, info.default));
        }
        // `(ctx, next)`, `(req, res, next)`: middleware by its signature, even
        // when registered in another file; its request is client input.
        let names: Vec<&str> = params.iter().map(|param| param.name.as_str()).collect();
        if matches!(
            names.as_slice(),
            ["ctx", "next"] | ["req" | "request", "res" | "response", "next"]
        ) {
            params[0].is_request_input = true;
        }
        let handler = match hint {
            Some(hint) => apply_input_rule(hint.rule, &mut params).then_some(Handler {
                framework: hint.framework,
                evidence: hint.evidence,
            }),
            None => None,
        }
        .or_else(|| {
            typed_request
                .filter(|_| params.len() >= 2)
                .map(|(framework, evidence)| Handler {
                    framework,
                    evidence,
                })
        });
        let kinds: Vec<(bool, bool)> = params
            .iter()
            .map(|param| {
                let numeric = param
                    .annotation
                    .as_deref()
                    .is_some_and(is_numeric_annotation);
                (param.is_request_input, numeric)
            })
            .collect();
        let param_spans: Vec<(String, Span)> = params
            .iter()
            .map(|param| (param.name.clone(), param.span))
            .collect();
        let mut patterns = Vec::with_capacity(extras.len());
        let specs = params
            .into_iter()
            .zip(extras)
            .map(|(param, (annotation_path, pattern, default))| {
                patterns.push((annotation_path.clone(), pattern, default));
                ParamSpec {
                    param,
                    annotation_path,
                }
            })
            .collect();
        let id = self.lowering.begin_function(FunctionSpec {
            owner: context.owner.clone(),
            callable: context.binds_name,
            name: name.clone(),
            span: span(node),
            name_span,
            is_async,
            handler,
            params: specs,
        });
        if context.binds_name {
            self.declared.insert(name, id);
        }
        for (index, (annotation_path, pattern, default)) in patterns.into_iter().enumerate() {
            let Some((param_name, param_span)) = param_spans.get(index) else {
                continue;
            };
            let origin = match context
                .iteration
                .and_then(|roles| roles.get(index).copied())
            {
                // The element of an iteration callback is as trustworthy as
                // what is iterated.
                Some(Origin::Loop) => context.element_origin.unwrap_or(Origin::Loop),
                Some(role) => role,
                None => match kinds.get(index) {
                    Some((_, true)) => Origin::Numeric,
                    Some((true, _)) => Origin::Input(*param_span),
                    _ => Origin::Param(id, Params::of(index)),
                },
            };
            let element = context.element.clone().filter(|_| index == 0);
            let base = Eval {
                value: annotation_path
                    .map(Value::Path)
                    .or(element)
                    .unwrap_or(Value::Unknown),
                origin,
                defined_at: Some(*param_span),
            };
            match pattern {
                Some(pattern) => {
                    let outer = self.destructuring.take();
                    self.destructure(pattern, &base, depth + 1, BindMode::Declare);
                    self.destructuring = outer;
                }
                None if context.iteration.is_some() => {
                    self.lowering.bind(param_name, base);
                }
                None => {}
            }
            if let Some(default) = default {
                self.eval(default, depth + 1);
            }
        }
    }

    /// A Next.js server action: an async function whose body starts with
    /// `'use server'`, or an exported async function of a file that does.
    /// The client calls it with a POST, so it serves requests.
    fn server_action(
        &self,
        node: Node<'_>,
        body: Option<Node<'_>>,
        is_async: bool,
    ) -> Option<HandlerHint> {
        if !is_async {
            return None;
        }
        let evidence = body
            .filter(|body| body.kind() == "statement_block")
            .and_then(|body| self.use_server_directive(body))
            .or_else(|| self.server_file.filter(|_| is_exported(node)))?;
        Some(HandlerHint {
            framework: "nextjs",
            evidence,
            rule: InputRule::AllParams,
        })
    }

    /// The `'use server'` directive opening a program or a function body.
    fn use_server_directive(&self, block: Node<'_>) -> Option<Span> {
        let mut cursor = block.walk();
        let first = block
            .named_children(&mut cursor)
            .find(|child| child.kind() != "comment")?;
        let string = (first.kind() == "expression_statement")
            .then(|| first.named_child(0))
            .flatten()
            .filter(|string| string.kind() == "string")?;
        let text = self.text(string);
        let unquoted = text.get(1..text.len().saturating_sub(1)).unwrap_or("");
        (unquoted == "use server").then(|| span(first))
    }

    fn take_hint(&mut self, id: usize) -> Option<HandlerHint> {
        let index = self.hints.iter().position(|(each, _)| *each == id)?;
        Some(self.hints.swap_remove(index).1)
    }

    fn note_return(&mut self, eval: Eval) {
        self.lowering.note_return(eval.clone());
        if let Some(slot) = self.returns.last_mut() {
            *slot = Some(match slot.take() {
                Some(previous) => pick_worse(previous, eval),
                None => eval,
            });
        }
    }

    fn collect_params<'tree>(
        &mut self,
        function: Node<'tree>,
        depth: usize,
    ) -> Vec<ParamInfo<'tree>> {
        let mut params = Vec::new();
        if let Some(single) = function.child_by_field_id(self.fields.parameter) {
            params.push(self.param_info(single, depth));
            return params;
        }
        let Some(list) = function.child_by_field_id(self.fields.parameters) else {
            return params;
        };
        if list.has_error() {
            self.scan_errors(list, depth, false);
        }
        let mut cursor = list.walk();
        for child in list.named_children(&mut cursor) {
            if child.is_extra() || child.is_error() {
                self.eval(child, depth + 1);
                continue;
            }
            params.push(self.param_info(child, depth));
        }
        params
    }

    fn param_info<'tree>(&mut self, node: Node<'tree>, depth: usize) -> ParamInfo<'tree> {
        let mut decorated_input = false;
        let (pattern, annotation, default) = match node.kind() {
            "required_parameter" | "optional_parameter" => {
                let decorators = field_children(node, self.fields.decorator);
                for decorator in decorators {
                    if self
                        .decorator_name(decorator)
                        .is_some_and(|name| NEST_INPUT_DECORATORS.contains(&name))
                    {
                        decorated_input = true;
                    }
                    self.eval(decorator, depth + 1);
                }
                (
                    self.parameter_pattern(node),
                    node.child_by_field_id(self.fields.type_),
                    node.child_by_field_id(self.fields.value),
                )
            }
            "assignment_pattern" => (
                node.child_by_field_id(self.fields.left),
                None,
                node.child_by_field_id(self.fields.right),
            ),
            _ => (Some(node), None, None),
        };
        let pattern = pattern.map(strip_rest);
        let (name, destructured) = match pattern {
            Some(pattern) if matches!(pattern.kind(), "object_pattern" | "array_pattern") => {
                (self.text(pattern).to_string(), Some(pattern))
            }
            Some(pattern) => (self.text(pattern).to_string(), None),
            None => (self.text(node).to_string(), None),
        };
        let type_node = annotation.and_then(first_named);
        ParamInfo {
            param: Param {
                name,
                span: span(node),
                annotation: type_node.map(|node| self.text(node).to_string()),
                is_request_input: decorated_input,
            },
            annotation_path: type_node.and_then(|node| self.type_path(node, 0)),
            annotation_span: type_node.map(span),
            pattern: destructured,
            default,
        }
    }

    /// The instance path of a type written in an annotation, when its name
    /// resolves to an import (`Pool` from `pg` gives `pg.Pool()`).
    fn type_path(&self, node: Node<'_>, depth: usize) -> Option<CallPath> {
        if depth > 8 {
            return None;
        }
        let path = match node.kind() {
            "type_identifier" | "identifier" => self.lowering.name_path(self.text(node)),
            "generic_type" => {
                return self.type_path(node.child_by_field_id(self.fields.name)?, depth + 1)
            }
            "nested_type_identifier" | "nested_identifier" | "member_expression" => {
                let text = self.text(node);
                let (root, rest) = text.split_once('.')?;
                let root = self.lowering.name_path(root.trim());
                CallPath {
                    text: format!("{}.{}", root.text, rest.trim()),
                    resolved: root.resolved,
                }
            }
            // `Pool | null`, `Pool | undefined`.
            "union_type" => {
                return named_children(node)
                    .into_iter()
                    .find_map(|member| self.type_path(member, depth + 1))
            }
            _ => return None,
        };
        path.resolved.then(|| called(&path))
    }

    /// The instance path of a type declared in this file (`AlertRulesService`
    /// → `AlertRulesService()`, unresolved), so that a call through a field
    /// of that type names the class's method.
    fn local_type_path(&self, node: Node<'_>) -> Option<CallPath> {
        if node.kind() != "type_identifier" {
            return None;
        }
        let name = self.text(node);
        if self.lowering.lookup(name).is_some() {
            return None;
        }
        Some(CallPath {
            text: format!("{name}()"),
            resolved: false,
        })
    }

    fn trimmed_span(&self, start: usize, end: usize) -> Span {
        let bytes = self.source.as_bytes();
        let mut end = end.min(bytes.len());
        while end > start && bytes[end - 1].is_ascii_whitespace() {
            end -= 1;
        }
        Span::new(start, end)
    }

    // ----- classes ----------------------------------------------------------------

    fn lower_class(&mut self, node: Node<'_>, depth: usize, exported_controller: bool) -> Eval {
        let mut is_controller = exported_controller;
        let mut body = None;
        let mut cursor = node.walk();
        if cursor.goto_first_child() {
            loop {
                let child = cursor.node();
                match cursor.field_name() {
                    Some("decorator") => {
                        is_controller |= self.decorator_name(child) == Some("Controller");
                        self.eval(child, depth + 1);
                    }
                    Some("body") => body = Some(child),
                    Some(_) => {}
                    // `extends Base` may be any expression, even a call.
                    None if child.kind() == "class_heritage" => {
                        self.eval(child, depth + 1);
                    }
                    None => {}
                }
                if !cursor.goto_next_sibling() {
                    break;
                }
            }
        }
        let Some(body) = body else {
            return Eval::unknown();
        };
        let fields = self.class_fields(body);
        let name = node
            .child_by_field_id(self.fields.name)
            .map(|name| self.text(name).to_string());
        self.classes.push(ClassContext {
            fields,
            sites: HashMap::new(),
            is_controller,
            name,
        });
        self.eval(body, depth + 1);
        self.classes.pop();
        Eval::unknown()
    }

    /// The declared types of a class's fields and constructor parameter
    /// properties, read before its methods so that `this.db` resolves in all.
    fn class_fields(&self, body: Node<'_>) -> HashMap<String, CallPath> {
        let mut fields = HashMap::new();
        for member in named_children(body) {
            match member.kind() {
                "public_field_definition" | "field_definition" => {
                    let Some(name) = member
                        .child_by_field_id(self.fields.name)
                        .or_else(|| member.child_by_field_id(self.fields.property))
                    else {
                        continue;
                    };
                    let declared = member
                        .child_by_field_id(self.fields.type_)
                        .and_then(first_named)
                        .and_then(|node| self.type_path(node, 0));
                    let initialized = || {
                        let mut budget = 32;
                        member
                            .child_by_field_id(self.fields.value)
                            .and_then(|value| self.static_eval(value, &mut budget))
                            .and_then(|eval| eval.call_path().cloned())
                            .filter(|path| path.resolved)
                    };
                    if let Some(path) = declared.or_else(initialized) {
                        fields.insert(self.text(name).to_string(), path);
                    }
                }
                "method_definition" => {
                    let is_constructor = member
                        .child_by_field_id(self.fields.name)
                        .is_some_and(|name| self.text(name) == "constructor");
                    let Some(parameters) = member
                        .child_by_field_id(self.fields.parameters)
                        .filter(|_| is_constructor)
                    else {
                        continue;
                    };
                    for parameter in named_children(parameters) {
                        if !is_parameter_property(parameter) {
                            continue;
                        }
                        let (Some(pattern), Some(path)) = (
                            self.parameter_pattern(parameter),
                            parameter
                                .child_by_field_id(self.fields.type_)
                                .and_then(first_named)
                                .and_then(|node| {
                                    self.type_path(node, 0)
                                        .or_else(|| self.local_type_path(node))
                                }),
                        ) else {
                            continue;
                        };
                        fields.insert(self.text(pattern).to_string(), path);
                    }
                }
                _ => {}
            }
        }
        fields
    }

    fn lower_class_body(&mut self, body: Node<'_>, depth: usize) -> Eval {
        // TypeScript puts a member's decorators before it as siblings;
        // JavaScript makes them the member's own children.
        let mut decorators = Vec::new();
        for member in named_children(body) {
            match member.kind() {
                "decorator" => decorators.push(member),
                "method_definition" => {
                    let mut hint = None;
                    let own = field_children(member, self.fields.decorator);
                    for decorator in decorators.drain(..).chain(own) {
                        hint = hint.or_else(|| self.route_decorator(decorator));
                        self.eval(decorator, depth + 1);
                    }
                    let name = member
                        .child_by_field_id(self.fields.name)
                        .map(|name| (self.text(name).to_string(), span(name)));
                    let owner = self.classes.last().and_then(|class| class.name.clone());
                    self.lower_function(
                        member,
                        depth + 1,
                        FunctionContext {
                            name,
                            handler: hint,
                            owner,
                            ..FunctionContext::default()
                        },
                    );
                }
                "public_field_definition" | "field_definition" => {
                    let own = field_children(member, self.fields.decorator);
                    for decorator in decorators.drain(..).chain(own) {
                        self.eval(decorator, depth + 1);
                    }
                    let name_node = member
                        .child_by_field_id(self.fields.name)
                        .or_else(|| member.child_by_field_id(self.fields.property));
                    if let Some(computed) =
                        name_node.filter(|name| name.kind() == "computed_property_name")
                    {
                        self.eval(computed, depth + 1);
                    }
                    let Some(value) = member.child_by_field_id(self.fields.value) else {
                        continue;
                    };
                    if is_function_node(value) {
                        let name = name_node.map(|name| (self.text(name).to_string(), span(name)));
                        let owner = self.classes.last().and_then(|class| class.name.clone());
                        self.lower_function(
                            value,
                            depth + 1,
                            FunctionContext {
                                name,
                                owner,
                                ..FunctionContext::default()
                            },
                        );
                    } else {
                        let eval = self.eval(value, depth + 1);
                        if let Some(name) = name_node {
                            let name = self.text(name).to_string();
                            if let Some(class) = self.classes.last_mut() {
                                class.sites.entry(name).or_insert(span(value));
                            }
                        }
                        if let (Some(name), Some(path)) = (name_node, eval.call_path()) {
                            if path.resolved {
                                let name = self.text(name).to_string();
                                let path = path.clone();
                                if let Some(class) = self.classes.last_mut() {
                                    class.fields.entry(name).or_insert(path);
                                }
                            }
                        }
                    }
                }
                "class_static_block" | "ERROR" => {
                    self.eval(member, depth + 1);
                }
                _ => {}
            }
        }
        for decorator in decorators {
            self.eval(decorator, depth + 1);
        }
        Eval::unknown()
    }

    /// A NestJS route decorator on a method makes it a handler.
    fn route_decorator(&self, decorator: Node<'_>) -> Option<HandlerHint> {
        let name = self.decorator_name(decorator)?;
        let from_nest = |package: &str| self.lowering.name_path(name).text.starts_with(package);
        let in_controller = self.classes.last().is_some_and(|class| class.is_controller);
        let is_route = (NEST_ROUTE_DECORATORS.contains(&name)
            && (in_controller || from_nest("@nestjs/")))
            || (NEST_RESOLVER_DECORATORS.contains(&name) && from_nest("@nestjs/graphql"));
        is_route.then_some(HandlerHint {
            framework: "nestjs",
            evidence: span(decorator),
            rule: InputRule::Decorated,
        })
    }

    // ----- exports ----------------------------------------------------------------

    /// Next.js conventions live on exports: `export async function GET(…)`,
    /// `export default function handler(req, res)`.
    fn lower_export(&mut self, node: Node<'_>, depth: usize) -> Eval {
        let mut is_default = false;
        let mut controller = false;
        let mut declaration = None;
        let mut value = None;
        let mut cursor = node.walk();
        if cursor.goto_first_child() {
            loop {
                let child = cursor.node();
                match cursor.field_name() {
                    Some("decorator") => {
                        controller |= self.decorator_name(child) == Some("Controller");
                        self.eval(child, depth + 1);
                    }
                    Some("declaration") => declaration = Some(child),
                    Some("value") => value = Some(child),
                    _ => is_default |= child.kind() == "default",
                }
                if !cursor.goto_next_sibling() {
                    break;
                }
            }
        }
        let convention = |evidence: Span, rule: InputRule| HandlerHint {
            framework: "nextjs",
            evidence,
            rule,
        };
        if let Some(declaration) = declaration {
            let export_keywords = Span::new(node.start_byte(), declaration.start_byte());
            match declaration.kind() {
                "function_declaration" | "generator_function_declaration" => {
                    let name = declaration.child_by_field_id(self.fields.name);
                    if is_default {
                        self.hints.push((
                            declaration.id(),
                            convention(
                                self.trimmed_span(node.start_byte(), declaration.start_byte()),
                                InputRule::NextPages,
                            ),
                        ));
                    } else if let Some(name) =
                        name.filter(|name| NEXT_METHODS.contains(&self.text(*name)))
                    {
                        self.hints
                            .push((declaration.id(), convention(span(name), InputRule::NextApp)));
                    } else if let Some(name) =
                        name.filter(|name| NEXT_REQUEST_FUNCTIONS.contains(&self.text(*name)))
                    {
                        self.hints.push((
                            declaration.id(),
                            convention(span(name), InputRule::FirstParam),
                        ));
                    }
                }
                "lexical_declaration" | "variable_declaration" => {
                    for declarator in named_children(declaration) {
                        let (Some(name), Some(function)) = (
                            declarator.child_by_field_id(self.fields.name),
                            declarator.child_by_field_id(self.fields.value),
                        ) else {
                            continue;
                        };
                        if !is_function_node(function) {
                            continue;
                        }
                        if NEXT_METHODS.contains(&self.text(name)) {
                            self.hints
                                .push((function.id(), convention(span(name), InputRule::NextApp)));
                        } else if NEXT_REQUEST_FUNCTIONS.contains(&self.text(name)) {
                            self.hints.push((
                                function.id(),
                                convention(span(name), InputRule::FirstParam),
                            ));
                        }
                    }
                }
                "class_declaration" | "abstract_class_declaration" => {
                    self.lower_class(declaration, depth + 1, controller);
                    return Eval::unknown();
                }
                _ => {}
            }
            let _ = export_keywords;
            self.eval(declaration, depth + 1);
        }
        if let Some(value) = value {
            let evidence = self.trimmed_span(node.start_byte(), value.start_byte());
            let hint = convention(evidence, InputRule::NextPages);
            if is_function_node(value) {
                self.hints.push((value.id(), hint));
            } else if value.kind() == "identifier" {
                self.pending.push((self.text(value).to_string(), hint));
            } else if value.kind() == "call_expression" {
                // `export default withAuth(async (req, res) => …)`.
                self.wrapped = Some((value.id(), hint));
            }
            self.eval(value, depth + 1);
        }
        Eval::unknown()
    }

    // ----- loops ------------------------------------------------------------------

    fn lower_for(&mut self, node: Node<'_>, depth: usize) -> Eval {
        let initializer = node.child_by_field_id(self.fields.initializer);
        let condition = node.child_by_field_id(self.fields.condition);
        let increment = node.child_by_field_id(self.fields.increment);
        let body = node.child_by_field_id(self.fields.body);
        // The initializer runs once, before the loop.
        let mut bindings = Vec::new();
        if let Some(initializer) = initializer {
            self.eval(initializer, depth + 1);
            match initializer.kind() {
                "lexical_declaration" | "variable_declaration" => {
                    for declarator in named_children(initializer) {
                        if let Some(name) = declarator.child_by_field_id(self.fields.name) {
                            self.pattern_names(name, &mut bindings);
                        }
                    }
                }
                "assignment_expression" => {
                    if let Some(left) = initializer.child_by_field_id(self.fields.left) {
                        self.pattern_names(left, &mut bindings);
                    }
                }
                _ => {}
            }
        }
        // `for (let i = 0; …)`: a counter is a number, not data from the loop.
        let counters: Vec<bool> = bindings
            .iter()
            .map(|name| {
                matches!(
                    self.lowering.lookup(name),
                    Some(Binding::Value(Eval {
                        value: Value::Number(_),
                        ..
                    }))
                )
            })
            .collect();
        let header = self.loop_header(node, body);
        let iterable = condition.and_then(|condition| self.length_receiver(condition));
        let saved = self.save_bindings(&bindings);
        self.lowering.begin_loop(LoopSpec {
            iterable_origin: None,
            kind: LoopKind::For,
            span: span(node),
            header,
            bindings: bindings.clone(),
            iterable,
            iterable_value: None,
            is_async: false,
        });
        for (name, counter) in bindings.iter().zip(counters) {
            if counter {
                self.lowering.bind(
                    name,
                    Eval {
                        value: Value::Number(None),
                        origin: Origin::Numeric,
                        defined_at: Some(header),
                    },
                );
            }
        }
        for part in [condition, increment, body].into_iter().flatten() {
            self.eval(part, depth + 1);
        }
        self.lowering.end_loop();
        self.restore_bindings(saved);
        Eval::unknown()
    }

    /// `i < items.length` names what a counting loop walks.
    fn length_receiver(&self, condition: Node<'_>) -> Option<String> {
        let condition = if condition.kind() == "expression_statement" {
            first_named(condition)?
        } else {
            condition
        };
        if condition.kind() != "binary_expression" {
            return None;
        }
        let bound = condition.child_by_field_id(self.fields.right)?;
        if bound.kind() != "member_expression"
            || bound
                .child_by_field_id(self.fields.property)
                .is_none_or(|property| self.text(property) != "length")
        {
            return None;
        }
        let object = bound.child_by_field_id(self.fields.object)?;
        Some(clip(self.text(object)).to_string())
    }

    fn lower_for_in(&mut self, node: Node<'_>, depth: usize) -> Eval {
        let left = node.child_by_field_id(self.fields.left);
        let right = node.child_by_field_id(self.fields.right);
        let body = node.child_by_field_id(self.fields.body);
        // What is iterated is evaluated once, outside the loop.
        let iterated = right.map(|right| self.eval(right, depth + 1));
        let iterable_origin = iterated.as_ref().map(|eval| eval.origin);
        let iterable_value = iterated.map(|eval| eval.value);
        let mut bindings = Vec::new();
        if let Some(left) = left {
            self.pattern_names(left, &mut bindings);
        }
        let saved = self.save_bindings(&bindings);
        self.lowering.begin_loop(LoopSpec {
            iterable_origin,
            kind: LoopKind::For,
            span: span(node),
            header: self.loop_header(node, body),
            bindings,
            iterable: right.map(|right| clip(self.text(right)).to_string()),
            iterable_value,
            is_async: has_token(node, "await"),
        });
        if let Some(body) = body {
            self.eval(body, depth + 1);
        }
        self.lowering.end_loop();
        self.restore_bindings(saved);
        Eval::unknown()
    }

    fn lower_while(&mut self, node: Node<'_>, depth: usize) -> Eval {
        let condition = node.child_by_field_id(self.fields.condition);
        let body = node.child_by_field_id(self.fields.body);
        self.lowering.begin_loop(LoopSpec {
            iterable_origin: None,
            kind: LoopKind::While,
            span: span(node),
            header: self.loop_header(node, body),
            bindings: Vec::new(),
            iterable: None,
            iterable_value: None,
            is_async: false,
        });
        for part in [condition, body].into_iter().flatten() {
            self.eval(part, depth + 1);
        }
        self.lowering.end_loop();
        Eval::unknown()
    }

    fn lower_do(&mut self, node: Node<'_>, depth: usize) -> Eval {
        let condition = node.child_by_field_id(self.fields.condition);
        let body = node.child_by_field_id(self.fields.body);
        let mut header = span(node);
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            if child.kind() == "while" && !child.is_named() {
                let end = condition.map_or(node.end_byte(), |condition| condition.end_byte());
                header = Span::new(child.start_byte(), end);
            }
        }
        self.lowering.begin_loop(LoopSpec {
            iterable_origin: None,
            kind: LoopKind::While,
            span: span(node),
            header,
            bindings: Vec::new(),
            iterable: None,
            iterable_value: None,
            is_async: false,
        });
        for part in [body, condition].into_iter().flatten() {
            self.eval(part, depth + 1);
        }
        self.lowering.end_loop();
        Eval::unknown()
    }

    /// From the keyword to the body: `for (const u of users)`, `while (x)`.
    fn loop_header(&self, node: Node<'_>, body: Option<Node<'_>>) -> Span {
        match body {
            Some(body) => self.trimmed_span(node.start_byte(), body.start_byte()),
            None => span(node),
        }
    }

    /// Loop bindings shadow outer names only inside the loop: what they were
    /// bound to before is put back after it.
    fn save_bindings(&self, names: &[String]) -> Vec<(String, Option<Binding>)> {
        names
            .iter()
            .map(|name| (name.clone(), self.lowering.lookup(name).cloned()))
            .collect()
    }

    fn restore_bindings(&mut self, saved: Vec<(String, Option<Binding>)>) {
        for (name, binding) in saved {
            match binding {
                Some(Binding::Import(path)) => self.lowering.bind_import(&name, path),
                Some(Binding::Value(eval)) => self.lowering.bind(&name, eval),
                None => {
                    let unbound = Eval::path(
                        CallPath {
                            text: name.clone(),
                            resolved: false,
                        },
                        if looks_constant(&name) {
                            Origin::Constant
                        } else {
                            Origin::Unknown
                        },
                    );
                    self.lowering.bind(&name, unbound);
                }
            }
        }
    }
}

// ----- syntax helpers that read fields --------------------------------------------------

impl<'src> Walker<'src> {
    /// The parameter nodes of a function.
    fn parameter_nodes<'tree>(&self, function: Node<'tree>) -> Vec<Node<'tree>> {
        if let Some(single) = function.child_by_field_id(self.fields.parameter) {
            return vec![single];
        }
        match function.child_by_field_id(self.fields.parameters) {
            Some(list) => named_children(list)
                .into_iter()
                .filter(|child| !child.is_extra() && !child.is_error())
                .collect(),
            None => Vec::new(),
        }
    }

    /// The binding pattern of a parameter node (TypeScript wraps it).
    fn parameter_pattern<'tree>(&self, parameter: Node<'tree>) -> Option<Node<'tree>> {
        match parameter.kind() {
            "required_parameter" | "optional_parameter" => parameter
                .child_by_field_id(self.fields.pattern)
                .or_else(|| parameter.child_by_field_id(self.fields.name)),
            "assignment_pattern" => parameter.child_by_field_id(self.fields.left),
            _ => Some(parameter),
        }
    }

    /// The names a binding pattern introduces, in order (iteratively: patterns
    /// can nest as deep as the input likes).
    fn pattern_names(&self, pattern: Node<'_>, names: &mut Vec<String>) {
        let mut stack = vec![pattern];
        while let Some(node) = stack.pop() {
            if names.len() >= MAX_ITEMS {
                return;
            }
            match node.kind() {
                "identifier" | "shorthand_property_identifier_pattern" => {
                    names.push(self.text(node).to_string())
                }
                "object_pattern" | "array_pattern" => {
                    let mut children = named_children(node);
                    children.reverse();
                    stack.extend(children);
                }
                "pair_pattern" => stack.extend(node.child_by_field_id(self.fields.value)),
                "assignment_pattern" | "object_assignment_pattern" => {
                    stack.extend(node.child_by_field_id(self.fields.left))
                }
                "rest_pattern" => stack.extend(first_named(node)),
                "required_parameter" | "optional_parameter" => {
                    stack.extend(self.parameter_pattern(node))
                }
                _ => {}
            }
        }
    }

    /// The name of a decorator: `Get` for `@Get(':id')`, `@Get` and `@nest.Get()`.
    fn decorator_name(&self, decorator: Node<'_>) -> Option<&'src str> {
        let mut target = first_named(decorator)?;
        if target.kind() == "call_expression" {
            target = target.child_by_field_id(self.fields.function)?;
        }
        match target.kind() {
            "identifier" => Some(self.text(target)),
            "member_expression" => Some(self.text(target.child_by_field_id(self.fields.property)?)),
            _ => None,
        }
    }

    /// The module of `require('x')`, when `node` is such a call.
    fn require_specifier(&self, node: Node<'_>) -> Option<String> {
        if node.kind() != "call_expression" {
            return None;
        }
        let function = node.child_by_field_id(self.fields.function)?;
        if function.kind() != "identifier" || self.text(function) != "require" {
            return None;
        }
        let arguments = node.child_by_field_id(self.fields.arguments)?;
        let module = first_named(arguments)?;
        (module.kind() == "string").then(|| unescape(string_body(self.text(module))))
    }
}

// ----- helpers over values -----------------------------------------------------------

/// Whether a branch ends by leaving: it is, or its last statement is, a
/// `return`, `throw`, `break` or `continue` (an `else` clause or a `case`
/// holds its statements).
fn leaves(branch: Node<'_>) -> bool {
    let mut current = branch;
    for _ in 0..MAX_DEPTH {
        match current.kind() {
            "return_statement" | "throw_statement" | "break_statement" | "continue_statement" => {
                return true
            }
            "statement_block" | "else_clause" | "switch_case" | "switch_default" => {
                let last = named_children(current)
                    .into_iter()
                    .rev()
                    .find(|statement| statement.kind() != "comment");
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

fn function_value() -> Eval {
    Eval::with_origin(Value::Function, Origin::Unknown)
}

fn is_str(eval: &Eval) -> bool {
    matches!(eval.value, Value::Str(_))
}

fn is_number(eval: &Eval) -> bool {
    matches!(eval.value, Value::Number(_))
}

fn both_numeric(left: &Eval, right: &Eval) -> bool {
    left.origin == Origin::Numeric && right.origin == Origin::Numeric
}

/// Of two values one of which is taken (`a || b`, `c ? a : b`), the one whose
/// origin is worse, so that the shape and the origin always agree.
fn pick_worse(left: Eval, right: Eval) -> Eval {
    if worse(left.origin, right.origin) == left.origin {
        left
    } else {
        right
    }
}

/// `existing += value`: numbers add up, anything else appends (a string
/// grows in place).
fn plus_assign(existing: Eval, value: Eval, value_span: Span, value_text: &str) -> Eval {
    let numeric = |eval: &Eval| is_number(eval) || eval.origin == Origin::Numeric;
    if numeric(&existing) && numeric(&value) {
        return Eval::number();
    }
    append(existing, value, value_span, value_text)
}

/// A value found inside an object literal, as an evaluation.
fn value_eval(value: &Value, container: Origin) -> Eval {
    match value {
        Value::Str(shape) => Eval::with_origin(value.clone(), shape_origin(shape)),
        Value::Number(_) => Eval::with_origin(value.clone(), Origin::Numeric),
        Value::Literal => Eval::literal(),
        _ => Eval::with_origin(value.clone(), container),
    }
}

fn member_value(member: Member<'_>) -> Eval {
    if let Some(keyed) = member.keyed {
        return keyed;
    }
    if member.property == "length" {
        return Eval::number();
    }
    let origin = member_origin(member.object.origin, member.property);
    Eval {
        value: Value::Path(member.path),
        origin,
        defined_at: member.object.defined_at,
    }
}

/// The part of a destructured value under `key`.
fn member_of(base: &Eval, key: &str) -> Eval {
    let origin = member_origin(base.origin, key);
    match &base.value {
        Value::Path(path) => Eval {
            value: Value::Path(extend_path(path, key)),
            origin,
            defined_at: base.defined_at,
        },
        Value::Object(entries) => match entries.iter().find(|(each, _)| each == key) {
            Some((_, value)) => value_eval(value, base.origin),
            None => Eval::with_origin(Value::Unknown, origin),
        },
        _ => Eval {
            value: Value::Unknown,
            origin,
            defined_at: base.defined_at,
        },
    }
}

fn element_of(base: &Eval) -> Eval {
    Eval {
        value: Value::Unknown,
        origin: base.origin,
        defined_at: base.defined_at,
    }
}

/// The text of a string made of literal parts only.
fn literal_text(eval: &Eval) -> Option<String> {
    let shape = eval.value.as_str()?;
    let mut text = String::new();
    for part in &shape.parts {
        match part {
            Part::Lit(literal) => text.push_str(literal),
            Part::Hole(_) => return None,
        }
    }
    Some(text)
}

/// `parts.join(sep)`: the joined text when every item is a known string,
/// otherwise one hole as bad as the worst item or the separator.
fn join_value(
    node: Node<'_>,
    text: &str,
    path: &CallPath,
    receiver: &Eval,
    separator: Option<&Eval>,
) -> Eval {
    let constant_comma = Eval::string(Span::default(), ",");
    let separator = separator.unwrap_or(&constant_comma);
    if let Some(joined) = join_shapes(span(node), text, separator, receiver) {
        return joined;
    }
    let origin = join_origin(separator, receiver);
    Eval::path(called(path), origin)
}

/// `xs.map(Number)`, `xs.map(String)`: the mapped origin without a callback body.
fn mapping_origin(mapper: Option<&Eval>, receiver: &Eval) -> Origin {
    match mapper.and_then(Eval::call_path) {
        Some(path) if !path.resolved => match path.text.as_str() {
            "Number" | "parseInt" | "parseFloat" | "Math.round" | "Math.floor" | "BigInt" => {
                Origin::Numeric
            }
            "String" => receiver.origin,
            _ => Origin::Unknown,
        },
        _ => Origin::Unknown,
    }
}

/// `base.segment`, bounded: a path past `MAX_PATH_BYTES` keeps only its tail.
/// `base` with `suffix` appended (`.name`, `[]`, `()`); paths past
/// `MAX_PATH_BYTES` collapse to `<long>` so generated chains stay cheap.
fn suffixed(base: &CallPath, suffix: &str) -> CallPath {
    if base.text.len() > MAX_PATH_BYTES {
        return CallPath {
            text: format!("<long>{suffix}"),
            resolved: false,
        };
    }
    CallPath {
        text: format!("{}{suffix}", base.text),
        resolved: base.resolved,
    }
}

fn extend_path(base: &CallPath, segment: &str) -> CallPath {
    suffixed(base, &format!(".{segment}"))
}

/// `base[]`: an element of `base`, whatever the index.
fn element_path(base: &CallPath) -> CallPath {
    suffixed(base, "[]")
}

/// The value path of calling `path`.
fn called(path: &CallPath) -> CallPath {
    suffixed(path, "()")
}

fn relative_eval(name: &str) -> Eval {
    Eval::path(
        CallPath {
            text: name.to_string(),
            resolved: false,
        },
        if looks_constant(name) {
            Origin::Constant
        } else {
            Origin::Unknown
        },
    )
}

/// Whether a module specifier names one of the project's own modules.
fn is_relative(module: &str) -> bool {
    module.starts_with('.')
        || module.starts_with('/')
        || module.starts_with("@/")
        || module.starts_with('~')
        || module.starts_with('#')
}

fn request_framework(path: &str) -> Option<&'static str> {
    match path {
        "express.Request()" | "express-serve-static-core.Request()" => Some("express"),
        "next.NextApiRequest()" | "next/server.NextRequest()" => Some("nextjs"),
        "fastify.FastifyRequest()" => Some("fastify"),
        "koa.Context()" | "koa.ParameterizedContext()" => Some("koa"),
        _ => None,
    }
}

/// Whether `path` (a callee) registers route handlers, and how.
fn registration_hint(
    path: &CallPath,
    receiver_name: Option<&str>,
    evidence: Span,
) -> Option<HandlerHint> {
    let (mut receiver, method) = path.text.rsplit_once('.')?;
    if !ROUTE_METHODS.contains(&method) {
        return None;
    }
    // `router.route('/x').get(a).post(b)`: the chain leads back to the router.
    for _ in 0..16 {
        let Some(stripped) = receiver.strip_suffix("()") else {
            break;
        };
        let Some((inner, chained)) = stripped.rsplit_once('.') else {
            break;
        };
        if chained != "route" && !ROUTE_METHODS.contains(&chained) {
            break;
        }
        receiver = inner;
    }
    let is_server = if path.resolved {
        SERVER_PATHS.contains(&receiver)
    } else {
        let last = receiver.rsplit('.').next().unwrap_or(receiver);
        is_server_name(last) || receiver_name.is_some_and(is_server_name)
    };
    if !is_server {
        return None;
    }
    let framework = if receiver.starts_with("fastify") {
        "fastify"
    } else if receiver.contains("koa") {
        "koa"
    } else {
        "express"
    };
    // Koa and Fastify handlers may take one parameter or none; only a
    // receiver known to be their app or router says so.
    // A receiver named `fastify` (the plugin convention, `async function
    // routes(fastify)`) says Fastify by its name too.
    let named_fastify = receiver_name.is_some_and(|name| name.eq_ignore_ascii_case("fastify"))
        || receiver.rsplit('.').next() == Some("fastify");
    let rule = if framework == "express" || (!path.resolved && !named_fastify) {
        InputRule::Express
    } else {
        InputRule::FirstParam
    };
    Some(HandlerHint {
        framework,
        evidence,
        rule,
    })
}

fn is_server_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SERVER_NAMES.contains(&lower.as_str()) || lower.ends_with("router")
}

/// Marks the request parameters of a handler; false when the function does
/// not fit the convention after all.
fn apply_input_rule(rule: InputRule, params: &mut [Param]) -> bool {
    match rule {
        InputRule::Express => {
            if params.len() < 2 {
                return false;
            }
            let error_first =
                params.len() == 4 && matches!(params[0].name.as_str(), "err" | "error" | "e");
            if let Some(request) = params.get_mut(usize::from(error_first)) {
                request.is_request_input = true;
            }
            true
        }
        InputRule::FirstParam => {
            if let Some(request) = params.first_mut() {
                request.is_request_input = true;
            }
            true
        }
        InputRule::AllParams => {
            for param in params.iter_mut() {
                param.is_request_input = true;
            }
            true
        }
        InputRule::NextApp => {
            for param in params.iter_mut().take(2) {
                param.is_request_input = true;
            }
            true
        }
        InputRule::NextPages => {
            let by_request = params.first().is_some_and(|param| {
                matches!(param.name.as_str(), "req" | "request")
                    || param
                        .annotation
                        .as_deref()
                        .is_some_and(|annotation| annotation.contains("NextApiRequest"))
            });
            let by_response = params
                .get(1)
                .is_some_and(|param| matches!(param.name.as_str(), "res" | "response"));
            if !by_request && !by_response {
                return false;
            }
            if let Some(request) = params.first_mut() {
                request.is_request_input = true;
            }
            true
        }
        InputRule::Decorated => true,
    }
}

// ----- helpers over syntax -------------------------------------------------------------

/// The node kinds the walk tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    If,
    Switch,
    Try,
    Identifier,
    This,
    String,
    Template,
    Number,
    Literal,
    Member,
    Subscript,
    Call,
    New,
    Await,
    /// Parentheses, `x!`, `x as T`, `x satisfies T`, `f<T>`, `...x`, `@x`.
    Transparent,
    TypeAssertion,
    Binary,
    Ternary,
    Unary,
    Update,
    Assignment,
    Augmented,
    Sequence,
    Array,
    Object,
    FunctionExpression,
    FunctionDeclaration,
    Class,
    ClassBody,
    Declarator,
    For,
    ForIn,
    While,
    Do,
    Return,
    Export,
    /// Comments, types, imports (bound by the first pass): nothing to lower.
    Skip,
    Other,
}

fn classify(node: Node<'_>) -> Kind {
    if node.is_extra() && !node.is_error() {
        return Kind::Skip;
    }
    match node.kind() {
        "identifier" => Kind::Identifier,
        "this" | "super" => Kind::This,
        "string" => Kind::String,
        "template_string" => Kind::Template,
        "number" => Kind::Number,
        "true" | "false" | "null" | "undefined" | "regex" => Kind::Literal,
        "member_expression" => Kind::Member,
        "subscript_expression" => Kind::Subscript,
        "call_expression" => Kind::Call,
        "new_expression" => Kind::New,
        "await_expression" => Kind::Await,
        "parenthesized_expression"
        | "non_null_expression"
        | "as_expression"
        | "satisfies_expression"
        | "instantiation_expression"
        | "spread_element"
        | "decorator" => Kind::Transparent,
        "type_assertion" => Kind::TypeAssertion,
        "binary_expression" => Kind::Binary,
        "ternary_expression" => Kind::Ternary,
        "unary_expression" => Kind::Unary,
        "update_expression" => Kind::Update,
        "assignment_expression" => Kind::Assignment,
        "augmented_assignment_expression" => Kind::Augmented,
        "sequence_expression" => Kind::Sequence,
        "array" => Kind::Array,
        "object" => Kind::Object,
        "arrow_function" | "function_expression" | "function" | "generator_function" => {
            Kind::FunctionExpression
        }
        "function_declaration" | "generator_function_declaration" => Kind::FunctionDeclaration,
        "class_declaration" | "class" | "abstract_class_declaration" => Kind::Class,
        "class_body" => Kind::ClassBody,
        "variable_declarator" => Kind::Declarator,
        "for_statement" => Kind::For,
        "for_in_statement" => Kind::ForIn,
        "while_statement" => Kind::While,
        "do_statement" => Kind::Do,
        "return_statement" => Kind::Return,
        "if_statement" => Kind::If,
        "switch_statement" => Kind::Switch,
        "try_statement" => Kind::Try,
        "export_statement" => Kind::Export,
        "import_statement" => Kind::Skip,
        kind if is_type_only(kind) => Kind::Skip,
        _ => Kind::Other,
    }
}

/// Whether `text` is one JavaScript identifier.
fn is_identifier(text: &str) -> bool {
    let mut characters = text.chars();
    characters
        .next()
        .is_some_and(|first| first.is_alphabetic() || first == '_' || first == '$')
        && characters.all(|each| each.is_alphanumeric() || each == '_' || each == '$')
}

fn this_value(node: Node<'_>) -> Eval {
    Eval::path(
        CallPath {
            text: node.kind().to_string(),
            resolved: false,
        },
        Origin::Unknown,
    )
}

/// Nodes whose lowering follows fields only, so that an ERROR child outside
/// any field would be missed unless walked on its own.
fn visits_only_fields(kind: &str) -> bool {
    matches!(
        kind,
        "call_expression"
            | "new_expression"
            | "member_expression"
            | "subscript_expression"
            | "binary_expression"
            | "ternary_expression"
            | "unary_expression"
            | "assignment_expression"
            | "augmented_assignment_expression"
            | "await_expression"
            | "parenthesized_expression"
            | "non_null_expression"
            | "as_expression"
            | "satisfies_expression"
            | "instantiation_expression"
            | "spread_element"
            | "decorator"
            | "type_assertion"
            | "template_string"
            | "variable_declarator"
            | "for_statement"
            | "for_in_statement"
            | "while_statement"
            | "do_statement"
            | "return_statement"
            | "export_statement"
            | "class_declaration"
            | "class"
            | "abstract_class_declaration"
    )
}

/// Type-level syntax: no calls, nothing to lower.
fn is_type_only(kind: &str) -> bool {
    matches!(
        kind,
        "type_annotation"
            | "type_arguments"
            | "type_parameters"
            | "type_alias_declaration"
            | "interface_declaration"
            | "abstract_method_signature"
            | "method_signature"
            | "index_signature"
            | "property_signature"
            | "ambient_declaration"
            | "implements_clause"
            | "predefined_type"
            | "type_identifier"
            | "comment"
            | "hash_bang_line"
    )
}

/// Whether a function is exported: `export async function f`, `export
/// const f = async () => …`, `export default async function`.
fn is_exported(function: Node<'_>) -> bool {
    let mut current = function.parent();
    while let Some(node) = current {
        match node.kind() {
            "export_statement" => return true,
            "variable_declarator" | "lexical_declaration" | "variable_declaration" => {
                current = node.parent();
            }
            _ => return false,
        }
    }
    false
}

fn is_function_node(node: Node<'_>) -> bool {
    matches!(
        node.kind(),
        "arrow_function" | "function_expression" | "function" | "generator_function"
    )
}

/// Every kind `lower_function` lowers.
fn is_function_kind(kind: &str) -> bool {
    matches!(
        kind,
        "arrow_function"
            | "function_expression"
            | "function"
            | "generator_function"
            | "function_declaration"
            | "generator_function_declaration"
            | "method_definition"
    )
}

fn has_token(node: Node<'_>, token: &str) -> bool {
    let mut cursor = node.walk();
    let found = node
        .children(&mut cursor)
        .any(|child| !child.is_named() && child.kind() == token);
    found
}

fn first_named(node: Node<'_>) -> Option<Node<'_>> {
    let mut cursor = node.walk();
    let found = node
        .named_children(&mut cursor)
        .find(|child| !child.is_extra());
    found
}

fn last_named(node: Node<'_>) -> Option<Node<'_>> {
    let mut cursor = node.walk();
    let found = node
        .named_children(&mut cursor)
        .filter(|child| !child.is_extra() && !child.is_error())
        .last();
    found
}

/// The expression inside a wrapper (parentheses, `await`, `as T`, `${…}`):
/// its first named child that is neither a comment, an error nor a type.
fn first_expression(node: Node<'_>) -> Option<Node<'_>> {
    let mut cursor = node.walk();
    let found = node
        .named_children(&mut cursor)
        .find(|child| !child.is_extra() && !child.is_error() && !is_type_only(child.kind()));
    found
}

/// The expression under parentheses, `await`, `!` and type assertions.
fn unwrap_transparent(node: Node<'_>) -> Node<'_> {
    let mut current = node;
    // Bounded: the walk already refused anything deeper than this.
    for _ in 0..MAX_DEPTH {
        if !matches!(
            current.kind(),
            "parenthesized_expression"
                | "await_expression"
                | "non_null_expression"
                | "as_expression"
                | "satisfies_expression"
        ) {
            break;
        }
        match first_expression(current) {
            Some(inner) => current = inner,
            None => break,
        }
    }
    current
}

/// The children of `node` in the field `field` (decorators come several).
fn field_children(node: Node<'_>, field: u16) -> Vec<Node<'_>> {
    let mut children = Vec::new();
    let mut cursor = node.walk();
    if cursor.goto_first_child() {
        loop {
            if cursor.field_id().map(|id| id.get()) == Some(field) {
                children.push(cursor.node());
            }
            if !cursor.goto_next_sibling() {
                break;
            }
        }
    }
    children
}

fn strip_rest(pattern: Node<'_>) -> Node<'_> {
    if pattern.kind() == "rest_pattern" {
        if let Some(inner) = first_named(pattern) {
            return inner;
        }
    }
    pattern
}

/// `constructor(private readonly db: Pool)` declares the field `db`.
fn is_parameter_property(parameter: Node<'_>) -> bool {
    let mut cursor = parameter.walk();
    let found = parameter.children(&mut cursor).any(|child| {
        matches!(
            child.kind(),
            "accessibility_modifier" | "readonly" | "override_modifier"
        )
    });
    found
}

/// The body of a quoted literal: its text without the quotes (an unterminated
/// literal keeps what it has).
fn string_body(text: &str) -> &str {
    let Some(quote) = text.chars().next() else {
        return "";
    };
    if !matches!(quote, '"' | '\'' | '`') {
        return text;
    }
    let inner = &text[1..];
    inner.strip_suffix(quote).unwrap_or(inner)
}

/// At most `MAX_TEXT_BYTES` of `text`, cut at a character boundary.
fn clip(text: &str) -> &str {
    if text.len() <= MAX_TEXT_BYTES {
        return text;
    }
    let mut end = MAX_TEXT_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use crate::lang::lower;
    use crate::model::{
        Call, FileModel, Function, Hole, Language, LoopKind, OriginKind, Part, StrShape, Value,
    };

    #[test]
    fn every_field_the_walker_reads_is_a_field_of_some_grammar() {
        // JavaScript lacks TypeScript's fields (`type`), which is why a
        // missing one is 0; a name no grammar has is a misspelling.
        let missing: Vec<Vec<&str>> = [Language::JavaScript, Language::TypeScript, Language::Tsx]
            .into_iter()
            .map(|language| super::Fields::of(&crate::lang::grammar(language)).missing())
            .collect();
        let nowhere: Vec<&&str> = missing[0]
            .iter()
            .filter(|name| missing.iter().all(|each| each.contains(name)))
            .collect();
        assert!(nowhere.is_empty(), "fields of no grammar: {nowhere:?}");
    }

    fn ts(source: &str) -> FileModel {
        lower(Language::TypeScript, source)
    }

    fn js(source: &str) -> FileModel {
        lower(Language::JavaScript, source)
    }

    fn paths(model: &FileModel) -> Vec<&str> {
        model
            .calls
            .iter()
            .map(|call| call.path.text.as_str())
            .collect()
    }

    fn call<'m>(model: &'m FileModel, path: &str) -> &'m Call {
        match model.calls.iter().find(|call| call.path.text == path) {
            Some(call) => call,
            None => panic!("no call {path:?} among {:?}", paths(model)),
        }
    }

    fn function<'m>(model: &'m FileModel, name: &str) -> &'m Function {
        match model
            .functions
            .iter()
            .find(|function| function.name == name)
        {
            Some(function) => function,
            None => panic!("no function {name:?}"),
        }
    }

    fn shape(call: &Call, index: usize) -> &StrShape {
        match call.args.get(index).map(|arg| &arg.value) {
            Some(Value::Str(shape)) => shape,
            other => panic!(
                "argument {index} of {:?} is not a string: {other:?}",
                call.path
            ),
        }
    }

    fn holes(shape: &StrShape) -> Vec<&Hole> {
        shape.holes().collect()
    }

    fn rendered(shape: &StrShape) -> String {
        shape.render(|_, hole| format!("{{{}}}", hole.text))
    }

    #[test]
    fn pg_pool_through_import_and_new() {
        let model = ts("import { Pool } from 'pg';\n\
             const pool = new Pool({ max: 5 });\n\
             export async function list() {\n  return await pool.query('SELECT id FROM users');\n}\n");
        let constructor = call(&model, "pg.Pool");
        assert!(constructor.is_new);
        assert!(constructor.path.resolved);
        let query = call(&model, "pg.Pool().query");
        assert!(query.path.resolved);
        assert!(query.awaited);
        assert_eq!(shape(query, 0).literal_text(), "SELECT id FROM users");
        assert_eq!(query.function, Some(function_id(&model, "list")));
    }

    fn function_id(model: &FileModel, name: &str) -> crate::model::FunctionId {
        let index = model
            .functions
            .iter()
            .position(|function| function.name == name)
            .unwrap_or(usize::MAX);
        crate::model::FunctionId(index as u32)
    }

    #[test]
    fn aliases_default_and_namespace_imports() {
        let model = ts("import { Pool as P } from 'pg';\n\
             import pg from 'pg';\n\
             import * as pgns from 'pg';\n\
             import mysql from 'mysql2/promise';\n\
             new P().query('a');\n\
             new pg.Client().connect();\n\
             pgns.native;\n\
             mysql.createPool({}).execute('b');\n");
        call(&model, "pg.Pool().query");
        call(&model, "pg.Client().connect");
        call(&model, "mysql2/promise.createPool().execute");
    }

    #[test]
    fn require_forms_resolve() {
        let model = js("const pg = require('pg');\n\
             const { Pool } = require('pg');\n\
             const knex = require('knex')({ client: 'pg' });\n\
             const a = new pg.Pool();\n\
             const b = new Pool();\n\
             function f() { a.query('x'); b.query('y'); knex.select('*').from('users'); }\n");
        let paths = paths(&model);
        assert!(paths.contains(&"pg.Pool().query"), "{paths:?}");
        assert_eq!(
            paths
                .iter()
                .filter(|path| **path == "pg.Pool().query")
                .count(),
            2,
            "{paths:?}"
        );
        call(&model, "knex().select");
        assert!(call(&model, "knex().select().from").path.resolved);
    }

    #[test]
    fn relative_and_alias_imports_stay_unresolved() {
        let model = ts("import { db } from './db';\n\
             import helpers from '@/lib/helpers';\n\
             const { cache } = require('../cache');\n\
             db.query('x'); helpers.run(); cache.get('k');\n");
        for path in ["db.query", "helpers.run", "cache.get"] {
            assert!(!call(&model, path).path.resolved, "{path}");
        }
    }

    #[test]
    fn typed_parameter_resolves_as_instance() {
        let model = ts("import { Pool } from 'pg';\n\
             import { Repository } from 'typeorm';\n\
             export async function f(pool: Pool, repo: Repository<User>, id: number) {\n\
               await pool.query(`SELECT * FROM t WHERE id = ${id}`);\n\
               await repo.find();\n}\n");
        let query = call(&model, "pg.Pool().query");
        call(&model, "typeorm.Repository().find");
        let holes = holes(shape(query, 0));
        assert_eq!(holes[0].origin.kind(), OriginKind::Numeric);
        let function = function(&model, "f");
        assert_eq!(function.params[0].annotation.as_deref(), Some("Pool"));
        assert_eq!(
            function.params[1].annotation.as_deref(),
            Some("Repository<User>")
        );
    }

    #[test]
    fn prisma_raw_unsafe_and_tagged_template() {
        let source = "import { PrismaClient } from '@prisma/client';\n\
             const prisma = new PrismaClient();\n\
             export async function find(id: string) {\n\
               await prisma.$queryRawUnsafe(`SELECT * FROM users WHERE id = '${id}'`);\n\
               return prisma.$queryRaw`SELECT * FROM users WHERE id = ${id}`;\n}\n";
        let model = ts(source);
        let unsafe_call = call(&model, "@prisma/client.PrismaClient().$queryRawUnsafe");
        assert!(!unsafe_call.tagged_template);
        let hole = holes(shape(unsafe_call, 0))[0];
        assert_eq!(
            (hole.text.as_str(), hole.origin.kind()),
            ("id", OriginKind::Param)
        );
        let tagged = call(&model, "@prisma/client.PrismaClient().$queryRaw");
        assert!(tagged.tagged_template);
        assert_eq!(tagged.args.len(), 1);
        assert_eq!(
            &source[tagged.span.range()],
            "prisma.$queryRaw`SELECT * FROM users WHERE id = ${id}`"
        );
        assert_eq!(
            rendered(shape(tagged, 0)),
            "SELECT * FROM users WHERE id = {id}"
        );
    }

    #[test]
    fn template_holes_carry_their_origin() {
        let model = ts("import express from 'express';\n\
             const app = express();\n\
             app.get('/u', async (req, res) => {\n\
               const limit = parseInt(req.query.limit);\n\
               await db.query(`SELECT * FROM ${TABLE} WHERE name = '${req.query.name}' LIMIT ${limit}`);\n\
               for (const id of req.body.ids) { await db.query(`DELETE FROM t WHERE id = ${id}`); }\n\
             });\n\
             const TABLE = 'users';\n");
        let queries: Vec<&Call> = model
            .calls
            .iter()
            .filter(|call| call.path.text == "db.query")
            .collect();
        let select = shape(queries[0], 0);
        assert_eq!(
            rendered(select),
            "SELECT * FROM users WHERE name = '{req.query.name}' LIMIT {limit}"
        );
        let origins: Vec<OriginKind> = select.holes().map(|hole| hole.origin.kind()).collect();
        assert_eq!(origins, vec![OriginKind::Input, OriginKind::Numeric]);
        // An element of request input is request input.
        let delete = holes(shape(queries[1], 0));
        assert_eq!(delete[0].origin.kind(), OriginKind::Input);
    }

    #[test]
    fn plus_equals_builds_one_shape() {
        let model = ts("function search(name: string, sort) {\n\
               let sql = 'SELECT * FROM users WHERE 1 = 1';\n\
               if (name) { sql += ` AND name = '${name}'`; }\n\
               sql += ' ORDER BY ' + (sort || 'id');\n\
               return db.query(sql);\n}\n");
        let query = call(&model, "db.query");
        let sql = shape(query, 0);
        assert_eq!(
            rendered(sql),
            "SELECT * FROM users WHERE 1 = 1 AND name = '{name}' ORDER BY {(sort || 'id')}"
        );
        assert!(sql
            .holes()
            .all(|hole| hole.origin.kind() == OriginKind::Param));
    }

    #[test]
    fn placeholder_lists_are_constant_and_quoted_lists_are_not() {
        let model = ts("function f(ids: string[]) {\n\
               db.query(`SELECT * FROM t WHERE id IN (${ids.map(() => '?').join(',')})`, ids);\n\
               db.query(`SELECT * FROM t WHERE id IN (${ids.map((_, i) => `$${i + 1}`).join(', ')})`, ids);\n\
               db.query(`SELECT * FROM t WHERE id IN (${ids.map(id => `'${id}'`).join(',')})`);\n\
               db.query(`SELECT * FROM t WHERE id IN (${ids.join(',')})`);\n}\n");
        let clean: Vec<bool> = model
            .calls
            .iter()
            .filter(|call| call.path.text == "db.query")
            .map(|call| {
                holes(shape(call, 0))
                    .iter()
                    .all(|hole| hole.origin.is_clean())
            })
            .collect();
        assert_eq!(clean, vec![true, true, false, false]);
        let quoted = model
            .calls
            .iter()
            .filter(|call| call.path.text == "db.query")
            .nth(2)
            .unwrap();
        assert_eq!(
            rendered(shape(quoted, 0)),
            "SELECT * FROM t WHERE id IN ('{id}')"
        );
    }

    #[test]
    fn conditions_pushed_then_joined() {
        let model = js("function list(req, res) {\n\
               const where = [];\n\
               if (req.query.name) where.push(`name = '${req.query.name}'`);\n\
               where.push('deleted = false');\n\
               return pool.query('SELECT * FROM t WHERE ' + where.join(' AND '));\n}\n\
             router.get('/', list);\n");
        let query = call(&model, "pool.query");
        assert_eq!(
            rendered(shape(query, 0)),
            "SELECT * FROM t WHERE name = '{req.query.name}' AND deleted = false"
        );
        assert_eq!(holes(shape(query, 0))[0].origin.kind(), OriginKind::Input);
    }

    #[test]
    fn conversions_alternatives_and_constants() {
        let model = ts("const TABLES = { USERS: 'users' };\n\
             function f(x: string, flag: boolean) {\n\
               db.query(`${String(x)} ${x.trim()} ${flag ? 'ASC' : 'DESC'} ${flag ? 'a' : x}`);\n\
               db.query(`${TABLES.USERS} ${config.TABLE_NAME} ${Number(x)} ${x.length}`);\n}\n");
        let first: Vec<&Call> = model
            .calls
            .iter()
            .filter(|call| call.path.text == "db.query")
            .collect();
        let origins: Vec<OriginKind> = first[0]
            .args
            .first()
            .and_then(|arg| arg.value.as_str())
            .map(|shape| shape.holes().map(|hole| hole.origin.kind()).collect())
            .unwrap_or_default();
        assert_eq!(
            origins,
            vec![OriginKind::Param, OriginKind::Param, OriginKind::Param]
        );
        assert!(rendered(shape(first[0], 0)).contains(" ASC "));
        let second = shape(first[1], 0);
        assert!(
            rendered(second).starts_with("users "),
            "{}",
            rendered(second)
        );
        assert!(second.holes().all(|hole| hole.origin.is_clean()));
    }

    #[test]
    fn destructured_request_fields_are_input() {
        let model = js("const express = require('express');\n\
             const router = express.Router();\n\
             router.get('/:id', async (req, res) => {\n\
               const { id } = req.params;\n\
               const { name, sort: order } = req.query;\n\
               await db.query(`SELECT * FROM t WHERE id = ${id} AND name = ${name} ORDER BY ${order}`);\n\
             });\n");
        let query = call(&model, "db.query");
        assert!(shape(query, 0)
            .holes()
            .all(|hole| hole.origin.kind() == OriginKind::Input));
    }

    #[test]
    fn express_inline_and_named_handlers() {
        let model = ts("import express, { Request, Response } from 'express';\n\
             const app = express();\n\
             app.use(express.json());\n\
             app.post('/users', createUser);\n\
             app.get('/users/:id', asyncHandler(async (req, res) => { res.json({}); }));\n\
             app.get('/x', (req, res, next) => next());\n\
             app.get('/one', (req) => 1);\n\
             async function createUser(req, res) { await db.insert(req.body); }\n\
             function mount(router) { router.delete('/u', removeUser); }\n\
             const removeUser = async (request, response) => {};\n\
             function controller(req: Request, res: Response) {}\n");
        let create = function(&model, "createUser");
        assert_eq!(
            create.handler.as_ref().map(|handler| handler.framework),
            Some("express")
        );
        assert!(create.params[0].is_request_input);
        assert!(!create.params[1].is_request_input);
        let insert = call(&model, "db.insert");
        assert_eq!(
            insert.args[0].value,
            Value::Path(crate::model::CallPath {
                text: "req.body".into(),
                resolved: false
            })
        );
        let anonymous: Vec<&Function> = model
            .functions
            .iter()
            .filter(|function| function.name == "<anonymous>")
            .collect();
        assert_eq!(anonymous.len(), 3);
        assert!(anonymous[0].handler.is_some() && anonymous[1].handler.is_some());
        assert!(
            anonymous[2].handler.is_none(),
            "one parameter is not (req, res)"
        );
        let removed = function(&model, "removeUser");
        assert!(removed.handler.is_some());
        assert!(removed.params[0].is_request_input);
        let typed = function(&model, "controller");
        assert_eq!(
            typed.handler.as_ref().map(|handler| handler.framework),
            Some("express")
        );
        assert!(typed.params[0].is_request_input);
        assert!(function(&model, "mount").handler.is_none());
    }

    #[test]
    fn nestjs_controller_methods() {
        let source =
            "import { Controller, Get, Param, Query, Injectable } from '@nestjs/common';\n\
             import { Pool } from 'pg';\n\
             @Controller('users')\n\
             export class UsersController {\n\
               constructor(private readonly db: Pool, private readonly service: UsersService) {}\n\
               @Get(':id')\n\
               async one(@Param('id') id: string, @Query('q') q: string, other: string) {\n\
                 return this.db.query(`SELECT * FROM users WHERE id = ${id}`);\n\
               }\n\
               helper() { return this.service.find(); }\n}\n";
        let model = ts(source);
        let one = function(&model, "one");
        let handler = one.handler.as_ref().map(|handler| handler.framework);
        assert_eq!(handler, Some("nestjs"));
        let evidence = one
            .handler
            .as_ref()
            .map(|handler| &source[handler.evidence.range()]);
        assert_eq!(evidence, Some("@Get(':id')"));
        let inputs: Vec<bool> = one
            .params
            .iter()
            .map(|param| param.is_request_input)
            .collect();
        assert_eq!(inputs, vec![true, true, false]);
        let query = call(&model, "pg.Pool().query");
        assert_eq!(holes(shape(query, 0))[0].origin.kind(), OriginKind::Input);
        assert!(function(&model, "helper").handler.is_none());
        // A field typed with a class of this file names the class's method.
        assert!(!call(&model, "UsersService().find").path.resolved);
    }

    #[test]
    fn nextjs_app_router() {
        let model = ts("import { NextRequest } from 'next/server';\n\
             export async function GET(request: NextRequest, { params }: { params: { id: string } }) {\n\
               const rows = await sql.query(`SELECT * FROM posts WHERE id = ${params.id}`);\n\
               return Response.json(rows);\n}\n\
             export const POST = async (req: Request) => { await req.json(); };\n\
             export async function helper(id: string) {}\n");
        let get = function(&model, "GET");
        assert_eq!(
            get.handler.as_ref().map(|handler| handler.framework),
            Some("nextjs")
        );
        assert!(get.params.iter().all(|param| param.is_request_input));
        assert_eq!(get.params[1].name, "{ params }");
        let query = call(&model, "sql.query");
        assert_eq!(holes(shape(query, 0))[0].origin.kind(), OriginKind::Input);
        assert!(function(&model, "POST").handler.is_some());
        assert!(function(&model, "helper").handler.is_none());
    }

    #[test]
    fn nextjs_pages_router() {
        let model = ts(
            "import type { NextApiRequest, NextApiResponse } from 'next';\n\
             export default async function handler(req: NextApiRequest, res: NextApiResponse) {\n\
               await db.query(`SELECT * FROM t WHERE id = ${req.query.id}`);\n}\n",
        );
        let handler = function(&model, "handler");
        assert_eq!(
            handler.handler.as_ref().map(|handler| handler.framework),
            Some("nextjs")
        );
        assert!(handler.params[0].is_request_input);
        assert_eq!(
            holes(shape(call(&model, "db.query"), 0))[0].origin.kind(),
            OriginKind::Input
        );

        let arrow = js("export default async (req, res) => { res.json(await db.all()); };\n");
        assert!(arrow.functions[0].handler.is_some());
        let page = ts("export default function Page({ params }) { return null; }\n");
        assert!(page.functions[0].handler.is_none());
    }

    #[test]
    fn statement_loops_of_every_kind() {
        let model = ts("async function f(items, o, stream) {\n\
               for (let i = 0; i < items.length; i++) { a(items[i], i); }\n\
               for (const key in o) { b(key); }\n\
               for (const [k, { v }] of Object.entries(o)) { c(k, v); }\n\
               for await (const chunk of stream) { d(chunk); }\n\
               while (more()) { e(); }\n\
               do { g(); } while (h());\n}\n");
        let kinds: Vec<(LoopKind, bool)> = model
            .loops
            .iter()
            .map(|each| (each.kind, each.is_async))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (LoopKind::For, false),
                (LoopKind::For, false),
                (LoopKind::For, false),
                (LoopKind::For, true),
                (LoopKind::While, false),
                (LoopKind::While, false),
            ]
        );
        assert_eq!(model.loops[0].bindings, vec!["i"]);
        assert_eq!(model.loops[0].iterable.as_deref(), Some("items"));
        assert_eq!(model.loops[2].bindings, vec!["k", "v"]);
        assert_eq!(
            model.loops[2].iterable.as_deref(),
            Some("Object.entries(o)")
        );
        for (path, loop_index) in [
            ("a", 0),
            ("b", 1),
            ("c", 2),
            ("d", 3),
            ("e", 4),
            ("more", 4),
            ("g", 5),
            ("h", 5),
        ] {
            let found = call(&model, path);
            assert_eq!(
                found.innermost_loop.map(|id| id.0),
                Some(loop_index),
                "{path}"
            );
        }
        assert!(call(&model, "Object.entries").innermost_loop.is_none());
        let counter = holes_of_arg(call(&model, "a"), 1);
        assert_eq!(counter, Value::Number(None));
    }

    fn holes_of_arg(call: &Call, index: usize) -> Value {
        call.args[index].value.clone()
    }

    #[test]
    fn iteration_callbacks_are_loops() {
        let source = "async function f(users, ids) {\n\
               users.forEach(u => notify(u.email));\n\
               await Promise.all(ids.map(async (id) => { await db.find(id); }));\n\
               const rows = Array.from(ids, (id, i) => load(id));\n\
               const total = users.reduce((sum, u) => sum + u.n, 0);\n\
               users.map(format);\n}\n";
        let model = ts(source);
        assert_eq!(model.loops.len(), 4);
        assert!(model
            .loops
            .iter()
            .all(|each| each.kind == LoopKind::Callback));
        let map_loop = &model.loops[1];
        assert_eq!(&source[map_loop.header.range()], "ids.map");
        assert_eq!(map_loop.iterable.as_deref(), Some("ids"));
        assert_eq!(map_loop.bindings, vec!["id"]);
        assert!(map_loop.is_async);
        let find = call(&model, "db.find");
        assert_eq!(find.innermost_loop.map(|id| id.0), Some(1));
        assert!(find.awaited);
        assert_eq!(call(&model, "ids.map").innermost_loop, None);
        assert_eq!(call(&model, "Promise.all").innermost_loop, None);
        assert_eq!(
            call(&model, "notify").innermost_loop.map(|id| id.0),
            Some(0)
        );
        assert_eq!(call(&model, "load").innermost_loop.map(|id| id.0), Some(2));
        assert_eq!(model.loops[2].iterable.as_deref(), Some("ids"));
        assert_eq!(model.loops[3].bindings, vec!["sum", "u"]);
        let callback = model.functions.iter().find(|function| {
            function
                .params
                .first()
                .is_some_and(|param| param.name == "u")
        });
        assert!(callback.is_some());
    }

    #[test]
    fn iterable_is_lowered_outside_the_loop() {
        let model = ts("async function f() {\n\
               for (const u of await db.query('SELECT id FROM users')) {\n\
                 await db.update(u.id);\n}\n\
               for (const row of (await pool.query('x')).rows) { fetchOne(row); }\n}\n");
        let query = call(&model, "db.query");
        assert_eq!(query.innermost_loop, None);
        assert!(query.awaited);
        assert_eq!(
            call(&model, "db.update").innermost_loop.map(|id| id.0),
            Some(0)
        );
        assert_eq!(call(&model, "pool.query").innermost_loop, None);
        assert_eq!(
            call(&model, "fetchOne").innermost_loop.map(|id| id.0),
            Some(1)
        );
    }

    #[test]
    fn loop_bindings_do_not_leak_after_the_loop() {
        let model = ts("function f(id: string) {\n\
               for (const id of ids) { a(`${id}`); }\n\
               b(`${id}`);\n}\n");
        assert_eq!(
            holes(shape(call(&model, "a"), 0))[0].origin.kind(),
            OriginKind::Loop
        );
        assert_eq!(
            holes(shape(call(&model, "b"), 0))[0].origin.kind(),
            OriginKind::Param
        );
    }

    #[test]
    fn awaited_only_for_the_direct_operand() {
        let model = ts("async function f() {\n\
               await (pool.query('a'));\n\
               await pool.query('b').then(done);\n\
               const c = await new Promise(resolve => setTimeout(resolve, 10));\n\
               pool.query('d');\n}\n");
        let awaited: Vec<(String, bool)> = model
            .calls
            .iter()
            .map(|call| (call.path.text.clone(), call.awaited))
            .collect();
        assert_eq!(
            awaited,
            vec![
                ("pool.query".to_string(), true),
                // Calls starting at one offset sort the inner, shorter one first.
                ("pool.query".to_string(), false),
                ("pool.query().then".to_string(), true),
                ("Promise".to_string(), true),
                ("setTimeout".to_string(), false),
                ("pool.query".to_string(), false),
            ]
        );
        assert!(call(&model, "Promise").is_new);
    }

    #[test]
    fn syntax_error_keeps_the_rest_of_the_file() {
        let model = ts("function broken() {\n  const x = ;\n  db.first('a');\n}\n\
             function ok() {\n  db.second('b');\n}\n\
             function also() { let y = (1 + ; db.third('c'); }\n\
             function last() { db.fourth('d'); }\n");
        assert!(!model.syntax_errors.is_empty());
        for path in ["db.first", "db.second", "db.fourth"] {
            call(&model, path);
        }
        assert!(function(&model, "last").span.end > 0);
    }

    #[test]
    fn calls_inside_error_nodes_are_recorded() {
        let model = js("foo(bar(1), ) +;\n@@@ baz(2);\n");
        assert!(!model.syntax_errors.is_empty());
        call(&model, "baz");
        call(&model, "bar");
    }

    #[test]
    fn tsx_component_with_jsx() {
        let model = lower(
            Language::Tsx,
            "import { useQuery } from '@tanstack/react-query';\n\
             export function Users({ ids }: { ids: string[] }) {\n\
               const { data } = useQuery({ queryKey: ['u'], queryFn: () => fetch('/api/users') });\n\
               return <ul onClick={() => track('click')}>{ids.map(id => <li key={id}>{format(id)}</li>)}</ul>;\n}\n",
        );
        call(&model, "@tanstack/react-query.useQuery");
        call(&model, "fetch");
        call(&model, "track");
        let format = call(&model, "format");
        assert_eq!(format.innermost_loop.map(|id| id.0), Some(0));
        assert_eq!(model.loops[0].kind, LoopKind::Callback);
        assert!(model.syntax_errors.is_empty());
    }

    #[test]
    fn this_fields_resolve_through_declared_types() {
        let model = ts("import { Pool } from 'pg';\n\
             import { Redis } from 'ioredis';\n\
             class Repo {\n\
               private cache: Redis | null;\n\
               private readonly logger = new Logger();\n\
               constructor(private pool: Pool) { this.client = new Pool(); }\n\
               async find(id) { await this.pool.query('a'); await this.cache.get(id); this.client.end(); this.db.query('b'); }\n}\n");
        call(&model, "pg.Pool().query");
        call(&model, "ioredis.Redis().get");
        call(&model, "pg.Pool().end");
        assert!(!call(&model, "this.db.query").path.resolved);
    }

    #[test]
    fn assignment_in_callback_updates_the_outer_variable() {
        let model = js("function f(filters) {\n\
               let sql = 'SELECT * FROM t WHERE 1=1';\n\
               filters.forEach((f) => { sql += ` AND ${f.column} = ?`; });\n\
               return db.query(sql);\n}\n");
        let sql = shape(call(&model, "db.query"), 0);
        assert_eq!(holes(sql)[0].origin.kind(), OriginKind::Param);
    }

    #[test]
    fn function_names_spans_and_async() {
        let source = "const load = async (id) => get(id);\n\
             function* gen() {}\n\
             const api = { list: async () => [], remove(id) {} };\n\
             setTimeout(function () {}, 1);\n";
        let model = js(source);
        let names: Vec<(&str, bool)> = model
            .functions
            .iter()
            .map(|function| (function.name.as_str(), function.is_async))
            .collect();
        assert_eq!(
            names,
            vec![
                ("load", true),
                ("gen", false),
                ("list", true),
                ("remove", false),
                ("<anonymous>", false),
            ]
        );
        let anonymous = &model.functions[4];
        assert_eq!(&source[anonymous.name_span.range()], "function ()");
        assert_eq!(&source[model.functions[0].name_span.range()], "load");
    }

    #[test]
    fn object_and_sequence_arguments() {
        let model = ts("function f(id: string) {\n\
               db.query({ text: 'SELECT * FROM t WHERE id = $1', values: [id] });\n}\n");
        let query = call(&model, "db.query");
        let Value::Object(entries) = &query.args[0].value else {
            panic!("not an object: {:?}", query.args[0].value);
        };
        assert_eq!(entries[0].0, "text");
        assert!(
            matches!(&entries[0].1, Value::Str(shape) if shape.parts == vec![Part::Lit("SELECT * FROM t WHERE id = $1".into())])
        );
        assert!(matches!(&entries[1].1, Value::Sequence(items) if items.len() == 1));
    }

    #[test]
    fn missing_tokens_are_syntax_errors() {
        let model = ts("function f() {\n  g(1\n}\n");
        assert!(!model.syntax_errors.is_empty());
    }

    #[test]
    fn other_registration_forms() {
        let model = js("const fastify = require('fastify')({ logger: true });\n\
             const router = require('express').Router();\n\
             fastify.get('/a', { schema: {} }, async (request, reply) => request.query.q);\n\
             router.route('/b').get((req, res) => {}).post((req, res) => {});\n\
             router.use((err, req, res, next) => res.status(500).end());\n");
        let frameworks: Vec<Option<&str>> = model
            .functions
            .iter()
            .map(|function| function.handler.as_ref().map(|handler| handler.framework))
            .collect();
        assert_eq!(
            frameworks,
            vec![
                Some("fastify"),
                Some("express"),
                Some("express"),
                Some("express")
            ]
        );
        let middleware = &model.functions[3];
        let inputs: Vec<bool> = middleware
            .params
            .iter()
            .map(|param| param.is_request_input)
            .collect();
        assert_eq!(inputs, vec![false, true, false, false]);
    }

    #[test]
    fn nextjs_default_export_through_a_wrapper() {
        let model = ts("export default withAuth(async (req, res) => {\n\
               await prisma.$executeRawUnsafe(`DELETE FROM t WHERE id = ${req.query.id}`);\n});\n");
        let handler = &model.functions[0];
        assert_eq!(
            handler.handler.as_ref().map(|handler| handler.framework),
            Some("nextjs")
        );
        let delete = call(&model, "prisma.$executeRawUnsafe");
        assert_eq!(holes(shape(delete, 0))[0].origin.kind(), OriginKind::Input);
    }

    #[test]
    fn promisify_from_node_util_keeps_the_path_too() {
        let model = js("const { execFile } = require('node:child_process');\n\
             const { promisify } = require('node:util');\n\
             const run = promisify(execFile);\n\
             async function convert(file) { await run('soffice', [file]); }\n");
        assert!(call(&model, "node:child_process.execFile").awaited);
    }

    #[test]
    fn server_actions_are_request_handlers() {
        let model = ts("export default async function Page() {\n\
               async function invite(formData: FormData) {\n  'use server';\n  await save(formData);\n}\n\
               return null;\n}\n\
             async function notAnAction(formData: FormData) { await save(formData); }\n");
        let framework = |name: &str| {
            model
                .functions
                .iter()
                .find(|function| function.name == name)
                .and_then(|function| function.handler.as_ref())
                .map(|handler| handler.framework)
        };
        assert_eq!(framework("invite"), Some("nextjs"));
        assert_eq!(framework("notAnAction"), None);
        let invite = model.functions.iter().find(|f| f.name == "invite").unwrap();
        assert!(invite.params[0].is_request_input);

        let file = ts("'use server';\n\
             import { db } from './db';\n\
             export async function rename(id: string, name: string) { await db.rename(id, name); }\n\
             export const remove = async (id: string) => { await db.remove(id); };\n\
             async function helper() {}\n\
             export function sync() {}\n");
        let handled: Vec<&str> = file
            .functions
            .iter()
            .filter(|function| function.handler.is_some())
            .map(|function| function.name.as_str())
            .collect();
        assert_eq!(handled, vec!["rename", "remove"]);
    }

    #[test]
    fn promisified_functions_keep_their_path() {
        let model = ts("import { exec } from 'child_process';\n\
             import { promisify } from 'util';\n\
             const run = promisify(exec);\n\
             export async function archive(name: string) { await run(`tar czf ${name}.tgz data`); }\n");
        let run = call(&model, "child_process.exec");
        assert!(run.awaited);
        assert_eq!(holes(shape(run, 0))[0].origin.kind(), OriginKind::Param);
    }

    #[test]
    fn top_level_tables_are_known_before_their_declaration() {
        let model = ts("function f(order: string) {\n\
               return db.query(`SELECT * FROM ${TABLES.users} ORDER BY ${COLUMNS[order]}`);\n}\n\
             const TABLES = { users: 'app_users', audit: makeAudit() };\n\
             const COLUMNS = { name: 'name', created: 'created_at' };\n");
        let sql = shape(call(&model, "db.query"), 0);
        assert_eq!(
            rendered(sql),
            "SELECT * FROM app_users ORDER BY {COLUMNS[order]}"
        );
        assert_eq!(holes(sql)[0].origin.kind(), OriginKind::Constant);
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let handle = std::thread::Builder::new()
            .stack_size(8 * 1024 * 1024)
            .spawn(|| {
                let depth = 5000;
                let mut shapes = Vec::new();
                shapes.push(format!("{}x{}", "(".repeat(depth), ")".repeat(depth)));
                shapes.push(format!("{}1{}", "f(".repeat(depth), ")".repeat(depth)));
                shapes.push(format!("{}[]{}", "[".repeat(depth), "]".repeat(depth)));
                shapes.push(format!("a{}", " + a".repeat(depth)));
                shapes.push(format!("a{}", ".b".repeat(depth)));
                shapes.push(format!("a{}", ".b()".repeat(depth)));
                shapes.push(format!("{}0", "() => ".repeat(depth)));
                shapes.push(format!("{}1{}", "{ a: ".repeat(depth), " }".repeat(depth)));
                shapes.push(format!("{}1{}", "`${".repeat(depth), "}`".repeat(depth)));
                shapes.push(format!("{}{}", "{".repeat(depth), "}".repeat(depth)));
                shapes.push(format!("{}x{}", "c ? ".repeat(depth), " : d".repeat(depth)));
                shapes.push(format!(
                    "const {}x{} = o;",
                    "{ a: ".repeat(depth),
                    " }".repeat(depth)
                ));
                shapes.push(format!(
                    "{}g(){}",
                    "if (x) { ".repeat(depth),
                    " }".repeat(depth)
                ));
                shapes.push(format!("{}x", "await ".repeat(depth)));
                shapes.push(format!("{}x", "-".repeat(depth)));
                shapes.push(format!("{}1{}", "new A(".repeat(depth), ")".repeat(depth)));
                shapes.push(format!("{}0{}", "a[".repeat(depth), "]".repeat(depth)));
                shapes.push(format!(
                    "{}g();{}",
                    "for (const x of y) { ".repeat(depth),
                    " }".repeat(depth)
                ));
                shapes.push(format!(
                    "{}g(){}",
                    "xs.map(x => ".repeat(depth),
                    ")".repeat(depth)
                ));
                shapes.push(format!(
                    "{}1{}",
                    "class A { m() { return ".repeat(depth),
                    " } }".repeat(depth)
                ));
                let mut results = Vec::new();
                for (index, shape) in shapes.iter().enumerate() {
                    let is_statement = ["const", "if", "{", "for", "class"]
                        .iter()
                        .any(|start| shape.starts_with(start));
                    let source = if is_statement {
                        shape.clone()
                    } else {
                        format!("async function f() {{ return {shape}; }}")
                    };
                    let model = lower(Language::TypeScript, &source);
                    results.push((index, model.syntax_errors.len(), model.calls.len()));
                }
                results
            });
        let results = match handle {
            Ok(handle) => handle.join(),
            Err(error) => panic!("cannot spawn: {error}"),
        };
        let Ok(results) = results else {
            panic!("lowering overflowed or panicked");
        };
        // Every shape is deeper than the limit: each one is cut and reported,
        // and what lies above the cut is still lowered.
        for (index, errors, _) in &results {
            assert!(*errors >= 1, "shape {index} was not reported: {results:?}");
        }
        let nested_calls = results.get(1).map_or(0, |(_, _, calls)| *calls);
        assert!(nested_calls > 100, "{results:?}");
    }

    #[test]
    fn receivers_fields_and_attribute_writes_know_where_objects_were_made() {
        let source = "import axios from 'axios';\n\
const api = axios.create({ baseURL: BASE, timeout: 0 });\n\
api.defaults.timeout = 5_000;\n\
class Payouts {\n  private bank: AxiosInstance;\n  \
constructor() { this.bank = axios.create({}); }\n  \
async send() { await this.bank.post<{ id: string }>('/t', {}); return api.get('/x'); }\n}\n\
function relay() { forward(api); }\n";
        let model = ts(source);
        let text = |span: crate::model::Span| &source[span.range()];
        let get = call(&model, "axios.create().get");
        assert_eq!(
            get.receiver_defined_at.map(text),
            Some("axios.create({ baseURL: BASE, timeout: 0 })")
        );
        let post = model
            .calls
            .iter()
            .find(|call| call.path.name() == "post")
            .expect("the request through this.bank");
        assert_eq!(post.receiver_defined_at.map(text), Some("axios.create({})"));
        assert!(post.awaited, "`await x.post<T>(…)` is awaited");
        assert_eq!(text(post.callee_span), "this.bank.post");
        let write = &model.attribute_writes[0];
        assert_eq!(write.target.text, "axios.create().defaults.timeout");
        assert_eq!(write.object_defined_at, get.receiver_defined_at);
        assert_eq!(write.value, Value::Number(Some(5000)));
        assert_eq!(
            call(&model, "forward").args[0].defined_at,
            get.receiver_defined_at
        );
        match &call(&model, "axios.create").args[0].value {
            Value::Object(entries) => {
                assert!(entries.contains(&("timeout".to_string(), Value::Number(Some(0)))))
            }
            other => panic!("not an object: {other:?}"),
        }
    }

    #[test]
    fn typed_object_literals_keep_their_keys() {
        let model = ts("import axios, { type AxiosRequestConfig } from 'axios';\n\
const config: AxiosRequestConfig = { timeout: 15_000 };\naxios.request(config);\n");
        assert_eq!(
            call(&model, "axios.request").args[0].value,
            Value::Object(vec![("timeout".to_string(), Value::Number(Some(15000)))])
        );
    }

    #[test]
    fn a_counter_loses_its_initial_value_when_updated() {
        let model = js("let attempts = 0;\nattempts++;\nsend({ attempts });\n");
        assert_eq!(
            call(&model, "send").args[0].value,
            Value::Object(vec![("attempts".to_string(), Value::Number(None))])
        );
    }

    #[test]
    fn test_runner_calls_are_test_code() {
        let source = "import { describe, it } from 'vitest';\n\
describe('orders', () => {\n  it('creates', async () => { await api.post('/o'); });\n});\n\
it.each([1])('x', () => {});\nconst test = (name) => name;\ntest('not a runner');\n";
        let model = ts(source);
        let first_lines: Vec<&str> = model
            .test_code
            .iter()
            .map(|span| source[span.range()].lines().next().unwrap_or(""))
            .collect();
        assert_eq!(
            first_lines,
            [
                "describe('orders', () => {",
                "it('creates', async () => { await api.post('/o'); })",
                "it.each([1])('x', () => {})",
            ]
        );
    }

    #[test]
    fn name_reads_assignments_and_arms() {
        let source = "import yaml from 'js-yaml';\nconst DIR = 'x';\nlet cached;\nexport function GET(req) {\n  let count = 0;\n  const { a, b } = load(req);\n  count += a;\n  state.items[0] = b;\n  cached ??= yaml.load(DIR);\n  if (!a) {\n    return null;\n  } else {\n    count++;\n  }\n  try { f(); } catch (e) { throw e; }\n}\n";
        let model = ts(source);
        let text = |span: crate::model::Span| &source[span.range()];
        let reads: Vec<(&str, &crate::model::NameScope)> = model
            .name_reads
            .iter()
            .map(|read| (text(read.span), &read.scope))
            .collect();
        use crate::model::NameScope;
        assert!(reads.contains(&("req", &NameScope::Local)));
        assert!(reads.contains(&("DIR", &NameScope::Module)));
        assert!(reads.contains(&("yaml", &NameScope::Import("js-yaml".to_string()))));
        assert!(reads.contains(&("state", &NameScope::Global)));
        use crate::model::AssignmentKind::{Bind, Store, Update};
        let assignments: Vec<(&str, crate::model::AssignmentKind, Option<&str>)> = model
            .assignments
            .iter()
            .filter(|assignment| assignment.function.is_some())
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
                ("count", Bind, Some("0")),
                ("a", Bind, Some("load(req)")),
                ("b", Bind, Some("load(req)")),
                ("count", Update, Some("a")),
                ("state", Store, Some("b")),
                ("cached", Update, Some("yaml.load(DIR)")),
                ("count", Update, None),
                ("e", Bind, None),
            ]
        );
        let exits: Vec<bool> = model.arms.iter().map(|arm| arm.exits).collect();
        assert_eq!(exits, vec![true, false, false, true]);
    }

    #[test]
    fn get_server_side_props_serves_requests() {
        let model = ts("export const getServerSideProps = async (ctx) => ({ props: {} });\nexport async function getStaticProps() { return { props: {} }; }\n");
        assert_eq!(
            model.functions[0]
                .handler
                .as_ref()
                .map(|handler| handler.framework),
            Some("nextjs")
        );
        assert!(model.functions[0].params[0].is_request_input);
        assert!(model.functions[1].handler.is_none());
    }

    #[test]
    fn mapped_and_spread_lists_keep_their_holes_when_joined() {
        let model = ts("function f(tags: string) {\n\
               const conditions = tags.split(',').map((tag) => `'${tag.trim()}' = ANY(t)`);\n\
               const sql = ['SELECT 1 FROM t WHERE a', ...conditions].join(' AND ');\n\
               db.query(sql);\n}\n");
        let sql = shape(call(&model, "db.query"), 0);
        assert_eq!(
            rendered(sql),
            "SELECT 1 FROM t WHERE a AND '{tag.trim()}' = ANY(t)"
        );
        assert_eq!(holes(sql)[0].origin.kind(), OriginKind::Param);
    }

    #[test]
    fn allow_list_checks_and_one_armed_overwrites() {
        let model = js("const APPS = new Set(['a', 'b']);\n\
             function f(app, day) {\n\
               if (!APPS.has(app)) { return null; }\n\
               if (!day) { day = 'today'; }\n\
               run(`restart ${app} ${day}`);\n}\n");
        let kinds: Vec<OriginKind> = holes(shape(call(&model, "run"), 0))
            .iter()
            .map(|hole| hole.origin.kind())
            .collect();
        assert_eq!(kinds, vec![OriginKind::Constant, OriginKind::Param]);
    }

    #[test]
    fn calls_to_methods_of_the_file_have_targets_and_summaries() {
        let model = ts("class Service {\n\
               clause(value: string) { return `name = '${value}'`; }\n\
               run(code: string) { return this.clause(code); }\n}\n\
             class Controller {\n\
               constructor(private readonly service: Service) {}\n\
               handle(q: string) { return this.service.run(q); }\n}\n\
             function order(key) { return { a: 'x ASC' }[key] ?? 'id'; }\n\
             db.query(`SELECT 1 ORDER BY ${order(process.argv[2])}`);\n");
        let run = call(&model, "Service().run");
        let target = run.target.expect("a target");
        assert_eq!(model.function(target.function).name, "run");
        let own = call(&model, "this.clause");
        assert!(own.target.is_some());
        let sql = shape(call(&model, "db.query"), 0);
        assert!(holes(sql).iter().all(|hole| hole.origin.is_clean()));
    }

    #[test]
    fn fastify_plugins_register_handlers_by_the_receiver_name() {
        let model = js("async function routes(fastify) {\n\
               fastify.get('/members/:id', async (request) => {\n\
                 return db.query(`SELECT 1 WHERE id = '${request.params.id}'`);\n\
               });\n}\n");
        let handler = model
            .functions
            .iter()
            .find(|function| function.handler.is_some())
            .expect("a handler");
        assert_eq!(handler.handler.as_ref().unwrap().framework, "fastify");
        assert!(handler.params[0].is_request_input);
        let sql = shape(call(&model, "db.query"), 0);
        assert_eq!(holes(sql)[0].origin.kind(), OriginKind::Input);
    }
}
