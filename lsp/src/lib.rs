//! snag-lsp: the snag language server, on tower-lsp-server.
//!
//! It shows an open document's findings as diagnostics while it is edited,
//! with the rule's documentation on hover and code actions to fix a finding
//! (where the rule offers a fix) or to suppress it.
//!
//! The decision that shapes the crate: the protocol thread never analyses.
//! Notifications only edit the open documents (text and syntax tree, both
//! incrementally) and queue the document for the analysis thread, which takes
//! everything queued at once (a burst of edits costs one analysis), reparses
//! from the previous tree, runs the same engine as `snag check`, and publishes
//! only if no newer edit arrived meanwhile. A slow analysis delays
//! diagnostics, never the editor's requests; a panic costs one analysis, not
//! the server.

mod actions;
mod convert;
mod positions;
mod server;
mod transport;
mod worker;
mod workspace;

use tower_lsp_server::{LspService, Server};

/// Serves the language server on standard input and output until the client
/// sends `exit` (or closes standard input).
pub fn run_stdio() -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (input, forwarded) = tokio::io::duplex(1 << 16);
    let handle = runtime.handle().clone();
    // Not joined: after `exit` it may still be blocked reading, and the
    // process ends without it.
    std::thread::Builder::new()
        .name("snag-lsp-input".to_string())
        .spawn(move || transport::forward(std::io::stdin().lock(), forwarded, &handle))?;
    runtime.block_on(async {
        let (service, socket) = LspService::new(server::Backend::new);
        Server::new(input, tokio::io::stdout(), socket)
            .serve(service)
            .await;
    });
    runtime.shutdown_background();
    Ok(())
}
