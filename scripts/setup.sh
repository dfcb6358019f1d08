#!/usr/bin/env bash
# One-time set-up on Debian or Ubuntu, used by the README and by .ci/run:
#   1. the Debian packages Handoff runs against, only those that are missing, through apt-get (as
#      root, or with sudo);
#   2. the npm packages (`npm install`; `npm ci` with --ci), which bring Node 24 itself;
#   3. Kafka's jars from Maven Central into .cache/kafka (skipped when present).
# Usage: scripts/setup.sh [--ci]
set -euo pipefail
cd "$(dirname "$0")/.."

npm_install=(npm install --no-audit --no-fund)
for arg in "$@"; do
  case $arg in
    --ci) npm_install=(npm ci --no-audit --no-fund) ;;
    *) echo "usage: scripts/setup.sh [--ci]" >&2; exit 2 ;;
  esac
done

say() { echo "setup: $*"; }
have() { command -v "$1" >/dev/null 2>&1; }
have_postgres() { have initdb || compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; }

if ! have node || ! have npm; then
  say "needs Node.js >= 20 with npm on PATH (Node 24 itself then comes from npm); install them and run this again" >&2
  exit 1
fi

# binary -> Debian package; chromium is for the browser tests of the web pages, tini for the test that
# runs the image's entry command (deploy/test/integration/image-entry.test.ts).
missing=()
have redis-server || missing+=(redis-server)
have redis-cli || missing+=(redis-tools)
have_postgres || missing+=(postgresql)
have java || missing+=(openjdk-17-jre-headless)
have mvn || missing+=(maven)
have chromium || missing+=(chromium)
have tini || missing+=(tini)
# kubectl for `kubectl kustomize` of k8s/ in deploy/test (any kubectl on PATH will do).
have kubectl || missing+=(kubernetes-client)

if ((${#missing[@]} > 0)); then
  if [ "$(id -u)" -eq 0 ]; then
    as_root=()
  elif have sudo; then
    as_root=(sudo)
  else
    as_root=(none)
  fi
  if [ "${as_root[*]}" = none ] || ! have apt-get; then
    say "missing Debian packages: ${missing[*]}; as root, run apt-get install ${missing[*]}, then this script again" >&2
    exit 1
  fi
  say "installing Debian packages: ${missing[*]}${as_root[*]:+ (with sudo)}"
  if ! { "${as_root[@]}" apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"; }; then
    say "could not install ${missing[*]}; as root, run apt-get install ${missing[*]}, then this script again" >&2
    exit 1
  fi
  # Debian's postgresql package starts a cluster on port 5432; the harness runs its own and leaves
  # that one alone.
fi

say "${npm_install[*]}"
"${npm_install[@]}"
say "Kafka jars (Maven Central, cached in .cache/kafka)"
npm run -s kafka:jars
say "done; next: npm start (everything locally) or npm test"
