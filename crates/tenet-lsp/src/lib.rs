//! # tenet-lsp — the Tenet language server
//!
//! `tenet lsp` speaks the Language Server Protocol on stdin/stdout for
//! `.policy` files in either keyword surface (English or Chinese). The
//! analyses are plain functions from a [`context::Context`] (a document
//! and its imports, parsed) and a byte offset to a result; only
//! [`server`] knows LSP types, and [`position`] converts offsets to the
//! negotiated position encoding (UTF-8 when the client offers it, else
//! UTF-16).
//!
//! | module | answers |
//! |---|---|
//! | [`context`] | the document, its imports, the scope at a caret |
//! | [`hover`] | a param's values and history, a rule's citation, a field's type, an enum value's Chinese name, a keyword's other spelling |
//! | [`complete`] | fields after `t.`, roles after `has`, enum values, activity kinds, periods, params, keywords |
//! | [`definition`] | params, imports, the credit block, calendar semesters, binders |
//! | [`symbols`] | the outline: policy, params, credit block, rules |
//! | [`lens`] | each rule evaluated on the configured dataset |
//! | [`position`] | byte offsets ↔ LSP positions |
//! | [`words`] | hover and completion text in the reader's language |
//! | [`grammar`] | the VS Code TextMate grammar, generated from the keyword table |
//! | [`server`] | the protocol edge (tower-lsp-server) |
//!
//! ```
//! use tenet_lsp::context::Context;
//! let text = "policy p {\n  rule r { for person t require t.hire_dat >= 2020-01-01 }\n}";
//! let ctx = Context::new("p.policy", text, |_: &str| Err("none".to_string()));
//! let d = &ctx.diagnostics()[0];
//! assert!(d.message.contains("hire_dat"), "{}", d.message);
//! ```
#![deny(missing_docs)]

pub mod complete;
pub mod context;
pub mod definition;
pub mod grammar;
pub mod hover;
pub mod lens;
pub mod position;
pub mod server;
pub mod symbols;
pub mod words;

/// Runs the server on stdin/stdout until the client exits.
///
/// # Errors
/// When the async runtime cannot start.
pub fn run_stdio() -> std::io::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?
        .block_on(server::serve_stdio());
    Ok(())
}
