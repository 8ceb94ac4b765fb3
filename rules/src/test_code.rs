//! Where test code is: whole test files, by the naming conventions of their
//! runners, and test functions, classes and modules inside other files (the
//! model's `test_code`).

use snag_analyzer::engine::RuleContext;
use snag_analyzer::model::Span;

/// Test files by name: `test_*.py`, `*_test.py`, `conftest.py`, `*.test.*`,
/// `*.spec.*`, `*_test.rs`, and anything under a `tests/`, `test/` or
/// `__tests__/` directory.
pub(crate) fn is_test_path(path: &str) -> bool {
    let mut components: Vec<&str> = path.split(['/', '\\']).collect();
    let file = components.pop().unwrap_or("");
    if components
        .iter()
        .any(|directory| matches!(*directory, "tests" | "test" | "__tests__"))
    {
        return true;
    }
    let stem = file.split('.').next().unwrap_or("");
    let inner_parts: Vec<&str> = file.split('.').skip(1).collect();
    let marked = inner_parts.len() >= 2
        && inner_parts[..inner_parts.len() - 1]
            .iter()
            .any(|part| matches!(*part, "test" | "spec"));
    marked || stem.starts_with("test_") || stem.ends_with("_test") || stem == "conftest"
}

/// Whether `span` is test code: in a test file, or inside a test function,
/// class, module or runner call.
pub(crate) fn is_test_code(context: &RuleContext<'_>, span: Span) -> bool {
    is_test_path(context.path)
        || context
            .model
            .test_code
            .iter()
            .any(|test| test.contains(span))
}

#[cfg(test)]
mod tests {
    use super::is_test_path;

    #[test]
    fn test_files_by_name_and_directory() {
        for path in [
            "app/tests/test_views.py",
            "test_billing.py",
            "billing_test.py",
            "src/orders.e2e.spec.ts",
            "src/carrier-client.test.js",
            "tests/integration.rs",
            "web/__tests__/api.tsx",
            "conftest.py",
        ] {
            assert!(is_test_path(path), "{path}");
        }
        for path in [
            "app/views.py",
            "src/contest.ts",
            "src/latest.py",
            "src/testing_utils.py",
            "src/spec.ts",
            "protest/app.py",
        ] {
            assert!(!is_test_path(path), "{path}");
        }
    }
}
