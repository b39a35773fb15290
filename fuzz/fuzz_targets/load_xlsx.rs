//! Arbitrary bytes as an `.xlsx` workbook (the seeds are small valid
//! workbooks): `tenet_io::load` returns a dataset or problems, never a
//! panic, an abort or an allocation the size of the sheet's rectangle;
//! problems render.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    let path = dir.path().join("data.xlsx");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    match tenet_io::load(&path, &tenet_io::LoadOptions::default()) {
        Ok(loaded) => {
            for w in &loaded.warnings {
                let _ = w.to_string();
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
