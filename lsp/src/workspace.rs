//! Settings per document, from the same config files `snag check` reads
//! (the nearest `snag.toml`, `.snag.toml` or `[tool.snag]` in
//! `pyproject.toml`), and the git repositories documents live in.
//!
//! A broken config is reported once (until the next reload) and the
//! documents it governs keep the last settings that loaded, or the defaults:
//! a typo in a config must not leave the editor without diagnostics.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use snag_analyzer::config::{self, LoadedConfig};
use snag_analyzer::engine::{Engine, Rule};
use snag_analyzer::source::git::GitRepository;
use snag_rules::settings::{self, Overrides};

/// Engines by config, built on first use.
pub(crate) struct Workspace {
    overrides: Overrides,
    /// Rules run besides the selected built-in ones (tests).
    extra_rules: Vec<&'static dyn Rule>,
    root: Option<PathBuf>,
    /// The config file each directory resolves to (`None`: none found).
    configs: HashMap<PathBuf, Option<PathBuf>>,
    engines: HashMap<Option<PathBuf>, Arc<Engine>>,
    /// The last engine each config built, kept across reloads for when the
    /// config breaks.
    last_good: HashMap<Option<PathBuf>, Arc<Engine>>,
    /// Errors reported since the last reload.
    reported: HashSet<String>,
    /// The repository each directory is in (`None`: not in one).
    repositories: HashMap<PathBuf, Option<usize>>,
    opened: Vec<GitRepository>,
}

/// Settings for a document, and what went wrong finding them.
pub(crate) struct Resolved {
    pub(crate) engine: Option<Arc<Engine>>,
    /// New errors, to show the user (each once per reload).
    pub(crate) errors: Vec<String>,
}

impl Workspace {
    pub(crate) fn new(
        overrides: Overrides,
        root: Option<PathBuf>,
        extra_rules: Vec<&'static dyn Rule>,
    ) -> Workspace {
        Workspace {
            overrides,
            extra_rules,
            root,
            configs: HashMap::new(),
            engines: HashMap::new(),
            last_good: HashMap::new(),
            reported: HashSet::new(),
            repositories: HashMap::new(),
            opened: Vec::new(),
        }
    }

    /// Forgets every config and repository; the next documents load afresh.
    pub(crate) fn reload(&mut self) {
        self.configs.clear();
        self.engines.clear();
        self.reported.clear();
        self.repositories.clear();
        self.opened.clear();
    }

    /// The directory a document's config is looked for from.
    fn directory_of(&self, path: Option<&Path>) -> PathBuf {
        path.and_then(Path::parent)
            .map(Path::to_path_buf)
            .or_else(|| self.root.clone())
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_else(|| PathBuf::from("."))
    }

    /// The engine for a document at `path` (`None` for one with no file).
    pub(crate) fn engine_for(&mut self, path: Option<&Path>) -> Resolved {
        let directory = self.directory_of(path);
        let mut errors = Vec::new();
        let config = match self.configs.get(&directory) {
            Some(config) => config.clone(),
            None => {
                let (config, loaded) = match config::discover(&directory) {
                    Ok(loaded) => (loaded.path.clone(), Some(loaded)),
                    Err(error) => {
                        self.report(error.to_string(), &mut errors);
                        (Some(error.path), None)
                    }
                };
                if !self.engines.contains_key(&config) {
                    let built = loaded.and_then(|loaded| self.build(&loaded, &mut errors));
                    if let Some(engine) = &built {
                        self.last_good.insert(config.clone(), engine.clone());
                    }
                    let engine = built
                        .or_else(|| self.last_good.get(&config).cloned())
                        .or_else(|| self.build(&LoadedConfig::default(), &mut errors));
                    if let Some(engine) = engine {
                        self.engines.insert(config.clone(), engine);
                    }
                }
                self.configs.insert(directory, config.clone());
                config
            }
        };
        Resolved {
            engine: self.engines.get(&config).cloned(),
            errors,
        }
    }

    fn build(&mut self, loaded: &LoadedConfig, errors: &mut Vec<String>) -> Option<Arc<Engine>> {
        let root = self
            .root
            .clone()
            .or_else(|| loaded.base_dir().map(Path::to_path_buf))
            .unwrap_or_else(|| PathBuf::from("/"));
        let fingerprint_root = Some(root.clone());
        match settings::from_config(loaded, &self.overrides, root, fingerprint_root) {
            Ok(mut settings) => {
                settings.rules.extend(self.extra_rules.iter().copied());
                Some(Arc::new(Engine::new(settings)))
            }
            Err(error) => {
                self.report(error.to_string(), errors);
                None
            }
        }
    }

    fn report(&mut self, message: String, errors: &mut Vec<String>) {
        if self.reported.insert(message.clone()) {
            errors.push(message);
        }
    }

    /// The repository holding `path`, opened once per reload.
    pub(crate) fn repository_for(&mut self, path: &Path) -> Result<Option<&GitRepository>, String> {
        let directory = self.directory_of(Some(path));
        let index = match self.repositories.get(&directory) {
            Some(index) => *index,
            None => {
                let index = match GitRepository::containing(&directory) {
                    Ok(Some(repository)) => {
                        let known = self
                            .opened
                            .iter()
                            .position(|opened| opened.root() == repository.root());
                        Some(known.unwrap_or_else(|| {
                            self.opened.push(repository);
                            self.opened.len() - 1
                        }))
                    }
                    Ok(None) => None,
                    Err(error) => return Err(error.to_string()),
                };
                self.repositories.insert(directory, index);
                index
            }
        };
        Ok(index.and_then(|index| self.opened.get(index)))
    }
}
