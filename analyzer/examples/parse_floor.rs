//! Parse-only floor: parse every file and walk each tree once, on all cores.
use rayon::prelude::*;
fn main() {
    let root = std::env::args().nth(1).expect("dir");
    let files: Vec<_> = ignore::WalkBuilder::new(&root)
        .build()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .filter_map(|e| {
            snag_analyzer::model::Language::from_path(e.path()).map(|l| (e.into_path(), l))
        })
        .collect();
    let start = std::time::Instant::now();
    let nodes: usize = files
        .par_iter()
        .map(|(p, l)| {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            let tree = snag_analyzer::lang::parse(*l, &text, None).unwrap();
            let mut c = tree.walk();
            let mut n = 0usize;
            'outer: loop {
                n += 1;
                if c.goto_first_child() {
                    continue;
                }
                loop {
                    if c.goto_next_sibling() {
                        break;
                    }
                    if !c.goto_parent() {
                        break 'outer;
                    }
                }
            }
            n
        })
        .sum();
    println!(
        "{} files, {} nodes, {:?}",
        files.len(),
        nodes,
        start.elapsed()
    );
}
