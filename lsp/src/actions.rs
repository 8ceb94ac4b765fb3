//! Code actions on snag's diagnostics: the rule's fix, when it offers one,
//! and "suppress", which writes the `snag: ignore[rule]` comment on the line
//! above the finding (or adds the rule to a suppression already there).

use std::collections::HashMap;

use snag_analyzer::engine::UNUSED_SUPPRESSION;
use snag_analyzer::lang::Document;
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Diagnostic, NumberOrString,
    Position, Range, TextEdit, Uri, WorkspaceEdit,
};

use crate::convert::DiagnosticData;
use crate::positions::{Encoding, Lines};
use crate::server::SOURCE;

/// The quick fixes for the snag diagnostics a client sent with the request.
pub(crate) fn code_actions(
    params: &CodeActionParams,
    document: &Document,
    encoding: Encoding,
) -> Vec<CodeActionOrCommand> {
    if !wants_quick_fixes(params.context.only.as_deref()) {
        return Vec::new();
    }
    let uri = &params.text_document.uri;
    let lines = Lines::new(document.text(), encoding);
    let leader = document.language().comment_leader();
    let mut actions = Vec::new();
    let mut suppressions: Vec<(u32, String)> = Vec::new();
    for diagnostic in &params.context.diagnostics {
        if diagnostic.source.as_deref() != Some(SOURCE) {
            continue;
        }
        let Some(NumberOrString::String(rule)) = &diagnostic.code else {
            continue;
        };
        let fix = diagnostic
            .data
            .clone()
            .and_then(|data| serde_json::from_value::<DiagnosticData>(data).ok())
            .and_then(|data| data.fix);
        if let Some(fix) = fix {
            actions.push(action(
                fix.title,
                uri,
                diagnostic,
                TextEdit::new(fix.range, fix.new_text),
                true,
            ));
        }
        let line = diagnostic.range.start.line;
        // A stale suppression is fixed by deleting it, not by another one.
        if rule == UNUSED_SUPPRESSION || suppressions.contains(&(line, rule.clone())) {
            continue;
        }
        suppressions.push((line, rule.clone()));
        if let Some(edit) = suppression_edit(&lines, line as usize, rule, leader) {
            actions.push(action(
                format!("Suppress `{rule}` on this line (snag: ignore)"),
                uri,
                diagnostic,
                edit,
                false,
            ));
        }
    }
    actions
}

/// Whether `only` (the kinds the client asked for) admits quick fixes.
fn wants_quick_fixes(only: Option<&[CodeActionKind]>) -> bool {
    let Some(only) = only else {
        return true;
    };
    let quick_fix = CodeActionKind::QUICKFIX;
    let quick_fix = quick_fix.as_str();
    only.iter().any(|kind| {
        let kind = kind.as_str();
        kind.is_empty()
            || quick_fix == kind
            || quick_fix
                .strip_prefix(kind)
                .is_some_and(|rest| rest.starts_with('.'))
    })
}

fn action(
    title: String,
    uri: &Uri,
    diagnostic: &Diagnostic,
    edit: TextEdit,
    is_preferred: bool,
) -> CodeActionOrCommand {
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic.clone()]),
        edit: Some(WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
            ..WorkspaceEdit::default()
        }),
        is_preferred: Some(is_preferred),
        ..CodeAction::default()
    })
}

/// The edit that suppresses `rule` for findings starting on `line`: the
/// rule added to a suppression comment alone on the line above, else a new
/// such comment, indented as the line and ended as the line is.
fn suppression_edit(lines: &Lines<'_>, line: usize, rule: &str, leader: &str) -> Option<TextEdit> {
    if line >= lines.count() {
        return None;
    }
    if let Some(above) = line.checked_sub(1) {
        let text = lines.text(above);
        if let Some(close) = existing_suppression_list_end(text, leader) {
            if list_names(text, rule) {
                return None;
            }
            let content = lines.content(above);
            let at = lines.position(content.start + close);
            return Some(TextEdit::new(Range::new(at, at), format!(", {rule}")));
        }
    }
    let text = lines.text(line);
    let indent = &text[..text.len() - text.trim_start_matches([' ', '\t']).len()];
    let ending = match lines.ending(line) {
        "" => match lines.ending(0) {
            "" => "\n",
            ending => ending,
        },
        ending => ending,
    };
    let start = Position::new(line as u32, 0);
    Some(TextEdit::new(
        Range::new(start, start),
        format!("{indent}{leader} snag: ignore[{rule}]{ending}"),
    ))
}

/// The byte offset of the `]` closing `snag: ignore[…]` when `text` is
/// nothing but that comment.
fn existing_suppression_list_end(text: &str, leader: &str) -> Option<usize> {
    let trimmed = text.trim();
    let directive = trimmed.strip_prefix(leader)?.trim_start();
    let list = directive.strip_prefix("snag:")?.trim_start();
    let list = list.strip_prefix("ignore")?.trim_start();
    if !list.starts_with('[') || !trimmed.ends_with(']') {
        return None;
    }
    text.rfind(']')
}

fn list_names(text: &str, rule: &str) -> bool {
    let Some(open) = text.find('[') else {
        return false;
    };
    text[open + 1..]
        .trim_end()
        .trim_end_matches(']')
        .split(',')
        .any(|name| name.trim() == rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text with the suppression of `rule` on `line` applied.
    fn suppressed(text: &str, line: usize, rule: &str, leader: &str) -> Option<String> {
        let lines = Lines::new(text, Encoding::Utf16);
        let edit = suppression_edit(&lines, line, rule, leader)?;
        let start = lines.offset(edit.range.start);
        let end = lines.offset(edit.range.end);
        Some(format!(
            "{}{}{}",
            &text[..start],
            edit.new_text,
            &text[end..]
        ))
    }

    #[test]
    fn a_new_suppression_takes_the_lines_indentation_and_ending() {
        assert_eq!(
            suppressed(
                "def f(cur):\r\n\t  cur.execute(q)\r\n",
                1,
                "sql-injection",
                "#"
            )
            .unwrap(),
            "def f(cur):\r\n\t  # snag: ignore[sql-injection]\r\n\t  cur.execute(q)\r\n"
        );
        assert_eq!(
            suppressed("x = 1\ncur.execute(q)", 1, "sql-injection", "#").unwrap(),
            "x = 1\n# snag: ignore[sql-injection]\ncur.execute(q)"
        );
    }

    #[test]
    fn a_suppression_above_gets_the_rule_added() {
        let text = "    // snag: ignore[select-star]\n    pool.query(q)\n";
        assert_eq!(
            suppressed(text, 1, "sql-injection", "//").unwrap(),
            "    // snag: ignore[select-star, sql-injection]\n    pool.query(q)\n"
        );
        assert_eq!(suppressed(text, 1, "select-star", "//"), None);
        // A trailing comment on code above is not a line of its own.
        assert_eq!(
            suppressed(
                "x = 1  # snag: ignore[select-star]\ncur.execute(q)",
                1,
                "sql-injection",
                "#"
            )
            .unwrap(),
            "x = 1  # snag: ignore[select-star]\n# snag: ignore[sql-injection]\ncur.execute(q)"
        );
    }

    /// A rule's fix travels in the diagnostic's `data` and comes back as
    /// the preferred quick fix, in the negotiated encoding.
    #[test]
    fn a_rules_fix_becomes_the_preferred_quick_fix() {
        use snag_analyzer::finding::{Confidence, Finding, Fix, Position as At, Range as Lines1};
        use snag_analyzer::model::{Language, Span};
        use tower_lsp_server::ls_types::{
            CodeActionContext, PartialResultParams, TextDocumentIdentifier, WorkDoneProgressParams,
        };

        let text = "import time\nasync def f():\n    x = '🎉'; time.sleep(1)\n";
        let call = text.find("time.sleep(1)").unwrap();
        let span = Span::new(call, call + "time.sleep(1)".len());
        let at = At {
            line: 3,
            column: 15,
        };
        let finding = Finding {
            rule: "blocking-in-async",
            pack: "perf",
            severity: snag_analyzer::finding::Severity::Warning,
            confidence: Confidence::High,
            path: "f.py".to_string(),
            span,
            range: Lines1 { start: at, end: at },
            message: "`time.sleep` blocks the event loop".to_string(),
            why: String::new(),
            help: "Await `asyncio.sleep`.".to_string(),
            related: Vec::new(),
            fix: Some(Fix {
                description: "Use `await asyncio.sleep(…)`".to_string(),
                span,
                replacement: "await asyncio.sleep(1)".to_string(),
            }),
            fingerprint: String::new(),
        };
        let uri: Uri = "file:///f.py".parse().unwrap();
        let lines = Lines::new(text, Encoding::Utf16);
        let options = crate::server::Options::default();
        let (diagnostics, _) = crate::convert::diagnostics(&uri, &[finding], &lines, &options);
        // Through JSON, as the client sends it back.
        let diagnostic: Diagnostic =
            serde_json::from_value(serde_json::to_value(&diagnostics[0]).unwrap()).unwrap();
        let params = CodeActionParams {
            text_document: TextDocumentIdentifier { uri: uri.clone() },
            range: diagnostic.range,
            context: CodeActionContext {
                diagnostics: vec![diagnostic],
                ..CodeActionContext::default()
            },
            work_done_progress_params: WorkDoneProgressParams::default(),
            partial_result_params: PartialResultParams::default(),
        };
        let document = Document::new(Language::Python, text.to_string());
        let actions = code_actions(&params, &document, Encoding::Utf16);
        assert_eq!(actions.len(), 2, "the fix, then suppress");
        let CodeActionOrCommand::CodeAction(fix) = &actions[0] else {
            panic!("not a code action");
        };
        assert_eq!(fix.title, "Use `await asyncio.sleep(…)`");
        assert_eq!(fix.is_preferred, Some(true));
        let edits = &fix.edit.as_ref().unwrap().changes.as_ref().unwrap()[&uri];
        // `🎉` is two UTF-16 units (one character, four bytes): character 14.
        assert_eq!(
            edits[0],
            TextEdit::new(
                Range::new(Position::new(2, 14), Position::new(2, 27)),
                "await asyncio.sleep(1)".to_string()
            )
        );
    }

    #[test]
    fn only_filters_by_kind_hierarchy() {
        assert!(wants_quick_fixes(None));
        assert!(wants_quick_fixes(Some(&[CodeActionKind::QUICKFIX])));
        assert!(wants_quick_fixes(Some(&[CodeActionKind::EMPTY])));
        assert!(!wants_quick_fixes(Some(&[CodeActionKind::REFACTOR])));
        assert!(!wants_quick_fixes(Some(&[CodeActionKind::SOURCE_FIX_ALL])));
    }
}
