//! In-process tests through tower-lsp-server's service, for what needs a
//! rule no build ships: one that panics.

use std::time::Duration;

use futures::StreamExt;
use serde_json::{json, Value};
use snag_analyzer::engine::{Rule, RuleContext, RuleMeta};
use snag_analyzer::finding::{Diagnostic, Severity};
use tower::{Service, ServiceExt};
use tower_lsp_server::jsonrpc::Request;
use tower_lsp_server::{ClientSocket, LspService};

use super::Backend;

struct Panicking;

static PANICKING: RuleMeta = RuleMeta {
    id: "panicking-rule",
    pack: "test",
    severity: Severity::Warning,
    summary: "panics on every file",
    docs: "",
};

impl Rule for Panicking {
    fn meta(&self) -> &'static RuleMeta {
        &PANICKING
    }

    fn check(&self, _: &RuleContext<'_>, _: &mut Vec<Diagnostic>) {
        panic!("this rule always panics");
    }
}

const TWO_FINDINGS: &str = "def find(cur, name):\n    cur.execute(f\"SELECT id FROM users WHERE name = '{name}'\")\n    cur.execute(\"SELECT * FROM users\")\n";

/// The next message the server sends with this method: its params, and the
/// methods of the messages before it.
async fn next_with_method(socket: &mut ClientSocket, method: &str) -> (Value, Vec<String>) {
    let mut skipped = Vec::new();
    loop {
        let message = tokio::time::timeout(Duration::from_secs(30), socket.next())
            .await
            .unwrap_or_else(|_| panic!("timed out waiting for {method}"))
            .expect("the server closed its socket");
        let message = serde_json::to_value(&message).expect("a JSON message");
        if message["method"] == method {
            return (message["params"].clone(), skipped);
        }
        skipped.push(message["method"].as_str().unwrap_or_default().to_string());
    }
}

async fn call<S>(service: &mut S, request: Request) -> S::Response
where
    S: Service<Request>,
    S::Error: std::fmt::Debug,
{
    service
        .ready()
        .await
        .expect("the service is ready")
        .call(request)
        .await
        .expect("the service answers")
}

#[test]
fn a_panicking_rule_is_logged_and_the_other_rules_still_report() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let (mut service, mut socket) =
            LspService::new(|client| Backend::with_extra_rules(client, vec![&Panicking]));
        let initialized = call(
            &mut service,
            Request::build("initialize")
                .params(json!({"capabilities": {}}))
                .id(1)
                .finish(),
        )
        .await;
        assert!(initialized.is_some_and(|response| response.is_ok()));
        call(&mut service, Request::build("initialized").params(json!({})).finish()).await;
        let uri = "untitled:Untitled-1";
        for version in 1..=2 {
            call(
            &mut service,
                Request::build("textDocument/didOpen")
                    .params(json!({"textDocument": {
                        "uri": uri, "languageId": "python", "version": version, "text": TWO_FINDINGS,
                    }}))
                    .finish(),
            )
            .await;
            if version == 1 {
                // Logged once, not at every analysis.
                let (logged, _) = next_with_method(&mut socket, "window/logMessage").await;
                let text = logged["message"].as_str().unwrap_or_default();
                assert!(text.contains("`panicking-rule`"), "{text}");
                assert_eq!(logged["type"], 1, "an error");
            }
            let (published, before) =
                next_with_method(&mut socket, "textDocument/publishDiagnostics").await;
            assert!(
                !before.iter().any(|method| method == "window/logMessage"),
                "the same internal error logged again at version {version}"
            );
            let codes: Vec<&str> = published["diagnostics"]
                .as_array()
                .expect("diagnostics")
                .iter()
                .filter_map(|diagnostic| diagnostic["code"].as_str())
                .collect();
            assert_eq!(codes, ["sql-injection", "select-star"], "version {version}");
        }
    });
}
