#!/usr/bin/env bash
# run.sh — what `make run` does after building: the SQLite database under ./var/, the demo
# data on the first start, then the server on http://127.0.0.1:8080.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var
db=${FUWU_DB:-sqlite:var/fuwu.db}
listen=${FUWU_LISTEN:-127.0.0.1:8080}
export FUWU_ADMIN_PASSWORD=${FUWU_ADMIN_PASSWORD:-}
if [ "$db" = "sqlite:var/fuwu.db" ] && [ ! -f var/fuwu.db ]; then
	if [ -z "$FUWU_ADMIN_PASSWORD" ]; then
		FUWU_ADMIN_PASSWORD=$(head -c 9 /dev/urandom | base64 | tr '+/' 'xy')
		echo "$FUWU_ADMIN_PASSWORD" > var/admin-password.txt
		chmod 600 var/admin-password.txt
	fi
	build/fuwu demo --db "$db"
fi
echo
echo "  fuwu 售后服务管理系统 — http://$listen"
if [ -f var/admin-password.txt ]; then
	echo "  log in as: admin / $(cat var/admin-password.txt)   (saved in var/admin-password.txt)"
else
	echo "  log in as: admin with the password printed at the first start (or FUWU_ADMIN_PASSWORD)"
fi
echo "  demo staff: dispatcher1, agent1, tech01 … with password demo12345"
echo
exec build/fuwu serve --db "$db" --listen "$listen"
