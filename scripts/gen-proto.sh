#!/usr/bin/env bash
# Regenerates packages/proto/src/gen (ts-proto) and copies the .proto sources into the package, where
# gRPC server reflection reads them (file names and dependencies intact, unlike a merged descriptor set).
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf packages/proto/src/gen
npx --no-install buf lint
npx --no-install buf generate
rm -rf packages/proto/protos
cp -r protos packages/proto/protos
npx --no-install prettier --log-level warn --write packages/proto/src/gen
