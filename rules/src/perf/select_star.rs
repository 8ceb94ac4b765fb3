//! `select-star`: SQL with a `*` projection sent to a database, or a query
//! builder's `select('*')`.

use snag_analyzer::catalog::is_star_literal;
use snag_analyzer::engine::{Needles, Rule, RuleContext, RuleMeta};
use snag_analyzer::finding::{Confidence, Diagnostic, Related, Severity};
use snag_analyzer::model::Language;
use snag_analyzer::model::StrShape;
use snag_analyzer::sql::{parse, render, star_projections, HOLE_PREFIX};

use crate::sql_sinks::{callee_text, sql_needles, sql_uses};

pub(crate) struct SelectStar;

static META: RuleMeta = RuleMeta {
    id: "select-star",
    pack: "perf",
    severity: Severity::Warning,
    summary: "SQL with a `*` projection sent to a database, or a query builder's `select('*')`",
    docs: DOCS,
};

const DOCS: &str = r#"# select-star

## What it does
Flags SQL text with a `*` (or `table.*`) projection that reaches a database call
(`cursor.execute`, `pool.query`, `sqlx::query`, `$queryRawUnsafe`…), and query
builders asked to `select('*')` (knex, supabase). The SQL is followed through
local variables and module constants, and parsed; `count(*)`, `EXISTS (SELECT * …)`
and stars inside derived tables stay silent, and text that does not parse as SQL
is not guessed at.

## Why is this bad?
Every column is read, sent over the network and decoded, including large ones
and ones added after the code was written; covering indexes cannot serve the
query, and code that indexes rows by position breaks when the table changes.

## Example
```python
cur.execute("SELECT * FROM orders WHERE customer_id = %s", (customer_id,))
```

## Use instead
```python
cur.execute("SELECT id, total, status FROM orders WHERE customer_id = %s", (customer_id,))
```

## Known limits
SQL assembled in another function or file is not followed. ORM calls that load
whole rows (`Model.objects.all()`, `findMany()`) are not reported: they are the
ORM's contract, not SQL text.
"#;

/// A name from the parsed SQL, with a hole's placeholder put back as the
/// expression that fills it.
fn hole_text<'a>(shape: &'a StrShape, name: &'a str) -> &'a str {
    name.strip_prefix(HOLE_PREFIX)
        .and_then(|index| index.parse::<usize>().ok())
        .and_then(|index| shape.holes().nth(index))
        .map_or(name, |hole| hole.text.as_str())
}

impl Rule for SelectStar {
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
        for sql_use in sql_uses(context) {
            let text = render(sql_use.shape);
            // No `*`, no star projection: the SQL parser need not run (holes
            // render as identifiers, so a star is always literal text).
            if !text.contains('*') {
                continue;
            }
            let Some(statements) = parse(&text) else {
                continue;
            };
            let Some(star) = star_projections(&statements).into_iter().next() else {
                continue;
            };
            let projection = match &star.qualifier {
                Some(qualifier) => format!("SELECT {qualifier}.*"),
                None => "SELECT *".to_string(),
            };
            let table = star
                .qualifier
                .as_ref()
                .or(star.table.as_ref())
                .map(|table| format!(" of `{}`", hole_text(sql_use.shape, table)))
                .unwrap_or_default();
            let callee = callee_text(context, sql_use.call);
            let mut related = Vec::new();
            if !sql_use.call.span.contains(sql_use.shape.span) {
                related.push(Related {
                    span: sql_use.call.span,
                    message: format!("sent to the database by `{callee}`"),
                });
            }
            diagnostics.push(Diagnostic {
                rule: META.id,
                confidence: Confidence::High,
                span: sql_use.shape.span,
                message: format!(
                    "`{projection}` fetches every column{table}, sent to the database by `{callee}`"
                ),
                why: "Every column is read, transferred and decoded, including ones added later, and covering indexes cannot serve the query.".to_string(),
                help: "List the columns the code uses.".to_string(),
                related,
                fix: None,
            });
        }
        for call in &context.model.calls {
            let Some(entry) = context.catalog.star_selects(call, context.language).next() else {
                continue;
            };
            let positional: Vec<_> = call
                .args
                .iter()
                .filter(|arg| arg.keyword.is_none())
                .collect();
            let (span, confidence) = match positional.first() {
                Some(first) if is_star_literal(&first.value) => (
                    first.span,
                    if call.path.resolved {
                        Confidence::High
                    } else {
                        Confidence::Medium
                    },
                ),
                None if entry.empty_is_star && call.args.is_empty() => {
                    (call.callee_span, Confidence::Medium)
                }
                _ => continue,
            };
            let callee = callee_text(context, call);
            diagnostics.push(Diagnostic {
                rule: META.id,
                confidence,
                span,
                message: format!("`{callee}` selects every column"),
                why: "Every column is read, transferred and decoded, including ones added later, and covering indexes cannot serve the query.".to_string(),
                help: "Pass the columns the code uses to `select`.".to_string(),
                related: Vec::new(),
                fix: None,
            });
        }
    }
}
