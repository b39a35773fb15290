// The Tenet extension: starts `tenet lsp` (the path is the `tenet.path`
// setting) for .policy files and passes `tenet.dataset` / `tenet.asOf`
// along for the code lenses; everything else is the language server's.
"use strict";

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function settings() {
  const cfg = vscode.workspace.getConfiguration("tenet");
  return { dataset: cfg.get("dataset") || "", asOf: cfg.get("asOf") || "" };
}

async function activate(context) {
  const command = vscode.workspace.getConfiguration("tenet").get("path") || "tenet";
  const serverOptions = { command, args: ["lsp"] };
  const clientOptions = {
    documentSelector: [{ scheme: "file", language: "tenet" }],
    initializationOptions: { tenet: settings() },
    // Sends `workspace/didChangeConfiguration` with `{ tenet: … }`.
    synchronize: { configurationSection: "tenet" },
  };
  client = new LanguageClient("tenet", "Tenet", serverOptions, clientOptions);
  context.subscriptions.push(client);
  await client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
