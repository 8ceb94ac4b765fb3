//! Where files come from: walks of the file system (respecting `.gitignore`),
//! standard input, and (in diff modes) git.

mod walk;

pub use walk::{discover_files, DiscoveredFile, DiscoveryError, Exclusions};
