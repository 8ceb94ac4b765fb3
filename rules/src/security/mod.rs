//! The security pack: untrusted data reaching interpreters.

pub(crate) mod code_injection;
pub(crate) mod command_injection;
pub(crate) mod sql_injection;
