#!/usr/bin/env bash
# Installs everything loanflow needs, idempotently, from package registries only (npm, the Go
# module proxy, Maven Central, Debian). Tools are cached under .tools/ so a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
tools="$root/.tools"
mkdir -p "$tools/bin"

TEMPORAL_CLI_VERSION=v1.5.1      # newer tags carry a replace directive and cannot be go-installed
TEST_SERVER_VERSION=1.38.0       # keep in step with tools/temporal-test-server/pom.xml

say() { printf '[setup] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Node dependencies: reinstall only when the lockfile changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing node modules"
  npm ci --no-audit --no-fund --loglevel=error
fi

# Temporal CLI (dev server + UI). Reuse one on PATH, else build the pinned tag with Go.
if [ ! -x "$tools/bin/temporal" ]; then
  if existing=$(command -v temporal 2>/dev/null) && [ "$existing" != "$tools/bin/temporal" ]; then
    say "using temporal CLI at $existing"
    ln -sf "$existing" "$tools/bin/temporal"
  else
    say "building temporal CLI $TEMPORAL_CLI_VERSION with go install (first run only, a few minutes)"
    GOBIN="$tools/bin" GOFLAGS=-mod=mod go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION"
  fi
fi

# Time-skipping test server: the Java artifact and its runtime classpath from Maven Central.
marker="$tools/test-server/.resolved-$TEST_SERVER_VERSION"
if [ ! -f "$marker" ]; then
  say "resolving io.temporal:temporal-test-server:$TEST_SERVER_VERSION from Maven Central"
  rm -rf "$tools/test-server/lib"
  mvn -q -B -f tools/temporal-test-server/pom.xml dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tools/test-server/lib"
  touch "$marker"
fi
cat > "$tools/bin/temporal-test-server" <<LAUNCHER
#!/bin/sh
# Arguments: <port> [--enable-time-skipping]; started by @temporalio/testing.
exec java -Xss2m -XX:+UseSerialGC -cp "$tools/test-server/lib/*" io.temporal.testserver.TestServer "\$@"
LAUNCHER
chmod +x "$tools/bin/temporal-test-server"

# PostgreSQL server binaries, unless an external DATABASE_URL is used.
if [ -z "${DATABASE_URL:-}" ] && ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
  say "installing PostgreSQL from Debian"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null
fi

# Schemathesis (PyPI) in its own venv: the API fuzzer that `npm test` runs against the test stack.
SCHEMATHESIS_VERSION=4.32.5
marker="$tools/venv/.schemathesis-$SCHEMATHESIS_VERSION"
if [ ! -f "$marker" ]; then
  say "installing schemathesis $SCHEMATHESIS_VERSION from PyPI into .tools/venv"
  if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq python3-venv >/dev/null
  fi
  rm -rf "$tools/venv"
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
  touch "$marker"
fi

# Chromium from Debian for the Temporal UI browser test (puppeteer-core drives it; it downloads no browser).
if ! command -v chromium >/dev/null 2>&1; then
  say "installing chromium from Debian"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null
fi
# Staff console (web/): bundled with esbuild into dist/console (ignored) when a source is newer than the bundle.
if [ ! -f dist/console/index.html ] || [ -n "$(find web -path web/node_modules -prune -o -newer dist/console/index.html -type f -print -quit)" ]; then
  say "building the staff console"
  npx tsx web/build.ts
fi
say "ready"
