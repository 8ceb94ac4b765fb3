//! The lines a change touched on the new side of a diff, as sorted, disjoint,
//! inclusive ranges of 1-based line numbers. The engine asks it one question
//! per finding (does this span touch a changed line?), answered by binary
//! search, so filtering costs nothing noticeable however large the diff.

/// Changed (added or modified) lines of one file, 1-based and inclusive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangedLines {
    /// Sorted by start, disjoint and not adjacent (merged).
    ranges: Vec<(u32, u32)>,
}

impl ChangedLines {
    /// No line changed (a file whose change only deleted lines, or only its mode).
    pub fn none() -> ChangedLines {
        ChangedLines { ranges: Vec::new() }
    }

    /// Every line changed: a new or untracked file.
    pub fn all() -> ChangedLines {
        ChangedLines {
            ranges: vec![(1, u32::MAX)],
        }
    }

    /// From ranges in any order, possibly overlapping; empty ranges
    /// (`start > end`) and line 0 are dropped.
    pub fn from_ranges(ranges: impl IntoIterator<Item = (u32, u32)>) -> ChangedLines {
        let mut ranges: Vec<(u32, u32)> = ranges
            .into_iter()
            .map(|(start, end)| (start.max(1), end))
            .filter(|(start, end)| start <= end)
            .collect();
        ranges.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
        for (start, end) in ranges {
            match merged.last_mut() {
                Some(last) if start <= last.1.saturating_add(1) => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        ChangedLines { ranges: merged }
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Whether any line of `start..=end` (1-based) changed.
    pub fn touches(&self, start: u32, end: u32) -> bool {
        let (start, end) = (start.min(end), start.max(end));
        // The first range that ends at or after `start`; it touches the span
        // exactly when it also begins at or before `end`.
        let first = self.ranges.partition_point(|range| range.1 < start);
        self.ranges.get(first).is_some_and(|range| range.0 <= end)
    }

    /// The ranges, sorted and merged.
    pub fn ranges(&self) -> &[(u32, u32)] {
        &self.ranges
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_sorted_and_merged() {
        let lines = ChangedLines::from_ranges([(10, 12), (1, 2), (3, 4), (11, 20), (30, 29)]);
        assert_eq!(lines.ranges(), &[(1, 4), (10, 20)]);
    }

    #[test]
    fn a_span_touches_when_any_of_its_lines_changed() {
        let lines = ChangedLines::from_ranges([(5, 5), (10, 12)]);
        assert!(lines.touches(5, 5));
        assert!(lines.touches(3, 5));
        assert!(lines.touches(1, 100));
        assert!(lines.touches(12, 14));
        assert!(lines.touches(11, 11));
        assert!(!lines.touches(6, 9));
        assert!(!lines.touches(1, 4));
        assert!(!lines.touches(13, 40));
        assert!(!ChangedLines::none().touches(1, u32::MAX));
        assert!(ChangedLines::all().touches(7, 7));
    }
}
