#!/usr/bin/env bash
# `npm test`: install what is missing, then type-check, lint and run the whole suite on a real
# PostgreSQL and real Temporal servers (time-skipping test server and the CLI dev server), then fuzz
# the running API with schemathesis against its OpenAPI document.
set -euo pipefail
cd "$(dirname "$0")/.."
# One stream, in order: a reader of CI's log sees each step's output where it ran.
exec 2>&1
bash scripts/setup.sh
echo "[test] type-check" >&2
npx tsc --noEmit -p tsconfig.json
# The console is bundled by esbuild, which strips types without checking them.
npx tsc --noEmit -p web/tsconfig.json
echo "[test] lint and format" >&2
npx eslint --max-warnings 0 .
npx prettier --check --log-level warn .
echo "[test] jest" >&2
mkdir -p test-results
npx jest --ci --json --outputFile=test-results/jest.json "$@"
echo "[test] chaos: kill workers, an API, PostgreSQL and Temporal history under live loans (small, fixed seed)" >&2
bash scripts/setup-cluster.sh
npx tsx scripts/chaos.ts --size small --seed "${CHAOS_SEED:-20261202}"
echo "[test] fuzz the API with schemathesis, one run per role" >&2
npx tsx scripts/fuzz-api.ts
# The suite's totals last, from jest's own report, so the end of the log says what ran.
node -e '
const r = require("./test-results/jest.json");
console.log(`[test] passed: jest ${r.numPassedTests} of ${r.numTotalTests} tests in ${r.numTotalTestSuites} suites (${r.numFailedTestSuites} failed), then the chaos and fuzz runs above`);
// CI reads the closing line in the plain form "N passed, N failed[, N skipped]".
console.log(`Tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
'
