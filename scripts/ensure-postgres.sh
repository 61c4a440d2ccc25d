#!/usr/bin/env bash
# Make sure a PostgreSQL server on 127.0.0.1 accepts password-less connections as `postgres`,
# for the database tests (they create and drop a throwaway database on it).
#
# Order of attempts:
#   1. a server already answers (nothing to do);
#   2. start the machine's Debian cluster (pg_ctlcluster), trusting loopback connections;
#   3. install PostgreSQL from Debian (root + apt only), then as 2;
#   4. start a throwaway cluster in a temp folder (root only; no systemd needed).
# Never fails by itself: if all attempts fail it says so, and the tests then fail loudly when
# OUROBOROS_REQUIRE_POSTGRES=1 (scripts/test.sh) or skip with the reason otherwise.
# Set OUROBOROS_TEST_PG_URL to use another server; this script then does nothing.
set -uo pipefail

PORT="${OUROBOROS_PG_PORT:-5432}"

if [ -n "${OUROBOROS_TEST_PG_URL:-}" ]; then exit 0; fi

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }
pg_ok() {
    if command -v psql >/dev/null 2>&1; then
        PGCONNECT_TIMEOUT=3 psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -w -Atqc 'SELECT 1' \
            >/dev/null 2>&1
    else
        port_open
    fi
}
wait_ok() { for _ in $(seq 1 "${1:-30}"); do pg_ok && return 0; sleep 1; done; return 1; }
is_root() { [ "$(id -u)" = "0" ]; }

trust_loopback() {  # $1 = pg_hba.conf: throwaway test servers trust local connections
    sed -i -E 's/^(host\s+all\s+all\s+127\.0\.0\.1\/32\s+)\S+/\1trust/' "$1"
    sed -i -E 's/^(local\s+all\s+postgres\s+)\S+/\1trust/' "$1"
}

start_debian_cluster() {
    command -v pg_ctlcluster >/dev/null 2>&1 || return 1
    local version
    version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n1)"
    [ -n "$version" ] && [ -d "/etc/postgresql/$version/main" ] || return 1
    if is_root; then trust_loopback "/etc/postgresql/$version/main/pg_hba.conf"; fi
    pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null \
        || pg_ctlcluster --skip-systemctl-redirect "$version" main reload 2>/dev/null || true
    wait_ok 15
}

install_debian() {
    is_root && command -v apt-get >/dev/null 2>&1 || return 1
    echo "ensure-postgres: installing PostgreSQL from Debian" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq postgresql >/dev/null
}

start_throwaway() {
    is_root || return 1
    local bin root
    bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)"
    [ -x "$bin/initdb" ] && id postgres >/dev/null 2>&1 || return 1
    root="$(mktemp -d /tmp/ouroboros-pg.XXXXXX)"
    chown postgres:postgres "$root"
    runuser -u postgres -- "$bin/initdb" -D "$root/data" -U postgres -A trust -E UTF8 \
        --locale=C.UTF-8 --no-instructions >"$root/initdb.log" 2>&1 || return 1
    runuser -u postgres -- "$bin/pg_ctl" -D "$root/data" -l "$root/server.log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $PORT -k $root -c fsync=off -c synchronous_commit=off" \
        start >/dev/null || return 1
    echo "ensure-postgres: started a throwaway server on port $PORT (data in $root;" \
        "stop: runuser -u postgres -- $bin/pg_ctl -D $root/data stop)" >&2
    wait_ok 15
}

if pg_ok; then exit 0; fi
if port_open; then
    echo "ensure-postgres: a server listens on 127.0.0.1:$PORT but refuses password-less" \
        "login as postgres; set OUROBOROS_TEST_PG_URL to a URL with credentials" >&2
    exit 0
fi
start_debian_cluster && exit 0
install_debian && start_debian_cluster && exit 0
start_throwaway && exit 0
echo "ensure-postgres: no PostgreSQL on 127.0.0.1:$PORT; PostgreSQL tests will fail" \
    "(OUROBOROS_REQUIRE_POSTGRES=1) or be skipped" >&2
exit 0
