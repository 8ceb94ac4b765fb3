//! Prints what a front end lowered a file into: functions, loops and calls,
//! with line numbers. `cargo run -p snag-analyzer --example dump -- FILE [--args] [--facts]`
fn main() {
    let path = std::env::args().nth(1).expect("path");
    let show_args = std::env::args().any(|arg| arg == "--args");
    let text = std::fs::read_to_string(&path).expect("read");
    let language = snag_analyzer::model::Language::from_path(path.as_ref()).expect("lang");
    let model = snag_analyzer::lang::lower(language, &text);
    let line = |offset: u32| text[..offset as usize].matches('\n').count() + 1;
    for (index, f) in model.functions.iter().enumerate() {
        println!(
            "fn#{index} {} line={} async={} handler={:?} parent={:?} params={:?}",
            f.name,
            line(f.span.start),
            f.is_async,
            f.handler.as_ref().map(|h| h.framework),
            f.parent,
            f.params
                .iter()
                .map(|p| (&p.name, p.is_request_input))
                .collect::<Vec<_>>()
        );
    }
    for (index, l) in model.loops.iter().enumerate() {
        println!(
            "loop#{index} line={} {:?} {:?} iter={:?} fn={:?}",
            line(l.span.start),
            l.kind,
            l.bindings,
            l.iterable,
            l.function
        );
    }
    for c in &model.calls {
        println!(
            "call line={} {} resolved={} fn={:?} loop={:?} new={}",
            line(c.span.start),
            c.path.text,
            c.path.resolved,
            c.function.map(|id| id.0),
            c.innermost_loop.map(|id| id.0),
            c.is_new,
        );
        if show_args {
            for arg in &c.args {
                println!("    arg {:?}", arg.value);
            }
        }
    }
    if std::env::args().any(|arg| arg == "--facts") {
        let at = |span: snag_analyzer::model::Span| &text[span.range()];
        for read in &model.name_reads {
            println!(
                "read line={} {} {:?} fn={:?}",
                line(read.span.start),
                at(read.span),
                read.scope,
                read.function.map(|id| id.0)
            );
        }
        for assignment in &model.assignments {
            println!(
                "assign line={} {} {:?} = {:?} fn={:?}",
                line(assignment.target.start),
                at(assignment.target),
                assignment.kind,
                assignment
                    .value
                    .map(|value| at(value).lines().next().unwrap_or("")),
                assignment.function.map(|id| id.0)
            );
        }
        for arm in &model.arms {
            println!(
                "arm line={}..{} conditional={} exits={}",
                line(arm.span.start),
                line(arm.span.end),
                arm.conditional,
                arm.exits
            );
        }
    }
    println!("errors {:?}", model.syntax_errors);
}
