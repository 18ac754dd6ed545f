#!/usr/bin/env bash
# `npm run cluster`: install what is missing (the Temporal server, its SQL tool and the UI server on
# first run), then run the production-shaped cluster in the foreground.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/setup-cluster.sh
exec node --import tsx scripts/cluster.ts
