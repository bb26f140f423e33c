#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what the tests need, then type-checks and runs jest.
#   npm packages: npm ci (lockfile)
#   Debian tools (when run as root): promtool/amtool (prometheus, prometheus-alertmanager), PostgreSQL server
#   and client (postgresql), the AWS CLI v2 (awscli), postgres_exporter, redis_exporter and redis-server
#   (prometheus-postgres-exporter, prometheus-redis-exporter, redis-server) — the real-tool tests use them.
# Under CI=true a missing tool is an error; on a laptop the tests that need it are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(prometheus prometheus-alertmanager postgresql awscli prometheus-postgres-exporter prometheus-redis-exporter redis-server)
missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then
    echo "== installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  elif [ "${CI:-}" = "true" ]; then
    echo "error: CI needs Debian packages ${missing[*]} and is not root to install them" >&2
    exit 1
  else
    echo "note: not root, so ${missing[*]} stay missing; the tests that need them will be skipped"
  fi
fi

# Node.js 22 is the floor (@pulumi/pulumi 3.270 declares engines.node >= 22; Node 20 reached end of life in April
# 2026). Where the machine's own Node is older, the suite runs on Node 22 from the npm registry's binary package
# (node-linux-<arch>, pinned), unpacked under .build/ and put first on PATH for everything below (npm included).
NODE_VERSION=22.23.5
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 22 ]; then
  case "$(uname -m)" in x86_64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) echo "error: no Node 22 package for $(uname -m)" >&2; exit 1 ;; esac
  prefix="$PWD/.build/node-$NODE_VERSION"
  if [ ! -x "$prefix/node_modules/node-linux-$arch/bin/node" ]; then
    echo "== installing Node.js $NODE_VERSION (npm package node-linux-$arch; this machine has $(node -v))"
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-save --no-audit --no-fund --loglevel=error "node-linux-$arch@$NODE_VERSION"
  fi
  export PATH="$prefix/node_modules/node-linux-$arch/bin:$PATH"
fi
echo "== node $(node -v), npm $(npm -v)"

echo "== npm ci"
npm ci --no-audit --no-fund --loglevel=error

echo "== type-check and conventions (npm run lint)"
npm run --silent lint

echo "== jest"
mkdir -p .build
status=0
npx jest --ci --json --outputFile=.build/jest-results.json "$@" || status=$?
node -e '
  const r = require("./.build/jest-results.json");
  const slow = r.testResults.map((t) => [t.endTime - t.startTime, t.name.replace(process.cwd() + "/", "")]).sort((a, b) => b[0] - a[0]).slice(0, 5);
  console.log("slowest test files: " + slow.map(([ms, f]) => `${f} ${(ms / 1000).toFixed(1)}s`).join(", "));
  if (r.numTotalTests === 0) { console.error("error: no test ran"); process.exit(1); }
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
'
exit $status
