//! The reports the command line writes (text, Markdown, HTML, JSON) for a
//! generated policy and dataset, written through `tenet_cli::output` to a
//! writer that fails after a number of bytes chosen by the input, with an
//! error kind chosen by the input: a full disk must come back as a
//! message naming the place, a closed pipe as `Closed`, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::{Error, ErrorKind, Write};
use tenet::model::Dataset;
use tenet::PolicySet;
use tenet_cli::output::{write, WriteError};

/// Accepts `room` bytes, then fails with `kind`.
struct Failing {
    room: usize,
    kind: ErrorKind,
}

impl Write for Failing {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.room == 0 {
            return Err(Error::from(self.kind));
        }
        let n = buf.len().min(self.room);
        self.room -= n;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fuzz_target!(|data: &[u8]| {
    let mut u = arbitrary::Unstructured::new(data);
    let room: usize = u.int_in_range(0..=4096).unwrap_or(0);
    let kind = match u.int_in_range(0..=2).unwrap_or(0) {
        0 => ErrorKind::BrokenPipe,
        1 => ErrorKind::StorageFull,
        _ => ErrorKind::PermissionDenied,
    };
    let Ok(text) = tenet_fuzz::policy(&mut u, false) else {
        return;
    };
    let Ok(rows) = tenet_fuzz::rows(&mut u) else {
        return;
    };
    let Ok(set) =
        PolicySet::from_sources(&[("g.policy", &text), ("common.policy", tenet_fuzz::COMMON)])
    else {
        return;
    };
    let Ok((dataset, _warnings)) = Dataset::from_rows(rows) else {
        return;
    };
    let as_of = chrono::NaiveDate::from_ymd_opt(2023, 6, 30).unwrap_or_default();
    let reports = set.evaluate_with_threads(&dataset, as_of, 1);
    let mut outputs = Vec::new();
    let mut pairs = Vec::new();
    for report in &reports {
        outputs.push(report.to_json());
        if let Some(policy) = set.policies().iter().find(|p| p.id == report.policy) {
            outputs.push(tenet::render::text(report, policy));
            outputs.push(tenet::render::markdown(report, policy));
            pairs.push((report, policy));
        }
    }
    outputs.push(tenet_cli::html::render(&pairs));
    for out in outputs {
        let mut w = Failing { room, kind };
        match write(&mut w, "`report`", &out) {
            Ok(()) => assert!(out.len() <= room, "wrote {} bytes into {room}", out.len()),
            Err(WriteError::Closed) => assert_eq!(kind, ErrorKind::BrokenPipe),
            Err(WriteError::Failed(message)) => {
                assert_ne!(kind, ErrorKind::BrokenPipe);
                assert!(message.starts_with("error: cannot write `report`: "), "{message}");
            }
        }
    }
});
