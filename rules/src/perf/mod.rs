//! The perf pack: work that turns into latency under real traffic.

pub(crate) mod blocking_in_async;
pub(crate) mod missing_cache;
pub(crate) mod missing_pool;
pub(crate) mod n_plus_one;
pub(crate) mod select_star;
pub(crate) mod slow_work_in_handler;

use foldhash::{HashMap, HashMapExt};

use snag_analyzer::model::{Function, Span};

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

/// For each `(span, callee span)`, whether another item's callee span holds
/// it: the receiver part of a chain (`filter()` of `filter().exists()`),
/// reported through the whole chain. A chain's calls share their start, so
/// only items starting at the same byte are compared (linear in the file).
pub(crate) fn inside_a_bigger_call(items: &[(Span, Span)]) -> Vec<bool> {
    let mut by_start: HashMap<u32, Vec<usize>> = HashMap::new();
    for (index, (span, _)) in items.iter().enumerate() {
        by_start.entry(span.start).or_default().push(index);
    }
    items
        .iter()
        .map(|(span, _)| {
            by_start[&span.start].iter().any(|&other| {
                let (other_span, other_callee) = items[other];
                other_span != *span && other_callee.contains(*span)
            })
        })
        .collect()
}

/// Names of code that runs once before a server takes requests: `main`, and
/// anything named for startup (`lifespan`, `on_startup`, `bootstrap`).
pub(crate) fn is_startup_name(lowercase_name: &str) -> bool {
    lowercase_name == "main"
        || ["startup", "lifespan", "bootstrap"]
            .iter()
            .any(|word| lowercase_name.contains(word))
}
