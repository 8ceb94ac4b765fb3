//! What every front end shares while it lowers a tree: the model under
//! construction, the stacks of enclosing functions and loops, the scopes that
//! bind names to what is known of them, and the algebra of string shapes.
//!
//! Front ends walk their tree once, in source order. Names are bound as their
//! assignments are met, so a use sees the latest assignment before it (over
//! every branch: the last one written wins, `+=` appends). That is flow-blind
//! but linear, and it is what "simple local origins" means in DESIGN.md.

use std::collections::HashMap;

use crate::model::{
    Arm, Assignment, AssignmentKind, Call, CallPath, FileModel, Function, FunctionId, Handler,
    Hole, Loop, LoopId, LoopKind, NameRead, NameScope, Origin, Param, Part, Span, StrShape, Value,
};

/// A string shape stops growing past this many parts; the rest becomes one
/// unknown hole. Keeps `+=` in long generated code linear.
const MAX_PARTS: usize = 256;
/// Literal text kept per shape.
const MAX_LITERAL_BYTES: usize = 64 * 1024;
/// Deeper syntax than this is skipped (and reported), so that no input can
/// overflow the stack of a worker thread.
pub(crate) const MAX_DEPTH: usize = 500;

/// What a name is bound to.
#[derive(Debug, Clone)]
pub(crate) enum Binding {
    /// An import: the module path it stands for (`psycopg2`, `pg.Pool`).
    Import(String),
    /// A local or module-level assignment.
    Value(Eval),
}

/// What the lowering knows of an expression's value.
#[derive(Debug, Clone)]
pub(crate) struct Eval {
    pub value: Value,
    /// Where the value comes from, when it is spliced into a string.
    pub origin: Origin,
    /// The expression that defined it, when it came through a variable.
    pub defined_at: Option<Span>,
}

impl Eval {
    pub fn unknown() -> Eval {
        Eval {
            value: Value::Unknown,
            origin: Origin::Unknown,
            defined_at: None,
        }
    }

    pub fn number() -> Eval {
        Eval {
            value: Value::Number,
            origin: Origin::Numeric,
            defined_at: None,
        }
    }

    pub fn literal() -> Eval {
        Eval {
            value: Value::Literal,
            origin: Origin::Constant,
            defined_at: None,
        }
    }

    pub fn with_origin(value: Value, origin: Origin) -> Eval {
        Eval {
            value,
            origin,
            defined_at: None,
        }
    }

    pub fn string(span: Span, text: impl Into<String>) -> Eval {
        Eval::with_origin(Value::Str(StrShape::literal(span, text)), Origin::Constant)
    }

    /// A value whose text is not known but whose origin is, with the path it
    /// was reached by.
    pub fn path(path: CallPath, origin: Origin) -> Eval {
        Eval::with_origin(Value::Path(path), origin)
    }

    pub fn call_path(&self) -> Option<&CallPath> {
        match &self.value {
            Value::Path(path) => Some(path),
            _ => None,
        }
    }
}

/// The worse of two origins, for a value that may come from either.
pub(crate) fn worse(left: Origin, right: Origin) -> Origin {
    fn rank(origin: Origin) -> u8 {
        match origin {
            Origin::Constant => 0,
            Origin::Numeric => 1,
            Origin::Unknown => 2,
            Origin::Loop => 3,
            Origin::Param => 4,
            Origin::Input => 5,
        }
    }
    if rank(left) >= rank(right) {
        left
    } else {
        right
    }
}

/// The origin of a string from its holes.
pub(crate) fn shape_origin(shape: &StrShape) -> Origin {
    shape
        .holes()
        .fold(Origin::Constant, |acc, hole| worse(acc, hole.origin))
}

/// Names written in SCREAMING_CASE are constants by the convention of all our
/// languages (Python module constants, JS `const` tables, Rust `const`).
pub(crate) fn looks_constant(name: &str) -> bool {
    let mut letters = 0;
    for character in name.chars() {
        if character.is_ascii_lowercase() {
            return false;
        }
        if character.is_ascii_uppercase() {
            letters += 1;
        }
    }
    letters >= 2
}

/// Where an assignment happened: the arms of the conditionals around it,
/// outermost first, as (conditional, arm).
type BranchPath = Vec<(u32, u32)>;

/// The origin of `receiver.name`: data read from a tainted value stays
/// tainted whatever the attribute is called (Django's `request.GET`); of
/// anything else, a SCREAMING_CASE attribute is a constant.
pub(crate) fn member_origin(receiver: Origin, name: &str) -> Origin {
    match receiver {
        Origin::Input | Origin::Param | Origin::Loop => receiver,
        _ if looks_constant(name) => Origin::Constant,
        _ => receiver,
    }
}

/// The origin of what an unknown function returns: taint in its arguments
/// passes through (`first(req.query.q)`), as taint engines assume by default;
/// otherwise unknown. Known sanitizers are told apart later by the call path.
pub(crate) fn argument_origin(arguments: impl IntoIterator<Item = Origin>) -> Origin {
    arguments
        .into_iter()
        .filter(|origin| matches!(origin, Origin::Input | Origin::Param | Origin::Loop))
        .fold(Origin::Unknown, worse)
}

#[derive(Debug, Default)]
struct Scope {
    bindings: HashMap<String, Binding>,
    /// The branch path of each name's last assignment.
    assigned_in: HashMap<String, BranchPath>,
}

/// Most alternatives a `OneOf` keeps; more arms than that are rare and keeping
/// them all would let a long `if`/`elif` chain grow without bound.
const MAX_ALTERNATIVES: usize = 8;
/// The arm recorded for a value merged from several arms of one conditional.
const SEVERAL_ARMS: u32 = u32::MAX;

/// The model under construction and the context of the walk.
pub(crate) struct Lowering<'src> {
    pub source: &'src str,
    pub model: FileModel,
    /// `scopes[0]` is the module; one more per function being lowered.
    scopes: Vec<Scope>,
    functions: Vec<FunctionId>,
    loops: Vec<LoopId>,
    /// The conditional arms the walk is in.
    branches: BranchPath,
    next_conditional: u32,
}

impl<'src> Lowering<'src> {
    pub fn new(source: &'src str) -> Lowering<'src> {
        Lowering {
            source,
            model: FileModel::default(),
            scopes: vec![Scope::default()],
            functions: Vec::new(),
            loops: Vec::new(),
            branches: Vec::new(),
            next_conditional: 0,
        }
    }

    pub fn finish(mut self) -> FileModel {
        self.model
            .calls
            .sort_by_key(|call| (call.span.start, call.span.end));
        // The walk visits some things out of source order (a comprehension's
        // iterable before its body); rules search these by position.
        self.model.name_reads.sort_by_key(|read| read.span.start);
        self.model
            .assignments
            .sort_by_key(|assignment| assignment.target.start);
        self.model.arms.sort_by_key(|arm| arm.span.start);
        self.model
    }

    // ----- functions and loops -------------------------------------------------

    pub fn current_function(&self) -> Option<FunctionId> {
        self.functions.last().copied()
    }

    pub fn current_loop(&self) -> Option<LoopId> {
        self.loops.last().copied()
    }

    pub fn in_function(&self) -> bool {
        !self.functions.is_empty()
    }

    /// Enters a function: a new scope, in which its parameters are bound.
    pub fn begin_function(&mut self, function: FunctionSpec) -> FunctionId {
        let id = FunctionId(self.model.functions.len() as u32);
        let parent = self.current_function();
        let mut scope = Scope::default();
        for param in &function.params {
            // A number cannot carry SQL or a shell command, even from a request.
            let origin = if param
                .param
                .annotation
                .as_deref()
                .is_some_and(is_numeric_annotation)
            {
                Origin::Numeric
            } else if param.param.is_request_input {
                Origin::Input
            } else {
                Origin::Param
            };
            let value = match &param.annotation_path {
                Some(path) => Value::Path(path.clone()),
                None => Value::Unknown,
            };
            scope.bindings.insert(
                param.param.name.clone(),
                Binding::Value(Eval {
                    value,
                    origin,
                    defined_at: Some(param.param.span),
                }),
            );
        }
        self.model.functions.push(Function {
            name: function.name,
            span: function.span,
            name_span: function.name_span,
            is_async: function.is_async,
            handler: function.handler,
            params: function.params.into_iter().map(|each| each.param).collect(),
            parent,
        });
        self.scopes.push(scope);
        self.functions.push(id);
        id
    }

    pub fn end_function(&mut self) {
        self.functions.pop();
        if self.scopes.len() > 1 {
            self.scopes.pop();
        }
    }

    /// Marks a function a request handler after the fact (a registration such as
    /// `app.get('/x', handler)` met after the definition).
    // Used by the Rust front end, which has not landed yet.
    #[allow(dead_code)]
    pub fn mark_handler(&mut self, id: FunctionId, handler: Handler) {
        let function = &mut self.model.functions[id.0 as usize];
        if function.handler.is_none() {
            function.handler = Some(handler);
        }
    }

    /// Enters a loop; its bindings are bound with a loop origin.
    pub fn begin_loop(&mut self, spec: LoopSpec) -> LoopId {
        let id = LoopId(self.model.loops.len() as u32);
        let iterable_path = match &spec.iterable_value {
            Some(Value::Path(path)) if !path.text.is_empty() => Some(path.clone()),
            _ => None,
        };
        // Written out in the loop (not a typed parameter such as `&[i64]`,
        // which is a sequence of numbers of unknown length).
        let written_out = spec.iterable.as_deref().is_some_and(|text| {
            ["[", "(", "&[", "vec![", "{"]
                .iter()
                .any(|open| text.trim_start().starts_with(open))
                && !text.contains(" for ")
        });
        let over_literal = match &spec.iterable_value {
            Some(Value::Sequence(items)) => written_out && !items.is_empty(),
            _ => false,
        };
        // One name per element: it stands for an element of the iterable.
        let element = match (&iterable_path, spec.bindings.as_slice()) {
            (Some(path), [_]) => Value::Path(CallPath {
                text: format!("{}.[]", path.text),
                resolved: path.resolved,
            }),
            _ => Value::Unknown,
        };
        for name in &spec.bindings {
            self.bind(
                name,
                Eval {
                    value: element.clone(),
                    origin: Origin::Loop,
                    defined_at: Some(spec.header),
                },
            );
        }
        self.model.loops.push(Loop {
            kind: spec.kind,
            span: spec.span,
            header: spec.header,
            bindings: spec.bindings,
            iterable: spec.iterable,
            iterable_path,
            over_literal,
            is_async: spec.is_async,
            function: self.current_function(),
            parent: self.current_loop(),
        });
        self.loops.push(id);
        id
    }

    pub fn end_loop(&mut self) {
        self.loops.pop();
    }

    /// Records an attribute read whose path goes through a loop element.
    pub fn push_element_read(&mut self, span: Span, path: &CallPath) {
        if self.current_loop().is_none() || !path.text.contains(".[].") {
            return;
        }
        self.model.element_reads.push(crate::model::ElementRead {
            span,
            path: path.clone(),
            function: self.current_function(),
            innermost_loop: self.current_loop(),
        });
    }

    /// Records an `async` block.
    pub fn push_async_block(&mut self, span: Span) {
        self.model.async_blocks.push(span);
    }

    /// Records an ORM model class.
    pub fn push_orm_model(&mut self, model: crate::model::OrmModel) {
        self.model.orm_models.push(model);
    }

    /// Records a call made at the current point of the walk.
    pub fn push_call(&mut self, call: CallSpec) {
        self.model.calls.push(Call {
            span: call.span,
            callee_span: call.callee_span,
            path: call.path,
            args: call.args,
            function: self.current_function(),
            innermost_loop: self.current_loop(),
            awaited: call.awaited,
            tagged_template: call.tagged_template,
            is_macro: call.is_macro,
            is_new: call.is_new,
        });
    }

    pub fn syntax_error(&mut self, span: Span) {
        // Adjacent error nodes of one broken region are reported once.
        if let Some(last) = self.model.syntax_errors.last_mut() {
            if last.contains(span) {
                return;
            }
        }
        self.model.syntax_errors.push(span);
    }

    // ----- names ---------------------------------------------------------------

    /// Records that the walk read `name` as a value at `span`, and where the
    /// name is bound there.
    pub fn note_read(&mut self, name: &str, span: Span) {
        let found = self
            .scopes
            .iter()
            .enumerate()
            .rev()
            .find_map(|(depth, scope)| Some((depth, scope.bindings.get(name)?)));
        let scope = match found {
            Some((_, Binding::Import(path))) => NameScope::Import(path.clone()),
            Some((0, Binding::Value(_))) => NameScope::Module,
            Some(_) => NameScope::Local,
            None => NameScope::Global,
        };
        self.model.name_reads.push(NameRead {
            span,
            scope,
            function: self.current_function(),
        });
    }

    /// Records that `target` (a name) gets a value from `value` here.
    pub fn note_assignment(&mut self, target: Span, value: Option<Span>, kind: AssignmentKind) {
        self.model.assignments.push(Assignment {
            target,
            value,
            kind,
            function: self.current_function(),
        });
    }

    /// Binds `name` in the innermost scope (a declaration).
    pub fn bind(&mut self, name: &str, eval: Eval) {
        if let Some(scope) = self.scopes.last_mut() {
            scope
                .bindings
                .insert(name.to_string(), Binding::Value(eval));
            if !self.branches.is_empty() || scope.assigned_in.contains_key(name) {
                scope
                    .assigned_in
                    .insert(name.to_string(), self.branches.clone());
            }
        }
    }

    // ----- conditionals ----------------------------------------------------------

    /// Starts a conditional (`if`/`else`, `match`, `switch`); its arms are
    /// entered with `enter_arm` and left with `exit_arm`.
    pub fn begin_conditional(&mut self) -> u32 {
        self.next_conditional += 1;
        self.next_conditional
    }

    /// Enters arm `arm` of `conditional`, written at `span`; `exits` when the
    /// arm ends by leaving (`return`, `raise`, `throw`, `break`, `continue`).
    pub fn enter_arm(&mut self, conditional: u32, arm: u32, span: Span, exits: bool) {
        self.branches.push((conditional, arm));
        self.model.arms.push(Arm {
            conditional,
            span,
            exits,
        });
    }

    /// Records an arm of `conditional` that the walk does not treat as a
    /// branch for values: a `try` body and its handlers (a handler runs
    /// after part of the body, so a variable keeps its latest value).
    pub fn record_arm(&mut self, conditional: u32, span: Span, exits: bool) {
        self.model.arms.push(Arm {
            conditional,
            span,
            exits,
        });
    }

    pub fn exit_arm(&mut self) {
        self.branches.pop();
    }

    /// `name = value` on a name already bound: where the earlier value was
    /// assigned in another arm of the same conditional, the variable holds one
    /// or the other afterwards, and both are kept; otherwise the new value
    /// replaces the old, where the name is bound.
    pub fn reassign(&mut self, name: &str, eval: Eval) {
        let current = self.branches.clone();
        let Some(scope) = self
            .scopes
            .iter_mut()
            .rev()
            .find(|scope| scope.bindings.contains_key(name))
        else {
            self.bind(name, eval);
            return;
        };
        let previous = scope.assigned_in.get(name).cloned().unwrap_or_default();
        let shared = previous
            .iter()
            .zip(&current)
            .take_while(|(a, b)| a == b)
            .count();
        let exclusive = matches!(
            (previous.get(shared), current.get(shared)),
            (Some((before, arm_before)), Some((now, arm_now))) if before == now && arm_before != arm_now
        );
        let merged = match (exclusive, scope.bindings.remove(name)) {
            (true, Some(Binding::Value(old))) => one_of(old, eval.clone()).unwrap_or(eval),
            _ => eval,
        };
        // After a merge the value belongs to the conditional as a whole: any
        // other arm of it is still exclusive with what is kept.
        let path = if exclusive {
            let mut path = current[..shared].to_vec();
            path.push((current[shared].0, SEVERAL_ARMS));
            path
        } else {
            current
        };
        scope
            .bindings
            .insert(name.to_string(), Binding::Value(merged));
        scope.assigned_in.insert(name.to_string(), path);
    }

    /// Binds `name` in the module scope (imports, and module-level constants
    /// collected before the walk so that functions see them wherever they are).
    pub fn bind_module(&mut self, name: &str, binding: Binding) {
        self.scopes[0].bindings.insert(name.to_string(), binding);
    }

    pub fn bind_import(&mut self, name: &str, module_path: String) {
        if let Some(scope) = self.scopes.last_mut() {
            scope
                .bindings
                .insert(name.to_string(), Binding::Import(module_path));
        }
    }

    /// Rewrites the value bound to `name` where it is bound (the innermost
    /// scope that binds it), without copying it: an assignment inside a
    /// closure (`xs.forEach(x => { sql += … })`) updates the enclosing
    /// function's variable, which `take` then `bind` would shadow in the
    /// closure's scope. False, and `update` not called, when `name` is not
    /// bound to a value.
    pub fn update(&mut self, name: &str, update: impl FnOnce(Eval) -> Eval) -> bool {
        for scope in self.scopes.iter_mut().rev() {
            if let Some(binding) = scope.bindings.get_mut(name) {
                let Binding::Value(eval) = binding else {
                    return false;
                };
                let taken = std::mem::replace(eval, Eval::unknown());
                *eval = update(taken);
                return true;
            }
        }
        false
    }

    pub fn lookup(&self, name: &str) -> Option<&Binding> {
        self.scopes
            .iter()
            .rev()
            .find_map(|scope| scope.bindings.get(name))
    }

    /// The evaluation of a plain name: its binding, or an unknown local.
    pub fn eval_name(&self, name: &str, span: Span) -> Eval {
        match self.lookup(name) {
            Some(Binding::Import(path)) => Eval {
                value: Value::Path(CallPath {
                    text: path.clone(),
                    resolved: true,
                }),
                origin: if looks_constant(name) {
                    Origin::Constant
                } else {
                    Origin::Unknown
                },
                defined_at: None,
            },
            Some(Binding::Value(eval)) => {
                let mut eval = eval.clone();
                if let Value::Str(shape) = &mut eval.value {
                    // The string is used here; its definition stays reachable.
                    eval.defined_at = eval.defined_at.or(Some(shape.span));
                }
                eval
            }
            None => Eval {
                value: Value::Path(CallPath {
                    text: name.to_string(),
                    resolved: false,
                }),
                origin: if looks_constant(name) {
                    Origin::Constant
                } else {
                    Origin::Unknown
                },
                defined_at: Some(span),
            },
        }
    }

    /// The call path of a name, for a callee or receiver.
    pub fn name_path(&self, name: &str) -> CallPath {
        match self.lookup(name) {
            Some(Binding::Import(path)) => CallPath {
                text: path.clone(),
                resolved: true,
            },
            Some(Binding::Value(Eval {
                value: Value::Path(path),
                ..
            })) => path.clone(),
            _ => CallPath {
                text: name.to_string(),
                resolved: false,
            },
        }
    }
}

/// Numeric type names across our languages: a parameter declared with one of
/// them cannot carry SQL or a shell command.
pub(crate) fn is_numeric_annotation(annotation: &str) -> bool {
    let trimmed = annotation
        .trim()
        .trim_start_matches('&')
        .trim_start_matches("Optional[")
        .trim_end_matches(']');
    matches!(
        trimmed,
        "int"
            | "float"
            | "bool"
            | "Decimal"
            | "number"
            | "boolean"
            | "bigint"
            | "i8"
            | "i16"
            | "i32"
            | "i64"
            | "i128"
            | "isize"
            | "u8"
            | "u16"
            | "u32"
            | "u64"
            | "u128"
            | "usize"
            | "f32"
            | "f64"
            | "Uuid"
            | "uuid.UUID"
            | "UUID"
    ) || trimmed.starts_with("Path<i")
        || trimmed.starts_with("Path<u")
}

/// A function as a front end describes it on entry.
pub(crate) struct FunctionSpec {
    pub name: String,
    pub span: Span,
    pub name_span: Span,
    pub is_async: bool,
    pub handler: Option<Handler>,
    pub params: Vec<ParamSpec>,
}

pub(crate) struct ParamSpec {
    pub param: Param,
    /// The declared type resolved as an instance path (`pg.Pool()`), so that
    /// `pool.query` through a typed parameter resolves.
    pub annotation_path: Option<CallPath>,
}

pub(crate) struct LoopSpec {
    pub kind: LoopKind,
    pub span: Span,
    pub header: Span,
    pub bindings: Vec<String>,
    pub iterable: Option<String>,
    /// What the iterable evaluated to, when the front end evaluated it.
    pub iterable_value: Option<Value>,
    pub is_async: bool,
}

pub(crate) struct CallSpec {
    pub span: Span,
    pub callee_span: Span,
    pub path: CallPath,
    pub args: Vec<crate::model::Arg>,
    pub awaited: bool,
    pub tagged_template: bool,
    pub is_macro: bool,
    pub is_new: bool,
}

// ----- string shapes -------------------------------------------------------------

/// Builds a string shape part by part, merging adjacent literals and inlining
/// spliced strings, so `"a" + f"b{x}" + CONST` is one template.
pub(crate) struct ShapeBuilder {
    span: Span,
    parts: Vec<Part>,
    literal_bytes: usize,
}

impl ShapeBuilder {
    pub fn new(span: Span) -> ShapeBuilder {
        ShapeBuilder {
            span,
            parts: Vec::new(),
            literal_bytes: 0,
        }
    }

    /// Continues an existing shape, reusing its parts.
    pub fn from_shape(shape: StrShape) -> ShapeBuilder {
        let literal_bytes = shape
            .parts
            .iter()
            .map(|part| match part {
                Part::Lit(literal) => literal.len(),
                Part::Hole(_) => 0,
            })
            .sum();
        ShapeBuilder {
            span: shape.span,
            parts: shape.parts,
            literal_bytes,
        }
    }

    pub fn push_literal(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        self.literal_bytes += text.len();
        if self.literal_bytes > MAX_LITERAL_BYTES {
            return;
        }
        if let Some(Part::Lit(last)) = self.parts.last_mut() {
            last.push_str(text);
            return;
        }
        if self.parts.len() < MAX_PARTS {
            self.parts.push(Part::Lit(text.to_string()));
        }
    }

    pub fn push_hole(&mut self, hole: Hole) {
        if self.parts.len() < MAX_PARTS {
            self.parts.push(Part::Hole(hole));
        }
    }

    /// Splices an evaluated expression: a known string is inlined, a constant
    /// with no known text becomes a constant hole, anything else a hole with
    /// the value's origin. `span` and `text` are the spliced expression's.
    pub fn splice(&mut self, eval: Eval, span: Span, text: &str) {
        match eval.value {
            Value::Str(shape) => {
                for part in shape.parts {
                    match part {
                        Part::Lit(literal) => self.push_literal(&literal),
                        Part::Hole(hole) => self.push_hole(hole),
                    }
                }
            }
            // Clean alternatives (`asc ? 'ASC' : 'DESC'`) read as the first one,
            // so the text around them still parses; otherwise one hole.
            Value::OneOf(values)
                if eval.origin.is_clean()
                    && values
                        .first()
                        .is_some_and(|first| matches!(first, Value::Str(_))) =>
            {
                if let Some(Value::Str(shape)) = values.into_iter().next() {
                    for part in shape.parts {
                        match part {
                            Part::Lit(literal) => self.push_literal(&literal),
                            Part::Hole(hole) => self.push_hole(hole),
                        }
                    }
                }
            }
            Value::Number if is_plain_number(text) => self.push_literal(text),
            value => {
                let path = match value {
                    Value::Path(path) => Some(path),
                    _ => None,
                };
                self.push_hole(Hole {
                    span,
                    text: text.trim().to_string(),
                    origin: eval.origin,
                    path,
                    defined_at: eval.defined_at,
                })
            }
        }
    }

    pub fn finish(self) -> StrShape {
        StrShape {
            span: self.span,
            parts: self.parts,
        }
    }

    pub fn into_eval(self) -> Eval {
        let shape = self.finish();
        let origin = shape_origin(&shape);
        Eval::with_origin(Value::Str(shape), origin)
    }
}

fn is_plain_number(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|character| character.is_ascii_digit() || character == '.')
}

/// `left + right` where either side is a string: one shape over both spans.
pub(crate) fn concat(
    left: Eval,
    left_span: Span,
    left_text: &str,
    right: Eval,
    right_span: Span,
    right_text: &str,
    span: Span,
) -> Eval {
    let mut builder = ShapeBuilder::new(span);
    builder.splice(left, left_span, left_text);
    builder.splice(right, right_span, right_text);
    builder.into_eval()
}

/// `target += value` on a string variable: the shape grows in place (no copy
/// of what it holds, so a long run of `+=` stays linear); the span stays the
/// first definition's, where the reader sees the SQL begin.
pub(crate) fn append(existing: Eval, value: Eval, value_span: Span, value_text: &str) -> Eval {
    let defined_at = existing.defined_at;
    match existing.value {
        Value::Str(shape) => {
            let mut builder = ShapeBuilder::from_shape(shape);
            builder.splice(value, value_span, value_text);
            let mut eval = builder.into_eval();
            eval.defined_at = defined_at;
            eval
        }
        _ => Eval {
            value: Value::Unknown,
            origin: worse(existing.origin, value.origin),
            defined_at,
        },
    }
}

/// `sep.join(items)` / `items.join(sep)`: constant when the separator and every
/// item are constant (placeholder lists such as `", ".join(["%s"] * len(ids))`),
/// otherwise a hole as bad as the worst item.
pub(crate) fn join_origin(separator: &Eval, items: &Eval) -> Origin {
    worse(separator.origin, items.origin)
}

/// The origin of a sequence literal from its items.
pub(crate) fn sequence_origin(items: &[Eval]) -> Origin {
    items
        .iter()
        .fold(Origin::Constant, |acc, item| worse(acc, item.origin))
}

/// A value that is one of two (the arms of a conditional), when at least one
/// may be a string: both are kept, so a rule sees every SQL text a variable can
/// hold. `None` when neither is a string (the caller picks its own merge).
pub(crate) fn one_of(first: Eval, second: Eval) -> Option<Eval> {
    fn has_strings(value: &Value) -> bool {
        value.strings().next().is_some()
    }
    if !has_strings(&first.value) && !has_strings(&second.value) {
        return None;
    }
    let origin = worse(first.origin, second.origin);
    let defined_at = first.defined_at.or(second.defined_at);
    let mut alternatives = Vec::new();
    for value in [first.value, second.value] {
        match value {
            Value::OneOf(values) => alternatives.extend(values),
            value => alternatives.push(value),
        }
    }
    alternatives.dedup();
    alternatives.truncate(MAX_ALTERNATIVES);
    Some(Eval {
        value: Value::OneOf(alternatives),
        origin,
        defined_at,
    })
}

/// A piece of a `{}` template.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum BracePiece {
    Text(String),
    Field { name: String, spec: String },
}

/// Splits a `{}` template, the syntax Python's `str.format` and Rust's
/// `format!` share: `{}`, `{0}`, `{name}`, `{:?}`, `{name:>8}`,
/// `{{`, `}}`.
pub(crate) fn brace_pieces(template: &str) -> Vec<BracePiece> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut characters = template.chars().peekable();
    while let Some(character) = characters.next() {
        match character {
            '{' if characters.peek() == Some(&'{') => {
                characters.next();
                text.push('{');
            }
            '}' if characters.peek() == Some(&'}') => {
                characters.next();
                text.push('}');
            }
            '{' => {
                let mut field = String::new();
                for next in characters.by_ref() {
                    if next == '}' {
                        break;
                    }
                    field.push(next);
                }
                let (name, spec) = field.split_once(':').unwrap_or((field.as_str(), ""));
                if !text.is_empty() {
                    pieces.push(BracePiece::Text(std::mem::take(&mut text)));
                }
                pieces.push(BracePiece::Field {
                    name: name.trim().to_string(),
                    spec: spec.to_string(),
                });
            }
            _ => text.push(character),
        }
    }
    if !text.is_empty() {
        pieces.push(BracePiece::Text(text));
    }
    pieces
}
