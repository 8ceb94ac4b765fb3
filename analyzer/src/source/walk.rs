//! Walking paths for files to analyse, with the `ignore` crate: `.gitignore`,
//! `.ignore` and git's exclude file are honoured (inside a repository or not),
//! hidden files and directories are skipped, and so are the directories no
//! project wants scanned (dependencies, virtual environments, caches).

use std::fmt;
use std::path::{Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::WalkBuilder;

use crate::model::Language;

/// Directory names never descended into, whatever the ignore files say.
const ALWAYS_SKIPPED: &[&str] = &[
    "node_modules",
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    "__pycache__",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    "site-packages",
    ".snag_cache",
];

/// A file to analyse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoveredFile {
    pub path: PathBuf,
    pub language: Language,
    /// Size when the walk saw it, to schedule large files first.
    pub size: u64,
}

#[derive(Debug)]
pub struct DiscoveryError {
    pub path: PathBuf,
    pub message: String,
}

impl fmt::Display for DiscoveryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

/// The user's `exclude` patterns, in `.gitignore` syntax.
#[derive(Debug, Clone)]
pub struct Exclusions {
    matcher: Option<Gitignore>,
}

impl Exclusions {
    pub fn none() -> Exclusions {
        Exclusions { matcher: None }
    }

    /// Compiles patterns relative to `base`; a bad pattern is an error naming it.
    pub fn new(base: &Path, patterns: &[String]) -> Result<Exclusions, String> {
        if patterns.is_empty() {
            return Ok(Exclusions::none());
        }
        let base = std::path::absolute(base).unwrap_or_else(|_| base.to_path_buf());
        let mut builder = GitignoreBuilder::new(base);
        for pattern in patterns {
            builder
                .add_line(None, pattern)
                .map_err(|error| format!("bad `exclude` pattern `{pattern}`: {error}"))?;
        }
        let matcher = builder
            .build()
            .map_err(|error| format!("bad `exclude` patterns: {error}"))?;
        Ok(Exclusions {
            matcher: Some(matcher),
        })
    }

    pub fn excludes(&self, path: &Path, is_dir: bool) -> bool {
        let Some(matcher) = &self.matcher else {
            return false;
        };
        // Walk roots are absolute already, so this costs no system call.
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        // Patterns apply under the config's directory only (and the matcher
        // asserts that it is given a path there).
        let Ok(relative) = absolute.strip_prefix(matcher.path()) else {
            return false;
        };
        matcher
            .matched_path_or_any_parents(relative, is_dir)
            .is_ignore()
    }
}

/// Whether a directory of this name is one no project wants scanned
/// (dependencies, virtual environments, caches).
pub fn is_always_skipped(directory_name: &str) -> bool {
    ALWAYS_SKIPPED.contains(&directory_name)
}

/// The files under `paths` that snag can analyse, in walk order. A path given
/// explicitly is analysed even if an ignore file would skip it (but not if the
/// user's `exclude` names it); a path that does not exist is an error.
pub fn discover_files(
    paths: &[PathBuf],
    exclusions: &Exclusions,
) -> (Vec<DiscoveredFile>, Vec<DiscoveryError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for root in paths {
        let metadata = match std::fs::metadata(root) {
            Ok(metadata) => metadata,
            Err(error) => {
                errors.push(DiscoveryError {
                    path: root.clone(),
                    message: format!("cannot read: {error}"),
                });
                continue;
            }
        };
        if metadata.is_file() {
            if exclusions.excludes(root, false) {
                continue;
            }
            if let Some(language) = Language::from_path(root) {
                files.push(DiscoveredFile {
                    path: root.clone(),
                    language,
                    size: metadata.len(),
                });
            }
            continue;
        }
        let walk = WalkBuilder::new(std::path::absolute(root).unwrap_or_else(|_| root.clone()))
            .standard_filters(true)
            .require_git(false)
            .filter_entry({
                let exclusions = exclusions.clone();
                move |entry| {
                    let is_dir = entry.file_type().is_some_and(|kind| kind.is_dir());
                    if is_dir && entry.file_name().to_str().is_some_and(is_always_skipped) {
                        return false;
                    }
                    !exclusions.excludes(entry.path(), is_dir)
                }
            })
            .build();
        for entry in walk {
            let entry = match entry {
                Ok(entry) => entry,
                Err(error) => {
                    errors.push(DiscoveryError {
                        path: root.clone(),
                        message: error.to_string(),
                    });
                    continue;
                }
            };
            if !entry.file_type().is_some_and(|kind| kind.is_file()) {
                continue;
            }
            let Some(language) = Language::from_path(entry.path()) else {
                continue;
            };
            let size = entry.metadata().map_or(0, |metadata| metadata.len());
            files.push(DiscoveredFile {
                path: entry.into_path(),
                language,
                size,
            });
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|a, b| a.path == b.path);
    (files, errors)
}
