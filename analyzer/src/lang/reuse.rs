//! Reusing what lowering a document's top-level statements gave last time,
//! for the language server: an edit re-lowers the statements it touched and
//! those whose inputs it changed; the others' entries move into the new
//! model.
//!
//! A top-level statement's lowering (its entries in the model: functions,
//! loops, calls, reads, assignments, arms…) depends only on its own syntax
//! and on what it reads of the state the statements before it left:
//! module-level names, the functions of the file registered so far (by name
//! and by owner), and those functions' parameters and summaries. While a
//! statement is lowered, the lowering records the first value it saw of
//! each such input ([`Reads`]) and, when it ends, what it left in the module
//! scope. A statement with the same text as last time, at the start or the
//! end of the file, is reused when every input it read holds the same value
//! now, once the old value's positions and function ids are moved to where
//! they are now ([`Relocation`]); otherwise it is lowered afresh. Both ways
//! give the model a whole lowering gives: the test
//! `incremental_lowering_equals_a_fresh_one` checks it on the corpus under
//! random edits.
//!
//! The entries are moved, not copied: the memo owns the last model, and each
//! statement's entries are one run in each of its lists (a statement's
//! calls, reads, assignments and arms are sorted among themselves when it
//! ends, which is the order `finish` gives, since statements do not
//! overlap).

use std::ops::Range;

use super::lowering::{Binding, CalleeRef, Eval};
use crate::model::{
    Arm, Assignment, AttributeWrite, Call, ElementRead, FileModel, Function, FunctionId, Loop,
    LoopId, NameRead, Origin, OrmModel, Part, Span, StrShape, Value,
};

/// What lowering a document last time gave: the model, and what each
/// top-level statement put in it (a contiguous run of each of the model's
/// lists), read and left behind.
#[derive(Debug, Clone)]
pub struct LoweringMemo {
    /// The text it was lowered from.
    pub(crate) source: String,
    /// Which answers of the source oracle it was lowered with (the engine's
    /// identity): another engine may classify call paths differently.
    pub(crate) oracle_key: u64,
    /// The model lowering gave, syntax errors of the tree included.
    pub(crate) model: FileModel,
    /// Per top-level statement; empty when the front end does not record
    /// statements (then nothing is reused).
    pub(crate) segments: Vec<Segment>,
    /// How many statements were reused from the memo before this one.
    pub(crate) reused: usize,
}

impl LoweringMemo {
    /// A memo that only holds a model, for front ends that do not record
    /// statements.
    pub(crate) fn whole(source: &str, oracle_key: u64, model: FileModel) -> LoweringMemo {
        LoweringMemo {
            source: source.to_string(),
            oracle_key,
            model,
            segments: Vec::new(),
            reused: 0,
        }
    }

    pub fn model(&self) -> &FileModel {
        &self.model
    }
}

/// One top-level statement as it was lowered.
#[derive(Debug, Clone)]
pub(crate) struct Segment {
    pub range: Range<usize>,
    pub kind: u16,
    /// Its syntax held an error: it is not reused (the same text may parse
    /// otherwise in another context).
    pub has_error: bool,
    /// What it read of the state before it.
    pub reads: Reads,
    /// What it left in the module scope: each module-level name it touched,
    /// with its value (or none) at its end.
    pub module_after: Vec<(String, Option<Binding>)>,
    /// The module scope's admitted expressions at its end, when it touched them.
    pub admitted_after: Option<Vec<String>>,
    /// How many entries of each of the model's lists are its.
    pub counts: Counts,
    /// Its functions' summaries and owners, and how they were registered.
    pub summaries: Vec<Option<Eval>>,
    pub owners: Vec<Option<String>>,
    pub registrations: Vec<Registration>,
    /// Syntax errors the lowering found (deeper than it goes, missing
    /// nodes); the tree's own are collected afresh each time.
    pub syntax_errors: Vec<Span>,
    /// How many conditional ids it took.
    pub conditionals: u32,
    /// Calls whose target is resolved when the walk ends: (index among the
    /// statement's calls, callee, the caller's owner).
    pub pending_targets: Vec<(usize, CalleeRef, Option<String>)>,
}

/// Every list of the model a statement puts entries in, with the type of
/// its entries: the one place that names them for [`Counts`],
/// [`OldEntries`] and [`truncate`], so a list added to the model is counted,
/// moved and dropped with the others (the equivalence test fails until it
/// is named here and its spans are moved in `entries_in_place`).
macro_rules! model_lists {
    ($then:ident) => {
        $then! {
            functions: Function,
            loops: Loop,
            calls: Call,
            async_blocks: Span,
            orm_models: OrmModel,
            element_reads: ElementRead,
            attribute_writes: AttributeWrite,
            test_code: Span,
            name_reads: NameRead,
            assignments: Assignment,
            arms: Arm,
        }
    };
}

macro_rules! define_counts {
    ($($list:ident: $entry:ty,)*) => {
        /// Lengths of a statement's runs in the model's lists (or where runs start).
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub(crate) struct Counts {
            $(pub $list: usize,)*
        }

        impl Counts {
            /// The lengths of the model's lists.
            pub fn of(model: &FileModel) -> Counts {
                Counts {
                    $($list: model.$list.len(),)*
                }
            }

            /// The lengths `self` grew by since `start`.
            pub fn since(self, start: Counts) -> Counts {
                Counts {
                    $($list: self.$list - start.$list,)*
                }
            }
        }

        /// The last model's lists, handed out statement by statement in
        /// order: a reused statement's entries move to the new model, the
        /// others' are dropped.
        pub(crate) struct OldEntries {
            $($list: std::vec::IntoIter<$entry>,)*
            /// How many entries each statement has.
            counts: Vec<Counts>,
            /// The statement whose entries come next.
            next: usize,
        }

        impl OldEntries {
            pub fn new(model: FileModel, segments: &[Segment]) -> OldEntries {
                OldEntries {
                    counts: segments.iter().map(|segment| segment.counts).collect(),
                    $($list: model.$list.into_iter(),)*
                    next: 0,
                }
            }

            /// Moves statement `index`'s entries to the end of `model`,
            /// dropping those of the statements before it not taken. False
            /// when they were passed already.
            pub fn take(&mut self, index: usize, model: &mut FileModel) -> bool {
                if index < self.next || index >= self.counts.len() {
                    return false;
                }
                while self.next < index {
                    self.skip(self.counts[self.next]);
                    self.next += 1;
                }
                let counts = self.counts[index];
                $(model.$list.extend(self.$list.by_ref().take(counts.$list));)*
                self.next = index + 1;
                true
            }

            fn skip(&mut self, counts: Counts) {
                fn drop_some<T>(entries: &mut std::vec::IntoIter<T>, count: usize) {
                    if count > 0 {
                        entries.nth(count - 1);
                    }
                }
                $(drop_some(&mut self.$list, counts.$list);)*
            }
        }

        /// Drops the entries of `model` from `start` on (a statement whose
        /// moved entries turned out not to fit).
        pub(crate) fn truncate(model: &mut FileModel, start: Counts) {
            $(model.$list.truncate(start.$list);)*
        }
    };
}

model_lists!(define_counts);

/// The inputs a statement read from outside itself, each with the first
/// value it saw.
#[derive(Debug, Clone, Default)]
pub(crate) struct Reads {
    /// Module-level names (`None`: not bound there).
    pub names: Vec<(String, Option<Binding>)>,
    /// The module scope's admitted expressions.
    pub admitted: Option<Vec<String>>,
    /// Functions callable by a plain name, among those of earlier statements.
    pub by_name: Vec<(String, Vec<FunctionId>)>,
    /// Methods by (owner, name), among those of earlier statements.
    pub methods: Vec<((String, String), Option<FunctionId>)>,
    /// Functions of earlier statements whose facts it used.
    pub functions: Vec<(FunctionId, FunctionFacts)>,
}

/// What calls read of a function of the file: its parameters' names,
/// whether it is nested, and its summary.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FunctionFacts {
    pub params: Vec<String>,
    pub nested: bool,
    pub summary: Option<Eval>,
}

/// How a function got registered for calls by name.
#[derive(Debug, Clone)]
pub(crate) enum Registration {
    /// Callable by its plain name.
    ByName(String, FunctionId),
    /// A method of an owner (the first one of a name wins).
    Method(String, String, FunctionId),
}

/// Where the ids of a statement's entries start, in the model they are in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Bases {
    pub function: u32,
    pub loop_: u32,
    pub conditional: u32,
}

/// Moves positions and function ids of the last lowering to where they are
/// now. The text is the same before `prefix_end` and from `suffix_start` on
/// (moved by `delta`); a position in between has no place now.
#[derive(Debug)]
pub(crate) struct Relocation {
    prefix_end: u32,
    suffix_start: u32,
    delta: i64,
    /// Old function id → new, for functions of reused statements.
    functions: Vec<Option<FunctionId>>,
}

impl Relocation {
    pub fn new(prefix_end: usize, suffix_start: usize, delta: i64, functions: usize) -> Relocation {
        Relocation {
            prefix_end: prefix_end as u32,
            suffix_start: suffix_start as u32,
            delta,
            functions: vec![None; functions],
        }
    }

    pub fn map_function(&mut self, old: FunctionId, new: Option<FunctionId>) {
        if let Some(slot) = self.functions.get_mut(old.0 as usize) {
            *slot = new;
        }
    }

    /// Whether a statement that was at `range` and whose ids started at
    /// `old` stays where it was with ids unchanged: then so does everything
    /// it holds (it can only refer to statements before it).
    pub fn keeps_in_place(&self, range: &Range<usize>, old: Bases, new: Bases) -> bool {
        range.end as u32 <= self.prefix_end && old == new
    }

    pub fn span(&self, span: Span) -> Option<Span> {
        if span.end <= self.prefix_end {
            Some(span)
        } else if span.start >= self.suffix_start {
            let start = u32::try_from(i64::from(span.start) + self.delta).ok()?;
            let end = u32::try_from(i64::from(span.end) + self.delta).ok()?;
            Some(Span { start, end })
        } else {
            None
        }
    }

    pub fn function(&self, id: FunctionId) -> Option<FunctionId> {
        self.functions.get(id.0 as usize).copied().flatten()
    }

    pub fn origin(&self, origin: Origin) -> Option<Origin> {
        Some(match origin {
            Origin::Param(function, params) => Origin::Param(self.function(function)?, params),
            Origin::Input(span) => Origin::Input(self.span(span)?),
            Origin::Remote(span) => Origin::Remote(self.span(span)?),
            other => other,
        })
    }

    // ----- in place: false when something has no place now ----------------------

    fn at(&self, span: &mut Span) -> bool {
        match self.span(*span) {
            Some(moved) => {
                *span = moved;
                true
            }
            None => false,
        }
    }

    fn at_optional(&self, span: &mut Option<Span>) -> bool {
        span.as_mut().is_none_or(|span| self.at(span))
    }

    fn id(&self, id: &mut FunctionId) -> bool {
        match self.function(*id) {
            Some(moved) => {
                *id = moved;
                true
            }
            None => false,
        }
    }

    fn id_optional(&self, id: &mut Option<FunctionId>) -> bool {
        id.as_mut().is_none_or(|id| self.id(id))
    }

    fn origin_in_place(&self, origin: &mut Origin) -> bool {
        match self.origin(*origin) {
            Some(moved) => {
                *origin = moved;
                true
            }
            None => false,
        }
    }

    pub fn value_in_place(&self, value: &mut Value) -> bool {
        match value {
            Value::Str(shape) => self.shape_in_place(shape),
            Value::Sequence(values) | Value::OneOf(values) => {
                values.iter_mut().all(|value| self.value_in_place(value))
            }
            Value::Object(entries) => entries
                .iter_mut()
                .all(|(_, value)| self.value_in_place(value)),
            _ => true,
        }
    }

    fn shape_in_place(&self, shape: &mut StrShape) -> bool {
        self.at(&mut shape.span)
            && shape.parts.iter_mut().all(|part| match part {
                Part::Lit(_) => true,
                Part::Hole(hole) => {
                    self.at(&mut hole.span)
                        && self.origin_in_place(&mut hole.origin)
                        && self.at_optional(&mut hole.defined_at)
                }
            })
    }

    pub fn eval_in_place(&self, eval: &mut Eval) -> bool {
        self.value_in_place(&mut eval.value)
            && self.origin_in_place(&mut eval.origin)
            && self.at_optional(&mut eval.defined_at)
    }

    fn binding_in_place(&self, binding: &mut Binding) -> bool {
        match binding {
            Binding::Import(_) => true,
            Binding::Value(eval) => self.eval_in_place(eval),
        }
    }

    pub fn names_in_place(&self, names: &mut [(String, Option<Binding>)]) -> bool {
        names.iter_mut().all(|(_, binding)| {
            binding
                .as_mut()
                .is_none_or(|binding| self.binding_in_place(binding))
        })
    }

    pub fn reads_in_place(&self, reads: &mut Reads) -> bool {
        self.names_in_place(&mut reads.names)
            && reads
                .by_name
                .iter_mut()
                .all(|(_, ids)| ids.iter_mut().all(|id| self.id(id)))
            && reads.methods.iter_mut().all(|(_, id)| self.id_optional(id))
            && reads.functions.iter_mut().all(|(id, facts)| {
                self.id(id)
                    && facts
                        .summary
                        .as_mut()
                        .is_none_or(|summary| self.eval_in_place(summary))
            })
    }

    /// A statement's own records other than its model entries.
    pub fn segment_in_place(&self, segment: &mut Segment) -> bool {
        segment
            .summaries
            .iter_mut()
            .all(|summary| summary.as_mut().is_none_or(|eval| self.eval_in_place(eval)))
            && segment
                .registrations
                .iter_mut()
                .all(|registration| match registration {
                    Registration::ByName(_, id) | Registration::Method(_, _, id) => self.id(id),
                })
            && segment.syntax_errors.iter_mut().all(|span| self.at(span))
    }

    /// A statement's entries in the model (from `start`), moved into place:
    /// its own loops and conditionals move from `old` bases to `new` ones
    /// (its own functions are in the function map already).
    pub fn entries_in_place(
        &self,
        model: &mut FileModel,
        start: Counts,
        old: Bases,
        new: Bases,
    ) -> bool {
        let loop_id = |id: &mut LoopId| id.0 = id.0 - old.loop_ + new.loop_;
        model.functions[start.functions..]
            .iter_mut()
            .all(|function| {
                self.at(&mut function.span)
                    && self.at(&mut function.name_span)
                    && function
                        .handler
                        .as_mut()
                        .is_none_or(|handler| self.at(&mut handler.evidence))
                    && function
                        .params
                        .iter_mut()
                        .all(|param| self.at(&mut param.span))
                    && self.id_optional(&mut function.parent)
            })
            && model.loops[start.loops..].iter_mut().all(|each| {
                each.parent.as_mut().map(loop_id);
                self.at(&mut each.span)
                    && self.at(&mut each.header)
                    && self.id_optional(&mut each.function)
            })
            && model.calls[start.calls..].iter_mut().all(|call| {
                call.innermost_loop.as_mut().map(loop_id);
                self.at(&mut call.span)
                    && self.at(&mut call.callee_span)
                    && self.at_optional(&mut call.receiver_defined_at)
                    && call.args.iter_mut().all(|arg| {
                        self.at(&mut arg.span)
                            && self.at_optional(&mut arg.defined_at)
                            && self.value_in_place(&mut arg.value)
                            && self.origin_in_place(&mut arg.origin)
                    })
                    && self.id_optional(&mut call.function)
                    && call
                        .target
                        .as_mut()
                        .is_none_or(|target| self.id(&mut target.function))
            })
            && model.async_blocks[start.async_blocks..]
                .iter_mut()
                .all(|span| self.at(span))
            && model.orm_models[start.orm_models..]
                .iter_mut()
                .all(|each| self.at(&mut each.span))
            && model.element_reads[start.element_reads..]
                .iter_mut()
                .all(|read| {
                    read.innermost_loop.as_mut().map(loop_id);
                    self.at(&mut read.span) && self.id_optional(&mut read.function)
                })
            && model.attribute_writes[start.attribute_writes..]
                .iter_mut()
                .all(|write| {
                    self.at(&mut write.span)
                        && self.at_optional(&mut write.object_defined_at)
                        && self.value_in_place(&mut write.value)
                        && self.at(&mut write.value_span)
                        && self.id_optional(&mut write.function)
                })
            && model.test_code[start.test_code..]
                .iter_mut()
                .all(|span| self.at(span))
            && model.name_reads[start.name_reads..]
                .iter_mut()
                .all(|read| self.at(&mut read.span) && self.id_optional(&mut read.function))
            && model.assignments[start.assignments..]
                .iter_mut()
                .all(|assignment| {
                    self.at(&mut assignment.target)
                        && self.at_optional(&mut assignment.value)
                        && self.id_optional(&mut assignment.function)
                })
            && model.arms[start.arms..].iter_mut().all(|arm| {
                arm.conditional = arm.conditional - old.conditional + new.conditional;
                self.at(&mut arm.span)
            })
    }
}

/// Which statement of the last lowering each statement now may reuse: the
/// statements both texts start with (same kind, place and text) and those
/// both end with (moved by the change in length). Statements with syntax
/// errors are always lowered afresh.
pub(crate) struct Plan {
    pub reuse: Vec<Option<usize>>,
    pub relocation: Relocation,
    /// Where each old segment's ids start.
    pub old_bases: Vec<Bases>,
}

/// A top-level statement as the front end sees it now.
pub(crate) struct Statement {
    pub range: Range<usize>,
    pub kind: u16,
    pub has_error: bool,
}

pub(crate) fn plan(memo: &LoweringMemo, source: &str, statements: &[Statement]) -> Plan {
    let old = &memo.segments;
    let same = |segment: &Segment, statement: &Statement, shift: i64| {
        !statement.has_error
            && !segment.has_error
            && segment.kind == statement.kind
            && segment.range.start as i64 + shift == statement.range.start as i64
            && segment.range.len() == statement.range.len()
            && memo.source.get(segment.range.clone()) == source.get(statement.range.clone())
    };
    let mut prefix = 0;
    while prefix < old.len()
        && prefix < statements.len()
        && same(&old[prefix], &statements[prefix], 0)
    {
        prefix += 1;
    }
    let delta = source.len() as i64 - memo.source.len() as i64;
    let mut suffix = 0;
    while suffix < old.len() - prefix
        && suffix < statements.len() - prefix
        && same(
            &old[old.len() - 1 - suffix],
            &statements[statements.len() - 1 - suffix],
            delta,
        )
    {
        suffix += 1;
    }
    let mut reuse = vec![None; statements.len()];
    for (index, slot) in reuse.iter_mut().enumerate().take(prefix) {
        *slot = Some(index);
    }
    for back in 0..suffix {
        reuse[statements.len() - 1 - back] = Some(old.len() - 1 - back);
    }
    let prefix_end = match prefix {
        0 => 0,
        _ => old[prefix - 1].range.end,
    };
    let suffix_start = match suffix {
        0 => memo.source.len() + 1,
        _ => old[old.len() - suffix].range.start,
    };
    let mut old_bases = Vec::with_capacity(old.len());
    let mut bases = Bases::default();
    for segment in old {
        old_bases.push(bases);
        bases.function += segment.counts.functions as u32;
        bases.loop_ += segment.counts.loops as u32;
        bases.conditional += segment.conditionals;
    }
    Plan {
        reuse,
        relocation: Relocation::new(prefix_end, suffix_start, delta, bases.function as usize),
        old_bases,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::{Document, SourceKind};
    use super::LoweringMemo;
    use crate::lang::random_edits::{random_edit, Random};
    use crate::model::{CallPath, FileModel, Language, Value};

    /// Sources by name, standing in for the catalogs' (which this crate
    /// does not know): enough for request input and network reads to flow.
    fn oracle(path: &CallPath) -> Option<SourceKind> {
        let text = path.text.as_str();
        if [
            "request", "environ", "argv", "stdin", "req.", "params", "query",
        ]
        .iter()
        .any(|name| text.contains(name))
        {
            Some(SourceKind::Input)
        } else if text.ends_with(".json") || text.ends_with(".text") || text.contains("recv") {
            Some(SourceKind::Remote)
        } else {
            None
        }
    }

    /// The model a whole lowering of the document's parse gives (nothing
    /// reused).
    fn whole(document: &Document) -> FileModel {
        assert!(document.is_parsed());
        document.lower_with(Some(&oracle))
    }

    fn kept(document: &mut Document, oracle_key: u64) -> FileModel {
        document.lower_kept(Some(&oracle), oracle_key);
        document.kept_model().expect("kept").clone()
    }

    /// How many statements were reused, over all the edits.
    fn check_file(path: &Path, language: Language, edits: usize, seed: u64) -> usize {
        let text = std::fs::read_to_string(path).unwrap();
        let mut document = Document::new(language, text);
        let mut random = Random(seed | 1);
        let mut reused = 0;
        for round in 0..=edits {
            if round > 0 {
                for _ in 0..1 + random.below(2) {
                    let (range, inserted) = random_edit(&mut random, document.text());
                    document.edit(range, &inserted);
                }
            }
            document.parse();
            document.lower_kept(Some(&oracle), 7);
            let kept = document.kept_model().expect("kept").clone();
            let expected = whole(&document);
            assert!(
                kept == expected,
                "{}: after {round} rounds of edits, the kept lowering differs from a whole one\n\
                 text:\n{}\n\nkept: {kept:#?}\n\nwhole: {expected:#?}",
                path.display(),
                document.text(),
            );
            reused += document.memo.as_ref().map_or(0, |memo| memo.reused);
        }
        reused
    }

    /// The correctness rule of this module: after any edits, the model is
    /// the one a whole lowering gives. Random edits to every corpus file.
    #[test]
    fn incremental_lowering_equals_a_fresh_one() {
        let mut checked = 0;
        let mut kept = 0;
        for (language_name, extensions, language) in [
            ("python", &["py"][..], Language::Python),
            ("typescript", &["ts"][..], Language::TypeScript),
            ("typescript", &["tsx"][..], Language::Tsx),
            (
                "javascript",
                &["js", "jsx", "mjs", "cjs"][..],
                Language::JavaScript,
            ),
            ("rust", &["rs"][..], Language::Rust),
        ] {
            for (index, path) in crate::lang::random_edits::corpus_files(language_name, extensions)
                .iter()
                .enumerate()
            {
                let edits = if language == Language::Python { 40 } else { 4 };
                kept += check_file(path, language, edits, 0x9e37_79b9 + index as u64);
                checked += 1;
            }
        }
        assert!(checked > 150, "only {checked} corpus files found");
        // Most statements of most lowerings are reused.
        assert!(kept > 55 * 40 * 5, "only {kept} statements were reused");
    }

    /// Reuse happens: an edit inside one function re-lowers that function's
    /// statement alone, and a file-level change (an import) reaches the
    /// statements that read it.
    #[test]
    fn an_edit_relowers_what_it_touched() {
        let text = "import os\n\ndef a(x):\n    return 1\n\ndef b(q):\n    os.system(q)\n\ndef c():\n    return a(1)\n";
        let mut document = Document::new(Language::Python, text.to_string());
        document.parse();
        document.lower_kept(Some(&oracle), 1);
        let before = document.memo.as_deref().unwrap().clone();
        let at = document.text().find("os.system").unwrap();
        document.edit(at..at, "    ");
        document.parse();
        let model = kept(&mut document, 1);
        assert_eq!(model, whole(&document));
        let after = document.memo.as_deref().unwrap().clone();
        assert_eq!(after.reused, after.segments.len() - 1);
        // `def a` reused (the same fragment, same place), `def c` reused
        // (moved), `def b` lowered afresh.
        let place = |memo: &LoweringMemo, name: &str| {
            memo.model
                .functions
                .iter()
                .find(|function| function.name == name)
                .map(|function| function.span)
                .unwrap()
        };
        assert_eq!(place(&before, "a"), place(&after, "a"));
        assert_eq!(place(&before, "c").start + 4, place(&after, "c").start);
        // Changing the import changes what `b` calls.
        let import = document.text().find("import os").unwrap();
        document.edit(import + 7..import + 7, "subprocess as ");
        document.parse();
        let model = kept(&mut document, 1);
        assert_eq!(model, whole(&document));
        assert!(model
            .calls
            .iter()
            .any(|call| call.path.text == "subprocess.system"));
        // A summary with no position in it changes: what a later function
        // gets from a call changes with it.
        let at = document.text().find("return 1").unwrap();
        document.edit(at + 7..at + 8, "os.environ['Q']");
        document.parse();
        let model = kept(&mut document, 1);
        assert_eq!(model, whole(&document));
        // A function defined before a call to it that had no target: the
        // call now returns its summary.
        let at = document.text().find("def c").unwrap();
        document.edit(at..at, "def d(cur):\n    cur.execute(helper())\n\n");
        document.parse();
        assert_eq!(kept(&mut document, 1), whole(&document));
        document.edit(at..at, "def helper():\n    return 'SELECT 1'\n\n");
        document.parse();
        let model = kept(&mut document, 1);
        assert_eq!(model, whole(&document));
        let execute = model
            .calls
            .iter()
            .find(|call| call.path.text == "cur.execute")
            .unwrap();
        assert!(
            matches!(execute.args[0].value, Value::Str(_)),
            "{execute:?}"
        );
        // Another oracle: nothing reused, still the same model.
        let model = kept(&mut document, 2);
        assert_eq!(model, whole(&document));
    }
}
