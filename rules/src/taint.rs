//! What the injection rules share: how much an attacker controls a value that
//! reaches a sink, and the path it took there from where it entered.
//!
//! The model says where each value comes from (`Origin`); this module adds
//! what one function cannot see: a parameter is as tainted as what the
//! file's own callers pass for it. Callers are followed through the
//! model's call targets (calls to functions of the same file), each
//! (function, parameter) answered once, so the work stays linear in the
//! number of calls.

use foldhash::{HashMap, HashMapExt};
use std::cell::RefCell;

use snag_analyzer::catalog::SinkKind;
use snag_analyzer::engine::RuleContext;
use snag_analyzer::finding::{Confidence, Related};
use snag_analyzer::model::{Arg, Call, CallPath, FunctionId, Hole, Origin, Span, Value};

/// A tainted value at a sink, explained.
#[derive(Debug, Clone)]
pub(crate) struct Exposure {
    pub taint: Taint,
    /// The value to name in the message (the hole, or the argument).
    pub name: String,
    /// Where it is spliced, where it comes from, where it entered, the calls
    /// it went through, where the text was built.
    pub related: Vec<Related>,
}

use crate::sql_sinks::one_line;

/// How tainted a value is, and why.
#[derive(Debug, Clone)]
pub(crate) struct Taint {
    pub confidence: Confidence,
    /// What the value is, for messages: `request input`, `a parameter`…
    pub kind: &'static str,
    /// Where it entered, then each call that passed it on, outermost first.
    pub trail: Vec<Related>,
}

impl Taint {
    fn new(confidence: Confidence, kind: &'static str) -> Taint {
        Taint {
            confidence,
            kind,
            trail: Vec::new(),
        }
    }
}

/// What a rule counts as tainted.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Policy {
    /// Which sanitizers apply.
    pub sink: SinkKind,
    /// A loop variable over data of unknown origin is reported (SQL built
    /// per row is worth a look); otherwise it is of unknown origin.
    pub loops_are_tainted: bool,
    /// Data read from the network (response bodies, shared caches) is
    /// untrusted: for deserialising and evaluating.
    pub remote_is_tainted: bool,
}

/// Classifies values for one rule over one file.
pub(crate) struct Tracer<'a> {
    context: &'a RuleContext<'a>,
    policy: Policy,
    /// The calls of the file to each of its functions.
    callers: HashMap<FunctionId, Vec<&'a Call>>,
    /// What the callers pass for a parameter, worked out once.
    passed: RefCell<HashMap<(FunctionId, usize), Option<Taint>>>,
}

/// How deep callers are followed: helpers of helpers of handlers.
const MAX_HOPS: usize = 8;

impl<'a> Tracer<'a> {
    pub(crate) fn new(context: &'a RuleContext<'a>, policy: Policy) -> Tracer<'a> {
        let mut callers: HashMap<FunctionId, Vec<&'a Call>> = HashMap::new();
        for call in &context.model.calls {
            if let Some(target) = call.target {
                callers.entry(target.function).or_default().push(call);
            }
        }
        Tracer {
            context,
            policy,
            callers,
            passed: RefCell::new(HashMap::new()),
        }
    }

    /// A value spliced into the sink's text, with literal text around it.
    pub(crate) fn hole(&self, hole: &Hole) -> Option<Taint> {
        self.classify(hole.origin, hole.path.as_ref(), false, 0)
    }

    /// A value that is the sink's whole argument (`os.system(cmd)`): a
    /// parameter there is the callers' business, reported only when one of
    /// them passes tainted data.
    pub(crate) fn whole(&self, origin: Origin, path: Option<&CallPath>) -> Option<Taint> {
        self.classify(origin, path, true, 0)
    }

    /// The worst tainted part of a value handed to a sink at `sink`, and the
    /// spans that explain it; `what` names the text for messages (`the
    /// command`). `span` is where the value is written.
    pub(crate) fn exposure(
        &self,
        value: &Value,
        origin: Origin,
        span: Span,
        sink: Span,
        what: &str,
    ) -> Option<Exposure> {
        let context = self.context;
        let mut related: Vec<Related> = Vec::new();
        let mut worst: Option<(Taint, String)> = None;
        let consider = |taint: Option<Taint>, name: String, worst: &mut Option<(Taint, String)>| {
            if let Some(taint) = taint {
                if worst
                    .as_ref()
                    .is_none_or(|(seen, _)| taint.confidence > seen.confidence)
                {
                    *worst = Some((taint, name));
                }
            }
        };
        let mut built_at = None;
        match value {
            Value::Function | Value::Number(_) | Value::Bool(_) | Value::Literal => return None,
            Value::Str(_) | Value::OneOf(_) if value.strings().next().is_some() => {
                for shape in value.strings() {
                    let text_around = !shape.literal_text().trim().is_empty();
                    if !sink.contains(shape.span) {
                        built_at = Some(shape.span);
                    }
                    for hole in shape.holes() {
                        let taint = if text_around {
                            self.hole(hole)
                        } else {
                            self.whole(hole.origin, hole.path.as_ref())
                        };
                        let Some(taint) = taint else {
                            continue;
                        };
                        let name = if hole.text.is_empty() {
                            "value".to_string()
                        } else {
                            one_line(&hole.text)
                        };
                        push_once(
                            &mut related,
                            hole.span,
                            format!("`{name}` is {}, spliced into {what} here", taint.kind),
                        );
                        if let Some(defined_at) = hole.defined_at {
                            if !sink.contains(defined_at) {
                                push_once(
                                    &mut related,
                                    defined_at,
                                    format!("`{name}` comes from here"),
                                );
                            }
                        }
                        consider(Some(taint), name, &mut worst);
                    }
                }
                // Alternatives that are not strings.
                if let Value::OneOf(values) = value {
                    if values.iter().any(|value| !matches!(value, Value::Str(_))) {
                        let name = one_line(context.text(span));
                        consider(self.whole(origin, None), name, &mut worst);
                    }
                }
            }
            Value::Path(path) => {
                let name = one_line(context.text(span));
                consider(self.whole(origin, Some(path)), name, &mut worst);
            }
            _ => {
                let name = one_line(context.text(span));
                consider(self.whole(origin, None), name, &mut worst);
            }
        }
        let (taint, name) = worst?;
        for step in &taint.trail {
            push_once(&mut related, step.span, step.message.clone());
        }
        if let Some(built_at) = built_at {
            push_once(&mut related, built_at, format!("{what} is built here"));
        }
        Some(Exposure {
            taint,
            name,
            related,
        })
    }

    fn argument_at(&self, arg: &Arg, whole: bool, depth: usize) -> Option<Taint> {
        match &arg.value {
            Value::Function | Value::Number(_) | Value::Bool(_) | Value::Literal => None,
            Value::Str(_) | Value::OneOf(_) if arg.value.strings().next().is_some() => {
                let mut worst: Option<Taint> = None;
                for shape in arg.value.strings() {
                    let text_around = !shape.literal_text().trim().is_empty();
                    for hole in shape.holes() {
                        let taint = self.classify(
                            hole.origin,
                            hole.path.as_ref(),
                            whole && !text_around,
                            depth,
                        );
                        worst = stronger(worst, taint);
                    }
                }
                // Alternatives that are not strings keep the value's origin.
                if matches!(arg.value, Value::OneOf(_)) && worst.is_none() {
                    worst = self.classify(arg.origin, None, whole, depth);
                }
                worst
            }
            Value::Path(path) => self.classify(arg.origin, Some(path), whole, depth),
            _ => self.classify(arg.origin, None, whole, depth),
        }
    }

    fn classify(
        &self,
        origin: Origin,
        path: Option<&CallPath>,
        whole: bool,
        depth: usize,
    ) -> Option<Taint> {
        let context = self.context;
        if let Some(path) = path {
            if context
                .catalog
                .is_sanitizer_for(path, context.language, self.policy.sink)
            {
                return None;
            }
        }
        match origin {
            Origin::Constant | Origin::Numeric => None,
            Origin::Input(entered) => {
                let kind = input_kind(self.context.text(entered));
                Some(self.entered(entered, kind, "untrusted input"))
            }
            Origin::Remote(entered) if self.policy.remote_is_tainted => {
                let mut taint = Taint::new(Confidence::Medium, "data read from the network");
                taint.trail.push(Related {
                    span: entered,
                    message: "read from the network here".to_string(),
                });
                Some(taint)
            }
            Origin::Loop if self.policy.loops_are_tainted => {
                Some(Taint::new(Confidence::Medium, "a loop variable"))
            }
            Origin::Param(function, params) => {
                let mut strongest: Option<Taint> = None;
                for index in params.iter() {
                    strongest = stronger(strongest, self.parameter(function, index, depth));
                }
                match strongest {
                    Some(taint) if taint.confidence > Confidence::Low => Some(taint),
                    // No caller of this file passes tainted data: a value a
                    // caller chose, built into text, is still worth a look.
                    other if !whole => {
                        stronger(other, Some(Taint::new(Confidence::Medium, "a parameter")))
                    }
                    other => other,
                }
            }
            Origin::Remote(_) | Origin::Loop | Origin::Unknown => {
                // Neither a parameter nor input as far as the file tells
                // (configuration, attributes of objects, results of calls
                // on clean data): reported, but hidden by default.
                Some(Taint::new(Confidence::Low, "a value of unknown origin"))
            }
        }
    }

    /// Untrusted data that entered at `span`.
    fn entered(&self, span: Span, kind: &'static str, _alias: &'static str) -> Taint {
        let mut taint = Taint::new(Confidence::High, kind);
        taint.trail.push(Related {
            span,
            message: format!("`{}` is {kind}", one_line(self.context.text(span)).trim()),
        });
        taint
    }

    /// What this file's callers pass for parameter `index` of `function`.
    fn parameter(&self, function: FunctionId, index: usize, depth: usize) -> Option<Taint> {
        let model = self.context.model;
        let declared = model.functions.get(function.0 as usize)?;
        if let Some(param) = declared.params.get(index) {
            // A handler found to be one after its body was lowered (a
            // registration further down the file).
            if param.is_request_input {
                return Some(self.entered(param.span, "request input", "untrusted input"));
            }
        }
        if depth >= MAX_HOPS {
            return None;
        }
        if let Some(known) = self.passed.borrow().get(&(function, index)) {
            return known.clone();
        }
        // A call cycle ends here: what is being worked out counts as nothing.
        self.passed.borrow_mut().insert((function, index), None);
        let mut strongest: Option<Taint> = None;
        let param_name = declared.params.get(index).map(|param| param.name.as_str());
        for call in self.callers.get(&function).into_iter().flatten() {
            let Some(target) = call.target else {
                continue;
            };
            let Some(arg) = argument_for(call, index, target.first_param as usize, param_name)
            else {
                continue;
            };
            // Passed on whole, a parameter of the caller is still the
            // callers' business; built into text, it is worth a look.
            let Some(mut taint) = self.argument_at(arg, true, depth + 1) else {
                continue;
            };
            taint.trail.push(Related {
                span: call.span,
                message: format!(
                    "passed to `{}` here",
                    one_line(self.context.text(call.callee_span))
                ),
            });
            strongest = stronger(strongest, Some(taint));
        }
        self.passed
            .borrow_mut()
            .insert((function, index), strongest.clone());
        strongest
    }
}

/// The argument of `call` bound to parameter `index`.
fn argument_for<'c>(
    call: &'c Call,
    index: usize,
    first_param: usize,
    param_name: Option<&str>,
) -> Option<&'c Arg> {
    if let Some(name) = param_name {
        if let Some(arg) = call
            .args
            .iter()
            .find(|arg| arg.keyword.as_deref() == Some(name))
        {
            return Some(arg);
        }
    }
    let position = index.checked_sub(first_param)?;
    call.args
        .iter()
        .filter(|arg| arg.keyword.is_none())
        .nth(position)
}

/// Adds a related span unless one is already there.
fn push_once(related: &mut Vec<Related>, span: Span, message: String) {
    if !related.iter().any(|each| each.span == span) {
        related.push(Related { span, message });
    }
}

/// The stronger of two taints; the first on a tie.
pub(crate) fn stronger(left: Option<Taint>, right: Option<Taint>) -> Option<Taint> {
    match (left, right) {
        (Some(left), Some(right)) => Some(if right.confidence > left.confidence {
            right
        } else {
            left
        }),
        (left, right) => left.or(right),
    }
}

/// What kind of input a source read is, by how it is written: the process's
/// environment, its command line and standard input are untrusted as
/// request data is, but a reader should see which it is.
fn input_kind(text: &str) -> &'static str {
    const KINDS: &[(&str, &[&str])] = &[
        (
            "the environment",
            &["environ", "getenv", "process.env", "env::var", "env.var"],
        ),
        (
            "standard input",
            &["stdin", "input(", "prompt(", "readline", "read_line"],
        ),
        (
            "the command line",
            &[
                "argv",
                "env::args",
                "parse_args",
                "parse_known_args",
                "get_matches",
                "Parser::parse",
                "parseArgs",
                "opts()",
                "minimist",
                "yargs",
            ],
        ),
    ];
    KINDS
        .iter()
        .find(|(_, marks)| marks.iter().any(|mark| text.contains(mark)))
        .map_or("request input", |(kind, _)| kind)
}

#[cfg(test)]
mod tests {
    use super::input_kind;

    #[test]
    fn sources_are_named_by_what_they_read() {
        for (text, kind) in [
            ("sys.stdin.read()", "standard input"),
            ("input('> ')", "standard input"),
            ("std::io::stdin().read_line(&mut line)", "standard input"),
            ("os.environ['TARGET']", "the environment"),
            ("process.env.BRANCH", "the environment"),
            ("std::env::var(\"HOST\")", "the environment"),
            ("sys.argv[1]", "the command line"),
            ("parser.parse_args()", "the command line"),
            ("process.argv[2]", "the command line"),
            ("request.GET['q']", "request input"),
            ("req.query.sort", "request input"),
            ("request", "request input"),
        ] {
            assert_eq!(input_kind(text), kind, "{text}");
        }
    }
}
