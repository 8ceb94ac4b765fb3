//! snag-analyzer: the engine of snag.
//!
//! It turns files into findings: sources (walks, stdin, git) feed front ends,
//! which lower each file into the language-neutral semantic model (`model`) in one
//! walk of its tree; rules, supplied by the caller through the [`engine::Rule`]
//! trait, read only that model. The one decision that shapes the crate: rules
//! never see syntax trees, so a rule is written once for every language and a file
//! is parsed and walked exactly once whatever the number of rules.

pub mod cache;
pub mod catalog;
pub mod config;
pub mod engine;
pub mod finding;
pub mod lang;
pub mod model;
pub mod report;
pub mod source;
pub mod sql;
pub mod suppress;
