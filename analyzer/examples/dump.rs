fn main() {
    let path = std::env::args().nth(1).expect("path");
    let text = std::fs::read_to_string(&path).expect("read");
    let language = snag_analyzer::model::Language::from_path(path.as_ref()).expect("lang");
    let model = snag_analyzer::lang::lower(language, &text);
    for f in &model.functions {
        println!(
            "fn {} async={} handler={:?} params={:?}",
            f.name,
            f.is_async,
            f.handler.as_ref().map(|h| h.framework),
            f.params
                .iter()
                .map(|p| (&p.name, p.is_request_input))
                .collect::<Vec<_>>()
        );
    }
    for l in &model.loops {
        println!("loop {:?} {:?} iter={:?}", l.kind, l.bindings, l.iterable);
    }
    for c in &model.calls {
        println!(
            "call {} resolved={} loop={:?} awaited={} args={:?}",
            c.path.text,
            c.path.resolved,
            c.innermost_loop,
            c.awaited,
            c.args.iter().map(|a| &a.value).collect::<Vec<_>>()
        );
    }
    println!("errors {:?}", model.syntax_errors);
}
