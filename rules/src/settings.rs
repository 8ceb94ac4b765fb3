//! A config (and overrides from the command line) turned into the engine's
//! [`Settings`]: the one place the CLI and the language server do it, so an
//! editor shows what `snag check` reports for the same file.

use std::path::PathBuf;

use snag_analyzer::catalog::CatalogError;
use snag_analyzer::config::{ConfigError, LoadedConfig};
use snag_analyzer::engine::{Settings, DEFAULT_FILE_BUDGET};
use snag_analyzer::finding::Confidence;
use snag_analyzer::source::Exclusions;
use thiserror::Error;

/// What the command line (or an editor) says on top of the config.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// Rules or packs to run, instead of the config's `select`.
    pub select: Option<Vec<String>>,
    /// Rules or packs not to run, on top of the config's `ignore`.
    pub ignore: Vec<String>,
    /// Instead of the config's `min-confidence`.
    pub min_confidence: Option<Confidence>,
    pub report_unused_suppressions: bool,
    /// Instead of the default per-file time budget.
    pub file_budget: Option<std::time::Duration>,
}

#[derive(Debug, Error)]
pub enum SettingsError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error("{0}")]
    Selection(String),
    #[error("{}: {message}", path.display())]
    Exclude { path: PathBuf, message: String },
}

/// The settings a config gives, with `overrides` applied; findings' paths
/// are relative to `root`, fingerprints' to `fingerprint_root` (the
/// repository's root, when there is one).
pub fn from_config(
    loaded: &LoadedConfig,
    overrides: &Overrides,
    root: PathBuf,
    fingerprint_root: Option<PathBuf>,
) -> Result<Settings, SettingsError> {
    loaded.check_rule_names(crate::is_rule_or_pack)?;
    let config = &loaded.config;
    let config_select: Option<Vec<String>> = config
        .select
        .as_ref()
        .map(|names| names.iter().map(|name| name.get_ref().clone()).collect());
    let select = overrides.select.clone().or(config_select);
    let mut ignore: Vec<String> = config
        .ignore
        .iter()
        .map(|name| name.get_ref().clone())
        .collect();
    ignore.extend(overrides.ignore.iter().cloned());
    let rules =
        crate::select_rules(select.as_deref(), &ignore).map_err(SettingsError::Selection)?;

    let mut catalog = crate::default_catalog()?;
    if let Some(path) = &loaded.path {
        catalog.extend(&config.catalog, &path.display().to_string())?;
    }
    let exclusions = match loaded.base_dir() {
        Some(base) => {
            Exclusions::new(base, &config.exclude).map_err(|message| SettingsError::Exclude {
                path: loaded.path.clone().unwrap_or_else(|| base.to_path_buf()),
                message,
            })?
        }
        None => Exclusions::none(),
    };
    Ok(Settings {
        rules,
        catalog,
        severity_overrides: config
            .severity
            .iter()
            .map(|(id, severity)| (id.get_ref().clone(), *severity))
            .collect(),
        min_confidence: overrides
            .min_confidence
            .or(config.min_confidence)
            .unwrap_or(Confidence::Medium),
        exclusions,
        report_unused_suppressions: overrides.report_unused_suppressions,
        root,
        fingerprint_root,
        file_budget: overrides.file_budget.unwrap_or(DEFAULT_FILE_BUDGET),
    })
}
