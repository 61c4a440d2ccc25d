#!/usr/bin/env bash
# Make sure a PostgreSQL server answers on 127.0.0.1:5432 for the database tests.
# Order of attempts: already running; start the machine's cluster; install it from Debian and start.
set -uo pipefail

pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }

if pg_up; then exit 0; fi
if command -v pg_ctlcluster >/dev/null 2>&1 && ls /etc/postgresql/ >/dev/null 2>&1; then
    version="$(ls /etc/postgresql | sort -V | tail -n1)"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
fi
if ! pg_up && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-postgres: installing PostgreSQL from Debian" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq postgresql >/dev/null
    version="$(ls /etc/postgresql | sort -V | tail -n1)"
    conf="/etc/postgresql/$version/main/pg_hba.conf"
    # Trust local loopback connections: these are throwaway test databases on a CI machine.
    sed -i -E 's/^(host\s+all\s+all\s+127\.0\.0\.1\/32\s+)\S+/\1trust/' "$conf"
    sed -i -E 's/^(local\s+all\s+postgres\s+)\S+/\1trust/' "$conf"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
fi
for _ in $(seq 1 30); do pg_up && exit 0; sleep 1; done
echo "ensure-postgres: no PostgreSQL on 127.0.0.1:5432; PostgreSQL tests will fail" >&2
exit 0
