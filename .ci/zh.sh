#!/usr/bin/env bash
# Lane "zh": the VS Code extension in editors/vscode — install from the
# npm registry (package-lock.json), run the TextMate grammar tests on the
# English and Chinese fixtures, build the extension bundle. The grammar's
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
