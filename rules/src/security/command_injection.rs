//! `command-injection`: non-constant data in a shell command.

use snag_analyzer::catalog::{ArgvForm, Catalog, ShellSink, SinkKind};
use snag_analyzer::engine::{Needles, Rule, RuleContext, RuleMeta};
use snag_analyzer::finding::{Diagnostic, Severity};
use snag_analyzer::model::Language;
use snag_analyzer::model::{Arg, Call, Origin, Span, Value};

use crate::sql_sinks::callee_text;
use crate::taint::{Exposure, Policy, Tracer};

pub(crate) struct CommandInjection;

static META: RuleMeta = RuleMeta {
    id: "command-injection",
    pack: "security",
    severity: Severity::Error,
    summary: "non-constant data in a shell command",
    docs: DOCS,
};

const DOCS: &str = r#"# command-injection

## What it does
Flags a shell command built from data that is not a constant: `os.system`,
`os.popen`, `subprocess.*` with `shell=True`, `asyncio.create_subprocess_shell`,
`child_process.exec`/`execSync` (also promisified), `spawn`/`execFile`/`execa`
with `{ shell: true }`, `execaCommand` (which splits the string into a command
line), and an explicit shell in argument form in every language (`["bash",
"-c", cmd]`, `spawn('sh', ['-c', cmd])`, `Command::new("sh").arg("-c").arg(cmd)`).
Values are followed through the file: request input, the environment, the
command line and standard input are reported with high confidence; a
parameter spliced into a command with medium confidence; a parameter that is
the whole command (a `run(cmd)` wrapper) only when a caller in the file passes
it tainted data, with that caller's confidence. Which calls run a shell comes
from the `shell-sink` catalog.

## Why is this bad?
The shell reads the whole string as a program: `;`, `|`, `$(…)` or a
backtick in the value runs whatever command its author likes, with the
service's privileges.

## Example
```python
subprocess.run(f"convert {upload} -thumbnail 200x200 {thumb}", shell=True)
```

## Use instead
```python
subprocess.run(["convert", upload, "-thumbnail", "200x200", thumb], check=True)
```
or quote each value (`shlex.quote`, shell-quote's `quote`, `shlex::try_quote`,
`shell_escape::escape`), pass it as a positional parameter
(`sh -c '… "$1"' sh "$x"`), or use execa's or zx's `$` template, which quotes.

## Known limits
Constants, numbers, values looked up in a constant table, values admitted by
an allow-list check (`if x not in ALLOWED: abort()`) and the output of
constant commands are clean; a deny-list check is not. A builder
(`Command::new("sh")`) is followed along one chain of calls, not through a
variable it is stored in. Values of unknown origin (configuration, attributes
of objects, loop variables over data read elsewhere) are reported with low
confidence, hidden by default.
"#;

/// Programs that run their `-c` argument as a command line.
const SHELLS: &[&str] = &[
    "sh",
    "bash",
    "zsh",
    "dash",
    "ksh",
    "ash",
    "fish",
    "csh",
    "tcsh",
    "cmd",
    "powershell",
    "pwsh",
];

impl Rule for CommandInjection {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn needles(&self, catalog: &Catalog, language: Language) -> Option<Needles> {
        Needles::words(&catalog.shell_sink_names(language))
    }

    fn check(&self, context: &RuleContext<'_>, diagnostics: &mut Vec<Diagnostic>) {
        let tracer = Tracer::new(
            context,
            Policy {
                sink: SinkKind::Shell,
                loops_are_tainted: false,
                remote_is_tainted: false,
            },
        );
        let calls = &context.model.calls;
        for (index, call) in calls.iter().enumerate() {
            if call.tagged_template {
                continue;
            }
            let Some(sink) = context.catalog.shell_sinks(call, context.language).next() else {
                continue;
            };
            let command = match sink.argv {
                None => call_command(sink, call),
                Some(form) => {
                    let shell = sink
                        .shell_option
                        .as_deref()
                        .is_some_and(|option| option_is_set(call, option));
                    if shell {
                        shell_line(sink, call, form)
                    } else {
                        explicit_shell(call, form, &calls[index + 1..])
                    }
                }
            };
            let Some(exposure) = command
                .iter()
                .filter_map(|part| {
                    tracer.exposure(part.value, part.origin, part.span, call.span, "the command")
                })
                .reduce(|worst, each| {
                    if each.taint.confidence > worst.taint.confidence {
                        each
                    } else {
                        worst
                    }
                })
            else {
                continue;
            };
            diagnostics.push(diagnostic(context, call, exposure));
        }
    }
}

/// A value that ends up in a command line.
struct Part<'a> {
    value: &'a Value,
    origin: Origin,
    span: Span,
}

impl<'a> Part<'a> {
    fn of(arg: &'a Arg) -> Part<'a> {
        Part {
            value: &arg.value,
            origin: arg.origin,
            span: arg.span,
        }
    }
}

/// The command argument of a call that always runs a shell.
fn call_command<'a>(sink: &ShellSink, call: &'a Call) -> Vec<Part<'a>> {
    sink.command_argument(call)
        .map(Part::of)
        .into_iter()
        .collect()
}

/// With the shell option set, everything the call is given to run: the
/// command (a string or a list) and, for a program-and-arguments call, the
/// arguments, which the shell reads joined with spaces.
fn shell_line<'a>(sink: &ShellSink, call: &'a Call, form: ArgvForm) -> Vec<Part<'a>> {
    let mut parts = call_command(sink, call);
    if form == ArgvForm::Array {
        if let Some(arguments) = call
            .args
            .iter()
            .filter(|arg| arg.keyword.is_none())
            .nth(sink.arg + 1)
            .filter(|arg| matches!(arg.value, Value::Sequence(_)))
        {
            parts.push(Part::of(arguments));
        }
    }
    parts
}

/// `shell=True`, `{ shell: true }`, `{ shell: '/bin/bash' }`: anything but a
/// literal false or nothing.
fn option_is_set(call: &Call, option: &str) -> bool {
    let is_set = |value: &Value| {
        !matches!(
            value,
            Value::Bool(false) | Value::Literal | Value::Number(_)
        )
    };
    call.args.iter().any(|arg| {
        if arg.keyword.as_deref() == Some(option) {
            return is_set(&arg.value);
        }
        match &arg.value {
            Value::Object(entries) => entries
                .iter()
                .any(|(key, value)| key == option && is_set(value)),
            _ => false,
        }
    })
}

/// A program and its arguments, where the program is a shell given a
/// command with `-c` (or `/C`): the command, and nothing after it (those are
/// the script's positional parameters, which it reads as data).
fn explicit_shell<'a>(call: &'a Call, form: ArgvForm, after: &'a [Call]) -> Vec<Part<'a>> {
    let positional: Vec<&Arg> = call
        .args
        .iter()
        .filter(|arg| arg.keyword.is_none())
        .collect();
    let mut items: Vec<Part<'a>> = Vec::new();
    let spread = |arg: &'a Arg, items: &mut Vec<Part<'a>>| match &arg.value {
        Value::Sequence(values) => items.extend(values.iter().map(|value| Part {
            value,
            origin: item_origin(value, arg.origin),
            span: arg.span,
        })),
        _ => items.push(Part::of(arg)),
    };
    match form {
        ArgvForm::Sequence => {
            if let Some(list) = positional.first() {
                if matches!(list.value, Value::Sequence(_)) {
                    spread(list, &mut items);
                }
            }
        }
        ArgvForm::Varargs => items.extend(positional.iter().map(|arg| Part::of(arg))),
        ArgvForm::Array => {
            if let Some(program) = positional.first() {
                items.push(Part::of(program));
            }
            if let Some(arguments) = positional.get(1) {
                if matches!(arguments.value, Value::Sequence(_)) {
                    spread(arguments, &mut items);
                }
            }
        }
        ArgvForm::Builder => {
            if let Some(program) = positional.first() {
                items.push(Part::of(program));
            }
            // The calls chained on the builder start where it starts.
            for chained in after
                .iter()
                .take_while(|chained| chained.span.start == call.span.start)
            {
                let Some(argument) = chained.args.first() else {
                    continue;
                };
                match chained.path.name() {
                    "arg" => items.push(Part::of(argument)),
                    "args" => spread(argument, &mut items),
                    _ => {}
                }
            }
        }
    }
    let Some(program) = items.first().and_then(|part| literal(part.value)) else {
        return Vec::new();
    };
    let program = program
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let program = program.trim_end_matches(".exe");
    if !SHELLS.contains(&program) {
        return Vec::new();
    }
    let flag = items
        .iter()
        .skip(1)
        .position(|part| literal(part.value).is_some_and(|text| is_command_flag(program, &text)));
    match flag {
        Some(at) => items.into_iter().skip(at + 2).take(1).collect(),
        None => Vec::new(),
    }
}

/// An item of a written-out list: a string knows its own holes; anything
/// else is taken to be as tainted as the list.
fn item_origin(value: &Value, list: Origin) -> Origin {
    match value {
        Value::Str(shape) if shape.holes().next().is_none() => Origin::Constant,
        Value::Number(_) | Value::Bool(_) | Value::Literal => Origin::Constant,
        _ => list,
    }
}

/// The text of a string without holes.
fn literal(value: &Value) -> Option<String> {
    match value {
        Value::Str(shape) if shape.holes().next().is_none() => Some(shape.literal_text()),
        _ => None,
    }
}

/// `-c`, `-lc`, `-ec` for POSIX shells; `/C`, `/K` for `cmd`; `-c`,
/// `-Command` for PowerShell.
fn is_command_flag(program: &str, flag: &str) -> bool {
    let flag = flag.trim();
    match program {
        "cmd" => matches!(flag.to_ascii_lowercase().as_str(), "/c" | "/k" | "/r"),
        "powershell" | "pwsh" => matches!(
            flag.to_ascii_lowercase().as_str(),
            "-c" | "-command" | "/c" | "/command"
        ),
        _ => flag.strip_prefix('-').is_some_and(|letters| {
            !letters.is_empty()
                && !letters.starts_with('-')
                && letters.chars().all(|letter| letter.is_ascii_alphabetic())
                && letters.contains('c')
        }),
    }
}

fn diagnostic(context: &RuleContext<'_>, call: &Call, exposure: Exposure) -> Diagnostic {
    let callee = callee_text(context, call);
    let Exposure {
        taint,
        name,
        related,
    } = exposure;
    let kind = taint.kind;
    Diagnostic {
        rule: META.id,
        confidence: taint.confidence,
        span: call.span,
        message: format!("`{name}` ({kind}) reaches a shell command run by `{callee}`"),
        why: format!(
            "Whoever controls `{name}` can end the command with `;` or `$(…)` and run any program on the server."
        ),
        help: "Run the program with a list of arguments and no shell, or quote the value (`shlex.quote`, shell-quote's `quote`, `shlex::try_quote`).".to_string(),
        related,
        fix: None,
    }
}
