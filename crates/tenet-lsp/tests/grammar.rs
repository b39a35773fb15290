//! `editors/vscode/syntaxes/tenet.tmLanguage.json` is generated from the
//! keyword table; this fails when it is stale. `TENET_BLESS=1` rewrites it.

#![allow(clippy::panic)]

use std::path::Path;

#[test]
fn the_vscode_grammar_is_generated_from_policy_pest() {
    let path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../editors/vscode/syntaxes/tenet.tmLanguage.json"
    ));
    let want = tenet_lsp::grammar::textmate();
    if std::env::var_os("TENET_BLESS").is_some() {
        std::fs::write(path, &want).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "{} is stale: run `TENET_BLESS=1 cargo test -p tenet-lsp --test grammar`",
        path.display()
    );
    // Every spelling of every keyword is in it.
    for k in tenet::syntax::keywords::keywords() {
        for s in k.en.iter().chain(&k.zh) {
            let json = serde_json::to_string(&tenet_lsp::grammar::escape(s)).unwrap_or_default();
            let literal = json.trim_matches('"');
            assert!(
                want.contains(literal),
                "`{s}` ({}) is not highlighted",
                k.name
            );
        }
    }
}
