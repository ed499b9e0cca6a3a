#!/usr/bin/env bash
# Makes sure the system programs the tests drive are installed: redis-server (the scaling
# tests start their own instance on a free port), Debian's chromium (the browser tests),
# nginx (the load-balancer tests start their own on a free port), openssl (their
# self-signed TLS certificate) and PostgreSQL's initdb and pg_ctl (the storage tests start
# their own server on a free port), and the sqlite3 shell (the README's backup command for
# the embedded players' database, which a test runs against a live database).
# Installs them with apt-get when missing and we are root; otherwise says what to install.
set -euo pipefail

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v sqlite3 >/dev/null 2>&1 || missing+=(sqlite3)
command -v pg_ctl >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null || missing+=(postgresql)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} with apt-get (needed by the tests)…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "Installed ${missing[*]}."
else
  echo "The tests need: ${missing[*]}. Install them, e.g.: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
