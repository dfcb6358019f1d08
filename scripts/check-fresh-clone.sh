#!/usr/bin/env bash
# `npm run check:clone`: clones the committed HEAD into a temp dir, runs the README's `npm install`
# there, and fails if that leaves the clone's work tree changed (a rewritten package-lock.json, a
# generated file that is not ignored). About a minute with a warm npm cache.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
clone=$(mktemp -d "${TMPDIR:-/tmp}/handoff-clone-XXXXXX")
trap 'rm -rf "$clone"' EXIT

git clone --quiet --no-hardlinks "$repo" "$clone"
cd "$clone"
start=$SECONDS
npm install --no-audit --no-fund --loglevel=error
changes=$(git status --porcelain)
if [ -n "$changes" ]; then
  echo "check-fresh-clone: npm install changed a fresh clone of $(git rev-parse --short HEAD):" >&2
  echo "$changes" >&2
  git --no-pager diff --stat >&2
  exit 1
fi
echo "check-fresh-clone: a fresh clone of $(git rev-parse --short HEAD) is clean after npm install ($((SECONDS - start)) s)"
