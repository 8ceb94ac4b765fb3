//! `sql-injection`: non-constant data spliced into SQL text that reaches a
//! query sink.

use snag_analyzer::catalog::SinkKind;
use snag_analyzer::engine::{Needles, Rule, RuleContext, RuleMeta};
use snag_analyzer::finding::{Diagnostic, Related, Severity};
use snag_analyzer::model::Hole;
use snag_analyzer::model::Language;

use crate::sql_sinks::{callee_text, one_line, sql_needles, sql_uses};
use crate::taint::{Policy, Taint, Tracer};

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
`+`, a template literal, `format!`, `push_str`, a list joined. Each spliced
value is traced back through the file: request input and parameters are
reported (a helper's parameter with the confidence of what its callers pass);
constants, numbers (`int(x)`, `parseInt`, `.parse::<i64>()`), placeholder
lists joined from constants, and values passed through a known escaping
function are not.
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
Values are followed within one file: through assignments, branches (a value
tainted on any path is tainted), module constants, and calls to the file's
own functions (a helper's parameter is as tainted as what its callers pass;
the related spans show where the data entered and each call it went
through). A call to a function of another file or library passes its
arguments' taint to its result; a helper declared after its caller is
followed for what callers pass, not for what it returns. A value whose
origin cannot be told (an attribute of an object, configuration, the result
of a call on clean data) is reported with low confidence, hidden by default
(`--min-confidence low` shows it).
"#;

impl Rule for SqlInjection {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn needles(
        &self,
        catalog: &snag_analyzer::catalog::Catalog,
        language: Language,
    ) -> Option<Needles> {
        Some(sql_needles(catalog, language))
    }

    fn check(&self, context: &RuleContext<'_>, diagnostics: &mut Vec<Diagnostic>) {
        let tracer = Tracer::new(
            context,
            Policy {
                sink: SinkKind::Sql,
                loops_are_tainted: true,
                remote_is_tainted: false,
            },
        );
        for sql_use in sql_uses(context) {
            if sql_use.sink.parameterized || sql_use.call.tagged_template {
                continue;
            }
            let mut worst: Option<(Taint, &Hole)> = None;
            let mut related = Vec::new();
            for hole in sql_use.shape.holes() {
                let Some(taint) = tracer.hole(hole) else {
                    continue;
                };
                let name = if hole.text.is_empty() {
                    "value".to_string()
                } else {
                    one_line(&hole.text)
                };
                if !related.iter().any(|r: &Related| r.span == hole.span) {
                    related.push(Related {
                        span: hole.span,
                        message: format!("`{name}` is {}, spliced into the SQL here", taint.kind),
                    });
                }
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
                if worst
                    .as_ref()
                    .is_none_or(|(seen, _)| taint.confidence > seen.confidence)
                {
                    worst = Some((taint, hole));
                }
            }
            let Some((taint, hole)) = worst else {
                continue;
            };
            // Where the worst value entered, and the calls it came through.
            for step in &taint.trail {
                if !related.iter().any(|r| r.span == step.span) {
                    related.push(step.clone());
                }
            }
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
            let kind = taint.kind;
            diagnostics.push(Diagnostic {
                rule: META.id,
                confidence: taint.confidence,
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
