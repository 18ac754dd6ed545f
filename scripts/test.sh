#!/usr/bin/env bash
# `npm test`: install what is missing, then type-check, lint and run the whole suite on a real
# PostgreSQL and real Temporal servers (time-skipping test server and the CLI dev server), then fuzz
# the running API with schemathesis against its OpenAPI document.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "[test] type-check" >&2
npx tsc --noEmit -p tsconfig.json
echo "[test] lint and format" >&2
npx eslint --max-warnings 0 .
npx prettier --check --log-level warn .
echo "[test] jest" >&2
npx jest --ci "$@"
echo "[test] chaos: kill workers, an API, PostgreSQL and Temporal history under live loans (small, fixed seed)" >&2
bash scripts/setup-cluster.sh
npx tsx scripts/chaos.ts --size small --seed "${CHAOS_SEED:-20261202}"
echo "[test] fuzz the API with schemathesis, one run per role" >&2
npx tsx scripts/fuzz-api.ts
