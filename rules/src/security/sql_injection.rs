//! `sql-injection`: non-constant data spliced into SQL text that reaches a
//! query sink.

use snag_analyzer::engine::{Needles, Rule, RuleContext, RuleMeta};
use snag_analyzer::finding::{Confidence, Diagnostic, Related, Severity};
use snag_analyzer::model::{Hole, Origin};

use crate::sql_sinks::{callee_text, one_line, sql_needles, sql_uses};

pub(crate) struct SqlInjection;

static META: RuleMeta = RuleMeta {
    id: "sql-injection",
    pack: "security",
    severity: Severity::Error,
    summary: "non-constant data spliced into SQL text that reaches a query sink",
    docs: DOCS,
};

const DOCS: &str = r#"# sql-injection

## What it does
Flags a call that sends SQL text to a database when that text was built by
splicing in a value that is not a constant: an f-string, `%` or `.format()`,
`+`, a template literal, `format!`, `push_str`. Each spliced value is traced
back within its function: request input and parameters are reported; constants,
numbers (`int(x)`, `parseInt`, `.parse::<i64>()`), placeholder lists joined from
constants, and values passed through a known escaping function are not.
Parameterized calls and tagged templates that bind their values
(`prisma.$queryRaw\`…\``, `sql\`…\``), and `psycopg.sql` composition, are safe.

## Why is this bad?
Whoever controls the spliced value can rewrite the query: read other users'
rows, change or delete data, or bypass a login.

## Example
```python
cur.execute(f"SELECT id FROM users WHERE email = '{email}'")
```

## Use instead
```python
cur.execute("SELECT id FROM users WHERE email = %s", (email,))
```

## Known limits
Values are followed within one function (and through module constants), not
across calls or files; a call to an unknown function passes its arguments'
taint to its result. A value whose origin cannot be told (an attribute of an
object, configuration, the result of a call on clean data) is reported with low
confidence, hidden by default (`--min-confidence low` shows it).
"#;

/// How a spliced value makes the finding: its risk, and how to name it.
fn classify(context: &RuleContext<'_>, hole: &Hole) -> Option<(Confidence, &'static str)> {
    if let Some(path) = &hole.path {
        if context.catalog.is_sanitizer(path, context.language) {
            return None;
        }
        if context.catalog.is_source(path, context.language) {
            return Some((Confidence::High, "untrusted input"));
        }
    }
    match hole.origin {
        Origin::Constant | Origin::Numeric => None,
        Origin::Input => Some((Confidence::High, "request input")),
        Origin::Param => Some((Confidence::Medium, "a parameter")),
        Origin::Loop => Some((Confidence::Medium, "a loop variable")),
        // Neither a parameter nor input as far as one function can tell
        // (configuration, attributes of objects, results of calls on clean
        // data): reported, but hidden by default.
        Origin::Unknown => Some((Confidence::Low, "a value of unknown origin")),
    }
}

impl Rule for SqlInjection {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn needles(&self, catalog: &snag_analyzer::catalog::Catalog) -> Option<Needles> {
        Some(sql_needles(catalog))
    }

    fn check(&self, context: &RuleContext<'_>, diagnostics: &mut Vec<Diagnostic>) {
        for sql_use in sql_uses(context) {
            if sql_use.sink.parameterized || sql_use.call.tagged_template {
                continue;
            }
            let mut worst: Option<(Confidence, &'static str, &Hole)> = None;
            let mut related = Vec::new();
            for hole in sql_use.shape.holes() {
                let Some((confidence, kind)) = classify(context, hole) else {
                    continue;
                };
                if worst.is_none_or(|(seen, ..)| confidence > seen) {
                    worst = Some((confidence, kind, hole));
                }
                let name = if hole.text.is_empty() {
                    "value".to_string()
                } else {
                    one_line(&hole.text)
                };
                related.push(Related {
                    span: hole.span,
                    message: format!("`{name}` is {kind}, spliced into the SQL here"),
                });
                if let Some(defined_at) = hole.defined_at {
                    if !sql_use.call.span.contains(defined_at)
                        && !related.iter().any(|r: &Related| r.span == defined_at)
                    {
                        related.push(Related {
                            span: defined_at,
                            message: format!("`{name}` comes from here"),
                        });
                    }
                }
            }
            let Some((confidence, kind, hole)) = worst else {
                continue;
            };
            if !sql_use.call.span.contains(sql_use.shape.span) {
                related.push(Related {
                    span: sql_use.shape.span,
                    message: "the SQL text is built here".to_string(),
                });
            }
            let callee = callee_text(context, sql_use.call);
            let name = if hole.text.is_empty() {
                "a value".to_string()
            } else {
                one_line(&hole.text)
            };
            diagnostics.push(Diagnostic {
                rule: META.id,
                confidence,
                span: sql_use.call.span,
                message: format!("`{name}` ({kind}) is spliced into SQL run by `{callee}`"),
                why: format!("Whoever controls `{name}` can rewrite the query and read or change any row."),
                help: "Keep the SQL text constant and pass values as query parameters (`%s`, `$1`, `?`, `.bind()`).".to_string(),
                related,
                fix: None,
            });
        }
    }
}
