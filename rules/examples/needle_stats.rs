//! Which rule's needles let which files through the prefilter: for each rule,
//! how many files of a tree its needles (for each file's language) match, and
//! which matched words are in the most files.
//!
//! ```sh
//! cargo run --release -p snag-rules --example needle_stats -- /tmp/corpora/python/Django-6.1.3
//! cargo run --release -p snag-rules --example needle_stats -- DIR db objects   # as if without these words
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use regex::bytes::Regex;
use snag_analyzer::model::Language;

/// A rule's needles for one language: literals and patterns.
type Compiled = (Vec<Vec<u8>>, Vec<Regex>);

fn main() {
    let root = std::env::args().nth(1).expect("a directory");
    let without: Vec<String> = std::env::args().skip(2).collect();
    // Per file: whether a needle other than the words left out matched.
    let mut kept = Vec::new();
    let catalog = snag_rules::default_catalog().expect("catalog");
    let mut files: Vec<(Language, Vec<u8>)> = Vec::new();
    read_tree(Path::new(&root), &mut files);
    println!("{} files", files.len());
    let mut any = vec![false; files.len()];
    kept.resize(files.len(), false);
    for rule in snag_rules::all_rules() {
        // Per language: the needles compiled, or `None` for "any file".
        let compiled: Vec<Option<Compiled>> = Language::ALL
            .iter()
            .map(|language| {
                let needles = rule.needles(&catalog, *language)?;
                let patterns = needles
                    .patterns
                    .iter()
                    .map(|pattern| Regex::new(pattern).expect("pattern"))
                    .collect();
                let literals = needles
                    .literals
                    .into_iter()
                    .map(String::into_bytes)
                    .collect();
                Some((literals, patterns))
            })
            .collect();
        let mut words: BTreeMap<String, usize> = BTreeMap::new();
        let mut matched = 0;
        for (index, (language, bytes)) in files.iter().enumerate() {
            let Some((literals, patterns)) = &compiled[language.index()] else {
                matched += 1;
                any[index] = true;
                kept[index] = true;
                continue;
            };
            let mut hit = literals.iter().any(|literal| {
                bytes
                    .windows(literal.len())
                    .any(|window| window == literal.as_slice())
            });
            for pattern in patterns {
                let mut seen: Vec<String> = pattern
                    .find_iter(bytes)
                    .map(|found| String::from_utf8_lossy(found.as_bytes()).into_owned())
                    .collect();
                seen.sort();
                seen.dedup();
                hit |= !seen.is_empty();
                kept[index] |= seen.iter().any(|word| !without.contains(word));
                for word in seen {
                    *words.entry(word).or_default() += 1;
                }
            }
            if hit {
                kept[index] |= literals.iter().any(|literal| {
                    bytes
                        .windows(literal.len())
                        .any(|window| window == literal.as_slice())
                });
                matched += 1;
                any[index] = true;
            }
        }
        let mut top: Vec<(String, usize)> = words.into_iter().collect();
        top.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
        let shown: Vec<String> = top
            .iter()
            .take(12)
            .map(|(word, count)| format!("{word}:{count}"))
            .collect();
        println!("{:<22} {:>5}  {}", rule.meta().id, matched, shown.join(" "));
    }
    println!("any rule: {}", any.iter().filter(|each| **each).count());
    if !without.is_empty() {
        let count = kept.iter().filter(|each| **each).count();
        println!("any rule without {}: {count}", without.join(", "));
    }
}

/// Every source file under `path`, read, with its language.
fn read_tree(path: &Path, files: &mut Vec<(Language, Vec<u8>)>) {
    let Ok(entries) = std::fs::read_dir(path) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            read_tree(&path, files);
        } else if let Some(language) = Language::from_path(&path) {
            files.extend(std::fs::read(&path).ok().map(|bytes| (language, bytes)));
        }
    }
}
