//! The resilience pack: code that lets one slow dependency take a service down.

pub(crate) mod missing_timeout;
