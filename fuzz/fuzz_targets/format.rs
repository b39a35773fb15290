//! Format round trip: whenever the input parses, `format(x)` parses to the
//! same tree (up to spans), and formatting is idempotent.
//!
//! The input is either raw text (the first byte is odd) or a policy built
//! from grammar fragments, so both odd layouts and deep constructs are hit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tenet::diagnostic::Sink;
use tenet::syntax::{ast::File, format, parse, Limits};

fn tree(src: &str) -> Option<File> {
    let mut sink = Sink::new("f.policy", src);
    parse(src, &mut sink, Limits::default())
}

fuzz_target!(|data: &[u8]| {
    let src = match data.split_first() {
        Some((first, rest)) if first % 2 == 1 => String::from_utf8_lossy(rest).into_owned(),
        _ => {
            let mut u = arbitrary::Unstructured::new(data.get(1..).unwrap_or_default());
            match tenet_fuzz::policy(&mut u, true) {
                Ok(text) => text,
                Err(_) => return,
            }
        }
    };
    let Some(before) = tree(&src) else {
        assert!(
            format(&src).is_err(),
            "format accepted text that does not parse"
        );
        return;
    };
    let once = format(&src).expect("parsed text must format");
    let after = tree(&once).unwrap_or_else(|| panic!("formatted text does not parse:\n{once}"));
    assert_eq!(
        tenet_fuzz::without_spans(&format!("{before:?}")),
        tenet_fuzz::without_spans(&format!("{after:?}")),
        "formatting changed the tree:\n--- input\n{src}\n--- formatted\n{once}"
    );
    let twice = format(&once).expect("formatted text must format");
    assert_eq!(once, twice, "format is not idempotent");
});
