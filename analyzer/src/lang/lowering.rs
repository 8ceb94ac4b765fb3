//! What every front end shares while it lowers a tree: the model under
//! construction, the stacks of enclosing functions and loops, the scopes that
//! bind names to what is known of them, and the algebra of string shapes.
//!
//! Front ends walk their tree once, in source order. Names are bound as their
//! assignments are met, so a use sees the latest assignment before it (over
//! every branch: the last one written wins, `+=` appends). That is flow-blind
//! but linear, and it is what "simple local origins" means in DESIGN.md.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::cell::{RefCell, RefMut};
use std::ops::Range;

use tree_sitter::Node;

use super::reuse::{
    Bases, Counts, FunctionFacts, LoweringMemo, OldEntries, Plan, Reads, Registration, Segment,
    Statement,
};
use crate::model::{
    Arm, Assignment, AssignmentKind, Call, CallPath, CallTarget, FileModel, Function, FunctionId,
    Handler, Hole, Loop, LoopId, LoopKind, NameRead, NameScope, Origin, Param, Params, Part, Span,
    StrShape, Value,
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
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Binding {
    /// An import: the module path it stands for (`psycopg2`, `pg.Pool`).
    Import(String),
    /// A local or module-level assignment.
    Value(Eval),
}

/// What the lowering knows of an expression's value.
#[derive(Debug, Clone, PartialEq)]
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
            value: Value::Number(None),
            origin: Origin::Numeric,
            defined_at: None,
        }
    }

    /// A numeric literal as written (`6_000`, `0x10`, `30u64`): its integer
    /// when it is one.
    pub fn numeral(text: &str) -> Eval {
        Eval {
            value: Value::Number(integer_value(text)),
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

    pub fn boolean(value: bool) -> Eval {
        Eval {
            value: Value::Bool(value),
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

/// The integer a numeric literal writes, in any of our languages' notations:
/// digit separators, `0x`/`0o`/`0b` prefixes, Rust type suffixes and
/// JavaScript's BigInt `n`. `None` for floats and anything else.
pub(crate) fn integer_value(text: &str) -> Option<i64> {
    let digits: String = text.trim().chars().filter(|c| *c != '_').collect();
    let lower = digits.to_ascii_lowercase();
    let (radix, body) = match lower.get(..2) {
        Some("0x") => (16, &lower[2..]),
        Some("0o") => (8, &lower[2..]),
        Some("0b") => (2, &lower[2..]),
        _ => (10, lower.as_str()),
    };
    let body = body.strip_suffix('n').unwrap_or(body);
    // A hexadecimal body's letters are digits, not a suffix.
    let body = if radix == 16 {
        body
    } else {
        [
            "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize",
        ]
        .iter()
        .find_map(|suffix| body.strip_suffix(suffix))
        .unwrap_or(body)
    };
    if body.is_empty() {
        return None;
    }
    i64::from_str_radix(body, radix).ok()
}

/// Where the object read through a chain of member reads was made
/// (`api` of `api.defaults.timeout`): the first of `node`, `inner(node)`, …
/// that `site` knows.
pub(crate) fn site_through<'t>(
    node: Node<'t>,
    site: impl Fn(Node<'t>) -> Option<Span>,
    inner: impl Fn(Node<'t>) -> Option<Node<'t>>,
) -> Option<Span> {
    let mut current = node;
    for _ in 0..MAX_DEPTH {
        if let Some(found) = site(current) {
            return Some(found);
        }
        current = inner(current)?;
    }
    None
}

/// The worse of two origins, for a value that may come from either: the one
/// an attacker controls more; two parameter origins merge their positions.
pub(crate) fn worse(left: Origin, right: Origin) -> Origin {
    fn rank(origin: Origin) -> u8 {
        match origin {
            Origin::Constant => 0,
            Origin::Numeric => 1,
            Origin::Unknown => 2,
            Origin::Remote(_) => 3,
            Origin::Loop => 4,
            Origin::Param(..) => 5,
            Origin::Input(_) => 6,
        }
    }
    if let (Origin::Param(function, left), Origin::Param(other, right)) = (left, right) {
        if function == other {
            return Origin::Param(function, left.union(right));
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

/// The origin of `receiver.name`: data read from a tainted value stays
/// tainted whatever the attribute is called (Django's `request.GET`); of
/// anything else, a SCREAMING_CASE attribute is a constant.
pub(crate) fn member_origin(receiver: Origin, name: &str) -> Origin {
    match receiver {
        Origin::Input(_) | Origin::Param(..) | Origin::Loop | Origin::Remote(_) => receiver,
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
        .filter(|origin| origin.is_tainted() || matches!(origin, Origin::Remote(_)))
        .fold(Origin::Unknown, worse)
}

#[derive(Debug, Default)]
struct Scope {
    bindings: HashMap<String, Binding>,
    /// Expressions admitted by an allow-list check.
    admitted: Vec<String>,
}

/// A conditional being lowered: what its arms assign, so that afterwards a
/// variable holds what any arm left in it (or its earlier value, when some
/// path assigns nothing).
#[derive(Debug)]
struct OpenConditional {
    /// The scope it is in: assignments in closures inside it are not its.
    scope: usize,
    /// Names an arm assigned, in order, with their value before the
    /// conditional (`None`: unbound before, as a Python name first assigned
    /// in an arm).
    before: Vec<(String, Option<Binding>)>,
    /// The names in `before`.
    tracked: HashSet<String>,
    /// What each such name held at the end of each arm that assigned it.
    arm_values: HashMap<String, Vec<Eval>>,
    /// Names assigned in the arm being lowered, in order and as a set.
    in_arm: Vec<String>,
    in_arm_set: HashSet<String>,
    arms: u32,
}

/// Most alternatives a `OneOf` keeps; more arms than that are rare and keeping
/// them all would let a long `if`/`elif` chain grow without bound.
const MAX_ALTERNATIVES: usize = 8;

/// Which call paths carry untrusted data: the engine's answer from the
/// catalogs' `[[source]]` entries (front ends know no catalog, only this).
pub type SourceOracle<'a> = &'a (dyn Fn(&CallPath) -> Option<SourceKind> + Sync);

/// What a source yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// Request input, the environment, the command line, standard input.
    Input,
    /// Data read from the network: a response body, a shared cache.
    Remote,
}

/// How a call names a function that may be defined in the same file.
#[derive(Debug, Clone)]
pub(crate) enum CalleeRef {
    /// `helper(…)`.
    Plain(String),
    /// `self.helper(…)`, `this.helper(…)`, `Self::helper(…)`: a method of
    /// the caller's own class or impl.
    OwnMethod(String),
    /// `Repo::find(…)`, `this.repo.find(…)` with `repo: Repo`: a method of a
    /// named type.
    Method { owner: String, name: String },
}

/// The model under construction and the context of the walk.
pub(crate) struct Lowering<'src> {
    pub source: &'src str,
    pub model: FileModel,
    /// `scopes[0]` is the module; one more per function being lowered.
    scopes: Vec<Scope>,
    functions: Vec<FunctionId>,
    loops: Vec<LoopId>,
    /// The conditionals the walk is in, innermost last.
    conditionals: Vec<OpenConditional>,
    /// The id the last conditional got.
    next_conditional: u32,
    sources: Option<SourceOracle<'src>>,
    /// The oracle's answers, by path text.
    source_cache: HashMap<String, Option<SourceKind>>,
    /// Per function being lowered: the values it returns, merged.
    returns: Vec<Option<Eval>>,
    /// Per function lowered, by id: what it returns (its summary), its class
    /// or impl, and whether its parameter 0 is the receiver (`self`).
    summaries: Vec<Option<Eval>>,
    owners: Vec<Option<String>>,
    /// Functions callable by a plain name, and methods by (owner, name).
    by_name: HashMap<String, Vec<FunctionId>>,
    methods: HashMap<(String, String), FunctionId>,
    /// Calls that may name a function of the file, resolved at the end, when
    /// every function is known: (index in `model.calls`, callee, the
    /// caller's owner).
    pending_targets: Vec<(usize, CalleeRef, Option<String>)>,
    /// Set when the lowering is kept for the next one of the same document.
    recorder: Option<Box<Recorder>>,
}

/// What a kept lowering records, top-level statement by statement (see
/// `reuse.rs`), and what it may reuse of the last one.
struct Recorder {
    plan: Option<Plan>,
    /// The last lowering's statements, and its model's entries.
    old_segments: Vec<Segment>,
    old_entries: Option<OldEntries>,
    segments: Vec<Segment>,
    /// The statement being lowered. In a cell: lookups, which take the
    /// lowering by shared reference, record what they read.
    open: RefCell<Option<OpenSegment>>,
    /// A statement began or ended away from the top level: nothing is kept.
    broken: bool,
    /// How many statements were reused.
    reused: usize,
}

struct OpenSegment {
    range: Range<usize>,
    kind: u16,
    has_error: bool,
    starts: Counts,
    /// Where the registry and the syntax errors stood when it began.
    pending: usize,
    syntax_errors: usize,
    conditional: u32,
    reads: Reads,
    seen_names: HashSet<String>,
    seen_admitted: bool,
    seen_by_name: HashSet<String>,
    seen_methods: HashSet<(String, String)>,
    seen_functions: HashSet<FunctionId>,
    registrations: Vec<Registration>,
}

impl<'src> Lowering<'src> {
    pub fn new(source: &'src str, sources: Option<SourceOracle<'src>>) -> Lowering<'src> {
        Lowering {
            source,
            model: FileModel::default(),
            scopes: vec![Scope::default()],
            functions: Vec::new(),
            loops: Vec::new(),
            conditionals: Vec::new(),
            next_conditional: 0,
            sources,
            source_cache: HashMap::new(),
            returns: Vec::new(),
            summaries: Vec::new(),
            owners: Vec::new(),
            by_name: HashMap::new(),
            methods: HashMap::new(),
            pending_targets: Vec::new(),
            recorder: None,
        }
    }

    // ----- kept lowerings (see `reuse.rs`) -------------------------------------------

    /// Records this lowering statement by statement, for the next one of the
    /// same document, reusing what `previous` recorded where it still holds.
    /// `statements` are the top-level statements the front end will lower.
    pub fn keep(
        &mut self,
        previous: Option<LoweringMemo>,
        oracle_key: u64,
        statements: &[Statement],
    ) {
        let previous = previous.filter(|memo| memo.oracle_key == oracle_key);
        let plan = previous
            .as_ref()
            .map(|memo| super::reuse::plan(memo, self.source, statements));
        let (old_segments, old_entries) = match previous {
            Some(memo) => {
                let entries = OldEntries::new(memo.model, &memo.segments);
                (memo.segments, Some(entries))
            }
            None => (Vec::new(), None),
        };
        self.recorder = Some(Box::new(Recorder {
            plan,
            old_segments,
            old_entries,
            segments: Vec::with_capacity(statements.len()),
            open: RefCell::new(None),
            broken: false,
            reused: 0,
        }));
    }

    fn at_top_level(&self) -> bool {
        self.scopes.len() == 1
            && self.functions.is_empty()
            && self.loops.is_empty()
            && self.conditionals.is_empty()
            && self.returns.is_empty()
    }

    /// Starts recording top-level statement `range`.
    pub fn begin_segment(&mut self, range: Range<usize>, kind: u16, has_error: bool) {
        let top_level = self.at_top_level();
        let starts = Counts::of(&self.model);
        let (pending, syntax_errors) = (self.pending_targets.len(), self.model.syntax_errors.len());
        let conditional = self.next_conditional;
        let Some(recorder) = self.recorder.as_deref_mut() else {
            return;
        };
        recorder.broken |= !top_level;
        *recorder.open.get_mut() = Some(OpenSegment {
            range,
            kind,
            has_error,
            starts,
            pending,
            syntax_errors,
            conditional,
            reads: Reads::default(),
            seen_names: HashSet::new(),
            seen_admitted: false,
            seen_by_name: HashSet::new(),
            seen_methods: HashSet::new(),
            seen_functions: HashSet::new(),
            registrations: Vec::new(),
        });
    }

    /// Ends the statement `begin_segment` started: its entries in the model
    /// are put in the order `finish` gives them (a statement's entries sort
    /// among themselves: statements do not overlap), and what it read and
    /// left in the module scope is kept.
    pub fn end_segment(&mut self) {
        let top_level = self.at_top_level();
        let Some(recorder) = self.recorder.as_deref_mut() else {
            return;
        };
        let Some(open) = recorder.open.get_mut().take() else {
            recorder.broken = true;
            return;
        };
        recorder.broken |= !top_level;
        let starts = open.starts;
        let model = &mut self.model;
        // Calls sorted as `finish` sorts them, and the pending targets'
        // indices with them.
        let mut calls: Vec<(usize, Call)> = model.calls.drain(starts.calls..).enumerate().collect();
        calls.sort_by_key(|(_, call)| (call.span.start, call.span.end));
        let mut sorted_at = vec![0; calls.len()];
        for (position, (walked, _)) in calls.iter().enumerate() {
            sorted_at[*walked] = position;
        }
        model.calls.extend(calls.into_iter().map(|(_, call)| call));
        model.name_reads[starts.name_reads..].sort_by_key(|read| read.span.start);
        model.assignments[starts.assignments..].sort_by_key(|assignment| assignment.target.start);
        model.arms[starts.arms..].sort_by_key(|arm| arm.span.start);
        let mut pending_targets = Vec::new();
        for (index, _, _) in &mut self.pending_targets[open.pending..] {
            match index
                .checked_sub(starts.calls)
                .and_then(|walked| sorted_at.get(walked))
            {
                Some(position) => *index = starts.calls + position,
                None => recorder.broken = true,
            }
        }
        for (index, callee, owner) in &self.pending_targets[open.pending..] {
            pending_targets.push((
                index.saturating_sub(starts.calls),
                callee.clone(),
                owner.clone(),
            ));
        }
        let module = &self.scopes[0];
        let module_after = open
            .reads
            .names
            .iter()
            .map(|(name, _)| (name.clone(), module.bindings.get(name).cloned()))
            .collect();
        let admitted_after = open.seen_admitted.then(|| module.admitted.clone());
        recorder.segments.push(Segment {
            range: open.range,
            kind: open.kind,
            has_error: open.has_error,
            reads: open.reads,
            module_after,
            admitted_after,
            counts: Counts::of(model).since(starts),
            summaries: self.summaries[starts.functions..].to_vec(),
            owners: self.owners[starts.functions..].to_vec(),
            registrations: open.registrations,
            syntax_errors: model.syntax_errors[open.syntax_errors..].to_vec(),
            conditionals: self.next_conditional - open.conditional,
            pending_targets,
        });
    }

    /// Puts in the lowering of the `index`th top-level statement the last
    /// lowering recorded, moved to `range`, when what it read still holds:
    /// false (and nothing done) when it must be lowered afresh.
    pub fn reuse_segment(&mut self, index: usize, range: Range<usize>) -> bool {
        let top_level = self.at_top_level();
        let Some(recorder) = self.recorder.as_deref_mut() else {
            return false;
        };
        let (Some(plan), Some(old_entries)) =
            (recorder.plan.as_mut(), recorder.old_entries.as_mut())
        else {
            return false;
        };
        let Some(old_index) = plan.reuse.get(index).copied().flatten() else {
            return false;
        };
        let (Some(segment), Some(&old)) = (
            recorder.old_segments.get_mut(old_index),
            plan.old_bases.get(old_index),
        ) else {
            return false;
        };
        if !top_level {
            return false;
        }
        let new = Bases {
            function: self.model.functions.len() as u32,
            loop_: self.model.loops.len() as u32,
            conditional: self.next_conditional,
        };
        let own = segment.counts.functions as u32;
        for offset in 0..own {
            plan.relocation.map_function(
                FunctionId(old.function + offset),
                Some(FunctionId(new.function + offset)),
            );
        }
        let relocation = &plan.relocation;
        let in_place = relocation.keeps_in_place(&segment.range, old, new);
        // Each old statement is offered to one new statement only: what it
        // holds is moved, not copied.
        let mut reads = std::mem::take(&mut segment.reads);
        let mut module_after = std::mem::take(&mut segment.module_after);
        let holds = (in_place
            || (relocation.reads_in_place(&mut reads)
                && relocation.names_in_place(&mut module_after)))
            && reads_hold(
                &reads,
                &self.scopes[0],
                &self.by_name,
                &self.methods,
                &self.model.functions,
                &self.summaries,
            );
        let start = Counts::of(&self.model);
        let taken = holds && old_entries.take(old_index, &mut self.model);
        if taken {
            // What the last walk's end resolved is resolved afresh at this
            // one's (and may name a function not placed yet).
            for (index, ..) in &segment.pending_targets {
                if let Some(call) = self.model.calls.get_mut(start.calls + index) {
                    call.target = None;
                }
            }
        }
        let fits = taken
            && (in_place
                || (relocation.entries_in_place(&mut self.model, start, old, new)
                    && relocation.segment_in_place(segment)));
        if !fits {
            super::reuse::truncate(&mut self.model, start);
            for offset in 0..own {
                plan.relocation
                    .map_function(FunctionId(old.function + offset), None);
            }
            return false;
        }
        for registration in &segment.registrations {
            match registration {
                Registration::ByName(name, id) => {
                    self.by_name.entry(name.clone()).or_default().push(*id);
                }
                Registration::Method(owner, name, id) => {
                    self.methods
                        .entry((owner.clone(), name.clone()))
                        .or_insert(*id);
                }
            }
        }
        self.summaries.extend_from_slice(&segment.summaries);
        self.owners.extend_from_slice(&segment.owners);
        self.model
            .syntax_errors
            .extend_from_slice(&segment.syntax_errors);
        self.next_conditional += segment.conditionals;
        self.pending_targets.extend(
            segment
                .pending_targets
                .iter()
                .map(|(index, callee, owner)| (start.calls + index, callee.clone(), owner.clone())),
        );
        let module = &mut self.scopes[0];
        for (name, binding) in &module_after {
            match binding {
                Some(binding) => {
                    module.bindings.insert(name.clone(), binding.clone());
                }
                None => {
                    module.bindings.remove(name);
                }
            }
        }
        if let Some(admitted) = &segment.admitted_after {
            module.admitted.clone_from(admitted);
        }
        recorder.segments.push(Segment {
            range,
            kind: segment.kind,
            has_error: false,
            reads,
            module_after,
            admitted_after: segment.admitted_after.take(),
            counts: segment.counts,
            summaries: std::mem::take(&mut segment.summaries),
            owners: std::mem::take(&mut segment.owners),
            registrations: std::mem::take(&mut segment.registrations),
            syntax_errors: std::mem::take(&mut segment.syntax_errors),
            conditionals: segment.conditionals,
            pending_targets: std::mem::take(&mut segment.pending_targets),
        });
        recorder.reused += 1;
        true
    }

    /// [`Lowering::finish`], and what was recorded for the next lowering of
    /// the same document (none when the walk did not keep to the protocol).
    /// With the statements, how many were reused.
    pub fn finish_kept(mut self) -> (FileModel, Option<(Vec<Segment>, usize)>) {
        let recorder = self.recorder.take();
        let model = self.finish();
        let segments = recorder
            .filter(|recorder| !recorder.broken)
            .map(|recorder| (recorder.segments, recorder.reused));
        (model, segments)
    }

    /// The statement being recorded, if any.
    fn recording(&self) -> Option<RefMut<'_, OpenSegment>> {
        let recorder = self.recorder.as_deref()?;
        RefMut::filter_map(recorder.open.borrow_mut(), Option::as_mut).ok()
    }

    /// The statement being recorded, when this is its first read of `key`
    /// (among the keys of the kind `seen` picks).
    fn first_read<K, Q>(
        &self,
        key: &Q,
        seen: fn(&mut OpenSegment) -> &mut HashSet<K>,
    ) -> Option<RefMut<'_, OpenSegment>>
    where
        K: std::borrow::Borrow<Q> + std::hash::Hash + Eq,
        Q: ToOwned<Owned = K> + std::hash::Hash + Eq + ?Sized,
    {
        let mut open = self.recording()?;
        let keys = seen(&mut open);
        if keys.contains(key) {
            return None;
        }
        keys.insert(key.to_owned());
        Some(open)
    }

    /// Notes that the statement being recorded reads (or writes) a
    /// module-level name: the first time, with the value it has.
    fn touch_name(&self, name: &str) {
        if let Some(mut open) = self.first_read(name, |open| &mut open.seen_names) {
            let value = self.scopes[0].bindings.get(name).cloned();
            open.reads.names.push((name.to_string(), value));
        }
    }

    fn touch_admitted(&self) {
        let Some(mut open) = self.recording() else {
            return;
        };
        if !open.seen_admitted {
            open.seen_admitted = true;
            open.reads.admitted = Some(self.scopes[0].admitted.clone());
        }
    }

    fn touch_by_name(&self, name: &str) {
        if let Some(mut open) = self.first_read(name, |open| &mut open.seen_by_name) {
            let own = open.starts.functions as u32;
            let earlier = self.by_name.get(name).map_or_else(Vec::new, |ids| {
                ids.iter().copied().filter(|id| id.0 < own).collect()
            });
            open.reads.by_name.push((name.to_string(), earlier));
        }
    }

    fn touch_method(&self, key: &(String, String)) {
        if let Some(mut open) = self.first_read(key, |open| &mut open.seen_methods) {
            let own = open.starts.functions as u32;
            let earlier = self.methods.get(key).copied().filter(|id| id.0 < own);
            open.reads.methods.push((key.clone(), earlier));
        }
    }

    /// A function of an earlier statement: its facts as this one saw them
    /// (the statement's own functions are lowered with it).
    fn touch_function(&self, id: FunctionId) {
        let Some(mut open) = self.first_read(&id, |open| &mut open.seen_functions) else {
            return;
        };
        if (id.0 as usize) < open.starts.functions {
            if let Some(facts) = function_facts(&self.model.functions, &self.summaries, id) {
                open.reads.functions.push((id, facts));
            }
        }
    }

    pub fn finish(mut self) -> FileModel {
        for (index, callee, owner) in std::mem::take(&mut self.pending_targets) {
            let target = self.resolve_callee(&callee, owner.as_deref());
            if let Some(call) = self.model.calls.get_mut(index) {
                call.target = target;
            }
        }
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

    /// Whether `name` is bound in the innermost scope (the function being
    /// lowered, or the module).
    pub fn bound_in_innermost(&self, name: &str) -> bool {
        self.scopes
            .last()
            .is_some_and(|scope| scope.bindings.contains_key(name))
    }

    /// Enters a function: a new scope, in which its parameters are bound.
    pub fn begin_function(&mut self, function: FunctionSpec) -> FunctionId {
        let id = FunctionId(self.model.functions.len() as u32);
        let parent = self.current_function();
        let mut scope = Scope::default();
        for (index, param) in function.params.iter().enumerate() {
            let origin = param_origin(&param.param, id, index);
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
        // Closures and lambdas inside a method see its `self`/`this`.
        let owner = function.owner.clone().or_else(|| {
            (function.name == "<anonymous>")
                .then(|| parent.and_then(|parent| self.owners[parent.0 as usize].clone()))
                .flatten()
        });
        if function.name != "<anonymous>" {
            let registration = match &function.owner {
                Some(owner) => {
                    self.methods
                        .entry((owner.clone(), function.name.clone()))
                        .or_insert(id);
                    Some(Registration::Method(
                        owner.clone(),
                        function.name.clone(),
                        id,
                    ))
                }
                None if function.callable => {
                    self.by_name
                        .entry(function.name.clone())
                        .or_default()
                        .push(id);
                    Some(Registration::ByName(function.name.clone(), id))
                }
                None => None,
            };
            if let (Some(registration), Some(mut open)) = (registration, self.recording()) {
                open.registrations.push(registration);
            }
        }
        self.owners.push(owner);
        self.summaries.push(None);
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
        self.returns.push(None);
        id
    }

    pub fn end_function(&mut self) {
        let returned = self.returns.pop().flatten();
        if let Some(id) = self.functions.pop() {
            if let Some(slot) = self.summaries.get_mut(id.0 as usize) {
                *slot = returned;
            }
        }
        if self.scopes.len() > 1 {
            self.scopes.pop();
        }
    }

    /// A value the function being lowered returns (`return x`, a Rust
    /// block's tail, an arrow function's body). Several merge into one.
    pub fn note_return(&mut self, eval: Eval) {
        let Some(slot) = self.returns.last_mut() else {
            return;
        };
        *slot = Some(match slot.take() {
            Some(previous) => merge_returns(previous, eval),
            None => eval,
        });
    }

    // ----- calls to functions of the file ------------------------------------------

    /// The function of this file a call names, if it is known by now.
    pub fn resolve_callee(
        &self,
        callee: &CalleeRef,
        caller_owner: Option<&str>,
    ) -> Option<CallTarget> {
        let (id, method_call) = match callee {
            CalleeRef::Plain(name) => {
                self.touch_by_name(name);
                let candidates = self.by_name.get(name)?;
                // One definition, or one at the top level among nested ones.
                let id = match candidates.as_slice() {
                    [only] => *only,
                    several => {
                        for candidate in several {
                            self.touch_function(*candidate);
                        }
                        let top: Vec<FunctionId> = several
                            .iter()
                            .copied()
                            .filter(|id| self.model.functions[id.0 as usize].parent.is_none())
                            .collect();
                        match top.as_slice() {
                            [only] => *only,
                            _ => return None,
                        }
                    }
                };
                (id, false)
            }
            CalleeRef::OwnMethod(name) => {
                let key = (caller_owner?.to_string(), name.clone());
                self.touch_method(&key);
                (*self.methods.get(&key)?, true)
            }
            CalleeRef::Method { owner, name } => {
                let key = (owner.clone(), name.clone());
                self.touch_method(&key);
                (*self.methods.get(&key)?, true)
            }
        };
        self.touch_function(id);
        let function = &self.model.functions[id.0 as usize];
        // Python's and Rust's methods take the receiver as parameter 0.
        let takes_receiver = function.params.first().is_some_and(|first| {
            matches!(first.name.as_str(), "self" | "cls" | "&self" | "&mut self")
        });
        let first_param = u32::from(method_call && takes_receiver);
        Some(CallTarget {
            function: id,
            first_param,
        })
    }

    /// The owner (class, impl type) of the function being lowered.
    pub fn current_owner(&self) -> Option<&str> {
        let id = self.current_function()?;
        self.owners.get(id.0 as usize)?.as_deref()
    }

    /// [`Lowering::resolve_callee`] from the function being lowered.
    pub fn resolve_here(&self, callee: &CalleeRef) -> Option<CallTarget> {
        self.resolve_callee(callee, self.current_owner())
    }

    /// What a call to a function of this file returns, from the function's
    /// summary, with the arguments' origins (and strings) put where its
    /// parameters were: `None` when the callee is not known yet (declared
    /// later in the file) or returns nothing known.
    ///
    /// `args` are positional arguments in order and keyword arguments by
    /// name.
    pub fn call_summary(
        &self,
        target: CallTarget,
        args: &[(Option<&str>, &Eval, Span, &str)],
    ) -> Option<Eval> {
        self.touch_function(target.function);
        let summary = self.summaries.get(target.function.0 as usize)?.as_ref()?;
        let function = &self.model.functions[target.function.0 as usize];
        let mut by_param: Vec<Option<(&Eval, Span, &str)>> = vec![None; function.params.len()];
        let mut position = target.first_param as usize;
        for (keyword, eval, span, text) in args {
            let index = match keyword {
                Some(keyword) => function
                    .params
                    .iter()
                    .position(|param| param.name == *keyword),
                None => {
                    position += 1;
                    Some(position - 1)
                }
            };
            if let Some(slot) = index.and_then(|index| by_param.get_mut(index)) {
                *slot = Some((eval, *span, text));
            }
        }
        let params: Vec<ParamArgument<'_>> = function
            .params
            .iter()
            .zip(by_param)
            .map(|(param, arg)| (param.name.clone(), arg))
            .collect();
        Some(substitute(summary, target.function, &params))
    }

    /// Records a call that may name a function of this file; its target is
    /// resolved when the walk ends.
    pub fn note_callee(&mut self, callee: CalleeRef) {
        let index = self.model.calls.len().saturating_sub(1);
        let owner = self.current_owner().map(str::to_string);
        self.pending_targets.push((index, callee, owner));
    }

    // ----- sources -------------------------------------------------------------------

    /// Marks a value read through a catalogued source (`request.args`,
    /// `os.environ`, `process.argv`, a response body) as untrusted, with
    /// `span` as where it entered; a chain on a source read (`request.args`
    /// → `request.args.get("q")`) moves the entry point out to the whole
    /// expression.
    pub fn sourced(&mut self, mut eval: Eval, span: Span) -> Eval {
        let Value::Path(path) = &eval.value else {
            return eval;
        };
        match eval.origin {
            Origin::Input(entered) | Origin::Remote(entered) => {
                if entered.start == span.start && span.contains(entered) {
                    eval.origin = match eval.origin {
                        Origin::Input(_) => Origin::Input(span),
                        _ => Origin::Remote(span),
                    };
                }
                if matches!(eval.origin, Origin::Input(_)) {
                    return eval;
                }
            }
            _ => {}
        }
        let Some(oracle) = self.sources else {
            return eval;
        };
        // Paths from imports are asked once per file; local names, most of
        // them, are told apart by the oracle at their first segment.
        let kind = if path.resolved {
            match self.source_cache.get(path.text.as_str()) {
                Some(kind) => *kind,
                None => {
                    let kind = oracle(path);
                    self.source_cache.insert(path.text.clone(), kind);
                    kind
                }
            }
        } else {
            oracle(path)
        };
        // What a source yields is its data, whatever the arguments of the
        // read were (`cache.get(f"key:{user}")` returns the cached value).
        match kind {
            Some(SourceKind::Input) => eval.origin = Origin::Input(span),
            Some(SourceKind::Remote) if !matches!(eval.origin, Origin::Remote(_)) => {
                eval.origin = Origin::Remote(span);
            }
            _ => {}
        }
        eval
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
        // An element of a constant collection is a constant; of request
        // input or a parameter, as tainted as the collection.
        let element_origin = match spec.iterable_origin {
            Some(
                origin @ (Origin::Constant
                | Origin::Numeric
                | Origin::Input(_)
                | Origin::Param(..)
                | Origin::Remote(_)),
            ) => origin,
            _ => Origin::Loop,
        };
        for name in &spec.bindings {
            self.bind(
                name,
                Eval {
                    value: element.clone(),
                    origin: element_origin,
                    defined_at: Some(spec.header),
                },
            );
        }
        let over_constant = over_literal
            || (matches!(spec.iterable_origin, Some(Origin::Constant))
                && matches!(
                    spec.iterable_value,
                    Some(Value::Sequence(_) | Value::Object(_))
                ));
        self.model.loops.push(Loop {
            kind: spec.kind,
            span: spec.span,
            header: spec.header,
            bindings: spec.bindings,
            iterable: spec.iterable,
            iterable_path,
            over_literal,
            over_constant,
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
            receiver_defined_at: call.receiver_defined_at,
            target: call.target,
        });
    }

    /// Records an assignment to an attribute or field.
    pub fn push_attribute_write(&mut self, write: AttributeWriteSpec) {
        self.model
            .attribute_writes
            .push(crate::model::AttributeWrite {
                span: write.span,
                target: write.target,
                object_defined_at: write.object_defined_at,
                value: write.value,
                value_span: write.value_span,
                function: self.current_function(),
            });
    }

    /// Records test code (a test function, class, module or runner call).
    pub fn push_test_code(&mut self, span: Span) {
        self.model.test_code.push(span);
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
        if !matches!(found, Some((depth, _)) if depth > 0) {
            self.touch_name(name);
        }
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
        let scope = self.scopes.len() - 1;
        if scope == 0 {
            self.touch_name(name);
        }
        self.track_assignment(scope, name);
        if let Some(scope) = self.scopes.last_mut() {
            scope
                .bindings
                .insert(name.to_string(), Binding::Value(eval));
        }
    }

    /// Notes that `name`, bound in scope `scope`, is assigned in the arm being
    /// lowered: its earlier value is kept for the other arms and for after.
    fn track_assignment(&mut self, scope: usize, name: &str) {
        let Some(open) = self.conditionals.last_mut() else {
            return;
        };
        if open.scope != scope || open.in_arm_set.contains(name) {
            return;
        }
        open.in_arm.push(name.to_string());
        open.in_arm_set.insert(name.to_string());
        if open.tracked.insert(name.to_string()) {
            if scope == 0 {
                self.touch_name(name);
            }
            let Some(open) = self.conditionals.last_mut() else {
                return;
            };
            let before = self.scopes[scope].bindings.get(name).cloned();
            open.before.push((name.to_string(), before));
        }
    }

    // ----- conditionals ----------------------------------------------------------

    /// Starts a conditional (`if`/`else`, `match`, `switch`); its arms are
    /// entered with `enter_arm` and left with `exit_arm`, and it ends with
    /// `end_conditional`.
    pub fn begin_conditional(&mut self) -> u32 {
        self.conditionals.push(OpenConditional {
            scope: self.scopes.len() - 1,
            before: Vec::new(),
            tracked: HashSet::new(),
            arm_values: HashMap::new(),
            in_arm: Vec::new(),
            in_arm_set: HashSet::new(),
            arms: 0,
        });
        self.conditional_id()
    }

    /// A new conditional id, unique in the file (the model's arms of one
    /// conditional share it), for a conditional whose arms are only recorded
    /// (`record_arm`), not walked as branches for values.
    pub fn conditional_id(&mut self) -> u32 {
        self.next_conditional += 1;
        self.next_conditional
    }

    /// Enters arm `arm` of `conditional`, written at `span`; `exits` when the
    /// arm ends by leaving (`return`, `raise`, `throw`, `break`, `continue`).
    pub fn enter_arm(&mut self, conditional: u32, _arm: u32, span: Span, exits: bool) {
        if let Some(open) = self.conditionals.last_mut() {
            open.arms += 1;
            open.in_arm.clear();
            open.in_arm_set.clear();
        }
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

    /// Leaves an arm: what it assigned is kept aside, and the names hold
    /// their earlier values again for the next arm.
    pub fn exit_arm(&mut self) {
        if self.recorder.is_some() {
            if let Some(open) = self.conditionals.last().filter(|open| open.scope == 0) {
                for name in open.in_arm.clone() {
                    self.touch_name(&name);
                }
            }
        }
        let Some(open) = self.conditionals.last_mut() else {
            return;
        };
        let scope = &mut self.scopes[open.scope];
        open.in_arm_set.clear();
        let assigned = std::mem::take(&mut open.in_arm);
        if assigned.is_empty() {
            return;
        }
        let befores: HashMap<&str, &Option<Binding>> = open
            .before
            .iter()
            .map(|(name, before)| (name.as_str(), before))
            .collect();
        for name in assigned {
            if let Some(Binding::Value(eval)) = scope.bindings.get(&name) {
                open.arm_values
                    .entry(name.clone())
                    .or_default()
                    .push(eval.clone());
            }
            let before = befores
                .get(name.as_str())
                .and_then(|before| (*before).clone());
            match before {
                Some(binding) => {
                    scope.bindings.insert(name, binding);
                }
                None => {
                    scope.bindings.remove(&name);
                }
            }
        }
    }

    /// Ends a conditional: a variable an arm assigned holds what any arm
    /// left in it, or still its earlier value when some path (an arm that
    /// did not assign it, or no arm at all when the conditional is not
    /// `exhaustive`) leaves it alone. Tainted on any path is tainted.
    pub fn end_conditional(&mut self, exhaustive: bool) {
        let Some(open) = self.conditionals.pop() else {
            return;
        };
        if open.scope == 0 {
            for (name, _) in &open.before {
                self.touch_name(name);
            }
        }
        let mut arm_values = open.arm_values;
        for (name, before) in open.before {
            let mut values = arm_values.remove(&name).unwrap_or_default();
            let every_path_assigns = exhaustive && values.len() as u32 >= open.arms;
            if !every_path_assigns {
                // The current value: the earlier one, with what arms that
                // only grew it (`+=`, `push`) added.
                match self.scopes[open.scope].bindings.get(&name) {
                    Some(Binding::Value(eval)) => values.push(eval.clone()),
                    Some(Binding::Import(_)) => continue,
                    None => {
                        if let Some(Binding::Value(eval)) = before {
                            values.push(eval);
                        }
                    }
                }
            }
            let Some(merged) = values.into_iter().reduce(merge_branches) else {
                continue;
            };
            self.track_assignment(open.scope, &name);
            self.scopes[open.scope]
                .bindings
                .insert(name, Binding::Value(merged));
        }
    }

    /// The innermost scope that binds `name`; a module-level name (or an
    /// unbound one) is an input of the statement being recorded.
    fn binding_scope(&self, name: &str) -> Option<usize> {
        let found = self
            .scopes
            .iter()
            .rposition(|scope| scope.bindings.contains_key(name));
        if found.is_none_or(|scope| scope == 0) {
            self.touch_name(name);
        }
        found
    }

    /// `name = value` on a name already bound: the new value replaces the
    /// old where the name is bound (an assignment in a closure reaches the
    /// enclosing function's variable); inside a conditional's arm, the old
    /// value is kept for the other arms and for after.
    pub fn reassign(&mut self, name: &str, eval: Eval) {
        let found = self.binding_scope(name);
        let Some(scope) = found else {
            self.bind(name, eval);
            return;
        };
        self.track_assignment(scope, name);
        self.scopes[scope]
            .bindings
            .insert(name.to_string(), Binding::Value(eval));
    }

    /// `name` passed an allow-list check (`if x not in ALLOWED: abort()`):
    /// from here on it holds one of the allowed constants.
    pub fn admit(&mut self, name: &str) {
        self.update(name, |existing| Eval {
            value: match existing.value {
                Value::Path(path) => Value::Path(path),
                _ => Value::Unknown,
            },
            origin: Origin::Constant,
            defined_at: existing.defined_at,
        });
    }

    /// An expression (`req.zone`) that passed an allow-list check, for the
    /// rest of the function being lowered.
    pub fn admit_expression(&mut self, text: &str) {
        if self.scopes.len() == 1 {
            self.touch_admitted();
        }
        if let Some(scope) = self.scopes.last_mut() {
            scope.admitted.push(text.to_string());
        }
    }

    /// Whether an expression passed an allow-list check in this function.
    pub fn is_admitted(&self, text: &str) -> bool {
        if self.scopes.len() == 1 {
            self.touch_admitted();
        }
        self.scopes
            .last()
            .is_some_and(|scope| scope.admitted.iter().any(|each| each == text))
    }

    /// Binds `name` in the module scope (imports, and module-level constants
    /// collected before the walk so that functions see them wherever they are).
    pub fn bind_module(&mut self, name: &str, binding: Binding) {
        self.touch_name(name);
        self.scopes[0].bindings.insert(name.to_string(), binding);
    }

    pub fn bind_import(&mut self, name: &str, module_path: String) {
        if self.scopes.len() == 1 {
            self.touch_name(name);
        }
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
        let found = self.binding_scope(name);
        let Some(binding) = found.and_then(|scope| self.scopes[scope].bindings.get_mut(name))
        else {
            return false;
        };
        let Binding::Value(eval) = binding else {
            return false;
        };
        let taken = std::mem::replace(eval, Eval::unknown());
        *eval = update(taken);
        true
    }

    pub fn lookup(&self, name: &str) -> Option<&Binding> {
        let (module, locals) = self.scopes.split_at(1);
        if let Some(binding) = locals
            .iter()
            .rev()
            .find_map(|scope| scope.bindings.get(name))
        {
            return Some(binding);
        }
        self.touch_name(name);
        module[0].bindings.get(name)
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

/// What calls read of function `id`.
fn function_facts(
    functions: &[Function],
    summaries: &[Option<Eval>],
    id: FunctionId,
) -> Option<FunctionFacts> {
    let function = functions.get(id.0 as usize)?;
    Some(FunctionFacts {
        params: function
            .params
            .iter()
            .map(|param| param.name.clone())
            .collect(),
        nested: function.parent.is_some(),
        summary: summaries.get(id.0 as usize).cloned().flatten(),
    })
}

/// Whether what a statement read (moved to the current text) is what the
/// walk holds now.
fn reads_hold(
    reads: &Reads,
    module: &Scope,
    by_name: &HashMap<String, Vec<FunctionId>>,
    methods: &HashMap<(String, String), FunctionId>,
    functions: &[Function],
    summaries: &[Option<Eval>],
) -> bool {
    reads
        .names
        .iter()
        .all(|(name, binding)| module.bindings.get(name) == binding.as_ref())
        && reads
            .admitted
            .as_ref()
            .is_none_or(|admitted| *admitted == module.admitted)
        && reads
            .by_name
            .iter()
            .all(|(name, ids)| by_name.get(name).map_or(&[][..], Vec::as_slice) == ids.as_slice())
        && reads
            .methods
            .iter()
            .all(|(key, id)| methods.get(key) == id.as_ref())
        && reads
            .functions
            .iter()
            .all(|(id, facts)| function_facts(functions, summaries, *id).as_ref() == Some(facts))
}

/// The origin of a parameter's value inside its function.
fn param_origin(param: &Param, function: FunctionId, index: usize) -> Origin {
    // A number cannot carry SQL or a shell command, even from a request.
    if param
        .annotation
        .as_deref()
        .is_some_and(is_numeric_annotation)
    {
        Origin::Numeric
    } else if param.is_request_input {
        Origin::Input(param.span)
    } else {
        Origin::Param(function, Params::of(index))
    }
}

/// The values of a variable after a conditional, from two of its paths:
/// every string kept; otherwise the one with the worse origin (the later
/// on a tie, so that a call path known on both paths survives).
fn merge_branches(first: Eval, second: Eval) -> Eval {
    if has_strings(&first.value) || has_strings(&second.value) {
        return alternatives(first, second);
    }
    let origin = worse(first.origin, second.origin);
    let mut kept = if first.origin != second.origin {
        if worse(first.origin, second.origin) == first.origin {
            first
        } else {
            second
        }
    } else if configures(&first.value, &second.value) {
        // `builder = builder.timeout(t)` on one path: the same object,
        // configured further on that path.
        first
    } else {
        second
    };
    kept.origin = origin;
    kept
}

/// Whether `first` is `second` with more calls chained on it
/// (`Client::builder().timeout()` of `Client::builder()`).
fn configures(first: &Value, second: &Value) -> bool {
    let (Value::Path(first), Value::Path(second)) = (first, second) else {
        return false;
    };
    first.resolved == second.resolved
        && first
            .text
            .strip_prefix(second.text.as_str())
            .is_some_and(|rest| rest.starts_with('.'))
}

/// Two returned values of one function: every string kept, the worse origin.
fn merge_returns(first: Eval, second: Eval) -> Eval {
    if has_strings(&first.value) || has_strings(&second.value) {
        return alternatives(first, second);
    }
    let origin = worse(first.origin, second.origin);
    let value = if first.value == second.value {
        first.value
    } else {
        Value::Unknown
    };
    Eval {
        value,
        origin,
        defined_at: first.defined_at.or(second.defined_at),
    }
}

/// A function's returned value seen from a call: parameter origins become
/// the arguments' (a missing argument takes its default, a constant), and a
/// hole that is a parameter itself takes the argument's string or path.
/// A parameter's name, and what a call passes it: the value, where it is
/// written and its text.
type ParamArgument<'a> = (String, Option<(&'a Eval, Span, &'a str)>);

fn substitute(summary: &Eval, callee: FunctionId, params: &[ParamArgument<'_>]) -> Eval {
    let origin_of = |origin: Origin| -> Origin {
        match origin {
            Origin::Param(function, set) if function == callee => {
                set.iter().fold(Origin::Constant, |acc, index| {
                    let argument = params
                        .get(index)
                        .and_then(|(_, arg)| *arg)
                        .map_or(Origin::Constant, |(eval, ..)| eval.origin);
                    worse(acc, argument)
                })
            }
            other => other,
        }
    };
    fn value_of(
        value: &Value,
        callee: FunctionId,
        params: &[ParamArgument<'_>],
        origin_of: &dyn Fn(Origin) -> Origin,
    ) -> Value {
        match value {
            Value::Str(shape) => {
                let mut builder = ShapeBuilder::new(shape.span);
                for part in &shape.parts {
                    match part {
                        Part::Lit(literal) => builder.push_literal(literal),
                        Part::Hole(hole) => {
                            let own = match hole.origin {
                                Origin::Param(function, set) if function == callee => {
                                    set.iter().next().filter(|index| {
                                        set == Params::of(*index)
                                            && params
                                                .get(*index)
                                                .is_some_and(|(name, _)| *name == hole.text)
                                    })
                                }
                                _ => None,
                            };
                            match own
                                .and_then(|index| params.get(index))
                                .and_then(|(_, arg)| *arg)
                            {
                                // The parameter itself: the argument goes in.
                                Some((eval, span, text)) => {
                                    builder.splice(eval.clone(), span, text)
                                }
                                None => {
                                    let mut hole = hole.clone();
                                    hole.origin = origin_of(hole.origin);
                                    builder.push_hole(hole);
                                }
                            }
                        }
                    }
                }
                Value::Str(builder.finish())
            }
            Value::OneOf(values) => Value::OneOf(
                values
                    .iter()
                    .map(|value| value_of(value, callee, params, origin_of))
                    .collect(),
            ),
            Value::Sequence(values) => Value::Sequence(
                values
                    .iter()
                    .map(|value| value_of(value, callee, params, origin_of))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
    Eval {
        value: value_of(&summary.value, callee, params, &origin_of),
        origin: origin_of(summary.origin),
        defined_at: summary.defined_at,
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
    /// The class or impl type of a method.
    pub owner: Option<String>,
    /// Callable by its plain name (a `def`, a `function` or `const f = …`,
    /// a Rust `fn` outside an impl).
    pub callable: bool,
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
    /// Where what is iterated comes from, when the front end evaluated it.
    pub iterable_origin: Option<Origin>,
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
    /// See [`Call::receiver_defined_at`].
    pub receiver_defined_at: Option<Span>,
    /// The function of this file it calls, when known at the call.
    pub target: Option<CallTarget>,
}

pub(crate) struct AttributeWriteSpec {
    pub span: Span,
    pub target: CallPath,
    pub object_defined_at: Option<Span>,
    pub value: Value,
    pub value_span: Span,
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
            // so the text around them still parses; alternatives that are all
            // strings read as the worst one, whose holes keep their own
            // origins and paths (a sanitizer stays visible); otherwise one hole.
            Value::OneOf(values)
                if (eval.origin.is_clean()
                    && values
                        .first()
                        .is_some_and(|first| matches!(first, Value::Str(_))))
                    || values.iter().all(|value| matches!(value, Value::Str(_))) =>
            {
                let worst = values
                    .into_iter()
                    .filter_map(|value| match value {
                        Value::Str(shape) => Some(shape),
                        _ => None,
                    })
                    .reduce(|kept, each| {
                        let (kept_origin, each_origin) = (shape_origin(&kept), shape_origin(&each));
                        if worse(kept_origin, each_origin) != kept_origin {
                            each
                        } else {
                            kept
                        }
                    });
                if let Some(shape) = worst {
                    for part in shape.parts {
                        match part {
                            Part::Lit(literal) => self.push_literal(&literal),
                            Part::Hole(hole) => self.push_hole(hole),
                        }
                    }
                }
            }
            Value::Number(_) if is_plain_number(text) => self.push_literal(text),
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

/// `sep.join(items)` where every item is a known string (written out, built
/// by appends, or made per element by a comprehension or `.map`): one shape,
/// the items in order with the separator between them. `None` otherwise.
pub(crate) fn join_shapes(span: Span, text: &str, separator: &Eval, items: &Eval) -> Option<Eval> {
    let Value::Str(separator) = &separator.value else {
        return None;
    };
    let Value::Sequence(values) = &items.value else {
        return None;
    };
    if !values.iter().any(|value| matches!(value, Value::Str(_))) {
        return None;
    }
    let mut builder = ShapeBuilder::new(span);
    for (index, value) in values.iter().enumerate() {
        if index > 0 {
            builder.splice(
                Eval::with_origin(Value::Str(separator.clone()), Origin::Constant),
                Span::default(),
                "",
            );
        }
        // An item that is not a known string is a hole as bad as the list.
        let origin = match value {
            Value::Str(_) | Value::Number(_) => Origin::Constant,
            _ => items.origin,
        };
        builder.splice(
            Eval {
                value: value.clone(),
                origin,
                defined_at: items.defined_at,
            },
            span,
            text,
        );
    }
    Some(builder.into_eval())
}

/// Most items a collection grown by `append`/`push` keeps; past them it holds
/// an unknown item, so that it is no longer taken for all strings.
const MAX_GROWN_ITEMS: usize = 64;

/// `xs.append(item)`, `xs.push(item)`: the collection holds the item too.
pub(crate) fn grow(existing: Eval, item: Eval) -> Eval {
    let origin = worse(existing.origin, item.origin);
    let value = match existing.value {
        Value::Sequence(mut items) => {
            if items.len() < MAX_GROWN_ITEMS {
                items.push(item.value);
            } else if !matches!(items.last(), Some(Value::Unknown)) {
                items.push(Value::Unknown);
            }
            Value::Sequence(items)
        }
        // An object written into (`d.update(x)`, `d[k] = x`) is no longer
        // the literal it was.
        Value::Object(_) => Value::Unknown,
        other => other,
    };
    Eval {
        value,
        origin,
        defined_at: existing.defined_at,
    }
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
    if !has_strings(&first.value) && !has_strings(&second.value) {
        return None;
    }
    Some(alternatives(first, second))
}

fn has_strings(value: &Value) -> bool {
    value.strings().next().is_some()
}

/// Both values as alternatives of one.
fn alternatives(first: Eval, second: Eval) -> Eval {
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
    Eval {
        value: Value::OneOf(alternatives),
        origin,
        defined_at,
    }
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

#[cfg(test)]
mod tests {
    use super::integer_value;

    #[test]
    fn integers_in_every_notation_and_nothing_else() {
        for (text, value) in [
            ("0", Some(0)),
            ("6_000", Some(6000)),
            ("0x1F", Some(31)),
            ("0o17", Some(15)),
            ("0b101", Some(5)),
            ("30u64", Some(30)),
            ("10_000usize", Some(10_000)),
            ("42n", Some(42)),
            ("2.5", None),
            ("1e3", None),
            ("", None),
        ] {
            assert_eq!(integer_value(text), value, "{text}");
        }
    }
}
