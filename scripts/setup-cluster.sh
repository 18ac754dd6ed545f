#!/usr/bin/env bash
# Installs what the production-shaped cluster (`npm run cluster`) needs beyond `scripts/setup.sh`,
# idempotently, from the Go module proxy only: the Temporal server, its SQL schema tool with the
# schema folders it applies, and the standalone Temporal UI server. `npm test` runs it for its small
# chaos run, which needs the real server.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
tools="$root/.tools"
mkdir -p "$tools/bin"

TEMPORAL_SERVER_VERSION=v1.29.1  # keep in step with docker-compose.yml's temporalio/server tag
TEMPORAL_UI_VERSION=v2.42.1      # keep in step with docker-compose.yml's temporalio/ui tag

say() { printf '[setup-cluster] %s\n' "$*" >&2; }

# Both binaries are called `server` upstream, so each builds into its own GOBIN and is renamed.
install_go() { # <module path> <version> <target name>
  local marker="$tools/bin/.$3-$2"
  if [ -x "$tools/bin/$3" ] && [ -f "$marker" ]; then return; fi
  say "building $1@$2 with go install (first run only, a few minutes)"
  local gobin
  gobin=$(mktemp -d)
  GOBIN="$gobin" GOFLAGS=-mod=mod go install "$1@$2"
  mv "$gobin/$(basename "$1")" "$tools/bin/$3"
  rm -rf "$gobin" "$tools/bin/.$3-"*
  touch "$marker"
}

install_go go.temporal.io/server/cmd/server "$TEMPORAL_SERVER_VERSION" temporal-server
install_go go.temporal.io/server/cmd/tools/sql "$TEMPORAL_SERVER_VERSION" temporal-sql-tool
install_go github.com/temporalio/ui-server/v2/cmd/server "$TEMPORAL_UI_VERSION" temporal-ui-server

# The schema the SQL tool applies ships in the server module, which go install just downloaded.
schema="$tools/temporal-schema/$TEMPORAL_SERVER_VERSION"
if [ ! -d "$schema/temporal" ]; then
  src="$(go env GOMODCACHE)/go.temporal.io/server@$TEMPORAL_SERVER_VERSION/schema/postgresql/v12"
  if [ ! -d "$src" ]; then
    GOFLAGS=-mod=mod go mod download "go.temporal.io/server@$TEMPORAL_SERVER_VERSION"
  fi
  rm -rf "$schema.tmp"
  mkdir -p "$schema.tmp"
  cp -R "$src/temporal" "$src/visibility" "$schema.tmp/"
  chmod -R u+w "$schema.tmp"
  mv "$schema.tmp" "$schema"
fi
say "ready"
