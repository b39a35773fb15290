//! Checks policy files and prints their diagnostics or rule counts:
//! `cargo run -p tenet --example parse_dump -- policies/*.policy`.
// An example is an edge of the system: it may read files.
#![allow(clippy::disallowed_methods)]

fn main() {
    let roots: Vec<String> = std::env::args().skip(1).collect();
    match tenet::PolicySet::load(&roots, |n| {
        std::fs::read_to_string(n).map_err(|e| e.to_string())
    }) {
        Ok(set) => {
            print!("{}", set.render_warnings());
            for p in set.policies() {
                println!("{}: {} rules", p.id, p.rules.len());
            }
        }
        Err(e) => print!("{}", e.render()),
    }
}
