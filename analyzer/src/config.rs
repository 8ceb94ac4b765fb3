//! Configuration: `snag.toml`, `.snag.toml`, or `[tool.snag]` in
//! `pyproject.toml`, the nearest one from the scan root up to the repository
//! root. Unknown keys and bad values are errors naming the file, line and key.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::catalog::CatalogFile;
use crate::finding::{Confidence, Severity};

/// The settings a config file may hold.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Rules or packs to run; all rules when absent.
    #[serde(default)]
    pub select: Option<Vec<Spanned<String>>>,
    /// Rules or packs not to run.
    #[serde(default)]
    pub ignore: Vec<Spanned<String>>,
    /// Paths not to scan, in `.gitignore` syntax, relative to the config file.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Severity per rule id.
    #[serde(default)]
    pub severity: BTreeMap<Spanned<String>, Severity>,
    /// Lowest confidence reported (default `medium`).
    #[serde(default)]
    pub min_confidence: Option<Confidence>,
    /// Catalog extensions: the user's own sinks, sources and sanitizers.
    #[serde(default)]
    pub catalog: CatalogFile,
}

/// A config and where it came from.
#[derive(Debug, Default, Clone)]
pub struct LoadedConfig {
    pub config: Config,
    /// The file, when one was found.
    pub path: Option<PathBuf>,
    /// The file's text, to turn spans into line numbers in later errors.
    text: String,
}

impl LoadedConfig {
    /// The directory `exclude` patterns are relative to.
    pub fn base_dir(&self) -> Option<&Path> {
        self.path.as_deref().and_then(Path::parent)
    }

    /// An error about a value of this config, at the value's line.
    pub fn error_at(&self, span: std::ops::Range<usize>, message: String) -> ConfigError {
        let line = self
            .text
            .get(..span.start.min(self.text.len()))
            .map_or(0, |before| before.matches('\n').count())
            + 1;
        ConfigError {
            path: self.path.clone().unwrap_or_default(),
            line: Some(line),
            message,
        }
    }

    /// Checks that every rule id or pack named in the config exists.
    pub fn check_rule_names(&self, is_known: impl Fn(&str) -> bool) -> Result<(), ConfigError> {
        let named = self
            .config
            .select
            .iter()
            .flatten()
            .map(|name| ("select", name))
            .chain(self.config.ignore.iter().map(|name| ("ignore", name)))
            .chain(self.config.severity.keys().map(|name| ("severity", name)));
        for (key, name) in named {
            if !is_known(name.get_ref()) {
                return Err(self.error_at(
                    name.span(),
                    format!(
                        "`{key}`: `{}` is not a rule id or pack (see `snag rules`)",
                        name.get_ref()
                    ),
                ));
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

const CONFIG_NAMES: [&str; 2] = ["snag.toml", ".snag.toml"];

/// Finds and loads the config for a scan rooted at `start`: the nearest
/// `snag.toml`, `.snag.toml` or `pyproject.toml` with a `[tool.snag]` table,
/// looking up to the directory that holds `.git`.
pub fn discover(start: &Path) -> Result<LoadedConfig, ConfigError> {
    let start = if start.is_file() {
        start.parent().unwrap_or(start)
    } else {
        start
    };
    let start = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
    for directory in start.ancestors() {
        for name in CONFIG_NAMES {
            let candidate = directory.join(name);
            if candidate.is_file() {
                return load(&candidate);
            }
        }
        let pyproject = directory.join("pyproject.toml");
        if pyproject.is_file() {
            if let Some(loaded) = load_pyproject(&pyproject)? {
                return Ok(loaded);
            }
        }
        if directory.join(".git").exists() {
            break;
        }
    }
    Ok(LoadedConfig::default())
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|error| ConfigError {
        path: path.to_path_buf(),
        line: None,
        message: format!("cannot read: {error}"),
    })
}

fn toml_error(path: &Path, text: &str, error: toml::de::Error) -> ConfigError {
    let line = error
        .span()
        .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
    ConfigError {
        path: path.to_path_buf(),
        line,
        message: error.message().to_string(),
    }
}

/// Loads a `snag.toml`-style file.
pub fn load(path: &Path) -> Result<LoadedConfig, ConfigError> {
    let text = read(path)?;
    let config: Config = toml::from_str(&text).map_err(|error| toml_error(path, &text, error))?;
    Ok(LoadedConfig {
        config,
        path: Some(path.to_path_buf()),
        text,
    })
}

/// Loads `[tool.snag]` from a `pyproject.toml`; `None` when it has none.
fn load_pyproject(path: &Path) -> Result<Option<LoadedConfig>, ConfigError> {
    #[derive(Deserialize)]
    struct Pyproject {
        #[serde(default)]
        tool: Option<Tool>,
    }
    #[derive(Deserialize)]
    struct Tool {
        #[serde(default)]
        snag: Option<Config>,
    }
    let text = read(path)?;
    if !text.contains("tool.snag") {
        return Ok(None);
    }
    let pyproject: Pyproject =
        toml::from_str(&text).map_err(|error| toml_error(path, &text, error))?;
    Ok(pyproject
        .tool
        .and_then(|tool| tool.snag)
        .map(|config| LoadedConfig {
            config,
            path: Some(path.to_path_buf()),
            text,
        }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(directory: &Path, name: &str, text: &str) -> PathBuf {
        let path = directory.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// A fresh directory under the system's temporary one, removed when
    /// the test ends (passed or not).
    struct TempDir(PathBuf);

    impl std::ops::Deref for TempDir {
        type Target = Path;
        fn deref(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn temp_dir(name: &str) -> TempDir {
        let directory =
            std::env::temp_dir().join(format!("snag-config-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&directory);
        std::fs::create_dir_all(&directory).unwrap();
        TempDir(directory)
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let directory = temp_dir("unknown");
        write(
            &directory,
            "snag.toml",
            "select = [\"perf\"]\n\nignroe = [\"x\"]\n",
        );
        let error = discover(&directory).unwrap_err();
        assert_eq!(error.line, Some(3));
        assert!(error.message.contains("ignroe"), "{error}");
        assert!(error.to_string().contains("snag.toml:3:"), "{error}");
    }

    #[test]
    fn bad_value_names_the_line() {
        let directory = temp_dir("badvalue");
        write(
            &directory,
            ".snag.toml",
            "[severity]\nselect-star = \"loud\"\n",
        );
        let error = discover(&directory).unwrap_err();
        assert_eq!(error.line, Some(2));
        assert!(
            error.message.contains("loud") || error.message.contains("variant"),
            "{error}"
        );
    }

    #[test]
    fn pyproject_tool_table_is_read_and_others_ignored() {
        let directory = temp_dir("pyproject");
        write(
            &directory,
            "pyproject.toml",
            "[project]\nname = \"app\"\n\n[tool.snag]\nignore = [\"select-star\"]\nmin-confidence = \"high\"\n",
        );
        let loaded = discover(&directory).unwrap();
        assert_eq!(loaded.config.ignore[0].get_ref(), "select-star");
        assert_eq!(loaded.config.min_confidence, Some(Confidence::High));
    }

    #[test]
    fn unknown_rule_names_are_reported_at_their_line() {
        let directory = temp_dir("rulename");
        write(
            &directory,
            "snag.toml",
            "ignore = [\n  \"sql-injection\",\n  \"n-plus-two\",\n]\n",
        );
        let loaded = discover(&directory).unwrap();
        let error = loaded
            .check_rule_names(|name| name == "sql-injection")
            .unwrap_err();
        assert_eq!(error.line, Some(3));
        assert!(error.message.contains("n-plus-two"));
    }

    #[test]
    fn search_stops_at_the_repository_root() {
        let outer = temp_dir("stop");
        write(&outer, "snag.toml", "ignore = [\"select-star\"]\n");
        let repository = outer.join("repo");
        std::fs::create_dir_all(repository.join(".git")).unwrap();
        let loaded = discover(&repository).unwrap();
        assert!(loaded.path.is_none());
    }
}
