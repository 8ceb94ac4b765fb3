//! The Python front end.
//!
//! One recursive walk, in source order, in which `expr` is both the visitor and
//! the evaluator: every node is visited once, and visiting an expression yields
//! what is known of its value. A first pass over the module's top-level
//! statements binds imports and constants, so that functions see them wherever
//! they are declared.

use tree_sitter::{Node, Tree};

use foldhash::{HashMap, HashMapExt};

use super::lowering::{
    append, argument_origin, brace_pieces, concat, grow, join_origin, join_shapes, looks_constant,
    member_origin, one_of, sequence_origin, site_through, worse, AttributeWriteSpec, Binding,
    BracePiece, CallSpec, CalleeRef, Eval, FunctionSpec, LoopSpec, Lowering, ParamSpec,
    ShapeBuilder, SourceOracle, MAX_DEPTH,
};
use super::reuse::{LoweringMemo, Segment, Statement};
use super::{children, grammar_fields, named_children, node_text, span, unescape};
use crate::model::{
    Arg, AssignmentKind, CallPath, FileModel, Handler, LoopKind, Origin, Param, Span, Value,
};

grammar_fields! {
    /// The Python grammar's field ids.
    Fields in static FIELDS for crate::model::Language::Python,
    {
        alias: "alias",
        alternative: "alternative",
        arguments: "arguments",
        attribute: "attribute",
        body: "body",
        condition: "condition",
        consequence: "consequence",
        definition: "definition",
        expression: "expression",
        function: "function",
        key: "key",
        left: "left",
        module_name: "module_name",
        name: "name",
        object: "object",
        operator: "operator",
        parameters: "parameters",
        right: "right",
        subject: "subject",
        superclasses: "superclasses",
        type_: "type",
        value: "value",
    }
}

pub(crate) fn lower(tree: &Tree, source: &str, sources: Option<SourceOracle<'_>>) -> FileModel {
    let mut walker = Walker::new(source, sources);
    let root = tree.root_node();
    walker.bind_module_level(&named_children(root));
    walker.expr(root);
    walker.low.finish()
}

/// [`lower`], for a document kept across edits, given its top-level
/// statements (a module's named children; they may come from several
/// trees, see `pieces.rs`): records each statement's lowering for the next
/// lowering of the same document and reuses `previous`'s where it holds
/// (see `reuse.rs`). For the statements of one module, the model is the one
/// [`lower`] gives.
pub(crate) fn lower_kept(
    statements: &[Node<'_>],
    source: &str,
    sources: Option<SourceOracle<'_>>,
    previous: Option<LoweringMemo>,
    oracle_key: u64,
) -> (FileModel, Option<(Vec<Segment>, usize)>) {
    let mut walker = Walker::new(source, sources);
    let described: Vec<Statement> = statements
        .iter()
        .map(|statement| Statement {
            range: statement.byte_range(),
            kind: statement.kind_id(),
            has_error: statement.has_error() || statement.is_missing(),
        })
        .collect();
    walker.low.keep(previous, oracle_key, &described);
    walker.bind_module_level(statements);
    // As `expr(root)` does: the module's statements are one level down.
    walker.depth = 1;
    for (index, (statement, described)) in statements.iter().zip(&described).enumerate() {
        if walker.low.reuse_segment(index, statement.byte_range()) {
            continue;
        }
        walker.low.begin_segment(
            statement.byte_range(),
            statement.kind_id(),
            described.has_error,
        );
        walker.expr(*statement);
        walker.low.end_segment();
    }
    walker.depth = 0;
    walker.low.finish_kept()
}

struct Walker<'src> {
    low: Lowering<'src>,
    depth: usize,
    /// Enclosing classes.
    classes: Vec<ClassInfo>,
    /// Per enclosing function, the names it declares `global` or
    /// `nonlocal`: assigning one rebinds the outer name, where assigning
    /// any other binds a local.
    declared_outer: Vec<Vec<String>>,
}

impl<'src> Walker<'src> {
    fn new(source: &'src str, sources: Option<SourceOracle<'src>>) -> Walker<'src> {
        Walker {
            low: Lowering::new(source, sources),
            depth: 0,
            classes: Vec::new(),
            declared_outer: Vec::new(),
        }
    }
}

struct ClassInfo {
    name: String,
    /// The class looks like a class-based view.
    is_view: bool,
    /// `self.<name>` → the object assigned to it in a method, when a call
    /// made it (`self.session = requests.Session()`), with where it was made.
    fields: HashMap<String, Eval>,
}

/// Route decorators' method names (`@app.route`, `@router.get`…).
const ROUTE_DECORATORS: &[&str] = &[
    "route",
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "head",
    "options",
    "api_route",
    "websocket",
];

/// Method names of Django and DRF class-based views that serve requests.
const VIEW_METHODS: &[&str] = &[
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "head",
    "list",
    "create",
    "retrieve",
    "update",
    "partial_update",
    "destroy",
];

/// Parameter types that FastAPI injects from the application, not the request.
const INJECTED_TYPES: &[&str] = &[
    "Session",
    "AsyncSession",
    "BackgroundTasks",
    "Connection",
    "AsyncConnection",
    "Database",
    "Redis",
    "Settings",
];

impl<'src> Walker<'src> {
    fn text(&self, node: Node<'_>) -> &'src str {
        node_text(node, self.low.source)
    }

    // ----- module level ----------------------------------------------------------

    /// Imports and simple constants of the module, before the walk.
    fn bind_module_level(&mut self, statements: &[Node<'_>]) {
        for &statement in statements {
            match statement.kind() {
                "import_statement" | "import_from_statement" => self.import(statement),
                "expression_statement" => {
                    let Some((left, right)) = name_assignment(statement) else {
                        continue;
                    };
                    if let Some(eval) = self.pure_eval(right) {
                        let name = self.text(left);
                        self.low.bind_module(name, Binding::Value(eval));
                    }
                }
                _ => {}
            }
        }
    }

    /// Evaluates constant expressions without recording anything: literals,
    /// their concatenations, and names already bound.
    fn pure_eval(&self, node: Node<'_>) -> Option<Eval> {
        self.pure_eval_at(node, 0)
    }

    fn pure_eval_at(&self, node: Node<'_>, depth: usize) -> Option<Eval> {
        if depth >= MAX_DEPTH {
            return None;
        }
        let depth = depth + 1;
        match node.kind() {
            "string" => {
                let is_interpolated = named_children(node)
                    .iter()
                    .any(|child| child.kind() == "interpolation");
                if is_interpolated {
                    return None;
                }
                Some(Eval::string(span(node), self.string_literal_text(node)))
            }
            "concatenated_string" => {
                let mut builder = ShapeBuilder::new(span(node));
                // Comments may sit between the pieces of an implicit concatenation.
                for part in named_children(node) {
                    if part.kind() == "comment" {
                        continue;
                    }
                    let eval = self.pure_eval_at(part, depth)?;
                    builder.splice(eval, span(part), self.text(part));
                }
                Some(builder.into_eval())
            }
            "integer" => Some(Eval::numeral(self.text(node))),
            "float" => Some(Eval::number()),
            "parenthesized_expression" => self.pure_eval_at(node.named_child(0)?, depth),
            "binary_operator" => {
                let left = node.child_by_field_id(FIELDS.left)?;
                let right = node.child_by_field_id(FIELDS.right)?;
                let operator = node.child_by_field_id(FIELDS.operator)?;
                if self.text(operator) != "+" {
                    return None;
                }
                let left_eval = self.pure_eval_at(left, depth)?;
                let right_eval = self.pure_eval_at(right, depth)?;
                Some(concat(
                    left_eval,
                    span(left),
                    self.text(left),
                    right_eval,
                    span(right),
                    self.text(right),
                    span(node),
                ))
            }
            "identifier" => match self.low.lookup(self.text(node))? {
                Binding::Value(eval) => Some(eval.clone()),
                Binding::Import(_) => None,
            },
            "tuple" | "list" => {
                let items: Option<Vec<Eval>> = named_children(node)
                    .into_iter()
                    .map(|item| self.pure_eval_at(item, depth))
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

    fn import(&mut self, node: Node<'_>) {
        if node.kind() == "import_statement" {
            // `import a.b` binds `a`; `import a.b as c` binds `c` to `a.b`.
            for name in named_children(node) {
                match name.kind() {
                    "dotted_name" => {
                        let full = self.text(name);
                        let root = full.split('.').next().unwrap_or(full);
                        self.low.bind_import(root, root.to_string());
                    }
                    "aliased_import" => {
                        if let (Some(module), Some(alias)) = (
                            name.child_by_field_id(FIELDS.name),
                            name.child_by_field_id(FIELDS.alias),
                        ) {
                            let module = self.text(module).to_string();
                            self.low.bind_import(self.text(alias), module);
                        }
                    }
                    _ => {}
                }
            }
            return;
        }
        let Some(module) = node.child_by_field_id(FIELDS.module_name) else {
            return;
        };
        let module_text = self.text(module);
        // Relative imports name this project's own modules, whose API we do not
        // know: their names stay local and unresolved.
        let is_relative = module.kind() == "relative_import";
        let mut cursor = node.walk();
        for name in node.children_by_field_name("name", &mut cursor) {
            let (imported, local) = match name.kind() {
                "aliased_import" => {
                    let (Some(imported), Some(alias)) = (
                        name.child_by_field_id(FIELDS.name),
                        name.child_by_field_id(FIELDS.alias),
                    ) else {
                        continue;
                    };
                    (self.text(imported), self.text(alias))
                }
                _ => (self.text(name), self.text(name)),
            };
            if is_relative {
                self.low.bind(
                    local,
                    Eval::path(
                        CallPath {
                            text: local.to_string(),
                            resolved: false,
                        },
                        if looks_constant(local) {
                            Origin::Constant
                        } else {
                            Origin::Unknown
                        },
                    ),
                );
            } else {
                self.low
                    .bind_import(local, format!("{module_text}.{imported}"));
            }
        }
    }

    // ----- the walk --------------------------------------------------------------

    fn visit_children(&mut self, node: Node<'_>) {
        for child in named_children(node) {
            self.expr(child);
        }
    }

    /// Visits `node` and returns what is known of its value.
    fn expr(&mut self, node: Node<'_>) -> Eval {
        if node.is_missing() {
            self.low.syntax_error(span(node));
            return Eval::unknown();
        }
        if self.depth >= MAX_DEPTH {
            self.low.syntax_error(span(node));
            return Eval::unknown();
        }
        self.depth += 1;
        let eval = self.expr_inner(node);
        self.depth -= 1;
        eval
    }

    fn expr_inner(&mut self, node: Node<'_>) -> Eval {
        match node.kind() {
            "ERROR" => {
                self.low.syntax_error(span(node));
                self.visit_children(node);
                Eval::unknown()
            }
            "comment" => Eval::unknown(),
            "import_statement" | "import_from_statement" => {
                self.import(node);
                Eval::unknown()
            }
            "function_definition" => {
                self.function(node, &[]);
                Eval::unknown()
            }
            "decorated_definition" => {
                self.decorated(node);
                Eval::unknown()
            }
            "class_definition" => {
                self.class(node, &[]);
                Eval::unknown()
            }
            "for_statement" => {
                self.for_statement(node);
                Eval::unknown()
            }
            "while_statement" => {
                self.while_statement(node);
                Eval::unknown()
            }
            "if_statement" => {
                self.if_statement(node);
                Eval::unknown()
            }
            "match_statement" => {
                self.match_statement(node);
                Eval::unknown()
            }
            "with_statement" => {
                self.with_statement(node);
                Eval::unknown()
            }
            "try_statement" => {
                self.try_statement(node);
                Eval::unknown()
            }
            "assignment" => {
                self.assignment(node);
                Eval::unknown()
            }
            "augmented_assignment" => {
                self.augmented_assignment(node);
                Eval::unknown()
            }
            "string" => self.string(node),
            "concatenated_string" => {
                let mut builder = ShapeBuilder::new(span(node));
                for part in named_children(node) {
                    if part.kind() == "comment" {
                        continue;
                    }
                    let eval = self.expr(part);
                    builder.splice(eval, span(part), self.text(part));
                }
                builder.into_eval()
            }
            "integer" => Eval::numeral(self.text(node)),
            "float" => Eval::number(),
            "true" => Eval::boolean(true),
            "false" => Eval::boolean(false),
            "none" => Eval::literal(),
            "identifier" => {
                let name = self.text(node);
                self.low.note_read(name, span(node));
                let eval = self.low.eval_name(name, span(node));
                self.low.sourced(eval, span(node))
            }
            "named_expression" => self.named_expression(node),
            "global_statement" | "nonlocal_statement" => {
                let names: Vec<String> = named_children(node)
                    .into_iter()
                    .map(|name| self.text(name).to_string())
                    .collect();
                if let Some(declared) = self.declared_outer.last_mut() {
                    declared.extend(names);
                }
                Eval::unknown()
            }
            "return_statement" => {
                let returned = match node.named_child(0) {
                    Some(value) => self.expr(value),
                    None => Eval::literal(),
                };
                self.low.note_return(returned);
                Eval::unknown()
            }
            "attribute" => self.attribute(node),
            "call" => self.call(node, false),
            "await" => {
                let inner = node.named_child(0).map(unparenthesize);
                match inner {
                    Some(inner) if inner.kind() == "call" => self.call(inner, true),
                    Some(inner) => self.expr(inner),
                    None => Eval::unknown(),
                }
            }
            "parenthesized_expression" => match node.named_child(0) {
                Some(inner) => self.expr(inner),
                None => Eval::unknown(),
            },
            "binary_operator" => self.binary(node),
            "boolean_operator" => {
                let left = node.child_by_field_id(FIELDS.left).map(|n| self.expr(n));
                let right = node.child_by_field_id(FIELDS.right).map(|n| self.expr(n));
                either(left, right)
            }
            "conditional_expression" => {
                // `a if cond else b`: named children are a, cond, b.
                let parts = named_children(node);
                let evals: Vec<Eval> = parts.iter().map(|part| self.expr(*part)).collect();
                let mut evals = evals.into_iter();
                let when_true = evals.next();
                let _condition = evals.next();
                let when_false = evals.next();
                either(when_true, when_false)
            }
            "list" | "tuple" | "set" | "expression_list" => {
                let items: Vec<Eval> = named_children(node)
                    .into_iter()
                    .map(|item| self.expr(item))
                    .collect();
                let origin = sequence_origin(&items);
                Eval::with_origin(
                    Value::Sequence(items.into_iter().map(|item| item.value).collect()),
                    origin,
                )
            }
            "dictionary" => self.dictionary(node),
            "subscript" => {
                let value = node.child_by_field_id(FIELDS.value).map(|n| self.expr(n));
                let mut cursor = node.walk();
                let indexes: Vec<Node<'_>> = node
                    .children_by_field_name("subscript", &mut cursor)
                    .collect();
                for index in indexes {
                    self.expr(index);
                }
                match value {
                    // An item of a value comes from where the value comes
                    // from; an item of a constant table is a constant.
                    Some(value) => {
                        let eval = Eval {
                            value: match value.value {
                                Value::Path(path) => Value::Path(path),
                                _ => Value::Unknown,
                            },
                            origin: value.origin,
                            defined_at: value.defined_at,
                        };
                        self.low.sourced(eval, span(node))
                    }
                    None => Eval::unknown(),
                }
            }
            "unary_operator" => {
                self.visit_children(node);
                Eval::number()
            }
            "comparison_operator" | "not_operator" => {
                self.visit_children(node);
                Eval::literal()
            }
            "list_comprehension"
            | "set_comprehension"
            | "generator_expression"
            | "dictionary_comprehension" => self.comprehension(node),
            "lambda" => self.lambda(node),
            _ => {
                self.visit_children(node);
                Eval::unknown()
            }
        }
    }

    // ----- strings ---------------------------------------------------------------

    /// Whether a string node's prefix marks it raw (`r"…"`, `rb"…"`).
    fn string_prefix(&self, node: Node<'_>) -> &'src str {
        node.child(0)
            .filter(|start| start.kind() == "string_start")
            .map(|start| {
                let text = self.text(start);
                text.trim_end_matches(['"', '\''])
            })
            .unwrap_or("")
    }

    /// The decoded text of a string without interpolations.
    fn string_literal_text(&self, node: Node<'_>) -> String {
        let is_raw = self.string_prefix(node).to_ascii_lowercase().contains('r');
        let mut text = String::new();
        for child in named_children(node) {
            if child.kind() == "string_content" {
                let body = self.text(child);
                if is_raw {
                    text.push_str(body);
                } else {
                    text.push_str(&unescape(body));
                }
            }
        }
        text
    }

    fn string(&mut self, node: Node<'_>) -> Eval {
        let prefix = self.string_prefix(node).to_ascii_lowercase();
        let is_raw = prefix.contains('r');
        let is_format = prefix.contains('f');
        let mut builder = ShapeBuilder::new(span(node));
        for child in named_children(node) {
            match child.kind() {
                "string_content" => {
                    let body = self.text(child);
                    let body = if is_format {
                        body.replace("{{", "{").replace("}}", "}")
                    } else {
                        body.to_string()
                    };
                    if is_raw {
                        builder.push_literal(&body);
                    } else {
                        builder.push_literal(&unescape(&body));
                    }
                }
                "escape_interpolation" => {
                    builder.push_literal(self.text(child).get(..1).unwrap_or(""));
                }
                "interpolation" => {
                    let Some(expression) = child.child_by_field_id(FIELDS.expression) else {
                        continue;
                    };
                    let eval = self.expr(expression);
                    builder.splice(eval, span(expression), self.text(expression));
                }
                _ => {}
            }
        }
        builder.into_eval()
    }

    /// `template % values`: each conversion becomes a hole filled from `values`.
    fn percent_format(&mut self, node: Node<'_>, template: Eval, right: Node<'_>) -> Eval {
        let mut named: Vec<(String, Eval, Span, String)> = Vec::new();
        let right_eval_items: Vec<(Eval, Span, String)> = match unparenthesize(right).kind() {
            "tuple" => named_children(unparenthesize(right))
                .into_iter()
                .map(|item| (self.expr(item), span(item), self.text(item).to_string()))
                .collect(),
            "dictionary" => {
                for pair in named_children(unparenthesize(right)) {
                    if pair.kind() != "pair" {
                        self.expr(pair);
                        continue;
                    }
                    let key = pair.child_by_field_id(FIELDS.key);
                    let value = pair.child_by_field_id(FIELDS.value);
                    if let (Some(key), Some(value)) = (key, value) {
                        let key_text = self.string_literal_text(key);
                        let eval = self.expr(value);
                        named.push((key_text, eval, span(value), self.text(value).to_string()));
                    }
                }
                Vec::new()
            }
            _ => {
                let eval = self.expr(right);
                vec![(eval, span(right), self.text(right).to_string())]
            }
        };
        let Value::Str(shape) = template.value else {
            return Eval::with_origin(
                Value::Unknown,
                right_eval_items
                    .iter()
                    .fold(template.origin, |acc, item| worse(acc, item.0.origin)),
            );
        };
        let mut positional = right_eval_items.into_iter();
        let mut builder = ShapeBuilder::new(span(node));
        for part in shape.parts {
            let literal = match part {
                crate::model::Part::Lit(literal) => literal,
                crate::model::Part::Hole(hole) => {
                    builder.push_hole(hole);
                    continue;
                }
            };
            for piece in percent_pieces(&literal) {
                match piece {
                    PercentPiece::Text(text) => builder.push_literal(&text),
                    PercentPiece::Field { name, numeric } => {
                        let value = match name {
                            Some(name) => named
                                .iter()
                                .find(|(key, ..)| *key == name)
                                .map(|(_, eval, span, text)| (eval.clone(), *span, text.clone())),
                            None => positional.next(),
                        };
                        match value {
                            Some((_, span, text)) if numeric => {
                                builder.splice(Eval::number(), span, &format!("({text})"))
                            }
                            Some((eval, span, text)) => builder.splice(eval, span, &text),
                            None => builder.splice(Eval::unknown(), span(right), self.text(right)),
                        }
                    }
                }
            }
        }
        builder.into_eval()
    }

    /// `template.format(args…)`.
    fn format_method(
        &mut self,
        node: Node<'_>,
        template: &Eval,
        args: &[(Option<String>, Eval, Node<'_>)],
    ) -> Eval {
        let Value::Str(shape) = &template.value else {
            return Eval::with_origin(
                Value::Unknown,
                args.iter()
                    .fold(template.origin, |acc, (_, eval, _)| worse(acc, eval.origin)),
            );
        };
        let mut builder = ShapeBuilder::new(span(node));
        let mut next_positional = 0;
        let positional: Vec<&(Option<String>, Eval, Node<'_>)> = args
            .iter()
            .filter(|(keyword, ..)| keyword.is_none())
            .collect();
        // A key of a `**mapping` written out is its value.
        let splat_entry = |name: &str| -> Option<Eval> {
            let (_, splat, _) = args
                .iter()
                .find(|(keyword, ..)| keyword.as_deref() == Some("**"))?;
            match &splat.value {
                Value::Object(entries) => entries
                    .iter()
                    .find(|(key, _)| key == name)
                    .map(|(_, value)| Eval::with_origin(value.clone(), splat.origin)),
                _ => None,
            }
        };
        for part in &shape.parts {
            let literal = match part {
                crate::model::Part::Lit(literal) => literal,
                crate::model::Part::Hole(hole) => {
                    builder.push_hole(hole.clone());
                    continue;
                }
            };
            for piece in brace_pieces(literal) {
                match piece {
                    BracePiece::Text(text) => builder.push_literal(&text),
                    BracePiece::Field { name, .. } => {
                        // `{0.attr}`, `{name[key]}`, `{x!r}` name the argument first.
                        let name = name.split(['!', '.', '[']).next().unwrap_or("").trim();
                        let name = (!name.is_empty()).then_some(name);
                        let argument = match name {
                            None => {
                                next_positional += 1;
                                positional.get(next_positional - 1).copied()
                            }
                            Some(name) => match name.parse::<usize>() {
                                Ok(index) => positional.get(index).copied(),
                                Err(_) => args
                                    .iter()
                                    .find(|(keyword, ..)| keyword.as_deref() == Some(name))
                                    // `**mapping` fills the rest.
                                    .or_else(|| {
                                        args.iter()
                                            .find(|(keyword, ..)| keyword.as_deref() == Some("**"))
                                    }),
                            },
                        };
                        let entry = name
                            .filter(|name| name.parse::<usize>().is_err())
                            .filter(|name| {
                                !args
                                    .iter()
                                    .any(|(keyword, ..)| keyword.as_deref() == Some(*name))
                            })
                            .and_then(splat_entry);
                        match (argument, entry) {
                            (Some((_, _, arg_node)), Some(entry)) => {
                                builder.splice(entry, span(*arg_node), self.text(*arg_node))
                            }
                            (Some((_, eval, arg_node)), None) => {
                                builder.splice(eval.clone(), span(*arg_node), self.text(*arg_node))
                            }
                            (None, _) => {
                                builder.splice(Eval::unknown(), span(node), self.text(node))
                            }
                        }
                    }
                }
            }
        }
        builder.into_eval()
    }

    fn binary(&mut self, node: Node<'_>) -> Eval {
        let (Some(left), Some(right), Some(operator)) = (
            node.child_by_field_id(FIELDS.left),
            node.child_by_field_id(FIELDS.right),
            node.child_by_field_id(FIELDS.operator),
        ) else {
            self.visit_children(node);
            return Eval::unknown();
        };
        let operator = self.text(operator);
        let left_eval = self.expr(left);
        if operator == "%" && matches!(left_eval.value, Value::Str(_)) {
            return self.percent_format(node, left_eval, right);
        }
        let right_eval = self.expr(right);
        let is_string =
            matches!(left_eval.value, Value::Str(_)) || matches!(right_eval.value, Value::Str(_));
        match operator {
            "+" if is_string => concat(
                left_eval,
                span(left),
                self.text(left),
                right_eval,
                span(right),
                self.text(right),
                span(node),
            ),
            // `["%s"] * n`, `"?" * n`: repetition keeps the origin of the items.
            "*" if matches!(left_eval.value, Value::Sequence(_) | Value::Str(_)) => {
                Eval::with_origin(Value::Unknown, left_eval.origin)
            }
            "+" if left_eval.origin == Origin::Numeric && right_eval.origin == Origin::Numeric => {
                Eval::number()
            }
            "+" => Eval::with_origin(Value::Unknown, worse(left_eval.origin, right_eval.origin)),
            _ => Eval::number(),
        }
    }

    fn dictionary(&mut self, node: Node<'_>) -> Eval {
        let mut entries = Vec::new();
        let mut origin = Origin::Constant;
        for pair in named_children(node) {
            if pair.kind() != "pair" {
                let eval = self.expr(pair);
                origin = worse(origin, eval.origin);
                if pair.kind() == "dictionary_splat" {
                    entries.push((crate::model::SPREAD_KEY.to_string(), eval.value));
                }
                continue;
            }
            let key = pair.child_by_field_id(FIELDS.key);
            let value = pair.child_by_field_id(FIELDS.value);
            let key_text = key.map(|key| match key.kind() {
                "string" => self.string_literal_text(key),
                _ => self.text(key).to_string(),
            });
            if let Some(key) = key {
                // A string key is evaluated too: an f-string's holes are reads.
                self.expr(key);
            }
            if let Some(value) = value {
                let eval = self.expr(value);
                origin = worse(origin, eval.origin);
                if let Some(key_text) = key_text {
                    entries.push((key_text, eval.value));
                }
            }
        }
        Eval::with_origin(Value::Object(entries), origin)
    }

    // ----- names and calls -------------------------------------------------------

    fn attribute(&mut self, node: Node<'_>) -> Eval {
        let (Some(object), Some(attribute)) = (
            node.child_by_field_id(FIELDS.object),
            node.child_by_field_id(FIELDS.attribute),
        ) else {
            self.visit_children(node);
            return Eval::unknown();
        };
        let receiver = self.expr(object);
        let name = self.text(attribute);
        if let Some(field) = self.self_field(object, name) {
            return field.clone();
        }
        let eval = member(receiver, name, self.text(object));
        if let Value::Path(path) = &eval.value {
            self.low.push_element_read(span(node), path);
        }
        self.low.sourced(eval, span(node))
    }

    /// `self.<name>` inside a class, when a method assigned it an object.
    fn self_field(&self, object: Node<'_>, name: &str) -> Option<&Eval> {
        if object.kind() != "identifier" || self.text(object) != "self" {
            return None;
        }
        self.classes.last()?.fields.get(name)
    }

    /// Where the object a method is called on was made: a local name's
    /// binding or a `self.` field (see `Call::receiver_defined_at`).
    fn receiver_site(&self, node: Node<'_>) -> Option<Span> {
        let node = unparenthesize(node);
        match node.kind() {
            "identifier" => match self.low.lookup(self.text(node))? {
                Binding::Value(eval) => eval.defined_at,
                Binding::Import(_) => None,
            },
            "attribute" => {
                let object = node.child_by_field_id(FIELDS.object)?;
                let attribute = node.child_by_field_id(FIELDS.attribute)?;
                self.self_field(object, self.text(attribute))?.defined_at
            }
            _ => None,
        }
    }

    /// Where the object an attribute is read from was made, through
    /// attribute reads (`api` of `api.defaults.timeout`).
    fn object_site(&self, node: Node<'_>) -> Option<Span> {
        site_through(
            unparenthesize(node),
            |current| self.receiver_site(current),
            |current| {
                let object = current.child_by_field_id(FIELDS.object);
                object
                    .filter(|_| current.kind() == "attribute")
                    .map(unparenthesize)
            },
        )
    }

    fn call(&mut self, node: Node<'_>, awaited: bool) -> Eval {
        let Some(function) = node.child_by_field_id(FIELDS.function) else {
            self.visit_children(node);
            return Eval::unknown();
        };
        let function = unparenthesize(function);
        let mut callee = None;
        let (path, receiver) = match function.kind() {
            "attribute" => {
                let object = function.child_by_field_id(FIELDS.object);
                let attribute = function.child_by_field_id(FIELDS.attribute);
                match (object, attribute) {
                    (Some(object), Some(attribute)) => {
                        let receiver = self.expr(object);
                        let name = self.text(attribute);
                        let object_text = self.text(object);
                        callee = match object_text {
                            "self" | "cls" => Some(CalleeRef::OwnMethod(name.to_string())),
                            _ if object.kind() == "identifier"
                                && self.low.lookup(object_text).is_none() =>
                            {
                                Some(CalleeRef::Method {
                                    owner: object_text.to_string(),
                                    name: name.to_string(),
                                })
                            }
                            _ => None,
                        };
                        let path = member_path(&receiver, name, object_text);
                        (path, Some(receiver))
                    }
                    _ => (self.opaque_path(function), None),
                }
            }
            "identifier" => {
                let name = self.text(function);
                // A local function value (a loop's `Aggregate`) is read to be called.
                self.low.note_read(name, span(function));
                if self.low.lookup(name).is_none() {
                    callee = Some(CalleeRef::Plain(name.to_string()));
                }
                (self.low.name_path(name), None)
            }
            _ => {
                let eval = self.expr(function);
                let path = eval.call_path().cloned().unwrap_or(CallPath {
                    text: self.text(function).to_string(),
                    resolved: false,
                });
                (path, None)
            }
        };

        let mut args: Vec<(Option<String>, Eval, Node<'_>)> = Vec::new();
        if let Some(arguments) = node.child_by_field_id(FIELDS.arguments) {
            if arguments.kind() == "generator_expression" {
                let eval = self.expr(arguments);
                args.push((None, eval, arguments));
            } else {
                for argument in named_children(arguments) {
                    match argument.kind() {
                        "keyword_argument" => {
                            let keyword = argument
                                .child_by_field_id(FIELDS.name)
                                .map(|name| self.text(name).to_string());
                            if let Some(value) = argument.child_by_field_id(FIELDS.value) {
                                let eval = self.expr(value);
                                args.push((keyword, eval, value));
                            }
                        }
                        // `**mapping`: its keys become keyword arguments.
                        "dictionary_splat" => {
                            let eval = match argument.named_child(0) {
                                Some(inner) => self.expr(inner),
                                None => Eval::unknown(),
                            };
                            args.push((Some("**".to_string()), eval, argument));
                        }
                        "comment" => {}
                        _ => {
                            let eval = self.expr(argument);
                            args.push((None, eval, argument));
                        }
                    }
                }
            }
        }

        // `xs.append(x)`, `d.update(x)`: the collection holds what was added.
        if let Some(object) = function
            .child_by_field_id(FIELDS.object)
            .filter(|object| function.kind() == "attribute" && object.kind() == "identifier")
        {
            let method = function
                .child_by_field_id(FIELDS.attribute)
                .map_or("", |attribute| self.text(attribute));
            if matches!(
                method,
                "append" | "add" | "insert" | "extend" | "update" | "appendleft"
            ) {
                if let Some((_, item, _)) = args.last() {
                    let item = match (method, &item.value) {
                        ("extend", Value::Sequence(items)) if items.len() == 1 => Eval {
                            value: items[0].clone(),
                            ..item.clone()
                        },
                        ("extend" | "update", _) => Eval::with_origin(Value::Unknown, item.origin),
                        _ => item.clone(),
                    };
                    let name = self.text(object);
                    self.low.update(name, |existing| grow(existing, item));
                }
            }
        }

        let target = callee
            .as_ref()
            .and_then(|callee| self.low.resolve_here(callee));
        let summary = target.and_then(|target| {
            let summary_args: Vec<(Option<&str>, &Eval, Span, &str)> = args
                .iter()
                .filter(|(keyword, ..)| keyword.as_deref() != Some("**"))
                .map(|(keyword, eval, arg_node)| {
                    (
                        keyword.as_deref(),
                        eval,
                        span(*arg_node),
                        self.text(*arg_node),
                    )
                })
                .collect();
            self.low.call_summary(target, &summary_args)
        });
        let result = match summary {
            Some(summary) => summary,
            None => self.call_result(node, &path, receiver.as_ref(), &args),
        };
        let argument_sites: Vec<Option<Span>> = args
            .iter()
            .map(|(_, _, arg_node)| self.receiver_site(*arg_node))
            .collect();
        let receiver_defined_at = match function.kind() {
            "attribute" => function
                .child_by_field_id(FIELDS.object)
                .and_then(|object| self.receiver_site(object)),
            "identifier" => self.receiver_site(function),
            _ => None,
        };
        self.low.push_call(CallSpec {
            span: span(node),
            callee_span: span(function),
            path: path.clone(),
            args: args
                .into_iter()
                .zip(argument_sites)
                .map(|((keyword, eval, arg_node), defined_at)| Arg {
                    span: span(arg_node),
                    keyword,
                    origin: eval.origin,
                    value: eval.value,
                    defined_at,
                })
                .collect(),
            awaited,
            tagged_template: false,
            is_macro: false,
            is_new: false,
            receiver_defined_at,
            target,
        });
        if let Some(callee) = callee {
            if target.is_none() {
                self.low.note_callee(callee);
            }
        }
        self.low.sourced(result, span(node))
    }

    /// What a call returns, as far as strings and origins go.
    fn call_result(
        &mut self,
        node: Node<'_>,
        path: &CallPath,
        receiver: Option<&Eval>,
        args: &[(Option<String>, Eval, Node<'_>)],
    ) -> Eval {
        let first = args.first().map(|(_, eval, _)| eval);
        let name = path.name();
        if receiver.is_none() && !path.resolved {
            match name {
                "int" | "float" | "len" | "abs" | "round" | "bool" | "sum" | "min" | "max"
                | "ord" | "hash" => return Eval::number(),
                "str" | "repr" => {
                    return first
                        .cloned()
                        .unwrap_or_else(|| Eval::string(span(node), ""));
                }
                // What a file holds is not its name.
                "open" => {
                    return Eval::path(
                        CallPath {
                            text: "open()".to_string(),
                            resolved: false,
                        },
                        Origin::Unknown,
                    );
                }
                _ => {}
            }
        }
        if let Some(receiver) = receiver {
            let receiver_is_string = matches!(receiver.value, Value::Str(_));
            match name {
                "format" if receiver_is_string => {
                    return self.format_method(node, receiver, args);
                }
                "join" if receiver_is_string => {
                    let items = first.cloned().unwrap_or_else(Eval::unknown);
                    if let Some(joined) = join_shapes(span(node), self.text(node), receiver, &items)
                    {
                        return joined;
                    }
                    let origin = join_origin(receiver, &items);
                    // Items made by one call (`quote_name(c) for c in cols`)
                    // keep its path, so a catalog can tell a sanitizer.
                    return match items.value {
                        Value::Sequence(values) => match values.as_slice() {
                            [Value::Path(path)] => Eval::path(path.clone(), origin),
                            _ => Eval::with_origin(Value::Unknown, origin),
                        },
                        _ => Eval::with_origin(Value::Unknown, origin),
                    };
                }
                "strip" | "lstrip" | "rstrip" | "lower" | "upper" | "title" | "casefold"
                | "replace" | "encode" | "decode" => {
                    return Eval {
                        value: Value::Unknown,
                        origin: receiver.origin,
                        defined_at: receiver.defined_at,
                    };
                }
                "isdigit" | "isnumeric" | "count" | "find" | "index" => return Eval::number(),
                // A lookup in a constant table: one of its values, or the default.
                "get"
                    if receiver.origin.is_clean() && matches!(receiver.value, Value::Object(_)) =>
                {
                    let default = args
                        .get(1)
                        .map_or(Origin::Constant, |(_, eval, _)| eval.origin);
                    return Eval::with_origin(Value::Unknown, worse(Origin::Constant, default));
                }
                _ => {}
            }
            // Data read from a tainted object is tainted (`request.GET.get("q")`).
            if receiver.origin.is_tainted() || matches!(receiver.origin, Origin::Remote(_)) {
                return Eval::path(
                    CallPath {
                        text: format!("{}()", path.text),
                        resolved: path.resolved,
                    },
                    receiver.origin,
                );
            }
        }
        Eval::path(
            CallPath {
                text: format!("{}()", path.text),
                resolved: path.resolved,
            },
            argument_origin(args.iter().map(|(_, eval, _)| eval.origin)),
        )
    }

    /// The path of a callee we cannot take apart.
    fn opaque_path(&mut self, function: Node<'_>) -> CallPath {
        self.visit_children(function);
        CallPath {
            text: self.text(function).to_string(),
            resolved: false,
        }
    }

    // ----- statements ------------------------------------------------------------

    fn assignment(&mut self, node: Node<'_>) {
        let left = node.child_by_field_id(FIELDS.left);
        let annotation = node.child_by_field_id(FIELDS.type_);
        let Some(right) = node.child_by_field_id(FIELDS.right) else {
            if let Some(left) = left {
                self.bind_target(left, Eval::unknown(), None);
            }
            return;
        };
        let mut eval = self.expr(right);
        if let Some(annotation) = annotation {
            if super::lowering::is_numeric_annotation(self.text(annotation)) {
                eval = Eval::number();
            }
        }
        // Strings keep the span of the text they hold; other values, the
        // expression that made them.
        if eval.defined_at.is_none() && !matches!(eval.value, Value::Str(_)) {
            eval.defined_at = Some(span(right));
        }
        match left {
            Some(left) if left.kind() == "attribute" => {
                self.attribute_assignment(node, left, right, eval)
            }
            Some(left) => self.bind_target(left, eval, Some(span(right))),
            None => {}
        }
    }

    /// `obj.attr = value`: recorded, and `self.attr = <made object>` in a
    /// method makes `self.attr` resolve to it in the class's methods.
    fn attribute_assignment(
        &mut self,
        node: Node<'_>,
        target: Node<'_>,
        right: Node<'_>,
        eval: Eval,
    ) {
        self.note_store(target, Some(span(right)));
        let target_eval = self.expr(target);
        let object = target.child_by_field_id(FIELDS.object);
        let attribute = target.child_by_field_id(FIELDS.attribute);
        let object_defined_at = object.and_then(|object| self.object_site(object));
        if let (Some(object), Some(attribute)) = (object, attribute) {
            let made_by_call = matches!(
                &eval.value,
                Value::Path(path) if path.resolved && path.text.ends_with("()")
            );
            let on_self = object.kind() == "identifier" && self.text(object) == "self";
            if made_by_call && on_self && self.low.in_function() {
                let name = self.text(attribute).to_string();
                if let Some(class) = self.classes.last_mut() {
                    class.fields.entry(name).or_insert_with(|| Eval {
                        value: eval.value.clone(),
                        origin: Origin::Unknown,
                        defined_at: Some(span(right)),
                    });
                }
            }
        }
        let target_path = match target_eval.value {
            Value::Path(path) => path,
            _ => CallPath {
                text: self.text(target).to_string(),
                resolved: false,
            },
        };
        self.low.push_attribute_write(AttributeWriteSpec {
            span: span(node),
            target: target_path,
            object_defined_at,
            value: eval.value,
            value_span: span(right),
        });
    }

    /// `(name := value)`: binds `name` and is the value.
    fn named_expression(&mut self, node: Node<'_>) -> Eval {
        let (Some(name), Some(value)) = (
            node.child_by_field_id(FIELDS.name),
            node.child_by_field_id(FIELDS.value),
        ) else {
            self.visit_children(node);
            return Eval::unknown();
        };
        let eval = self.expr(value);
        self.bind_target(name, eval.clone(), Some(span(value)));
        eval
    }

    /// Binds an assignment's target to `eval`, computed from the expression
    /// at `value`.
    fn bind_target(&mut self, target: Node<'_>, eval: Eval, value: Option<Span>) {
        match target.kind() {
            "identifier" => {
                self.low
                    .note_assignment(span(target), value, AssignmentKind::Bind);
                let mut eval = eval;
                if eval.defined_at.is_none() {
                    if let Value::Str(shape) = &eval.value {
                        eval.defined_at = Some(shape.span);
                    }
                }
                let name = self.text(target);
                // In a function, a name is local unless declared otherwise:
                // assigning it leaves the module's or an enclosing
                // function's binding alone.
                let outer = self
                    .declared_outer
                    .last()
                    .is_some_and(|declared| declared.iter().any(|each| each == name));
                // The lookup last: a local binding reads nothing of the
                // module (a statement that did would be lowered again each
                // time a module-level `cur` came or went).
                if self.low.in_function()
                    && (outer || self.low.bound_in_innermost(name))
                    && matches!(self.low.lookup(name), Some(Binding::Value(_)))
                {
                    self.low.reassign(name, eval);
                } else {
                    self.low.bind(name, eval);
                }
            }
            "pattern_list" | "tuple_pattern" | "list_pattern" => {
                // `a, b = x`: each name gets the origin of the whole value.
                for element in named_children(target) {
                    self.bind_target(
                        element,
                        Eval::with_origin(Value::Unknown, eval.origin),
                        value,
                    );
                }
            }
            "subscript" => {
                // `d[k] = v`: the collection now holds `v`.
                self.note_store(target, value);
                self.expr(target);
                if let Some(object) = target
                    .child_by_field_id(FIELDS.value)
                    .filter(|object| object.kind() == "identifier")
                {
                    let name = self.text(object);
                    let item = Eval::with_origin(Value::Unknown, eval.origin);
                    self.low.update(name, |existing| grow(existing, item));
                }
            }
            _ => {
                // `obj.attr = …`: evaluate the target's own parts.
                self.note_store(target, value);
                self.expr(target);
            }
        }
    }

    /// `obj.attr = …`, `d[k] = …`, `obj.items[i] += …`: what the root name
    /// holds changes.
    fn note_store(&mut self, target: Node<'_>, value: Option<Span>) {
        let mut root = target;
        for _ in 0..MAX_DEPTH {
            let inner = match root.kind() {
                "attribute" => root.child_by_field_id(FIELDS.object),
                "subscript" => root.child_by_field_id(FIELDS.value),
                "parenthesized_expression" => root.named_child(0),
                _ => None,
            };
            match inner {
                Some(inner) => root = inner,
                None => break,
            }
        }
        if root.kind() == "identifier" && root != target {
            self.low
                .note_assignment(span(root), value, AssignmentKind::Store);
        }
    }

    fn augmented_assignment(&mut self, node: Node<'_>) {
        let (Some(left), Some(right)) = (
            node.child_by_field_id(FIELDS.left),
            node.child_by_field_id(FIELDS.right),
        ) else {
            self.visit_children(node);
            return;
        };
        let value = self.expr(right);
        let is_append = node
            .child_by_field_id(FIELDS.operator)
            .is_some_and(|operator| self.text(operator) == "+=");
        if left.kind() != "identifier" {
            self.note_store(left, Some(span(right)));
            self.expr(left);
            return;
        }
        self.low
            .note_assignment(span(left), Some(span(right)), AssignmentKind::Update);
        let name = self.text(left);
        let right_span = span(right);
        let right_text = self.text(right);
        let grow = |existing: Eval| {
            if is_append {
                append(existing, value, right_span, right_text)
            } else {
                Eval::number()
            }
        };
        // Grown where it is bound, without a copy of what it holds.
        let mut grow = Some(grow);
        let updated = self.low.update(name, |existing| match grow.take() {
            Some(grow) => grow(existing),
            None => existing,
        });
        if !updated {
            let existing = self.low.eval_name(name, span(left));
            if let Some(grow) = grow.take() {
                self.low.bind(name, grow(existing));
            }
        }
    }

    fn for_statement(&mut self, node: Node<'_>) {
        // The iterable is evaluated once, before the loop.
        let right = node.child_by_field_id(FIELDS.right);
        let mut iterable_value = None;
        let mut iterable_origin = None;
        let iterable = right.map(|right| {
            let eval = self.expr(right);
            iterable_origin = Some(eval.origin);
            iterable_value = Some(eval.value);
            self.text(right).to_string()
        });
        let mut bindings = Vec::new();
        if let Some(left) = node.child_by_field_id(FIELDS.left) {
            self.pattern_names(left, &mut bindings);
        }
        let header_end = right.map_or(node.start_byte(), |right| right.end_byte());
        let is_async = node.child(0).is_some_and(|first| first.kind() == "async");
        self.low.begin_loop(LoopSpec {
            iterable_origin,
            kind: LoopKind::For,
            span: span(node),
            header: Span::new(node.start_byte(), header_end),
            bindings,
            iterable,
            iterable_value,
            is_async,
        });
        if let Some(body) = node.child_by_field_id(FIELDS.body) {
            self.expr(body);
        }
        self.low.end_loop();
        if let Some(alternative) = node.child_by_field_id(FIELDS.alternative) {
            self.expr(alternative);
        }
    }

    fn while_statement(&mut self, node: Node<'_>) {
        let condition = node.child_by_field_id(FIELDS.condition);
        let header_end = condition.map_or(node.start_byte(), |condition| condition.end_byte());
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
        if let Some(condition) = condition {
            self.expr(condition);
        }
        if let Some(body) = node.child_by_field_id(FIELDS.body) {
            self.expr(body);
        }
        self.low.end_loop();
        if let Some(alternative) = node.child_by_field_id(FIELDS.alternative) {
            self.expr(alternative);
        }
    }

    /// `if`/`elif`/`else`: each arm is a branch, so a variable assigned in
    /// several keeps every value.
    fn if_statement(&mut self, node: Node<'_>) {
        let condition = node.child_by_field_id(FIELDS.condition);
        if let Some(condition) = condition {
            self.expr(condition);
        }
        let admitted = condition.and_then(|condition| self.allow_list_guard(node, condition));
        let conditional = self.low.begin_conditional();
        let mut arm = 0;
        if let Some(consequence) = node.child_by_field_id(FIELDS.consequence) {
            self.low
                .enter_arm(conditional, arm, span(consequence), leaves(consequence));
            self.expr(consequence);
            self.low.exit_arm();
        }
        let mut cursor = node.walk();
        let alternatives: Vec<Node<'_>> = node
            .children_by_field_name("alternative", &mut cursor)
            .collect();
        let exhaustive = alternatives
            .last()
            .is_some_and(|last| last.kind() == "else_clause");
        for alternative in alternatives {
            arm += 1;
            let body = alternative
                .child_by_field_id(FIELDS.consequence)
                .or_else(|| alternative.child_by_field_id(FIELDS.body));
            self.low.enter_arm(
                conditional,
                arm,
                span(alternative),
                body.is_some_and(leaves),
            );
            self.visit_children(alternative);
            self.low.exit_arm();
        }
        self.low.end_conditional(exhaustive);
        if let Some(name) = admitted {
            self.low.admit(&name);
        }
    }

    /// `if x not in ALLOWED: abort(…)` / `…: x = "default"`: the name checked
    /// against a constant collection, when the check leaves the function (or
    /// resets it to a constant) for any other value.
    fn allow_list_guard(&self, statement: Node<'_>, condition: Node<'_>) -> Option<String> {
        let condition = unparenthesize(condition);
        if condition.kind() != "comparison_operator" {
            return None;
        }
        let operators: Vec<&str> = children(condition)
            .into_iter()
            .filter(|child| !child.is_named())
            .map(|child| self.text(child))
            .collect();
        let operands = named_children(condition);
        let is_not_in = operators.as_slice() == ["not", "in"] || operators.as_slice() == ["not in"];
        let [subject, collection] = operands.as_slice() else {
            return None;
        };
        if !is_not_in || subject.kind() != "identifier" {
            return None;
        }
        if !self.is_constant_collection(*collection) {
            return None;
        }
        if statement.child_by_field_id(FIELDS.alternative).is_some() {
            return None;
        }
        let name = self.text(*subject);
        let body = statement.child_by_field_id(FIELDS.consequence)?;
        let last = named_children(body)
            .into_iter()
            .rev()
            .find(|statement| statement.kind() != "comment")?;
        let exits = match last.kind() {
            "return_statement" | "raise_statement" | "continue_statement" | "break_statement" => {
                true
            }
            "expression_statement" => {
                let text = self.text(last);
                let callee = text.split('(').next().unwrap_or("").trim();
                let callee = callee.rsplit('.').next().unwrap_or(callee);
                matches!(callee, "abort" | "exit" | "_exit" | "fail" | "error")
            }
            _ => false,
        };
        let resets = named_assignment_of(last, self.low.source).is_some_and(|(left, right)| {
            self.text(left) == name
                && matches!(
                    right.kind(),
                    "string" | "integer" | "float" | "true" | "false" | "none"
                )
        });
        (exits || resets).then(|| name.to_string())
    }

    /// A literal set, list, tuple or dict of constants, or a name bound to a
    /// constant collection (`ALLOWED_FORMATS`).
    fn is_constant_collection(&self, node: Node<'_>) -> bool {
        match node.kind() {
            "set" | "list" | "tuple" | "dictionary" => named_children(node)
                .iter()
                .all(|item| matches!(item.kind(), "string" | "integer" | "float" | "pair")),
            "identifier" => match self.low.lookup(self.text(node)) {
                Some(Binding::Value(eval)) => eval.origin == Origin::Constant,
                Some(Binding::Import(_)) => looks_constant(self.text(node)),
                None => looks_constant(self.text(node)),
            },
            "attribute" => node
                .child_by_field_id(FIELDS.attribute)
                .is_some_and(|attribute| looks_constant(self.text(attribute))),
            _ => false,
        }
    }

    fn match_statement(&mut self, node: Node<'_>) {
        if let Some(subject) = node.child_by_field_id(FIELDS.subject) {
            self.expr(subject);
        }
        let Some(body) = node.child_by_field_id(FIELDS.body) else {
            return;
        };
        let conditional = self.low.begin_conditional();
        let mut exhaustive = false;
        for (arm, case) in named_children(body).into_iter().enumerate() {
            // `case _:` matches whatever is left.
            exhaustive |= case
                .named_child(0)
                .is_some_and(|pattern| self.text(pattern).trim() == "_");
            let exits = case
                .child_by_field_id(FIELDS.consequence)
                .is_some_and(leaves);
            self.low
                .enter_arm(conditional, arm as u32, span(case), exits);
            self.expr(case);
            self.low.exit_arm();
        }
        self.low.end_conditional(exhaustive);
    }

    /// `try`/`except`: the body and each handler are arms of one conditional
    /// (a handler runs instead of the rest of the body).
    fn try_statement(&mut self, node: Node<'_>) {
        let conditional = self.low.conditional_id();
        for child in named_children(node) {
            match child.kind() {
                "block" => self.low.record_arm(conditional, span(child), leaves(child)),
                "except_clause" | "except_group_clause" => {
                    let exits = named_children(child)
                        .into_iter()
                        .rev()
                        .find(|part| part.kind() == "block")
                        .is_some_and(leaves);
                    self.low.record_arm(conditional, span(child), exits);
                    // `except E as error`: bound to what was raised.
                    let alias = named_children(child)
                        .into_iter()
                        .find(|part| part.kind() == "as_pattern")
                        .and_then(|pattern| pattern.child_by_field_id(FIELDS.alias));
                    if let Some(alias) = alias {
                        let name = alias.named_child(0).unwrap_or(alias);
                        if name.kind() == "identifier" {
                            self.low
                                .note_assignment(span(name), None, AssignmentKind::Bind);
                        }
                    }
                }
                _ => {}
            }
            self.expr(child);
        }
    }

    fn with_statement(&mut self, node: Node<'_>) {
        for child in named_children(node) {
            match child.kind() {
                "with_clause" => {
                    for item in named_children(child) {
                        self.with_item(item);
                    }
                }
                _ => {
                    self.expr(child);
                }
            }
        }
    }

    fn with_item(&mut self, item: Node<'_>) {
        let Some(value) = item.child_by_field_id(FIELDS.value) else {
            self.visit_children(item);
            return;
        };
        if value.kind() == "as_pattern" {
            // `with connect() as conn`: the pattern's first child is the value.
            let inner = value.named_child(0);
            let alias = value.child_by_field_id(FIELDS.alias);
            let mut eval = inner.map_or_else(Eval::unknown, |inner| self.expr(inner));
            if eval.defined_at.is_none() && !matches!(eval.value, Value::Str(_)) {
                eval.defined_at = inner.map(span);
            }
            if let Some(alias) = alias {
                let target = alias.named_child(0).unwrap_or(alias);
                self.bind_target(target, eval, inner.map(span));
            }
        } else {
            self.expr(value);
        }
    }

    fn pattern_names(&self, pattern: Node<'_>, names: &mut Vec<String>) {
        match pattern.kind() {
            "identifier" => names.push(self.text(pattern).to_string()),
            _ => {
                for child in named_children(pattern) {
                    self.pattern_names(child, names);
                }
            }
        }
    }

    fn comprehension(&mut self, node: Node<'_>) -> Eval {
        let parts = named_children(node);
        let clauses: Vec<Node<'_>> = parts
            .iter()
            .copied()
            .filter(|part| part.kind() == "for_in_clause")
            .collect();
        // The first iterable is evaluated once, outside the loop.
        let first_iterable = clauses
            .first()
            .and_then(|clause| clause.child_by_field_id(FIELDS.right));
        let first_eval = first_iterable.map(|iterable| self.expr(iterable));
        let iterable_origin = first_eval.as_ref().map(|eval| eval.origin);
        let iterable_value = first_eval.map(|eval| eval.value);
        let mut bindings = Vec::new();
        for clause in &clauses {
            if let Some(left) = clause.child_by_field_id(FIELDS.left) {
                self.pattern_names(left, &mut bindings);
            }
        }
        let header = clauses.first().map_or(span(node), |clause| span(*clause));
        let is_async = clauses
            .first()
            .is_some_and(|clause| children(*clause).iter().any(|c| c.kind() == "async"));
        self.low.begin_loop(LoopSpec {
            iterable_origin,
            kind: LoopKind::Comprehension,
            span: span(node),
            header,
            bindings,
            iterable: first_iterable.map(|iterable| self.text(iterable).to_string()),
            iterable_value,
            is_async,
        });
        let mut body_eval = Eval::unknown();
        for part in parts {
            match part.kind() {
                "for_in_clause" => {
                    let is_first = first_iterable
                        .is_some_and(|first| part.child_by_field_id(FIELDS.right) == Some(first));
                    if !is_first {
                        if let Some(right) = part.child_by_field_id(FIELDS.right) {
                            self.expr(right);
                        }
                    }
                }
                "if_clause" => {
                    self.visit_children(part);
                }
                _ => {
                    if part.start_byte() < header.start as usize {
                        body_eval = self.expr(part);
                    } else {
                        self.expr(part);
                    }
                }
            }
        }
        self.low.end_loop();
        Eval::with_origin(Value::Sequence(vec![body_eval.value]), body_eval.origin)
    }

    fn lambda(&mut self, node: Node<'_>) -> Eval {
        let params = node
            .child_by_field_id(FIELDS.parameters)
            .map(|parameters| self.parameters(parameters, false))
            .unwrap_or_default();
        self.low.begin_function(FunctionSpec {
            owner: None,
            callable: false,
            name: "<anonymous>".to_string(),
            span: span(node),
            name_span: Span::new(node.start_byte(), node.start_byte() + "lambda".len()),
            is_async: false,
            handler: None,
            params,
        });
        let body = node
            .child_by_field_id(FIELDS.body)
            .map_or_else(Eval::unknown, |body| self.expr(body));
        self.low.note_return(body.clone());
        self.low.end_function();
        Eval::with_origin(Value::Function, body.origin)
    }

    // ----- definitions -----------------------------------------------------------

    fn decorated(&mut self, node: Node<'_>) {
        let mut decorators = Vec::new();
        for child in named_children(node) {
            if child.kind() == "decorator" {
                self.visit_children(child);
                decorators.push(child);
            }
        }
        if let Some(definition) = node.child_by_field_id(FIELDS.definition) {
            match definition.kind() {
                "function_definition" => self.function(definition, &decorators),
                "class_definition" => self.class(definition, &decorators),
                _ => {
                    self.expr(definition);
                }
            }
        }
    }

    fn class(&mut self, node: Node<'_>, _decorators: &[Node<'_>]) {
        let superclasses = node
            .child_by_field_id(FIELDS.superclasses)
            .map(|superclasses| self.text(superclasses))
            .unwrap_or("");
        let is_view = [
            "View",
            "ViewSet",
            "APIView",
            "Resource",
            "MethodView",
            "Handler",
        ]
        .iter()
        .any(|base| superclasses.contains(base));
        if let Some(superclasses) = node.child_by_field_id(FIELDS.superclasses) {
            self.expr(superclasses);
        }
        let is_test = node
            .child_by_field_id(FIELDS.name)
            .is_some_and(|name| self.text(name).starts_with("Test"))
            || superclasses.contains("TestCase");
        if is_test {
            self.low.push_test_code(span(node));
        }
        let class_name = node
            .child_by_field_id(FIELDS.name)
            .map(|name| self.text(name).to_string())
            .unwrap_or_default();
        self.classes.push(ClassInfo {
            name: class_name,
            is_view,
            fields: HashMap::new(),
        });
        if let Some(body) = node.child_by_field_id(FIELDS.body) {
            if superclasses.contains("Model") {
                self.orm_model(node, body);
            }
            self.expr(body);
        }
        self.classes.pop();
    }

    /// A Django model: its `ForeignKey` and `OneToOneField` fields.
    fn orm_model(&mut self, class: Node<'_>, body: Node<'_>) {
        let Some(name) = class.child_by_field_id(FIELDS.name) else {
            return;
        };
        let mut relations = Vec::new();
        for statement in named_children(body) {
            let Some((left, right)) = name_assignment(statement) else {
                continue;
            };
            let relation = right.kind() == "call"
                && right
                    .child_by_field_id(FIELDS.function)
                    .is_some_and(|function| {
                        let callee = self.text(function);
                        let callee = callee.rsplit('.').next().unwrap_or(callee);
                        matches!(callee, "ForeignKey" | "OneToOneField")
                    });
            if relation {
                relations.push(self.text(left).to_string());
            }
        }
        if !relations.is_empty() {
            self.low.push_orm_model(crate::model::OrmModel {
                name: self.text(name).to_string(),
                span: span(class),
                relations,
            });
        }
    }

    /// Route decorators: `@app.route(…)`, `@router.get(…)`, `@api_view([…])`.
    fn route_decorator(&self, decorators: &[Node<'_>]) -> Option<Handler> {
        for decorator in decorators {
            let Some(expression) = decorator.named_child(0) else {
                continue;
            };
            let callee = match expression.kind() {
                "call" => expression.child_by_field_id(FIELDS.function),
                _ => Some(expression),
            };
            let Some(callee) = callee else { continue };
            let text = self.text(callee);
            let name = text.rsplit('.').next().unwrap_or(text);
            if matches!(name, "api_view" | "action") {
                return Some(Handler {
                    framework: "django",
                    evidence: span(*decorator),
                });
            }
            if callee.kind() != "attribute" || !ROUTE_DECORATORS.contains(&name) {
                continue;
            }
            let receiver = text.rsplit_once('.').map_or("", |(receiver, _)| receiver);
            let receiver_path = self.low.name_path(receiver.split('.').next().unwrap_or(""));
            let framework = if receiver_path.text.starts_with("fastapi") {
                "fastapi"
            } else if receiver_path.text.starts_with("flask") || name == "route" {
                "flask"
            } else {
                "fastapi"
            };
            return Some(Handler {
                framework,
                evidence: span(*decorator),
            });
        }
        None
    }

    fn function(&mut self, node: Node<'_>, decorators: &[Node<'_>]) {
        let name_node = node.child_by_field_id(FIELDS.name);
        let name = name_node
            .map_or("<anonymous>", |name| self.text(name))
            .to_string();
        let is_async = node.child(0).is_some_and(|first| first.kind() == "async");
        let in_class = !self.classes.is_empty() && !self.low.in_function();
        let in_view_class = in_class && self.classes.last().is_some_and(|class| class.is_view);
        let owner = in_class
            .then(|| self.classes.last().map(|class| class.name.clone()))
            .flatten();
        let is_test = name.starts_with("test_")
            || name == "test"
            || decorators
                .iter()
                .any(|decorator| self.text(*decorator).contains("fixture"));
        if is_test {
            self.low.push_test_code(span(node));
        }
        let parameter_names: Vec<String> = node
            .child_by_field_id(FIELDS.parameters)
            .map(|parameters| {
                named_children(parameters)
                    .into_iter()
                    .filter_map(|parameter| self.parameter_name(parameter))
                    .collect()
            })
            .unwrap_or_default();
        let mut handler = self.route_decorator(decorators);
        if handler.is_none() {
            // Django: a module-level view takes `request` first; a class-based
            // view's HTTP methods take it after `self`.
            let request_position = if in_class { 1 } else { 0 };
            let takes_request = parameter_names
                .get(request_position)
                .is_some_and(|first| first == "request");
            let is_view_method = in_view_class && VIEW_METHODS.contains(&name.as_str());
            if takes_request && !self.low.in_function() && (!in_class || is_view_method) {
                handler = Some(Handler {
                    framework: "django",
                    evidence: name_node.map_or(span(node), span),
                });
            }
        }
        let params = node
            .child_by_field_id(FIELDS.parameters)
            .map(|parameters| self.parameters(parameters, handler.is_some()))
            .unwrap_or_default();
        let name_span = name_node.map_or(span(node), span);
        let receiver = in_class
            .then(|| params.first().map(|first| first.param.name.clone()))
            .flatten()
            .filter(|first| first == "self" || first == "cls");
        self.low.begin_function(FunctionSpec {
            callable: owner.is_none(),
            owner,
            name,
            span: span(node),
            name_span,
            is_async,
            handler,
            params,
        });
        // `self` is the object, not data a caller chose: its attributes are
        // state of unknown origin, not parameters.
        if let Some(receiver) = receiver {
            self.low.bind(
                &receiver,
                Eval::path(
                    CallPath {
                        text: receiver.clone(),
                        resolved: false,
                    },
                    Origin::Unknown,
                ),
            );
        }
        self.declared_outer.push(Vec::new());
        if let Some(body) = node.child_by_field_id(FIELDS.body) {
            self.expr(body);
        }
        self.declared_outer.pop();
        self.low.end_function();
    }

    fn parameter_name(&self, parameter: Node<'_>) -> Option<String> {
        let name_node = match parameter.kind() {
            "identifier" => Some(parameter),
            "typed_parameter" => parameter.named_child(0),
            "default_parameter" | "typed_default_parameter" => {
                parameter.child_by_field_id(FIELDS.name)
            }
            _ => None,
        }?;
        (name_node.kind() == "identifier").then(|| self.text(name_node).to_string())
    }

    /// Lowers parameters; defaults are evaluated here, in the enclosing scope,
    /// as Python does at definition time.
    fn parameters(&mut self, parameters: Node<'_>, is_handler: bool) -> Vec<ParamSpec> {
        let mut specs = Vec::new();
        for parameter in named_children(parameters) {
            let Some(name) = self.parameter_name(parameter) else {
                continue;
            };
            let annotation = parameter.child_by_field_id(FIELDS.type_);
            let default = parameter.child_by_field_id(FIELDS.value);
            let default_text = default.map(|default| self.text(default)).unwrap_or("");
            if let Some(default) = default {
                self.expr(default);
            }
            let annotation_text = annotation.map(|annotation| self.text(annotation).to_string());
            let is_injected = default_text.starts_with("Depends(")
                || default_text.starts_with("Security(")
                || annotation_text.as_deref().is_some_and(|annotation| {
                    INJECTED_TYPES
                        .iter()
                        .any(|injected| annotation.rsplit('.').next() == Some(injected))
                        || annotation.contains("Depends(")
                });
            let is_request_input = is_handler && !is_injected && name != "self" && name != "cls";
            let annotation_path = annotation.and_then(|annotation| self.type_path(annotation));
            specs.push(ParamSpec {
                param: Param {
                    name,
                    span: span(parameter),
                    annotation: annotation_text,
                    is_request_input,
                },
                annotation_path,
            });
        }
        specs
    }

    /// The instance path of a type annotation: `sqlite3.Cursor` → `sqlite3.Cursor()`.
    fn type_path(&self, annotation: Node<'_>) -> Option<CallPath> {
        let inner = if annotation.kind() == "type" {
            annotation.named_child(0)?
        } else {
            annotation
        };
        let text = self.text(inner);
        if !text
            .chars()
            .all(|character| character.is_alphanumeric() || character == '_' || character == '.')
        {
            return None;
        }
        let (root, rest) = match text.split_once('.') {
            Some((root, rest)) => (root, Some(rest)),
            None => (text, None),
        };
        let root_path = self.low.name_path(root);
        if !root_path.resolved {
            return None;
        }
        let full = match rest {
            Some(rest) => format!("{}.{rest}()", root_path.text),
            None => format!("{}()", root_path.text),
        };
        Some(CallPath {
            text: full,
            resolved: true,
        })
    }
}

/// `receiver.name` as a value.
/// `name = value` as a statement: the target and the value.
fn named_assignment_of<'tree>(
    statement: Node<'tree>,
    _source: &str,
) -> Option<(Node<'tree>, Node<'tree>)> {
    let assignment = statement
        .named_child(0)
        .filter(|child| child.kind() == "assignment")?;
    Some((
        assignment.child_by_field_id(FIELDS.left)?,
        assignment.child_by_field_id(FIELDS.right)?,
    ))
}

/// `name = value` as a statement: the name and the value.
/// Whether a block ends by leaving: its last statement returns, raises,
/// breaks or continues.
fn leaves(block: Node<'_>) -> bool {
    let last = named_children(block)
        .into_iter()
        .rev()
        .find(|statement| statement.kind() != "comment");
    last.is_some_and(|statement| {
        matches!(
            statement.kind(),
            "return_statement" | "raise_statement" | "break_statement" | "continue_statement"
        )
    })
}

fn name_assignment(statement: Node<'_>) -> Option<(Node<'_>, Node<'_>)> {
    let assignment = statement
        .named_child(0)
        .filter(|child| child.kind() == "assignment")?;
    let left = assignment
        .child_by_field_id(FIELDS.left)
        .filter(|left| left.kind() == "identifier")?;
    Some((left, assignment.child_by_field_id(FIELDS.right)?))
}

fn member(receiver: Eval, name: &str, receiver_text: &str) -> Eval {
    let path = member_path(&receiver, name, receiver_text);
    let origin = member_origin(receiver.origin, name);
    Eval {
        value: Value::Path(path),
        origin,
        defined_at: receiver.defined_at,
    }
}

/// The call path of `receiver.name`.
fn member_path(receiver: &Eval, name: &str, receiver_text: &str) -> CallPath {
    match &receiver.value {
        Value::Path(path) => CallPath {
            text: format!("{}.{name}", path.text),
            resolved: path.resolved,
        },
        Value::Str(_) => CallPath {
            text: format!("str.{name}"),
            resolved: false,
        },
        _ => CallPath {
            text: format!("{}.{name}", receiver_text.trim()),
            resolved: false,
        },
    }
}

/// A value that is one of two (`a if c else b`, `a or b`): every string
/// alternative is kept; otherwise the worse origin.
fn either(left: Option<Eval>, right: Option<Eval>) -> Eval {
    match (left, right) {
        (Some(left), Some(right)) => {
            let origin = worse(left.origin, right.origin);
            one_of(left, right).unwrap_or_else(|| Eval::with_origin(Value::Unknown, origin))
        }
        (Some(one), None) | (None, Some(one)) => one,
        (None, None) => Eval::unknown(),
    }
}

fn unparenthesize(mut node: Node<'_>) -> Node<'_> {
    while node.kind() == "parenthesized_expression" {
        match node.named_child(0) {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

/// A piece of a `%` format string.
enum PercentPiece {
    Text(String),
    Field { name: Option<String>, numeric: bool },
}

/// Splits a `%`-format template: `%s`, `%d`, `%(name)s`, `%%`.
fn percent_pieces(template: &str) -> Vec<PercentPiece> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut characters = template.char_indices().peekable();
    while let Some((_, character)) = characters.next() {
        if character != '%' {
            text.push(character);
            continue;
        }
        let mut name = None;
        if characters.peek().map(|(_, next)| *next) == Some('%') {
            characters.next();
            text.push('%');
            continue;
        }
        if characters.peek().map(|(_, next)| *next) == Some('(') {
            characters.next();
            let mut key = String::new();
            for (_, next) in characters.by_ref() {
                if next == ')' {
                    break;
                }
                key.push(next);
            }
            name = Some(key);
        }
        // Flags, width and precision, then the conversion character.
        let mut conversion = None;
        for (_, next) in characters.by_ref() {
            if next.is_ascii_alphabetic() {
                conversion = Some(next);
                break;
            }
            if !(next.is_ascii_digit() || matches!(next, '-' | '+' | ' ' | '#' | '.' | '*')) {
                break;
            }
        }
        if !text.is_empty() {
            pieces.push(PercentPiece::Text(std::mem::take(&mut text)));
        }
        pieces.push(PercentPiece::Field {
            name,
            numeric: matches!(
                conversion,
                Some('d' | 'i' | 'f' | 'F' | 'e' | 'E' | 'g' | 'x' | 'o')
            ),
        });
    }
    if !text.is_empty() {
        pieces.push(PercentPiece::Text(text));
    }
    pieces
}

#[cfg(test)]
mod tests {
    use crate::lang::lower;
    use crate::model::{
        AssignmentKind, Call, FileModel, Language, LoopKind, NameScope, OriginKind, Part, StrShape,
        Value,
    };

    fn model(source: &str) -> FileModel {
        lower(Language::Python, source)
    }

    #[test]
    fn every_field_the_walker_reads_is_a_field_of_the_grammar() {
        // A misspelled name would be id 0 and silently find no child.
        assert_eq!(super::FIELDS.missing(), Vec::<&str>::new());
    }

    fn call<'m>(model: &'m FileModel, path: &str) -> &'m Call {
        model
            .calls
            .iter()
            .find(|call| call.path.text == path)
            .unwrap_or_else(|| {
                let paths: Vec<&str> = model.calls.iter().map(|c| c.path.text.as_str()).collect();
                panic!("no call `{path}` in {paths:?}")
            })
    }

    fn first_shape(call: &Call) -> &StrShape {
        match &call.args[0].value {
            Value::Str(shape) => shape,
            other => panic!("not a string: {other:?}"),
        }
    }

    fn origins(shape: &StrShape) -> Vec<OriginKind> {
        shape.holes().map(|hole| hole.origin.kind()).collect()
    }

    #[test]
    fn call_paths_resolve_through_imports_and_local_origins() {
        let model = model(
            "import psycopg2 as pg\nfrom sqlite3 import connect\n\ndef f():\n    conn = pg.connect('x')\n    cur = conn.cursor()\n    cur.execute('SELECT 1')\n    with connect('db') as lite:\n        lite.execute('SELECT 2')\n",
        );
        let execute = call(&model, "psycopg2.connect().cursor().execute");
        assert!(execute.path.resolved);
        assert!(call(&model, "sqlite3.connect().execute").path.resolved);
    }

    #[test]
    fn an_assignment_in_a_function_binds_a_local_unless_declared_global() {
        // `reset` makes its own `session`; `fetch` still reads the module's.
        let lowered = model(
            "import requests\n\nsession = requests.Session()\n\ndef reset():\n    session = None\n    return session\n\ndef fetch(url):\n    return session.get(url)\n",
        );
        call(&lowered, "requests.Session().get");
        // `global` (and `nonlocal`) make the assignment rebind the outer name.
        let lowered = model(
            "import requests\n\nclient = None\n\ndef connect():\n    global client\n    client = requests.Session()\n\ndef fetch(url):\n    return client.get(url)\n",
        );
        call(&lowered, "requests.Session().get");
        let lowered = model(
            "import requests\n\ndef outer():\n    client = None\n    def connect():\n        nonlocal client\n        client = requests.Session()\n    connect()\n    return client.get('/')\n",
        );
        call(&lowered, "requests.Session().get");
    }

    #[test]
    fn typed_parameters_resolve_to_instances() {
        let model = model(
            "import sqlite3\nfrom sqlalchemy.orm import Session\n\ndef f(cur: sqlite3.Cursor, db: Session):\n    cur.execute('SELECT 1')\n    db.execute('SELECT 2')\n",
        );
        call(&model, "sqlite3.Cursor().execute");
        call(&model, "sqlalchemy.orm.Session().execute");
    }

    #[test]
    fn relative_imports_stay_unresolved() {
        let model =
            model("from .models import User\n\ndef f():\n    User.objects.raw('SELECT 1')\n");
        assert!(!call(&model, "User.objects.raw").path.resolved);
    }

    #[test]
    fn f_strings_have_holes_with_origins() {
        let model = model(
            "TABLE = 'users'\n\ndef f(name, limit: int):\n    for row in rows:\n        cur.execute(f\"SELECT id FROM {TABLE} WHERE n = '{name}' AND r = {row} LIMIT {limit}\")\n",
        );
        let shape = first_shape(call(&model, "cur.execute"));
        assert_eq!(
            origins(shape),
            vec![OriginKind::Param, OriginKind::Loop, OriginKind::Numeric]
        );
        // The module constant is inlined as text.
        assert!(
            matches!(&shape.parts[0], Part::Lit(text) if text == "SELECT id FROM users WHERE n = '")
        );
    }

    #[test]
    fn percent_format_and_str_format_fill_holes() {
        let model = model(
            "def f(a, b, n):\n    x.run('SELECT %s FROM t WHERE c = %d' % (a, n))\n    x.go('SELECT {} FROM {tbl}'.format(b, tbl=a))\n    x.do('SELECT %(c)s' % {'c': b})\n",
        );
        assert_eq!(
            origins(first_shape(call(&model, "x.run"))),
            vec![OriginKind::Param, OriginKind::Numeric]
        );
        assert_eq!(
            origins(first_shape(call(&model, "x.go"))),
            vec![OriginKind::Param, OriginKind::Param]
        );
        assert_eq!(
            origins(first_shape(call(&model, "x.do"))),
            vec![OriginKind::Param]
        );
    }

    #[test]
    fn augmented_assignment_builds_one_shape_starting_at_the_first_literal() {
        let source = "def f(q):\n    sql = 'SELECT id FROM t WHERE 1 = 1'\n    if q:\n        sql += ' AND name = ' + q\n    db.execute(sql)\n";
        let model = model(source);
        let shape = first_shape(call(&model, "db.execute"));
        assert_eq!(
            shape.literal_text(),
            "SELECT id FROM t WHERE 1 = 1 AND name = "
        );
        assert_eq!(origins(shape), vec![OriginKind::Param]);
        assert_eq!(
            &source[shape.span.range()],
            "'SELECT id FROM t WHERE 1 = 1'"
        );
    }

    #[test]
    fn placeholder_joins_of_constants_are_clean() {
        let model = model(
            "def f(ids):\n    a = ', '.join(['%s'] * len(ids))\n    b = ','.join('?' * len(ids))\n    c = ', '.join('%s' for _ in ids)\n    d = ', '.join(str(i) for i in ids)\n    x.run(f'IN ({a}) ({b}) ({c}) ({d})')\n",
        );
        let shape = first_shape(call(&model, "x.run"));
        // `c` is one placeholder as text; `d` items come from the parameter.
        assert_eq!(
            origins(shape),
            vec![
                OriginKind::Constant,
                OriginKind::Constant,
                OriginKind::Param
            ]
        );
        assert!(shape.literal_text().contains("(%s)"));
    }

    #[test]
    fn flask_route_and_request_global() {
        let model = model(
            "from flask import Flask, request\napp = Flask(__name__)\n\n@app.route('/u/<uid>')\ndef show(uid):\n    q = request.args.get('q')\n    x.run(f'{q} {uid}')\n",
        );
        let function = &model.functions[0];
        assert_eq!(function.handler.as_ref().unwrap().framework, "flask");
        assert!(function.params[0].is_request_input);
        let shape = first_shape(call(&model, "x.run"));
        let holes: Vec<_> = shape.holes().collect();
        assert_eq!(
            holes[0].path.as_ref().unwrap().text,
            "flask.request.args.get()"
        );
        assert_eq!(holes[1].origin.kind(), OriginKind::Input);
    }

    #[test]
    fn fastapi_dependencies_are_not_request_input() {
        let model = model(
            "from fastapi import APIRouter, Depends\nrouter = APIRouter()\n\n@router.get('/items')\nasync def items(q: str, limit: int = 10, db: Session = Depends(get_db)):\n    pass\n",
        );
        let function = &model.functions[0];
        assert!(function.is_async);
        assert_eq!(function.handler.as_ref().unwrap().framework, "fastapi");
        let inputs: Vec<bool> = function.params.iter().map(|p| p.is_request_input).collect();
        assert_eq!(inputs, vec![true, true, false]);
    }

    #[test]
    fn django_views_function_and_class_based() {
        let model = model(
            "from django.views import View\n\ndef index(request, slug):\n    pass\n\nclass Orders(View):\n    def get(self, request):\n        pass\n    def helper(self, request):\n        pass\n\ndef util(x):\n    pass\n",
        );
        let handlers: Vec<(&str, bool)> = model
            .functions
            .iter()
            .map(|f| (f.name.as_str(), f.handler.is_some()))
            .collect();
        assert_eq!(
            handlers,
            vec![
                ("index", true),
                ("get", true),
                ("helper", false),
                ("util", false)
            ]
        );
    }

    #[test]
    fn loops_bindings_and_iterables_outside_the_loop() {
        let model = model(
            "def f():\n    for u in User.objects.filter(a=1):\n        u.save()\n    names = [load(n) for n in fetch_names()]\n    while more():\n        step()\n",
        );
        let kinds: Vec<LoopKind> = model.loops.iter().map(|l| l.kind).collect();
        assert_eq!(
            kinds,
            vec![LoopKind::For, LoopKind::Comprehension, LoopKind::While]
        );
        assert_eq!(model.loops[0].bindings, vec!["u"]);
        assert!(call(&model, "User.objects.filter").innermost_loop.is_none());
        // The binding stands for an element of what is iterated.
        assert!(call(&model, "User.objects.filter().[].save")
            .innermost_loop
            .is_some());
        assert_eq!(
            model.loops[0]
                .iterable_path
                .as_ref()
                .map(|p| p.text.as_str()),
            Some("User.objects.filter()")
        );
        assert!(!model.loops[0].over_literal);
        assert!(call(&model, "fetch_names").innermost_loop.is_none());
        assert!(call(&model, "load").innermost_loop.is_some());
        assert!(call(&model, "more").innermost_loop.is_some());
    }

    #[test]
    fn loops_over_written_out_lists_are_marked() {
        let model = model(
            "def f(rows):\n    for s in (200, 304, 'x'):\n        g(s)\n    for r in [a, 1]:\n        g(r)\n    for r in rows:\n        g(r)\n    for r in [x for x in rows]:\n        g(r)\n",
        );
        let marks: Vec<bool> = model.loops.iter().map(|l| l.over_literal).collect();
        assert_eq!(marks, vec![true, true, false, false, false]);
    }

    #[test]
    fn a_variable_assigned_in_exclusive_arms_keeps_every_value() {
        let model = model(
            "def f(archived, name):\n    if archived:\n        sql = 'SELECT * FROM a'\n    elif name:\n        sql = f\"SELECT id FROM b WHERE n = '{name}'\"\n    else:\n        sql = 'SELECT id FROM c'\n    db.execute(sql)\n    sql = 'SELECT 1'\n    db.run(sql)\n",
        );
        let texts: Vec<String> = call(&model, "db.execute").args[0]
            .value
            .strings()
            .map(StrShape::literal_text)
            .collect();
        assert_eq!(
            texts,
            vec![
                "SELECT * FROM a",
                "SELECT id FROM b WHERE n = ''",
                "SELECT id FROM c"
            ]
        );
        // A later assignment outside the conditional replaces them all.
        assert_eq!(call(&model, "db.run").args[0].value.strings().count(), 1);
    }

    #[test]
    fn awaited_calls_are_marked() {
        let model =
            model("async def f(conn):\n    await conn.fetch('SELECT 1')\n    conn.close()\n");
        assert!(call(&model, "conn.fetch").awaited);
        assert!(!call(&model, "conn.close").awaited);
    }

    #[test]
    fn syntax_errors_leave_the_rest_lowered() {
        let model = model("def broken(:\n    pass\n\ndef fine():\n    db.execute('SELECT 1')\n");
        assert!(!model.syntax_errors.is_empty());
        call(&model, "db.execute");
    }

    #[test]
    fn implicit_concatenation_skips_comments() {
        let model = model("db.execute(\n    'SELECT id '  # the key\n    'FROM t'\n)\n");
        let shape = first_shape(call(&model, "db.execute"));
        assert_eq!(shape.literal_text(), "SELECT id FROM t");
        assert!(shape.holes().next().is_none());
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let source = format!(
            "x = {}1{}\ndb.execute('SELECT 1')\n",
            "(".repeat(5000),
            ")".repeat(5000)
        );
        let handle = std::thread::Builder::new()
            .stack_size(8 * 1024 * 1024)
            .spawn(move || {
                let model = lower(Language::Python, &source);
                model.calls.iter().any(|c| c.path.text == "db.execute")
            })
            .unwrap();
        assert!(handle.join().unwrap());
    }

    /// The text of a span of `source`.
    fn text_at(source: &str, span: crate::model::Span) -> &str {
        &source[span.range()]
    }

    #[test]
    fn self_fields_resolve_to_the_object_a_method_assigned() {
        let source = "import functools\nimport requests\n\n\
class Client:\n    def __init__(self):\n        self.session = requests.Session()\n        \
self.session.request = functools.partial(self.session.request, timeout=5)\n\n    \
def ping(self):\n        return self.session.get(URL)\n";
        let model = model(source);
        let get = call(&model, "requests.Session().get");
        assert!(get.path.resolved);
        let site = get.receiver_defined_at.expect("the session's definition");
        assert_eq!(text_at(source, site), "requests.Session()");
        let write = model
            .attribute_writes
            .iter()
            .find(|write| write.target.text == "requests.Session().request")
            .expect("the write to session.request");
        assert_eq!(write.object_defined_at, Some(site));
        assert_eq!(
            text_at(source, write.value_span),
            "functools.partial(self.session.request, timeout=5)"
        );
        let partial = call(&model, "functools.partial");
        assert_eq!(partial.args[1].keyword.as_deref(), Some("timeout"));
        assert_eq!(partial.args[1].value, Value::Number(Some(5)));
    }

    #[test]
    fn receivers_and_arguments_know_where_their_object_was_made() {
        let source = "import httpx\n\ndef fetch(url):\n    \
with httpx.Client(timeout=None) as client:\n        client.get(url.strip())\n        send(client)\n";
        let model = model(source);
        let get = call(&model, "httpx.Client().get");
        let site = get.receiver_defined_at.expect("bound by `with … as`");
        assert_eq!(text_at(source, site), "httpx.Client(timeout=None)");
        assert_eq!(call(&model, "send").args[0].defined_at, Some(site));
        assert_eq!(call(&model, "httpx.Client").args[0].value, Value::Literal);
        // A parameter's definition is its declaration.
        let strip = call(&model, "url.strip");
        assert_eq!(
            strip.receiver_defined_at.map(|span| text_at(source, span)),
            Some("url")
        );
    }

    #[test]
    fn tests_are_marked_by_name_class_and_fixture() {
        let source = "import pytest\n\n@pytest.fixture\ndef client():\n    return 1\n\n\
def test_one():\n    pass\n\nclass TestThing:\n    def helper(self):\n        pass\n\n\
def handler():\n    pass\n";
        let model = model(source);
        let marked: Vec<&str> = model
            .test_code
            .iter()
            .map(|span| text_at(source, *span).lines().next().unwrap_or(""))
            .collect();
        assert_eq!(
            marked,
            ["def client():", "def test_one():", "class TestThing:"]
        );
    }

    #[test]
    fn name_reads_assignments_and_arms() {
        let source = "import re\nLIMIT = 3\n\ndef view(request, n):\n    total = 0\n    for x in items(n):\n        total += x\n        cache[x] = re.compile(f\"{LIMIT}\")\n    with open(PATH) as f:\n        pass\n    if n:\n        return total\n    else:\n        helper(undefined_name)\n    try:\n        y = 1\n    except ValueError:\n        raise\n";
        let model = model(source);
        let text = |span: crate::model::Span| &source[span.range()];
        let reads: Vec<(&str, &NameScope)> = model
            .name_reads
            .iter()
            .map(|read| (text(read.span), &read.scope))
            .collect();
        assert!(reads.contains(&("n", &NameScope::Local)));
        assert!(reads.contains(&("LIMIT", &NameScope::Module)));
        assert!(reads.contains(&("re", &NameScope::Import("re".to_string()))));
        assert!(reads.contains(&("undefined_name", &NameScope::Global)));
        // A called local is read too; a called global resolves as global.
        assert!(reads.contains(&("items", &NameScope::Global)));
        let assignments: Vec<(&str, AssignmentKind, Option<&str>)> = model
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
                ("total", AssignmentKind::Bind, Some("0")),
                ("total", AssignmentKind::Update, Some("x")),
                (
                    "cache",
                    AssignmentKind::Store,
                    Some("re.compile(f\"{LIMIT}\")")
                ),
                ("f", AssignmentKind::Bind, Some("open(PATH)")),
                ("y", AssignmentKind::Bind, Some("1")),
            ]
        );
        let arms: Vec<(u32, bool)> = model
            .arms
            .iter()
            .map(|arm| (arm.conditional, arm.exits))
            .collect();
        // `if` (returns) / `else`, then `try` body / `except` (raises).
        assert_eq!(arms.len(), 4);
        assert!(arms[0].1);
        assert!(!arms[1].1);
        assert_eq!(arms[0].0, arms[1].0);
        assert_eq!(arms[2].0, arms[3].0);
        assert_ne!(arms[0].0, arms[2].0);
        assert_eq!((arms[2].1, arms[3].1), (false, true));
    }

    fn with_sources(source: &str) -> FileModel {
        let oracle = |path: &crate::model::CallPath| {
            (path.resolved && path.text.starts_with("flask.request"))
                .then_some(crate::lang::SourceKind::Input)
        };
        crate::lang::lower_with(Language::Python, source, Some(&oracle))
    }

    #[test]
    fn source_reads_taint_through_string_methods_and_reassignment() {
        let source = "from flask import request\n\ndef f():\n    raw = request.args['email']\n    email = raw.strip().lower()\n    where = f\"e = '{email}'\"\n    db.execute('SELECT 1 FROM t WHERE ' + where)\n";
        let model = with_sources(source);
        let shape = first_shape(call(&model, "db.execute"));
        assert_eq!(origins(shape), vec![OriginKind::Input]);
        // Where the input entered: the whole read, not just `request`.
        let entered = shape.holes().next().unwrap().origin.source().unwrap();
        assert_eq!(&source[entered.range()], "request.args['email']");
    }

    #[test]
    fn a_value_overwritten_on_one_path_stays_tainted_and_on_every_path_is_clean() {
        let model = model(
            "def f(q, admin):\n    a = q\n    if admin:\n        a = 'x'\n    db.one(f'SELECT {a}')\n    b = q\n    if admin:\n        b = 'x'\n    else:\n        b = 'y'\n    db.two(f'SELECT {b}')\n    if admin:\n        c = q\n    else:\n        c = 'y'\n    db.three(f'SELECT {c}')\n",
        );
        let tainted = |path: &str| {
            call(&model, path).args[0]
                .value
                .strings()
                .any(|shape| shape.holes().any(|hole| !hole.origin.is_clean()))
        };
        assert!(tainted("db.one"));
        assert!(!tainted("db.two"));
        assert!(tainted("db.three"));
    }

    #[test]
    fn helpers_of_the_file_pass_their_arguments_through() {
        let model = model(
            "SORTS = {'a': 'x ASC'}\n\ndef order(key):\n    return SORTS.get(key, 'id')\n\ndef clause(value):\n    return f\"name = '{value}'\"\n\ndef view(request):\n    q = request.GET['q']\n    db.execute(f'SELECT 1 FROM t WHERE {clause(q)} ORDER BY {order(q)}')\n    later(q)\n\ndef later(value):\n    pass\n",
        );
        let shape = first_shape(call(&model, "db.execute"));
        assert_eq!(
            origins(shape),
            vec![OriginKind::Input, OriginKind::Constant]
        );
        assert!(shape.literal_text().contains("name = '"));
        // Calls name their targets, also functions declared further down.
        let later = call(&model, "later");
        let target = later.target.expect("a target");
        assert_eq!(model.function(target.function).name, "later");
    }

    #[test]
    fn allow_list_checks_admit_constants_only() {
        let model = model(
            "ALLOWED = {'png', 'jpg'}\n\ndef f(fmt, other):\n    if fmt not in ALLOWED:\n        abort(400)\n    if other in ALLOWED:\n        pass\n    run(f'convert {fmt} {other}')\n",
        );
        assert_eq!(
            origins(first_shape(call(&model, "run"))),
            vec![OriginKind::Constant, OriginKind::Param]
        );
    }

    #[test]
    fn appended_clauses_are_joined_into_one_shape() {
        let model = model(
            "def f(value):\n    clauses = ['a IS NULL']\n    clauses.append(f\"b = '{value}'\")\n    db.execute('SELECT 1 FROM t WHERE ' + ' AND '.join(clauses))\n",
        );
        let shape = first_shape(call(&model, "db.execute"));
        assert_eq!(
            shape.literal_text(),
            "SELECT 1 FROM t WHERE a IS NULL AND b = ''"
        );
        assert_eq!(origins(shape), vec![OriginKind::Param]);
    }

    #[test]
    fn what_a_file_holds_is_not_its_name() {
        let model = model(
            "def f(path):\n    with open(path) as handle:\n        code = handle.read()\n    run(f'x {code}')\n",
        );
        assert_eq!(
            origins(first_shape(call(&model, "run"))),
            vec![OriginKind::Unknown]
        );
    }
}
