#!/usr/bin/env bash
# Regenerates packages/proto/src/gen (ts-proto) from protos/.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf packages/proto/src/gen
npx --no-install buf lint
npx --no-install buf generate
npx --no-install prettier --log-level warn --write packages/proto/src/gen
