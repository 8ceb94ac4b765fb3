//! The security pack: untrusted data reaching interpreters.

pub(crate) mod sql_injection;
