#!/usr/bin/env bash
# Lane "zh": the VS Code extension in editors/vscode — install from the
# npm registry (package-lock.json), run the TextMate grammar tests on the
# English and Chinese fixtures, build the extension bundle and package it
# as a .vsix with @vscode/vsce (offline; the .vsix is not committed). The grammar's
# freshness against policy.pest is checked by
# `cargo test -p tenet-lsp --test grammar` in the default lane.
set -euo pipefail
cd "$(dirname "$0")/../editors/vscode"
if ! command -v npm >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
npm ci --no-audit --no-fund
npm test
npm run build
test -s dist/extension.js
rm -f tenet-policy.vsix
npm run package
# A .vsix is a zip: it must hold the manifest, the grammar, the language
# configuration and the bundled client.
python3 - tenet-policy.vsix <<'PY'
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
want = {
    "extension/package.json",
    "extension/syntaxes/tenet.tmLanguage.json",
    "extension/language-configuration.json",
    "extension/dist/extension.js",
    "extension.vsixmanifest",
}
missing = sorted(want - names)
if missing:
    sys.exit(f"tenet-policy.vsix lacks {missing}; it holds {sorted(names)}")
leaked = sorted(n for n in names if n.startswith(("extension/node_modules/", "extension/src/", "extension/tests/")))
if leaked:
    sys.exit(f"tenet-policy.vsix should not hold {leaked}")
print(f"tenet-policy.vsix: {len(names)} files, all expected ones present")
PY
