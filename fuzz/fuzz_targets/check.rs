//! Parse + check of policy text built from grammar fragments (well-typed
//! pieces mixed with arbitrary expressions), next to the shipped
//! `common.policy`. Errors are rendered as the CLI would.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tenet::PolicySet;

fuzz_target!(|data: &[u8]| {
    let mut u = arbitrary::Unstructured::new(data);
    let Ok(text) = tenet_fuzz::policy(&mut u, true) else {
        return;
    };
    match PolicySet::from_sources(&[("g.policy", &text), ("common.policy", tenet_fuzz::COMMON)]) {
        Ok(set) => {
            let _ = set.render_warnings();
        }
        Err(e) => {
            let _ = e.render();
        }
    }
});
