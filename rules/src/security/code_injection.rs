//! `code-injection`: `eval`/`exec`/`new Function`/similar on non-constant
//! data, and deserialisers that run code while loading.

use snag_analyzer::catalog::{Catalog, EvalKind, EvalSink, SinkKind};
use snag_analyzer::engine::{Needles, Rule, RuleContext, RuleMeta};
use snag_analyzer::finding::{Diagnostic, Severity};
use snag_analyzer::model::Language;
use snag_analyzer::model::{Arg, Call, Span};

use crate::sql_sinks::callee_text;
use crate::taint::{Exposure, Policy, Tracer};

pub(crate) struct CodeInjection;

static META: RuleMeta = RuleMeta {
    id: "code-injection",
    pack: "security",
    severity: Severity::Error,
    summary: "`eval`/`exec`/`new Function`/similar on non-constant data",
    docs: DOCS,
};

const DOCS: &str = r#"# code-injection

## What it does
Flags code evaluated from data that is not a constant: Python's `eval`,
`exec` and `compile`; JavaScript's `eval`, `new Function`/`Function`, the
`node:vm` functions and `vm.Script`, and `setTimeout`/`setInterval` given a
string; Rust script engines (rhai `eval*`/`run*`/`compile*`, mlua `load`, pyo3
`run`/`eval`, boa `eval`). Also deserialisers that run code while loading:
`pickle`, `marshal`, `dill`, `jsonpickle`, `yaml.load` without a safe loader,
`node-serialize`'s `unserialize`; and `libloading::Library::new` on a path.
Request input, the environment, the command line and standard input are
reported with high confidence; data read from the network (an HTTP response, a
shared cache) and a parameter spliced into code with medium confidence; a
parameter that is the whole code only when a caller in the file passes it
tainted data. Code compiled and run in one expression is one finding. Which
calls evaluate comes from the `eval-sink` catalog.

## Why is this bad?
Whoever controls the text runs their own code inside the service: reading
its secrets, its files and its database, or using it to reach further in.

## Example
```python
value = eval(request.args["expr"], {"__builtins__": {}})
```

## Use instead
```python
value = simple_eval(request.args["expr"])  # or ast.literal_eval for literals
```
Keep the code constant and pass the data as variables (`eval(FORMULA, {},
values)`, `vm.runInNewContext(CODE, { input })`, a rhai `Scope`), emit data
into code with `JSON.stringify`, and load YAML with `yaml.safe_load`.

## Known limits
What a file holds is of unknown origin (hidden by default), whoever chose its
path: files the deployment owns (its config, its own pickle cache,
`include_str!` scripts, its plugin directory) are trusted, and a path from a
request is a different flaw (path traversal). A compiled object run later
(`script.runInNewContext`, a stored rhai `AST`) is not a second finding. Only the code argument counts: data bound
as variables is not code.
"#;

impl Rule for CodeInjection {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn needles(&self, catalog: &Catalog, language: Language) -> Option<Needles> {
        Needles::words(&catalog.eval_sink_names(language))
    }

    fn check(&self, context: &RuleContext<'_>, diagnostics: &mut Vec<Diagnostic>) {
        let tracer = Tracer::new(
            context,
            Policy {
                sink: SinkKind::Code,
                loops_are_tainted: false,
                remote_is_tainted: true,
            },
        );
        let sinks: Vec<(&Call, &EvalSink, &Arg)> = context
            .model
            .calls
            .iter()
            .filter(|call| !call.tagged_template)
            .filter_map(|call| {
                let sink = context.catalog.eval_sinks(call, context.language).next()?;
                let code = sink.code_argument(call)?;
                (!loads_safely(context, call, sink)).then_some((call, sink, code))
            })
            .collect();
        let sink_spans: Vec<Span> = sinks.iter().map(|(call, ..)| call.span).collect();
        for (call, sink, code) in &sinks {
            // `exec(compile(source))`: the inner call is the finding.
            if sink_spans
                .iter()
                .any(|inner| *inner != call.span && code.span.contains(*inner))
            {
                continue;
            }
            let what = match sink.kind {
                EvalKind::Code => "the code",
                EvalKind::Deserialize => "the data",
                EvalKind::Library => "the library path",
            };
            let Some(exposure) =
                tracer.exposure(&code.value, code.origin, code.span, call.span, what)
            else {
                continue;
            };
            diagnostics.push(diagnostic(context, call, sink, exposure));
        }
    }
}

/// `yaml.load(…, Loader=yaml.SafeLoader)`: the keyword, or an argument after
/// the data, names a safe loader.
fn loads_safely(context: &RuleContext<'_>, call: &Call, sink: &EvalSink) -> bool {
    let Some(keyword) = sink.safe_keyword.as_deref() else {
        return false;
    };
    let names_safe = |arg: &Arg| {
        let text = context.text(arg.span).trim();
        let last = text.rsplit(['.', ':']).next().unwrap_or(text);
        sink.safe_values.iter().any(|safe| safe == last)
    };
    call.args
        .iter()
        .enumerate()
        .any(|(index, arg)| match &arg.keyword {
            Some(name) => name == keyword && names_safe(arg),
            None => index > 0 && names_safe(arg),
        })
}

fn diagnostic(
    context: &RuleContext<'_>,
    call: &Call,
    sink: &EvalSink,
    exposure: Exposure,
) -> Diagnostic {
    let callee = callee_text(context, call);
    let Exposure {
        taint,
        name,
        related,
    } = exposure;
    let kind = taint.kind;
    let (message, why, help) = match sink.kind {
        EvalKind::Code => (
            format!("`{name}` ({kind}) is evaluated as code by `{callee}`"),
            format!("Whoever controls `{name}` runs their own code inside the service, with its secrets and access."),
            "Keep the code constant and pass data as variables (or parse it: `ast.literal_eval`, `JSON.parse`, a safe expression evaluator).",
        ),
        EvalKind::Deserialize => (
            format!("`{name}` ({kind}) is deserialised by `{callee}`, which can run code while loading"),
            format!("Whoever controls `{name}` can make loading it construct objects that run their code."),
            "Use a data-only format (`json.loads`, `yaml.safe_load`, `JSON.parse`) for data that comes from outside.",
        ),
        EvalKind::Library => (
            format!("`{name}` ({kind}) names a native library loaded by `{callee}`"),
            format!("Whoever controls `{name}` picks the code the process loads and runs."),
            "Load libraries only from a fixed directory the deployment owns, by a name checked against an allow-list.",
        ),
    };
    Diagnostic {
        rule: META.id,
        confidence: taint.confidence,
        span: call.span,
        message,
        why,
        help: help.to_string(),
        related,
        fix: None,
    }
}
