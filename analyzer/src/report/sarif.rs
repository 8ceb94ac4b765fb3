//! `--format sarif`: SARIF 2.1.0, for GitHub code scanning and every tool
//! that reads it.
//!
//! The types below are the subset of the OASIS schema snag fills, written out
//! rather than taken from a crate: the available one (`serde-sarif`) generates
//! its types from the whole schema in a build script, which would compile a
//! code generator into every clean build of the analyzer for some fifteen
//! structs. `tests/sarif.rs` validates the output against the vendored
//! official schema, so the subset cannot drift from it silently.
//!
//! Paths are relative URIs against `%SRCROOT%` (the scan root, given in
//! `originalUriBaseIds`); columns count Unicode characters, which SARIF calls
//! `unicodeCodePoints`; a region's end column is exclusive, as ours are.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{directory_uri, doc_section, uri_path, ReportContext};
use crate::engine::{NoticeKind, RuleMeta};
use crate::finding::{Finding, LineIndex, Range, Severity};

/// The `$id` of the official schema (vendored in `tests/data/`).
const SCHEMA: &str =
    "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json";
const SOURCE_ROOT: &str = "%SRCROOT%";
/// The key of our fingerprint in `partialFingerprints`; the version changes
/// if the fingerprint's recipe does.
const FINGERPRINT_KEY: &str = "snag/v1";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: Vec<Invocation<'a>>,
    original_uri_base_ids: BTreeMap<&'static str, BaseUri>,
    results: Vec<SarifResult<'a>>,
    column_kind: &'static str,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'a str,
    semantic_version: &'a str,
    rules: Vec<ReportingDescriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor<'a> {
    id: &'a str,
    short_description: Message<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_description: Option<Message<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<MultiformatMessage<'a>>,
    default_configuration: Configuration,
    properties: RuleProperties<'a>,
}

#[derive(Serialize)]
struct Message<'a> {
    text: &'a str,
}

#[derive(Serialize)]
struct MultiformatMessage<'a> {
    text: &'a str,
    markdown: &'a str,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties<'a> {
    tags: Vec<&'a str>,
    /// GitHub code scanning ranks security alerts by this CVSS-like score
    /// (as a string); only rules of the security pack carry it.
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation<'a> {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification<'a>>,
}

#[derive(Serialize)]
struct Notification<'a> {
    level: &'static str,
    message: Message<'a>,
    locations: Vec<Location<'a>>,
}

#[derive(Serialize)]
struct BaseUri {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Message<'a>,
    locations: Vec<Location<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location<'a>>,
    partial_fingerprints: BTreeMap<&'static str, &'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix<'a>>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    confidence: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Message<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix<'a> {
    description: Message<'a>,
    artifact_changes: Vec<ArtifactChange<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange<'a> {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement<'a> {
    deleted_region: Region,
    inserted_content: Content<'a>,
}

#[derive(Serialize)]
struct Content<'a> {
    text: &'a str,
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// GitHub's bands: 9.0 and up critical, 7.0 high, 4.0 medium, below low.
/// snag's `error` is high (critical is kept for what snag cannot tell: how
/// exposed the code is).
fn security_severity(pack: &str, severity: Severity) -> Option<&'static str> {
    (pack == "security").then_some(match severity {
        Severity::Error => "8.0",
        Severity::Warning => "5.0",
        Severity::Info => "2.0",
    })
}

fn artifact(path: &str) -> ArtifactLocation {
    ArtifactLocation {
        uri: uri_path(path),
        uri_base_id: SOURCE_ROOT,
    }
}

fn region(range: &Range) -> Region {
    Region {
        start_line: range.start.line,
        start_column: range.start.column,
        end_line: range.end.line,
        end_column: range.end.column,
    }
}

fn descriptor(meta: &RuleMeta) -> ReportingDescriptor<'_> {
    ReportingDescriptor {
        id: meta.id,
        short_description: Message { text: meta.summary },
        full_description: doc_section(meta.docs, "What it does").map(|text| Message { text }),
        help: (!meta.docs.trim().is_empty()).then(|| MultiformatMessage {
            text: meta.docs.trim(),
            markdown: meta.docs.trim(),
        }),
        default_configuration: Configuration {
            level: level(meta.severity),
        },
        properties: RuleProperties {
            tags: vec![meta.pack],
            security_severity: security_severity(meta.pack, meta.severity),
        },
    }
}

/// A rule the caller did not list: named by its findings alone.
fn bare_descriptor(finding: &Finding) -> ReportingDescriptor<'_> {
    ReportingDescriptor {
        id: finding.rule,
        short_description: Message { text: finding.rule },
        full_description: None,
        help: None,
        default_configuration: Configuration {
            level: level(finding.severity),
        },
        properties: RuleProperties {
            tags: vec![finding.pack],
            security_severity: security_severity(finding.pack, finding.severity),
        },
    }
}

fn result<'a>(
    finding: &'a Finding,
    rule_index: usize,
    index: Option<&LineIndex<'_>>,
) -> SarifResult<'a> {
    let fixes = match (&finding.fix, index) {
        (Some(fix), Some(index)) => vec![SarifFix {
            description: Message {
                text: &fix.description,
            },
            artifact_changes: vec![ArtifactChange {
                artifact_location: artifact(&finding.path),
                replacements: vec![Replacement {
                    deleted_region: region(&index.range(fix.span)),
                    inserted_content: Content {
                        text: &fix.replacement,
                    },
                }],
            }],
        }],
        _ => Vec::new(),
    };
    SarifResult {
        rule_id: finding.rule,
        rule_index,
        level: level(finding.severity),
        message: Message {
            text: &finding.message,
        },
        locations: vec![Location {
            id: None,
            physical_location: PhysicalLocation {
                artifact_location: artifact(&finding.path),
                region: Some(region(&finding.range)),
            },
            message: None,
        }],
        related_locations: finding
            .related
            .iter()
            .enumerate()
            .map(|(id, related)| Location {
                id: Some(id),
                physical_location: PhysicalLocation {
                    artifact_location: artifact(&related.path),
                    region: Some(region(&related.range)),
                },
                message: Some(Message {
                    text: &related.message,
                }),
            })
            .collect(),
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, finding.fingerprint.as_str())]),
        fixes,
        properties: ResultProperties {
            confidence: finding.confidence.as_str(),
        },
    }
}

/// Renders one run: the rules that ran, the results, and the notices as tool
/// execution notifications. Pretty-printed, ending in a newline.
pub fn render(context: &ReportContext<'_>) -> String {
    let mut rules: Vec<ReportingDescriptor<'_>> =
        context.rules.iter().map(|meta| descriptor(meta)).collect();
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for file in &context.outcome.files {
        let index = file.source.as_deref().map(LineIndex::new);
        for finding in &file.findings {
            let rule_index = match rules.iter().position(|rule| rule.id == finding.rule) {
                Some(position) => position,
                None => {
                    rules.push(bare_descriptor(finding));
                    rules.len() - 1
                }
            };
            results.push(result(finding, rule_index, index.as_ref()));
        }
        for notice in &file.notices {
            notifications.push(Notification {
                level: match notice.kind {
                    NoticeKind::Internal => "error",
                    _ => "warning",
                },
                message: Message {
                    text: &notice.message,
                },
                locations: vec![Location {
                    id: None,
                    physical_location: PhysicalLocation {
                        artifact_location: artifact(&notice.path),
                        region: None,
                    },
                    message: None,
                }],
            });
        }
    }
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "snag",
                    version: context.tool_version,
                    semantic_version: context.tool_version,
                    rules,
                },
            },
            invocations: vec![Invocation {
                execution_successful: !context.outcome.has_internal_errors(),
                tool_execution_notifications: notifications,
            }],
            original_uri_base_ids: BTreeMap::from([(
                SOURCE_ROOT,
                BaseUri {
                    uri: directory_uri(context.root),
                },
            )]),
            results,
            column_kind: "unicodeCodePoints",
        }],
    };
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_else(|error| {
        format!("{{\"error\": \"cannot serialize the SARIF log: {error}\"}}")
    });
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::report::tests::{outcome_with, SQL_INJECTION};

    fn render_one(fix: Option<&str>, rules: &[&RuleMeta]) -> serde_json::Value {
        let outcome = outcome_with(
            "app/a b.py",
            "def f(name):\n    run(\"é\" + name)\n",
            "run(\"é\" + name)",
            "name",
            "`name` is spliced into SQL",
            fix,
        );
        let context = ReportContext {
            outcome: &outcome,
            tool_version: "0.1.0",
            styled: false,
            rules,
            root: Path::new("/src/repo"),
        };
        serde_json::from_str(&render(&context)).unwrap()
    }

    #[test]
    fn results_point_at_rules_fingerprints_and_code_points() {
        let log = render_one(Some("run(SQL, name)"), &[&SQL_INJECTION]);
        let run = &log["runs"][0];
        assert_eq!(run["columnKind"], "unicodeCodePoints");
        assert_eq!(
            run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
            "file:///src/repo/"
        );
        let rule = &run["tool"]["driver"]["rules"][0];
        assert_eq!(rule["id"], "sql-injection");
        assert_eq!(
            rule["fullDescription"]["text"],
            "Flags SQL built from data."
        );
        assert_eq!(rule["defaultConfiguration"]["level"], "error");
        assert_eq!(rule["properties"]["tags"][0], "security");
        let result = &run["results"][0];
        assert_eq!(result["ruleIndex"], 0);
        assert_eq!(result["level"], "error");
        assert_eq!(result["partialFingerprints"]["snag/v1"], "0123456789abcdef");
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "app/a%20b.py");
        assert_eq!(location["region"]["startLine"], 2);
        assert_eq!(location["region"]["startColumn"], 5);
        // `run("é" + name)` is 15 characters (16 bytes): the end is exclusive.
        assert_eq!(location["region"]["endColumn"], 20);
        assert_eq!(rule["properties"]["security-severity"], "8.0");
        let related = &result["relatedLocations"][0];
        assert_eq!(related["id"], 0);
        assert_eq!(related["message"]["text"], "`name` comes from here");
        assert_eq!(related["physicalLocation"]["region"]["startLine"], 1);
        assert_eq!(related["physicalLocation"]["region"]["startColumn"], 7);
        assert_eq!(
            result["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"],
            "run(SQL, name)"
        );
    }

    /// The unit-level outputs (with a fix, which no built-in rule makes yet)
    /// validate too; `tests/formats.rs` validates whole runs.
    #[test]
    fn a_result_with_a_fix_validates_against_the_official_schema() {
        // The lone `]` of the official `language` pattern, escaped for Rust's
        // regex crates (see `tests/formats.rs`).
        let schema = include_str!("../../../tests/data/sarif-schema-2.1.0.json")
            .replace("{2}]?$", "{2}\\\\]?$");
        let schema: serde_json::Value = serde_json::from_str(&schema).unwrap();
        let validator = jsonschema::options()
            .offline()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap();
        for log in [
            render_one(Some("run(SQL, name)"), &[&SQL_INJECTION]),
            render_one(None, &[]),
        ] {
            let errors: Vec<String> = validator
                .iter_errors(&log)
                .map(|error| format!("{error} at {}", error.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{errors:#?}\n{log:#}");
        }
    }

    #[test]
    fn a_finding_of_an_unlisted_rule_gets_a_bare_descriptor() {
        let log = render_one(None, &[]);
        let run = &log["runs"][0];
        assert_eq!(run["tool"]["driver"]["rules"][0]["id"], "sql-injection");
        assert_eq!(run["results"][0]["ruleIndex"], 0);
        assert!(run["results"][0].get("fixes").is_none());
    }
}
