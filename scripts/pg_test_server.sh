#!/usr/bin/env bash
# Throw-away PostgreSQL server for the test suite.
#
#   scripts/pg_test_server.sh start   # prints the SQLAlchemy URL on stdout
#   scripts/pg_test_server.sh stop    # stops the server, removes its files
#   scripts/pg_test_server.sh status
#
# The server lives in a fresh temp dir, listens on a free TCP port on
# 127.0.0.1 only, trusts local connections for user "postgres" and has a
# database "rtsuivi_test". Durability is switched off for speed.
# State (dir, port) is kept in $RTSUIVI_PG_STATE_FILE, by default a file in
# /tmp keyed on this checkout's path, so "stop" finds what "start" made.
# PostgreSQL refuses to run as root: as root, server commands run as the
# "postgres" system user through runuser.
set -euo pipefail

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DB_NAME=rtsuivi_test
DB_USER=postgres
RUN_AS=postgres

if [[ -z "${RTSUIVI_PG_STATE_FILE:-}" ]]; then
    repo_key="$(printf '%s' "$REPO_DIR" | sha256sum | cut -c1-12)"
    RTSUIVI_PG_STATE_FILE="/tmp/rtsuivi-pg-test-$(id -u)-$repo_key.state"
fi
STATE_FILE="$RTSUIVI_PG_STATE_FILE"

log() { printf 'pg_test_server: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

find_pg_bindir() {
    local d
    # Debian layout first, newest version wins; then whatever is on PATH.
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [[ -x "$d/initdb" && -x "$d/pg_ctl" ]]; then
            printf '%s\n' "$d"
            return 0
        fi
    done
    local initdb
    if initdb="$(command -v initdb 2>/dev/null)" && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(readlink -f "$initdb")"
        return 0
    fi
    return 1
}

find_python() {
    if [[ -x "$REPO_DIR/.venv/bin/python" ]]; then
        printf '%s\n' "$REPO_DIR/.venv/bin/python"
    else
        command -v python3
    fi
}

free_port() {
    "$(find_python)" - <<'PY'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

# Run a PostgreSQL command as the server's owner, from inside the server dir
# (the postgres user may not be allowed to read the caller's cwd).
as_pg() {
    local dir="$1"
    shift
    if [[ "$(id -u)" -eq 0 ]]; then
        (cd "$dir" && runuser -u "$RUN_AS" -- "$@")
    else
        (cd "$dir" && "$@")
    fi
}

read_state() {
    PG_DIR="" PG_PORT="" PG_BINDIR=""
    [[ -s "$STATE_FILE" ]] || return 1
    # shellcheck disable=SC1090
    source "$STATE_FILE"
    [[ -n "$PG_DIR" && -n "$PG_PORT" ]]
}

postmaster_pid() {
    local pidfile="$1/data/postmaster.pid"
    [[ -f "$pidfile" ]] && head -n1 "$pidfile"
}

# True if PID exists and is not a zombie (an exited server whose parent has
# not reaped it yet is already gone for our purposes).
pid_alive() {
    local pid="$1" stat
    [[ -n "$pid" ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || return 0
    stat="${stat##*) }"
    [[ "${stat:0:1}" != "Z" ]]
}

is_running() {
    local pid
    pid="$(postmaster_pid "$1" 2>/dev/null)" || return 1
    pid_alive "$pid"
}

cleanup_dir() {
    local dir="$1"
    [[ -n "$dir" && -d "$dir" ]] || return 0
    if is_running "$dir"; then
        local pid
        pid="$(postmaster_pid "$dir")"
        as_pg "$dir" "$PG_BINDIR/pg_ctl" -D "$dir/data" -m fast -w -t 20 stop >/dev/null 2>&1 || true
        if pid_alive "$pid"; then
            log "server (pid $pid) did not stop in time, sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            for _ in 1 2 3 4 5 6 7 8 9 10; do
                pid_alive "$pid" || break
                sleep 0.2
            done
        fi
    fi
    rm -rf -- "$dir"
}

cmd_start() {
    if read_state && is_running "$PG_DIR"; then
        die "already running (dir $PG_DIR, port $PG_PORT; state $STATE_FILE). Run '$0 stop' first."
    fi
    if [[ -n "${PG_DIR:-}" ]]; then
        cleanup_dir "$PG_DIR"   # stale leftovers from a killed run
    fi
    rm -f -- "$STATE_FILE"

    PG_BINDIR="$(find_pg_bindir)" || die "no PostgreSQL server binaries (initdb, pg_ctl) found; install the 'postgresql' package"
    if [[ "$(id -u)" -eq 0 ]] && ! id "$RUN_AS" >/dev/null 2>&1; then
        die "running as root but there is no '$RUN_AS' system user to run the server as"
    fi

    # Short path under /tmp: the unix socket path must stay under ~107 bytes
    # and the postgres user must be able to reach it.
    PG_DIR="$(mktemp -d /tmp/rtsuivi-pg.XXXXXX)"
    chmod 700 "$PG_DIR"
    if [[ "$(id -u)" -eq 0 ]]; then
        chown "$RUN_AS": "$PG_DIR"
    fi
    # If anything below fails, do not leave the dir (or a server) behind.
    trap 'cleanup_dir "$PG_DIR"; rm -f -- "$STATE_FILE"' EXIT
    trap 'exit 130' INT TERM

    if ! as_pg "$PG_DIR" "$PG_BINDIR/initdb" -D "$PG_DIR/data" -U "$DB_USER" \
            --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >"$PG_DIR/initdb.log" 2>&1; then
        cat "$PG_DIR/initdb.log" >&2
        die "initdb failed"
    fi

    local attempt started=0
    for attempt in 1 2 3; do
        PG_PORT="$(free_port)"
        if as_pg "$PG_DIR" "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
                -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
                start >/dev/null 2>"$PG_DIR/pg_ctl.err"; then
            started=1
            break
        fi
        log "start on port $PG_PORT failed (attempt $attempt)"
        if is_running "$PG_DIR"; then
            as_pg "$PG_DIR" "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
        fi
    done
    if [[ "$started" -ne 1 ]]; then
        cat "$PG_DIR/pg_ctl.err" "$PG_DIR/server.log" >&2 2>/dev/null || true
        die "could not start PostgreSQL"
    fi

    printf 'PG_DIR=%q\nPG_PORT=%q\nPG_BINDIR=%q\n' "$PG_DIR" "$PG_PORT" "$PG_BINDIR" >"$STATE_FILE"

    if ! as_pg "$PG_DIR" "$PG_BINDIR/createdb" -h 127.0.0.1 -p "$PG_PORT" -U "$DB_USER" "$DB_NAME" 2>"$PG_DIR/createdb.err"; then
        cat "$PG_DIR/createdb.err" >&2
        die "createdb $DB_NAME failed"
    fi

    trap - EXIT INT TERM
    log "PostgreSQL running: dir $PG_DIR, port $PG_PORT, pid $(postmaster_pid "$PG_DIR")"
    printf 'postgresql+psycopg://%s@127.0.0.1:%s/%s\n' "$DB_USER" "$PG_PORT" "$DB_NAME"
}

cmd_stop() {
    if ! read_state; then
        rm -f -- "$STATE_FILE"
        return 0   # nothing to stop
    fi
    [[ -n "$PG_BINDIR" ]] || PG_BINDIR="$(find_pg_bindir)" || PG_BINDIR=""
    cleanup_dir "$PG_DIR"
    rm -f -- "$STATE_FILE"
    log "stopped (removed $PG_DIR)"
}

cmd_status() {
    if read_state && is_running "$PG_DIR"; then
        printf 'running: dir %s, port %s, pid %s\n' "$PG_DIR" "$PG_PORT" "$(postmaster_pid "$PG_DIR")"
    else
        echo "not running"
        return 1
    fi
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
