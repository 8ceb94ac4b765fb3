//! The perf pack: work that turns into latency under real traffic.

pub(crate) mod blocking_in_async;
pub(crate) mod n_plus_one;
pub(crate) mod select_star;
