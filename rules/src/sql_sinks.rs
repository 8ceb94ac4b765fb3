//! The SQL texts of a file that reach a database: what `select-star` and
//! `sql-injection` both read.

use snag_analyzer::catalog::{Catalog, SqlSink};
use snag_analyzer::engine::{Needles, RuleContext};
use snag_analyzer::model::Language;
use snag_analyzer::model::{Call, StrShape};
use snag_analyzer::sql::{looks_like_sql, SQL_TEXT_START};

/// A SQL text handed to a sink.
pub(crate) struct SqlUse<'a> {
    pub call: &'a Call,
    pub sink: &'a SqlSink,
    pub shape: &'a StrShape,
}

/// Every call of the file that hands a string to a SQL sink. When several
/// catalog entries match one call, the first that accepts its argument wins:
/// exact entries come before loose ones in the catalogs.
pub(crate) fn sql_uses<'a>(context: &'a RuleContext<'a>) -> Vec<SqlUse<'a>> {
    let mut uses = Vec::new();
    for call in &context.model.calls {
        for sink in context.catalog.sql_sinks(call, context.language) {
            let Some(argument) = sink.sql_argument(call) else {
                continue;
            };
            let before = uses.len();
            for shape in argument.value.strings() {
                if sink.needs_sql_text && !looks_like_sql(shape) {
                    continue;
                }
                uses.push(SqlUse { call, sink, shape });
            }
            if uses.len() > before {
                break;
            }
        }
    }
    uses
}

/// What a file needs for a SQL rule to find anything: a string that starts
/// like a SQL statement, or a call to a sink that takes fragments. A call is
/// the name as a whole word, then the argument list or a tagged template:
/// `text(`, `raw (`, `query!(`, `query::<T>(`, `query<Row>(`, `sql\``
/// (`select_related(` or a variable named `text` do not count).
pub(crate) fn sql_needles(catalog: &Catalog, language: Language) -> Needles {
    let mut patterns = vec![SQL_TEXT_START.to_string()];
    let names: Vec<String> = catalog
        .fragment_names(language)
        .iter()
        .map(|name| regex::escape(name))
        .collect();
    if !names.is_empty() {
        patterns.push(format!(
            r"\b(?:{})\s*(?:!\s*)?(?:(?:::)?<[^()\n]*>\s*)?[(`]",
            names.join("|")
        ));
    }
    Needles {
        literals: Vec::new(),
        patterns,
    }
}

/// The callee as written, on one line, for messages.
pub(crate) fn callee_text(context: &RuleContext<'_>, call: &Call) -> String {
    one_line(context.text(call.callee_span))
}

/// Source text on one line: line breaks and the indentation after them go,
/// other spacing stays as written; long text is cut in the middle.
pub(crate) fn one_line(text: &str) -> String {
    let mut collapsed = String::with_capacity(text.len());
    let multi_line = text.contains('\n');
    // A comment ending a line of a chain split over lines (`self.conn // …`).
    let uncommented = |line: &'_ str| -> String {
        if !multi_line {
            return line.to_string();
        }
        [" // ", " # "]
            .iter()
            .filter_map(|marker| line.find(marker))
            .min()
            .map_or(line, |at| &line[..at])
            .to_string()
    };
    let mut lines = text.lines();
    if let Some(first) = lines.next() {
        collapsed.push_str(uncommented(first).trim_end());
    }
    for line in lines {
        let line = uncommented(line);
        let line = line.trim();
        let joins_tightly = collapsed.ends_with(['(', '[', '{'])
            || line.starts_with([')', ']', '}', '.', ','])
            || line.is_empty();
        if !joins_tightly {
            collapsed.push(' ');
        }
        collapsed.push_str(line);
    }
    let length = collapsed.chars().count();
    if length > 60 {
        let head: String = collapsed.chars().take(28).collect();
        let tail: String = collapsed.chars().skip(length - 28).collect();
        return format!("{head}…{tail}");
    }
    collapsed
}
