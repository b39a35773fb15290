//! Arbitrary bytes (as lossy UTF-8) into the parser; every diagnostic is
//! rendered too, since rendering slices the source at the reported spans.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tenet::diagnostic::Sink;
use tenet::syntax::{parse, Limits};

fuzz_target!(|data: &[u8]| {
    let src = String::from_utf8_lossy(data);
    let mut sink = Sink::new("fuzz.policy", &src);
    let _ = parse(&src, &mut sink, Limits::default());
    for d in &sink.diagnostics {
        let _ = d.render(&src);
    }
});
