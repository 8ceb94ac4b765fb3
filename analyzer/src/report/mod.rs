//! Reports: one module per output format. Serialization types live here, at
//! the edge, not on the model or the findings.

pub mod human;
pub mod json;

use crate::engine::ScanOutcome;

/// What every report needs besides the findings.
pub struct ReportContext<'a> {
    pub outcome: &'a ScanOutcome,
    pub tool_version: &'a str,
    /// Colour and styles (only for a terminal).
    pub styled: bool,
}
