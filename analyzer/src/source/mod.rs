//! Where files come from: walks of the file system (respecting `.gitignore`),
//! standard input, and (in diff modes) git.
//!
//! Walks hand the engine paths to read; git hands it bytes already read (from
//! the index or the work tree) together with the lines the change touched,
//! so the engine never reads a file the diff did not name.

mod changed_lines;
pub mod git;
mod git_index;
mod walk;

pub use changed_lines::ChangedLines;
pub use walk::{discover_files, is_always_skipped, DiscoveredFile, DiscoveryError, Exclusions};

use crate::model::Language;

/// Files larger than this are skipped, with a notice: they are generated
/// bundles or data, and one of them must not stall a scan.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// A file whose bytes are already in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InMemoryFile {
    /// The path as reports show it (relative to the scan root, with `/`).
    pub path: String,
    pub language: Language,
    pub bytes: Vec<u8>,
    /// The lines a diff changed; `None` keeps every finding.
    pub changed: Option<ChangedLines>,
}
