//! snag-rules: the rule packs and the built-in catalogs.
//!
//! A rule is one file, `src/<pack>/<rule>.rs`, that starts with its
//! documentation and holds one small function over the semantic model. Rules
//! never see syntax; what an API does comes from the catalogs in `catalogs/`,
//! which are data, embedded here at build time and extendable from config.

use snag_analyzer::catalog::{Catalog, CatalogError};
use snag_analyzer::engine::Rule;

#[cfg(test)]
mod kept_documents;
mod perf;
mod resilience;
mod security;
pub mod settings;
mod sql_sinks;
mod taint;
mod test_code;

/// The built-in catalogs, by file name.
pub const CATALOGS: &[(&str, &str)] = &[
    (
        "python-sql.toml",
        include_str!("../catalogs/python-sql.toml"),
    ),
    (
        "javascript-sql.toml",
        include_str!("../catalogs/javascript-sql.toml"),
    ),
    ("rust-sql.toml", include_str!("../catalogs/rust-sql.toml")),
    ("sources.toml", include_str!("../catalogs/sources.toml")),
    ("io-calls.toml", include_str!("../catalogs/io-calls.toml")),
    ("blocking.toml", include_str!("../catalogs/blocking.toml")),
    ("clients.toml", include_str!("../catalogs/clients.toml")),
    ("slow-work.toml", include_str!("../catalogs/slow-work.toml")),
    ("expensive.toml", include_str!("../catalogs/expensive.toml")),
    (
        "http-clients.toml",
        include_str!("../catalogs/http-clients.toml"),
    ),
    (
        "sanitizers.toml",
        include_str!("../catalogs/sanitizers.toml"),
    ),
    ("shell.toml", include_str!("../catalogs/shell.toml")),
    ("eval.toml", include_str!("../catalogs/eval.toml")),
];

/// Every rule, in documentation order.
pub fn all_rules() -> &'static [&'static dyn Rule] {
    &[
        &perf::select_star::SelectStar,
        &perf::n_plus_one::NPlusOne,
        &perf::blocking_in_async::BlockingInAsync,
        &perf::missing_pool::MissingPool,
        &perf::slow_work_in_handler::SlowWorkInHandler,
        &perf::missing_cache::MissingCache,
        &security::sql_injection::SqlInjection,
        &security::command_injection::CommandInjection,
        &security::code_injection::CodeInjection,
        &resilience::missing_timeout::MissingTimeout,
    ]
}

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static dyn Rule> {
    all_rules()
        .iter()
        .copied()
        .find(|rule| rule.meta().id == id)
}

/// Pack names, in documentation order.
pub fn packs() -> Vec<&'static str> {
    let mut packs: Vec<&'static str> = Vec::new();
    for rule in all_rules() {
        if !packs.contains(&rule.meta().pack) {
            packs.push(rule.meta().pack);
        }
    }
    packs
}

/// Whether `name` is a rule id or a pack name.
pub fn is_rule_or_pack(name: &str) -> bool {
    rule(name).is_some() || packs().contains(&name)
}

/// The rules a selection names: `select` (all when `None`) minus `ignore`,
/// each item a rule id or a pack. Unknown names are errors.
pub fn select_rules(
    select: Option<&[String]>,
    ignore: &[String],
) -> Result<Vec<&'static dyn Rule>, String> {
    for name in select.into_iter().flatten().chain(ignore) {
        if !is_rule_or_pack(name) {
            return Err(format!(
                "`{name}` is not a rule id or pack (see `snag rules`)"
            ));
        }
    }
    let names = |rule: &dyn Rule, list: &[String]| {
        list.iter()
            .any(|name| name == rule.meta().id || name == rule.meta().pack)
    };
    Ok(all_rules()
        .iter()
        .copied()
        .filter(|rule| select.is_none_or(|select| names(*rule, select)))
        .filter(|rule| !names(*rule, ignore))
        .collect())
}

/// The built-in catalogs, compiled.
pub fn default_catalog() -> Result<Catalog, CatalogError> {
    let mut catalog = Catalog::default();
    for (name, text) in CATALOGS {
        catalog.extend_from_toml(text, &format!("rules/catalogs/{name}"))?;
    }
    Ok(catalog)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalog_file_is_embedded_and_valid() {
        let directory = concat!(env!("CARGO_MANIFEST_DIR"), "/catalogs");
        let mut on_disk: Vec<String> = std::fs::read_dir(directory)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".toml"))
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = CATALOGS.iter().map(|(name, _)| name.to_string()).collect();
        embedded.sort();
        assert_eq!(
            on_disk, embedded,
            "a catalog file is not listed in CATALOGS"
        );
        default_catalog().unwrap();
    }

    #[test]
    fn the_default_rules_skip_files_with_nothing_to_find() {
        use snag_analyzer::engine::{Engine, Settings};
        use snag_analyzer::finding::Confidence;
        use snag_analyzer::source::Exclusions;
        let engine = Engine::new(Settings {
            rules: all_rules().to_vec(),
            catalog: default_catalog().unwrap(),
            severity_overrides: Vec::new(),
            min_confidence: Confidence::Medium,
            exclusions: Exclusions::none(),
            report_unused_suppressions: false,
            root: std::path::PathBuf::from("."),
            fingerprint_root: None,
            file_budget: snag_analyzer::engine::DEFAULT_FILE_BUDGET,
        });
        use snag_analyzer::model::Language::{JavaScript, Python, Rust, TypeScript};
        for language in snag_analyzer::model::Language::ALL {
            assert!(
                engine.prefilters(language),
                "a rule's needles did not compile for {language:?}"
            );
        }
        let skipped = "def area(w, h):\n    return [w * h for _ in range(3)]\n";
        assert!(!engine.may_match(Python, skipped));
        for (language, kept) in [
            (Python, "for o in Order.objects.all():\n    pass\n"),
            (Python, "import requests\n"),
            (TypeScript, "const r = await fetch(url);\n"),
            (JavaScript, "import Database from 'better-sqlite3';\n"),
            (Rust, "use sqlx::PgPool;\n"),
            (JavaScript, "const api = got.extend({ prefixUrl: base });\n"),
            (Rust, "let agent = ureq::agent();\n"),
            (Python, "conn = http.client.HTTPSConnection(host)\n"),
            (Python, "for id in ids:\n    conn.execute(q, (id,))\n"),
            (Python, "cur.execute('SELECT 1')\n"),
        ] {
            assert!(engine.may_match(language, kept), "{kept}");
        }
        // Another language's API names are not this one's needles.
        for (language, skipped) in [
            (Python, "def merge(got, extend):\n    return got + extend\n"),
            // Module names most files of a code base hold are not needles
            // when the pattern has a rarer name (`Engine` of
            // `django.template.Engine`).
            (
                Python,
                "from django.template import loader\n\ndef page(options):\n    return loader.render_to_string('x', options)\n",
            ),
            (Rust, "fn extend(&mut self, got: Vec<u8>) {}\n"),
        ] {
            assert!(!engine.may_match(language, skipped), "{skipped}");
        }
    }

    #[test]
    fn sql_rules_need_a_statement_or_a_call_to_a_fragment_sink() {
        use snag_analyzer::engine::{Engine, Settings};
        use snag_analyzer::finding::Confidence;
        use snag_analyzer::source::Exclusions;
        let selected = ["select-star".to_string(), "sql-injection".to_string()];
        let engine = Engine::new(Settings {
            rules: select_rules(Some(&selected), &[]).unwrap(),
            catalog: default_catalog().unwrap(),
            severity_overrides: Vec::new(),
            min_confidence: Confidence::Medium,
            exclusions: Exclusions::none(),
            report_unused_suppressions: false,
            root: std::path::PathBuf::from("."),
            fingerprint_root: None,
            file_budget: snag_analyzer::engine::DEFAULT_FILE_BUDGET,
        });
        use snag_analyzer::model::Language::{JavaScript, Python, Rust, TypeScript};
        for (language, kept) in [
            (
                Python,
                "q = session.execute(text(f\"DELETE FROM t WHERE id = {x}\"))\n",
            ),
            (Python, "rows = Book.objects.raw (query)\n"),
            (Rust, "let rows = diesel::dsl::sql::<Bool>(&clause);\n"),
            (TypeScript, "const rows = await db.query<Row>(q);\n"),
            (TypeScript, "const rows = await sql`SELECT 1`;\n"),
            (JavaScript, "knex('t').whereRaw(clause)\n"),
            (Python, "cur.execute(\"select id from t\")\n"),
        ] {
            assert!(engine.may_match(language, kept), "{kept}");
        }
        for skipped in [
            "qs = Book.objects.select_related('author')\n",
            "text = render(context)\nhelp_text = 'a raw value'\n",
            "def query_string(request):\n    return request.GET.urlencode()\n",
        ] {
            assert!(!engine.may_match(Python, skipped), "{skipped}");
        }
    }

    #[test]
    fn every_rule_documents_the_five_sections() {
        for rule in all_rules() {
            let docs = rule.meta().docs;
            for section in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## Use instead",
                "## Known limits",
            ] {
                assert!(
                    docs.contains(section),
                    "`{}` lacks `{section}`",
                    rule.meta().id
                );
            }
        }
    }

    #[test]
    fn rule_ids_are_unique_and_kebab_case() {
        let mut ids: Vec<&str> = all_rules().iter().map(|rule| rule.meta().id).collect();
        assert!(ids
            .iter()
            .all(|id| id.chars().all(|c| c.is_ascii_lowercase() || c == '-')));
        ids.sort();
        let count = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), count);
    }

    #[test]
    fn selection_by_pack_and_id() {
        let security = select_rules(Some(&["security".to_string()]), &[]).unwrap();
        let ids: Vec<&str> = security.iter().map(|rule| rule.meta().id).collect();
        assert_eq!(
            ids,
            ["sql-injection", "command-injection", "code-injection"]
        );
        let resilience = select_rules(Some(&["resilience".to_string()]), &[]).unwrap();
        assert_eq!(resilience.len(), 1);
        assert_eq!(resilience[0].meta().id, "missing-timeout");
        let none = select_rules(
            None,
            &[
                "perf".to_string(),
                "security".to_string(),
                "resilience".to_string(),
            ],
        )
        .unwrap();
        assert!(none.is_empty());
        let two = select_rules(
            Some(&["security".to_string()]),
            &["sql-injection".to_string()],
        )
        .unwrap();
        assert_eq!(two[0].meta().id, "command-injection");
        assert!(select_rules(Some(&["n-plus-two".to_string()]), &[]).is_err());
    }
}
