#!/usr/bin/env bash
# Installs everything the project needs on a Debian machine and builds it:
#   1. Debian packages that are missing (scripts/services.sh deps; --with-postgres or TW_WITH_POSTGRES=1 adds PostgreSQL,
#      --with-bench what the benchmarks compare against, --with-soak HAProxy for the soak run)
#   2. npm dependencies: `npm ci` (`npm install` without a lockfile, or when ci refuses it), skipped when node_modules already matches the lockfile
#   3. `turbo run build` (cached: fast when nothing changed)
# Quiet and quick when everything is already there. Safe to run again at any time.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export TURBO_TELEMETRY_DISABLED=1 TURBO_NO_UPDATE_NOTIFIER=1 NPM_CONFIG_UPDATE_NOTIFIER=false

bash scripts/services.sh deps "$@"

# node_modules matches the lockfile when npm's own record of what it installed (node_modules/.package-lock.json)
# has every non-optional package of package-lock.json at the same version, and nothing else.
npm_in_sync() {
  [[ -f package-lock.json && -f node_modules/.package-lock.json ]] || return 1
  node -e '
    const fs = require("fs");
    const want = JSON.parse(fs.readFileSync("package-lock.json", "utf8")).packages ?? {};
    const have = JSON.parse(fs.readFileSync("node_modules/.package-lock.json", "utf8")).packages ?? {};
    for (const [path, p] of Object.entries(want)) {
      if (path === "") continue;
      const h = have[path];
      if (!h) { if (p.optional || p.peer) continue; process.exit(1); }
      if (h.version !== p.version || h.resolved !== p.resolved) process.exit(1);
    }
    for (const path of Object.keys(have)) if (!(path in want)) process.exit(1);
  '
}

npm_install() {
  if npm_in_sync; then return 0; fi
  if [[ -f package-lock.json ]]; then
    echo "install: npm ci"
    # npm ci refuses a lockfile that lacks optional packages the registry does not serve (turbo's darwin and
    # windows binaries are not in every mirror); npm install then builds the same tree from the same lockfile.
    npm ci --no-audit --no-fund --loglevel=error 2>/dev/null || {
      echo "install: npm ci refused the lockfile; npm install from it instead"
      npm install --no-audit --no-fund --loglevel=error
    }
  else
    echo "install: npm install (no package-lock.json)"
    npm install --no-audit --no-fund --loglevel=error
  fi
}

# colleagues may run `npm install` in the same work tree: take the same lock they do
if command -v flock >/dev/null 2>&1; then
  exec 9>/tmp/tw-npm.lock
  flock 9
  npm_install
  flock -u 9
  exec 9>&-
else
  npm_install
fi

npx --no-install turbo run build --output-logs=errors-only --log-prefix=none
