//! Embedded SQL: what a string shape says once it is read as SQL.
//!
//! A template's holes become identifiers (`__snag_hole_0`), which parse in both
//! value and name positions, so dynamic SQL still parses. Driver placeholders
//! that sqlparser does not know (`%s`, `%(name)s`) become `?`. Text is tried with
//! a few dialects; SQL that parses with none is not guessed at.

use sqlparser::ast::{Query, SelectItem, SetExpr, Statement, TableFactor};
use sqlparser::dialect::{
    Dialect, GenericDialect, MsSqlDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect,
};
use sqlparser::parser::Parser;

use crate::model::StrShape;

/// Longest SQL text we parse; longer text is some generated blob, not a query.
const MAX_SQL_BYTES: usize = 64 * 1024;

/// Keywords a SQL statement starts with.
const STATEMENT_KEYWORDS: &[&str] = &[
    "select", "insert", "update", "delete", "with", "replace", "merge", "upsert", "create",
    "alter", "drop", "truncate", "call", "exec", "execute", "values", "show", "explain", "pragma",
    "grant", "revoke", "copy",
];

/// A string literal that begins like a SQL statement, as a regex over a
/// file's bytes: a quote (or an f-string, raw-string or template opener), any
/// further quotes, spaces or parentheses, then a statement's opening words in
/// their SQL shape (`delete from`, `insert into`, `update x set`, `with x as`),
/// so that words such as `"update"` or `"Show all"` do not count. A file
/// without one holds no SQL statement text the model could follow.
pub const SQL_TEXT_START: &str = concat!(
    r#"(?i)["'`][\s("'`]*(?:"#,
    r"select\s",
    r"|insert\s+(?:into|ignore|or)\s",
    r"|update\s+\S+\s+set\s",
    r"|delete\s+from\s",
    r"|(?:merge|replace)\s+into\s",
    r"|upsert\s",
    r"|with\s+(?:recursive\s+)?\S+\s+as\s*\(",
    r"|(?:create|drop|alter)\s+(?:or\s+replace\s+|temp\w*\s+|unique\s+|materialized\s+)*",
    r"(?:table|index|view|schema|database|sequence|extension|function|trigger|type|role|user)\s",
    r"|truncate\s",
    r"|(?:call|exec|execute)\s+[\w.\[]+",
    r"|values\s*\(",
    r"|explain\s",
    r"|pragma\s+\w",
    r"|(?:grant|revoke)\s+\w+[^\n]*\s(?:on|to|from)\s",
    r"|copy\s+\S+\s+(?:from|to)\s",
    r"|show\s+(?:tables|columns|index|databases|create|variables|grants)",
    ")",
);

/// Whether a template's literal text begins like a SQL statement.
pub fn looks_like_sql(shape: &StrShape) -> bool {
    let mut text = String::new();
    for part in &shape.parts {
        match part {
            crate::model::Part::Lit(literal) => text.push_str(literal),
            crate::model::Part::Hole(_) => break,
        }
        if text.len() > 64 {
            break;
        }
    }
    starts_with_sql_keyword(&text)
}

fn starts_with_sql_keyword(text: &str) -> bool {
    let trimmed = text.trim_start_matches(|c: char| c.is_whitespace() || c == '(');
    let word: String = trimmed
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect::<String>()
        .to_ascii_lowercase();
    if !STATEMENT_KEYWORDS.contains(&word.as_str()) {
        return false;
    }
    // A keyword followed by more words (`select id`, `delete from`), not an
    // English word standing alone (`"Select a file"` fails on the parse anyway).
    let rest = &trimmed[word.len()..];
    rest.starts_with(|c: char| c.is_whitespace()) || (rest.is_empty() && word == "values")
}

/// What a hole becomes in rendered SQL, followed by its index.
pub const HOLE_PREFIX: &str = "__snag_hole_";

/// The SQL text of a shape, holes replaced by identifiers.
pub fn render(shape: &StrShape) -> String {
    shape.render(|index, _| format!("{HOLE_PREFIX}{index}"))
}

/// A `*` in a projection that reaches the result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StarProjection {
    /// `t` for `t.*`; `None` for a bare `*`.
    pub qualifier: Option<String>,
    /// The first table the select reads, for messages.
    pub table: Option<String>,
}

/// Parses SQL text; `None` when no dialect accepts it.
pub fn parse(text: &str) -> Option<Vec<Statement>> {
    if text.len() > MAX_SQL_BYTES || !starts_with_sql_keyword(text) {
        return None;
    }
    let normalized = normalize_placeholders(text);
    let dialects: [&dyn Dialect; 5] = [
        &GenericDialect {},
        &PostgreSqlDialect {},
        &MySqlDialect {},
        &SQLiteDialect {},
        &MsSqlDialect {},
    ];
    dialects
        .iter()
        .find_map(|dialect| Parser::parse_sql(*dialect, &normalized).ok())
        .filter(|statements| !statements.is_empty())
}

/// The `*` projections of the statements' results: top-level selects and the
/// branches of set operations. Stars inside `EXISTS`, `IN`, derived tables and
/// CTEs are not returned to the caller and are not reported; neither is
/// `count(*)`, which is not a projection of columns.
pub fn star_projections(statements: &[Statement]) -> Vec<StarProjection> {
    let mut stars = Vec::new();
    for statement in statements {
        if let Statement::Query(query) = statement {
            query_stars(query, &mut stars);
        }
    }
    stars
}

fn query_stars(query: &Query, stars: &mut Vec<StarProjection>) {
    set_expr_stars(&query.body, stars);
}

fn set_expr_stars(body: &SetExpr, stars: &mut Vec<StarProjection>) {
    match body {
        SetExpr::Select(select) => {
            let table = select.from.first().and_then(|from| match &from.relation {
                TableFactor::Table { name, .. } => Some(name.to_string()),
                _ => None,
            });
            for item in &select.projection {
                match item {
                    SelectItem::Wildcard(_) => stars.push(StarProjection {
                        qualifier: None,
                        table: table.clone(),
                    }),
                    SelectItem::QualifiedWildcard(kind, _) => stars.push(StarProjection {
                        qualifier: Some(kind.to_string().trim_end_matches(".*").to_string()),
                        table: table.clone(),
                    }),
                    _ => {}
                }
            }
        }
        SetExpr::Query(query) => query_stars(query, stars),
        SetExpr::SetOperation { left, right, .. } => {
            set_expr_stars(left, stars);
            set_expr_stars(right, stars);
        }
        _ => {}
    }
}

/// `%s`, `%(name)s` and `%d` driver placeholders become `?`; `%%` becomes `%`.
fn normalize_placeholders(text: &str) -> String {
    if !text.contains('%') {
        return text.to_string();
    }
    let mut normalized = String::with_capacity(text.len());
    let mut characters = text.chars().peekable();
    while let Some(character) = characters.next() {
        if character != '%' {
            normalized.push(character);
            continue;
        }
        match characters.peek() {
            Some('%') => {
                characters.next();
                normalized.push('%');
            }
            Some('s' | 'd' | 'b') => {
                characters.next();
                normalized.push('?');
            }
            Some('(') => {
                let mut lookahead = characters.clone();
                lookahead.next();
                let mut consumed = 1;
                let mut closed = false;
                for next in lookahead.by_ref() {
                    consumed += 1;
                    if next == ')' {
                        closed = true;
                        break;
                    }
                    if !(next.is_alphanumeric() || next == '_') {
                        break;
                    }
                }
                if closed && matches!(lookahead.next(), Some('s' | 'd' | 'b')) {
                    for _ in 0..=consumed {
                        characters.next();
                    }
                    normalized.push('?');
                } else {
                    normalized.push('%');
                }
            }
            _ => normalized.push('%'),
        }
    }
    normalized
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stars(text: &str) -> Option<Vec<StarProjection>> {
        parse(text).map(|statements| star_projections(&statements))
    }

    #[test]
    fn bare_and_qualified_stars_are_found() {
        assert_eq!(stars("SELECT * FROM users").unwrap().len(), 1);
        let qualified =
            stars("SELECT u.*, o.total FROM users u JOIN orders o ON o.user_id = u.id").unwrap();
        assert_eq!(qualified[0].qualifier.as_deref(), Some("u"));
        assert_eq!(qualified[0].table.as_deref(), Some("users"));
    }

    #[test]
    fn count_star_and_exists_are_not_projections() {
        assert_eq!(stars("SELECT count(*) FROM users").unwrap().len(), 0);
        assert_eq!(
            stars("SELECT id FROM users u WHERE EXISTS (SELECT * FROM orders o WHERE o.user_id = u.id)")
                .unwrap()
                .len(),
            0
        );
        assert_eq!(
            stars("SELECT id FROM (SELECT * FROM t) AS sub")
                .unwrap()
                .len(),
            0
        );
    }

    #[test]
    fn union_branches_are_checked() {
        assert_eq!(
            stars("SELECT * FROM a UNION ALL SELECT id FROM b")
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn driver_placeholders_parse() {
        assert!(parse("SELECT id FROM users WHERE id = %s AND name = %(name)s").is_some());
        assert!(parse("SELECT id FROM users WHERE id = $1").is_some());
        assert!(parse("SELECT id FROM users WHERE id = ? AND n LIKE 'a%%'").is_some());
        assert!(parse("SELECT id FROM users WHERE id = :id").is_some());
        assert!(parse("SELECT `id` FROM `users` WHERE id = ?").is_some());
    }

    #[test]
    fn holes_parse_as_names_and_values() {
        let shape = StrShape {
            span: Default::default(),
            parts: vec![
                crate::model::Part::Lit("SELECT * FROM ".into()),
                crate::model::Part::Hole(crate::model::Hole {
                    span: Default::default(),
                    text: "table".into(),
                    origin: crate::model::Origin::Param(
                        crate::model::FunctionId(0),
                        crate::model::Params::of(0),
                    ),
                    path: None,
                    defined_at: None,
                }),
                crate::model::Part::Lit(" WHERE id IN (".into()),
                crate::model::Part::Hole(crate::model::Hole {
                    span: Default::default(),
                    text: "ids".into(),
                    origin: crate::model::Origin::Constant,
                    path: None,
                    defined_at: None,
                }),
                crate::model::Part::Lit(")".into()),
            ],
        };
        assert_eq!(stars(&render(&shape)).unwrap().len(), 1);
    }

    #[test]
    fn sql_text_start_finds_statements_not_words() {
        let pattern = regex::Regex::new(SQL_TEXT_START).unwrap();
        for sql in [
            r#"cur.execute("SELECT id FROM t")"#,
            r#"f"select * from {t}""#,
            "q = '''\n    UPDATE orders\n    SET x = 1'''",
            "`DELETE FROM t WHERE id = $1`",
            r##"r#"INSERT INTO t (a) VALUES (?)"#"##,
            r#""WITH recent AS (SELECT 1) SELECT 2""#,
            r#""CREATE UNIQUE INDEX i ON t (a)""#,
            r#"'TRUNCATE audit_log'"#,
            r#""update {table} set a = 1""#,
        ] {
            assert!(pattern.is_match(sql), "{sql}");
        }
        for text in [
            r#"action = "update""#,
            r#"if op == 'delete':"#,
            r#""Show all results""#,
            r#""Create a new account""#,
            r#""with love""#,
            r#"raise ValueError("Values must be positive")"#,
            r#"kind = "selected""#,
        ] {
            assert!(!pattern.is_match(text), "{text}");
        }
    }

    #[test]
    fn prose_and_broken_sql_are_not_guessed_at() {
        assert!(parse("Select a file to upload").is_none());
        assert!(parse("SELECT * FRM users").is_none());
        assert!(parse("SELECT * FROM").is_none());
    }
}
