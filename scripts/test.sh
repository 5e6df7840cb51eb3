#!/usr/bin/env bash
# The whole test suite from a fresh clone: install everything (Debian packages incl. PostgreSQL and the benchmarks'
# peers, npm dependencies, build), typecheck and lint every package, then run every test with vitest. Ends with one line
#   tests: N passed, N failed
# and exits non-zero on any failure. Tests start their own servers on free ports (@tianwang/core/testing),
# so no `scripts/services.sh up` is needed. Extra arguments go to vitest (e.g. --project core).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export TURBO_TELEMETRY_DISABLED=1 TURBO_NO_UPDATE_NOTIFIER=1 NPM_CONFIG_UPDATE_NOTIFIER=false

current=start
step() {
  current="$*"
  printf '\n== %s\n' "$*"
}
trap 'echo "test.sh: step \"$current\" failed; no tests were run" >&2' ERR

step "install"
# the suite includes the CI-sized soak (HAProxy) and the bench prerequisite checks
bash scripts/install.sh --with-postgres --with-bench --with-soak </dev/null

step "typecheck and lint"
npx --no-install turbo run typecheck lint --output-logs=errors-only --log-prefix=task </dev/null
# soak/ is not a workspace (nothing depends on it): its sources are checked here
npx --no-install tsc -p soak/tsconfig.json </dev/null

step "tests"
trap - ERR
report="$(mktemp -t tw-vitest-XXXXXX.json)"
# TW_TEST_REPORT=<file> keeps a copy of vitest's JSON report (per-test durations) after the run
trap 'if [[ -n "${TW_TEST_REPORT:-}" ]]; then cp "$report" "$TW_TEST_REPORT"; fi; rm -f "$report"' EXIT
status=0
npx --no-install vitest run --reporter=default --reporter=json --outputFile="$report" "$@" </dev/null || status=$?

# the summary line CI reads; a run that wrote no report (vitest crashed) counts as failed
summary="$(node -e '
  const fs = require("fs");
  try {
    const r = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    // a file that failed outside any test (import error, failing hook) counts once
    const brokenFiles = (r.testResults ?? []).filter((f) => f.status === "failed" && !(f.assertionResults ?? []).some((a) => a.status === "failed")).length;
    const failed = r.numFailedTests + brokenFiles;
    // the suite retries nothing (vitest.config.ts); run with --retry=N to hunt a flaky test, a test that passed
    // only on a retry keeps the first attempt'"'"'s error: print it, so that it shows in the log, not "(retry x1)"
    for (const f of r.testResults ?? [])
      for (const a of f.assertionResults ?? [])
        if (a.status === "passed" && a.failureMessages?.length)
          console.error(`passed on retry: ${f.name.replace(process.cwd() + "/", "")} > ${a.fullName}\n  ${a.failureMessages[0].split("\n").slice(0, 12).join("\n  ")}`);
    // where the time goes (CI has a 30-minute limit): the ten slowest files, to stderr beside the summary
    const files = (r.testResults ?? []).map((f) => ({ name: f.name.replace(process.cwd() + "/", ""), s: (f.endTime - f.startTime) / 1000 }));
    files.sort((a, b) => b.s - a.s);
    console.error("slowest test files:\n" + files.slice(0, 10).map((f) => `  ${f.s.toFixed(0).padStart(5)} s  ${f.name}`).join("\n"));
    console.log(`${r.numPassedTests} ${failed} ${r.numTotalTests}`);
  } catch { console.log("0 1 0"); }
' "$report")"
read -r passed failed total <<<"$summary"
echo
echo "tests: $passed passed, $failed failed"
if ((status != 0 || failed != 0 || total == 0)); then exit 1; fi
