#!/usr/bin/env bash
# deps.sh run|test — install what `make run` or `make test` needs and is missing:
# Debian packages (as root with apt-get; otherwise print the exact command) and npm packages.
set -euo pipefail
mode=${1:-run}
cd "$(dirname "$0")/.."

build_pkgs="build-essential pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev libpq-dev libsodium-dev libxlsxwriter-dev libgd-dev libminizip-dev libexpat1-dev curl ca-certificates"
test_pkgs="libcmocka-dev postgresql-15 postgresql-client-15 chromium fonts-noto-cjk wrk"
pkgs="$build_pkgs"
[ "$mode" = test ] && pkgs="$pkgs $test_pkgs"
command -v node >/dev/null 2>&1 || pkgs="$pkgs nodejs npm"

missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "fuwu: missing Debian packages. Run as root:" >&2
		echo "  apt-get update && apt-get install -y --no-install-recommends$missing" >&2
		exit 1
	fi
	echo "fuwu: installing Debian packages:$missing"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y -q --no-install-recommends $missing >/tmp/fuwu-apt.log 2>&1; then
		apt-get update -q >/tmp/fuwu-apt.log 2>&1 || true
		apt-get install -y -q --no-install-recommends $missing >>/tmp/fuwu-apt.log 2>&1 || {
			tail -20 /tmp/fuwu-apt.log >&2
			echo "fuwu: apt-get failed (log: /tmp/fuwu-apt.log)" >&2
			exit 1
		}
	fi
fi

# npm packages: install when the lock file is newer than what is installed.
npm_install() {
	local dir=$1
	[ -f "$dir/package.json" ] || return 0
	if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
		echo "fuwu: npm ci in $dir"
		(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
	fi
}
npm_install web
[ "$mode" = test ] && npm_install tests/e2e
exit 0
