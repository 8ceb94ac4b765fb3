//! The perf pack: work that turns into latency under real traffic.

pub(crate) mod blocking_in_async;
pub(crate) mod missing_pool;
pub(crate) mod n_plus_one;
pub(crate) mod select_star;

use snag_analyzer::model::Function;

/// The decorators or attributes on the lines just above a function
/// (`@lru_cache`, `#[tokio::test]`), innermost first.
pub(crate) fn decorations<'s>(
    source: &'s str,
    function: &Function,
) -> impl Iterator<Item = &'s str> {
    source
        .get(..function.span.start as usize)
        .unwrap_or("")
        .lines()
        .rev()
        .map(str::trim)
        .skip_while(|line| line.is_empty())
        .take_while(|line| line.starts_with('@') || line.starts_with("#["))
}
