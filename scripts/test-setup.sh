#!/usr/bin/env bash
# What `npm test` needs beyond `npm ci`, set up when it can be and named exactly when it cannot:
#   - the Debian packages the tests use as real peers (scripts/install-system-packages.sh);
#   - Redis on 127.0.0.1:6379 and PostgreSQL on 127.0.0.1:5432 running (started if stopped, never stopped).
# Runs as `pretest`, so the README's `npm ci && npm test` is the whole set-up on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-system-packages.sh

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "the tests need Redis on 127.0.0.1:6379; start it (e.g. sudo systemctl start redis-server) and run npm test again" >&2
    exit 2
  fi
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/test-setup.log
fi
if ! pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "the tests need PostgreSQL on 127.0.0.1:5432 (trust auth, database test); start it (e.g. sudo systemctl start postgresql) and run npm test again" >&2
    exit 2
  fi
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
fi
