//! Prints the model of one file: `cargo run -p snag-analyzer --example dump -- FILE`.
fn main() {
    let path = std::env::args().nth(1).expect("path");
    let text = std::fs::read_to_string(&path).expect("read");
    let language = snag_analyzer::model::Language::from_path(path.as_ref()).expect("lang");
    let model = snag_analyzer::lang::lower(language, &text);
    let line = |offset: u32| text[..offset as usize].matches('\n').count() + 1;
    for (index, f) in model.functions.iter().enumerate() {
        println!(
            "fn#{index} {} L{} async={} handler={:?} parent={:?} params={:?}",
            f.name,
            line(f.span.start),
            f.is_async,
            f.handler.as_ref().map(|h| h.framework),
            f.parent.map(|p| p.0),
            f.params
                .iter()
                .map(|p| (&p.name, &p.annotation, p.is_request_input))
                .collect::<Vec<_>>()
        );
    }
    for (index, l) in model.loops.iter().enumerate() {
        println!(
            "loop#{index} L{} {:?} {:?} iter={:?} path={:?}",
            line(l.span.start),
            l.kind,
            l.bindings,
            l.iterable,
            l.iterable_path.as_ref().map(|p| (&p.text, p.resolved))
        );
    }
    for c in &model.calls {
        println!(
            "L{} call {} resolved={} fn={:?} loop={:?} awaited={} new={} args={:?}",
            line(c.span.start),
            c.path.text,
            c.path.resolved,
            c.function.map(|f| f.0),
            c.innermost_loop.map(|l| l.0),
            c.awaited,
            c.is_new,
            c.args.iter().map(|a| &a.value).collect::<Vec<_>>()
        );
    }
    println!("errors {:?}", model.syntax_errors);
}
