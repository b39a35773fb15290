fn main() {
    for path in std::env::args().skip(1) {
        let src = std::fs::read_to_string(&path).unwrap();
        let mut sink = tenet::diagnostic::Sink::new(&path, &src);
        let f = tenet::syntax::parse(&src, &mut sink, Default::default());
        for d in &sink.diagnostics {
            print!("{}", d.render(&src));
        }
        println!("{path}: {}", if f.is_some() { "ok" } else { "FAILED" });
    }
}
