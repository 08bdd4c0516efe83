#!/usr/bin/env bash
# Runs every test of every module: `./run-tests.sh` (extra arguments go to Maven).
# A new machine may lack what the tests need, so this installs it first when it is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "run-tests: missing $*; install it (apt-get install $*) or run as root" >&2
    exit 1
  fi
  if [ -z "${WEFT_APT_UPDATED:-}" ]; then
    apt-get update -qq
    export WEFT_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

command -v javac >/dev/null || apt_install openjdk-17-jdk-headless
command -v mvn >/dev/null || apt_install maven

java_major=$(javac -version 2>&1 | sed -E 's/^javac ([0-9]+).*/\1/')
if [ "$java_major" -lt 17 ]; then
  echo "run-tests: Java 17 or newer is required (found javac $java_major)" >&2
  exit 1
fi

# weft-jdbc: its tests run on a real PostgreSQL server, which they start themselves (PostgresServer); they need the
# Debian packages. Skipped when WEFT_PG_URL points at a server that is already prepared.
if [ -z "${WEFT_PG_URL:-}" ] && { ! command -v pg_ctlcluster >/dev/null || ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; }; then
  apt_install postgresql
fi

# weft-ui: built from TypeScript with the machine's Node.js (20.19 or newer, for Vite 7) and npm; no Node download.
command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
  echo "run-tests: weft-ui needs Node.js 20.19 or newer (found $(node --version)); install a newer nodejs" >&2
  exit 1
fi

# weft-server's UI tests drive Debian's Chromium through Playwright; no browser download works here.
if [ ! -x /usr/bin/chromium ]; then
  apt_install chromium chromium-driver
fi

exec mvn -B -ntp verify "$@"
