//! The protocol edge: tower-lsp-server's `LanguageServer` over the plain
//! analysis functions. Only this module sees LSP types; it converts byte
//! spans to positions in the negotiated encoding ([`crate::position`]).

use crate::context::Context;
use crate::position::{Encoding, LineIndex, Pos};
use crate::{complete, definition, hover, lens, symbols};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;
use tenet::diagnostic::{self, Span};
use tenet::model::Dataset;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

/// Where the code lenses get their data: `tenet.dataset` and
/// `tenet.asOf` from `initializationOptions` or the workspace settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// A dataset: a directory of CSV files, a `.json` document or an
    /// `.xlsx` workbook; relative to the workspace root.
    pub dataset: Option<PathBuf>,
    /// The evaluation date (default: today).
    pub as_of: Option<NaiveDate>,
}

impl Settings {
    /// Reads `{"dataset": …, "asOf": …}`, or the same under `"tenet"`;
    /// `None` when the value says nothing about them.
    ///
    /// ```
    /// use tenet_lsp::server::Settings;
    /// let s = Settings::from_json(&serde_json::json!({"tenet": {"dataset": "data", "asOf": "2024-01-01"}})).unwrap();
    /// assert_eq!(s.dataset.unwrap().to_str(), Some("data"));
    /// assert_eq!(s.as_of.unwrap().to_string(), "2024-01-01");
    /// ```
    pub fn from_json(value: &serde_json::Value) -> Option<Settings> {
        let v = value.get("tenet").unwrap_or(value);
        let dataset = v
            .get("dataset")
            .and_then(|d| d.as_str())
            .filter(|d| !d.is_empty());
        let as_of = v.get("asOf").and_then(|d| d.as_str());
        if dataset.is_none() && as_of.is_none() {
            return None;
        }
        Some(Settings {
            dataset: dataset.map(PathBuf::from),
            as_of: as_of.and_then(|d| d.parse().ok()),
        })
    }
}

#[derive(Default)]
struct State {
    encoding: Encoding,
    /// The language of diagnostics: the client's locale (VS Code sends its
    /// display language), else the server's own locale, else English.
    lang: diagnostic::Lang,
    root: Option<PathBuf>,
    settings: Settings,
    docs: HashMap<Uri, String>,
    /// The loaded dataset, keyed by its path and modification time.
    data: Option<(PathBuf, Option<SystemTime>, Arc<Dataset>)>,
}

/// The language server.
pub struct Backend {
    client: Client,
    state: Mutex<State>,
}

impl Backend {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The analysis context of an open document, with its imports read from
    /// open documents first and the disk second.
    fn context(&self, uri: &Uri) -> Option<(Context, Encoding, diagnostic::Lang)> {
        let st = self.state();
        let text = st.docs.get(uri)?.clone();
        let open: HashMap<String, String> = st
            .docs
            .iter()
            .map(|(u, t)| (file_name(u), t.clone()))
            .collect();
        let encoding = st.encoding;
        let lang = st.lang;
        drop(st);
        let ctx = Context::new(&file_name(uri), &text, |name| {
            open.get(name)
                .cloned()
                .map_or_else(|| read_policy(name), Ok)
        });
        Some((ctx, encoding, lang))
    }

    async fn publish(&self, uri: Uri, version: Option<i32>) {
        let Some((ctx, encoding, lang)) = self.context(&uri) else {
            return;
        };
        let index = LineIndex::new(&ctx.doc.text, encoding);
        let diagnostics = ctx
            .diagnostics()
            .iter()
            .map(|d| lsp_diagnostic(&d.in_lang(lang), lang, &index))
            .collect();
        self.client
            .publish_diagnostics(uri, diagnostics, version)
            .await;
    }

    /// The dataset named in the settings, loaded once per modification.
    fn dataset(&self) -> std::result::Result<Option<(Arc<Dataset>, NaiveDate)>, String> {
        let mut st = self.state();
        let Some(path) = st.settings.dataset.clone() else {
            return Ok(None);
        };
        let path = match &st.root {
            Some(root) if path.is_relative() => root.join(path),
            _ => path,
        };
        let as_of = st
            .settings
            .as_of
            .unwrap_or_else(|| chrono::Local::now().date_naive());
        let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
        if let Some((p, m, data)) = &st.data {
            if *p == path && *m == modified {
                return Ok(Some((data.clone(), as_of)));
            }
        }
        let loaded = tenet_io::load(&path, &tenet_io::LoadOptions::default())
            .map_err(|e| format!("cannot load `{}`: {e}", path.display()))?;
        let data = Arc::new(loaded.dataset);
        st.data = Some((path, modified, data.clone()));
        Ok(Some((data, as_of)))
    }
}

/// Reads an imported file from disk: a regular file no larger than the
/// parser accepts (an `import "/dev/zero"` must not hang the server).
fn read_policy(name: &str) -> std::result::Result<String, String> {
    let meta = std::fs::metadata(name).map_err(|e| e.to_string())?;
    let limit = tenet::syntax::Limits::default().max_bytes as u64;
    if !meta.is_file() {
        return Err("not a regular file".to_string());
    }
    if meta.len() > limit {
        return Err(format!("larger than {limit} bytes"));
    }
    std::fs::read_to_string(name).map_err(|e| e.to_string())
}

/// The document's file name as the core sees it: its path.
fn file_name(uri: &Uri) -> String {
    uri.to_file_path()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|| uri.as_str().to_string())
}

fn range(index: &LineIndex<'_>, span: Span) -> Range {
    let p = |o: u32| {
        let Pos { line, character } = index.position(o as usize);
        Position { line, character }
    };
    Range {
        start: p(span.start),
        end: p(span.end),
    }
}

fn lsp_diagnostic(
    d: &diagnostic::Diagnostic,
    lang: diagnostic::Lang,
    index: &LineIndex<'_>,
) -> Diagnostic {
    let mut message = d.message.clone();
    if let Some(label) = &d.label {
        message.push_str(&format!("\n{label}"));
    }
    if let Some(help) = &d.help {
        let word = match lang {
            diagnostic::Lang::Zh => "提示：",
            diagnostic::Lang::En => "help: ",
        };
        message.push_str(&format!("\n{word}{help}"));
    }
    Diagnostic {
        range: range(index, d.span),
        severity: Some(match d.level {
            diagnostic::Level::Error => DiagnosticSeverity::ERROR,
            diagnostic::Level::Warning => DiagnosticSeverity::WARNING,
        }),
        source: Some("tenet".to_string()),
        message,
        ..Diagnostic::default()
    }
}

fn offset(ctx: &Context, encoding: Encoding, p: Position) -> usize {
    LineIndex::new(&ctx.doc.text, encoding).offset(Pos {
        line: p.line,
        character: p.character,
    })
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let offered: Vec<String> = params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref())
            .map(|v| v.iter().map(|e| e.as_str().to_string()).collect())
            .unwrap_or_default();
        let offered: Vec<&str> = offered.iter().map(String::as_str).collect();
        let encoding = Encoding::negotiate(&offered);
        {
            let mut st = self.state();
            st.encoding = encoding;
            st.lang = params
                .locale
                .as_deref()
                .and_then(diagnostic::Lang::from_locale)
                .or_else(diagnostic::Lang::from_env)
                .unwrap_or_default();
            #[allow(deprecated, reason = "rootUri is what older clients send")]
            let root = params
                .workspace_folders
                .as_ref()
                .and_then(|f| f.first())
                .map(|f| f.uri.clone())
                .or(params.root_uri.clone());
            st.root = root.and_then(|u| u.to_file_path().map(|p| p.into_owned()));
            if let Some(s) = params
                .initialization_options
                .as_ref()
                .and_then(Settings::from_json)
            {
                st.settings = s;
            }
        }
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(PositionEncodingKind::from(encoding.name())),
                text_document_sync: Some(TextDocumentSyncCapability::Kind(
                    TextDocumentSyncKind::FULL,
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(vec![".".to_string(), " ".to_string()]),
                    ..CompletionOptions::default()
                }),
                definition_provider: Some(OneOf::Left(true)),
                document_formatting_provider: Some(OneOf::Left(true)),
                document_symbol_provider: Some(OneOf::Left(true)),
                code_lens_provider: Some(CodeLensOptions {
                    resolve_provider: Some(false),
                }),
                ..ServerCapabilities::default()
            },
            server_info: Some(ServerInfo {
                name: "tenet".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            offset_encoding: None,
        })
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        self.state().docs.insert(doc.uri.clone(), doc.text);
        self.publish(doc.uri, Some(doc.version)).await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        // Full sync: the last change is the whole text.
        if let Some(change) = params.content_changes.into_iter().last() {
            self.state().docs.insert(uri.clone(), change.text);
        }
        self.publish(uri, Some(params.text_document.version)).await;
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        self.state().docs.remove(&uri);
        self.client.publish_diagnostics(uri, Vec::new(), None).await;
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        if let Some(s) = Settings::from_json(&params.settings) {
            self.state().settings = s;
            let _ = self.client.code_lens_refresh().await;
        }
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let at = params.text_document_position_params;
        let Some((ctx, enc, reader)) = self.context(&at.text_document.uri) else {
            return Ok(None);
        };
        let found = hover::hover_in(&ctx, offset(&ctx, enc, at.position), reader);
        let index = LineIndex::new(&ctx.doc.text, enc);
        Ok(found.map(|h| Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: h.markdown,
            }),
            range: Some(range(&index, h.span)),
        }))
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let at = params.text_document_position;
        let Some((ctx, enc, reader)) = self.context(&at.text_document.uri) else {
            return Ok(None);
        };
        let items = complete::complete_in(&ctx, offset(&ctx, enc, at.position), reader)
            .into_iter()
            .map(|i| CompletionItem {
                label: i.label,
                detail: Some(i.detail),
                kind: Some(match i.kind {
                    complete::Kind::Field => CompletionItemKind::FIELD,
                    complete::Kind::Value => CompletionItemKind::ENUM_MEMBER,
                    complete::Kind::Param => CompletionItemKind::CONSTANT,
                    complete::Kind::Period => CompletionItemKind::UNIT,
                    complete::Kind::Keyword => CompletionItemKind::KEYWORD,
                    complete::Kind::Variable => CompletionItemKind::VARIABLE,
                }),
                ..CompletionItem::default()
            })
            .collect();
        Ok(Some(CompletionResponse::Array(items)))
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let at = params.text_document_position_params;
        let uri = at.text_document.uri;
        let Some((ctx, enc, _)) = self.context(&uri) else {
            return Ok(None);
        };
        let Some(target) = definition::definition(&ctx, offset(&ctx, enc, at.position)) else {
            return Ok(None);
        };
        let target_uri = if target.file == ctx.doc.name {
            uri
        } else {
            let Some(u) = Uri::from_file_path(Path::new(&target.file)) else {
                return Ok(None);
            };
            u
        };
        let text = ctx
            .sources()
            .find(|s| s.name == target.file)
            .map_or("", |s| s.text.as_str());
        let index = LineIndex::new(text, enc);
        Ok(Some(GotoDefinitionResponse::Scalar(Location {
            uri: target_uri,
            range: range(&index, target.span),
        })))
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        let Some((ctx, enc, _)) = self.context(&params.text_document.uri) else {
            return Ok(None);
        };
        // The file keeps its surface (`tenet fmt` without `--lang`).
        let Ok(formatted) = tenet::syntax::format_lang(&ctx.doc.name, &ctx.doc.text, None) else {
            return Ok(None);
        };
        if formatted == ctx.doc.text {
            return Ok(Some(Vec::new()));
        }
        let index = LineIndex::new(&ctx.doc.text, enc);
        Ok(Some(vec![TextEdit {
            range: range(&index, Span::new(0, ctx.doc.text.len())),
            new_text: formatted,
        }]))
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let Some((ctx, enc, _)) = self.context(&params.text_document.uri) else {
            return Ok(None);
        };
        let index = LineIndex::new(&ctx.doc.text, enc);
        let out = symbols::symbols(&ctx)
            .into_iter()
            .map(|s| document_symbol(s, &index))
            .collect();
        Ok(Some(DocumentSymbolResponse::Nested(out)))
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let Some((ctx, enc, _)) = self.context(&params.text_document.uri) else {
            return Ok(None);
        };
        let index = LineIndex::new(&ctx.doc.text, enc);
        let found = match self.dataset() {
            Ok(None) => return Ok(None),
            Ok(Some((data, as_of))) => lens::lenses(&ctx, &data, as_of),
            Err(why) => symbols::symbols(&ctx)
                .iter()
                .flat_map(|p| &p.children)
                .filter(|s| s.kind == symbols::Kind::Rule)
                .map(|s| lens::Lens {
                    span: s.name_span,
                    title: why.clone(),
                })
                .collect(),
        };
        Ok(Some(
            found
                .into_iter()
                .map(|l| CodeLens {
                    range: range(&index, l.span),
                    command: Some(Command {
                        title: l.title,
                        command: String::new(),
                        arguments: None,
                    }),
                    data: None,
                })
                .collect(),
        ))
    }
}

fn document_symbol(s: symbols::Symbol, index: &LineIndex<'_>) -> DocumentSymbol {
    #[allow(
        deprecated,
        reason = "the field must be written; it is deprecated in LSP"
    )]
    DocumentSymbol {
        name: s.name,
        detail: s.detail,
        kind: match s.kind {
            symbols::Kind::Policy => SymbolKind::MODULE,
            symbols::Kind::Param => SymbolKind::CONSTANT,
            symbols::Kind::Credit => SymbolKind::STRUCT,
            symbols::Kind::Rule => SymbolKind::FUNCTION,
        },
        tags: None,
        deprecated: None,
        range: range(index, s.span),
        selection_range: range(index, s.name_span),
        children: Some(
            s.children
                .into_iter()
                .map(|c| document_symbol(c, index))
                .collect(),
        ),
    }
}

/// Serves the protocol on stdin/stdout until the client says `exit`.
pub async fn serve_stdio() {
    let (service, socket) = LspService::new(|client| Backend {
        client,
        state: Mutex::new(State::default()),
    });
    Server::new(tokio::io::stdin(), tokio::io::stdout(), socket)
        .serve(service)
        .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_read_only_regular_files_of_policy_size() {
        assert!(read_policy("/dev/zero").is_err());
        assert!(read_policy("/no/such/file.policy").is_err());
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../policies/common.policy");
        assert!(read_policy(root).is_ok());
    }

    #[test]
    fn settings_at_the_top_level_or_under_tenet() {
        let top = Settings::from_json(&serde_json::json!({"dataset": "d", "asOf": "bad"}));
        assert_eq!(
            top.map(|s| (s.dataset, s.as_of)),
            Some((Some(PathBuf::from("d")), None))
        );
        assert_eq!(Settings::from_json(&serde_json::json!({"other": 1})), None);
    }
}
