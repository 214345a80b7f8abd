"""`rtsuivi backup DEST` and `rtsuivi restore SRC`: a site's data, copied while it runs.

A backup folder holds the database (SQLite: a consistent copy made with SQLite's online
backup API, in one step, so writers go on meanwhile in WAL mode; PostgreSQL: a `pg_dump`
custom-format archive), the secret key, the settings in effect (passwords left out) and
`manifest.json`, written last: a folder without it is an unfinished backup. The full-text
index is not copied: restore rebuilds it from the database.
"""
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from datetime import datetime, timezone
from pathlib import Path

from flask import current_app
from sqlalchemy.engine import make_url

from .extensions import db

SQLITE_FILE = "rtsuivi.sqlite3"
PG_FILE = "database.pgdump"
MANIFEST, SETTINGS, SECRET = "manifest.json", "settings.json", "secret_key"
SECRET_SETTINGS = {"SMTP_PASSWORD", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI"}
COUNTED = ("tickets", "transactions", "attachments", "users", "queues", "inbound_mails",
           "outbox_mails")


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


def _database():
    """("sqlite", Path) or ("postgresql", libpq URL) for the configured database."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise BackupError("an in-memory SQLite database cannot be backed up")
        return "sqlite", Path(url.database)
    if url.get_backend_name() == "postgresql":
        return "postgresql", url.set(drivername="postgresql").render_as_string(
            hide_password=False)
    raise BackupError(f"unsupported database {url.get_backend_name()}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _counts(conn) -> dict:
    return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in COUNTED}


def _settings() -> dict:
    return {key: value for key, value in sorted(current_app.config.items())
            if key.startswith(("RTSUIVI_", "SMTP_")) and key not in SECRET_SETTINGS}


def _write_private(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(0o600)


# ---------------------------------------------------------------- backup

def backup(dest: Path, progress=print) -> dict:
    """Copy the database, secret key and settings into DEST (new or empty); return the
    manifest."""
    dest = Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupError(f"{dest} is not an empty folder: choose a new one for each backup")
    dest.mkdir(parents=True, exist_ok=True)
    dest.chmod(0o700)  # the secret key and every mail are in there
    kind, where = _database()
    started = datetime.now(timezone.utc)
    manifest = {"format": 1, "created": started.isoformat(timespec="seconds"),
                "database": kind}
    if kind == "sqlite":
        manifest.update(_sqlite_backup(where, dest / SQLITE_FILE, progress))
    else:
        manifest.update(_pg_dump(where, dest / PG_FILE, progress))
    progress("secret key and settings")
    _write_private(dest / SECRET, current_app.config["SECRET_KEY"])
    _write_private(dest / SETTINGS, json.dumps(_settings(), indent=1, default=str))
    manifest["seconds"] = round((datetime.now(timezone.utc) - started).total_seconds(), 1)
    _write_private(dest / MANIFEST, json.dumps(manifest, indent=1))
    return manifest


def _sqlite_backup(source: Path, target: Path, progress) -> dict:
    if not source.exists():
        raise BackupError(f"no database at {source}")
    src = sqlite3.connect(source, timeout=30)
    try:
        pages, page_size = (src.execute(f"PRAGMA {name}").fetchone()[0]
                            for name in ("page_count", "page_size"))
        progress(f"database: copying {pages * page_size / 1e6:.1f} MB from {source}")
        dst = sqlite3.connect(target)
        try:
            # One step holds one read transaction: a consistent snapshot of committed
            # work. (Several steps would restart whenever another process writes.)
            src.backup(dst)
            progress("database: checking the copy")
            if dst.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError("the copy of the database failed its integrity check")
            counts = _counts(dst)
            revision = dst.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            dst.close()
    finally:
        src.close()
    target.chmod(0o600)
    progress("database: " + ", ".join(f"{n} {table}" for table, n in counts.items()))
    return {"file": SQLITE_FILE, "sha256": _sha256(target), "counts": counts,
            "revision": revision[0] if revision else None}


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (PostgreSQL client tools)")
    return found


def _pg_dump(url: str, target: Path, progress) -> dict:
    progress("database: pg_dump (custom format, one consistent snapshot)")
    done = subprocess.run([_pg_tool("pg_dump"), "--format=custom", "--no-owner",
                           "--no-privileges", f"--file={target}", f"--dbname={url}"],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    target.chmod(0o600)
    with db.engine.connect() as conn:
        revision = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    return {"file": PG_FILE, "sha256": _sha256(target), "revision": revision}


# ---------------------------------------------------------------- restore

def restore(source: Path, progress=print) -> dict:
    """Put the backup SOURCE into this site's empty data folder, then rebuild the index."""
    source = Path(source)
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{source} has no {MANIFEST}: not a finished backup") from None
    kind, where = _database()
    if manifest["database"] != kind:
        raise BackupError(f"this backup holds a {manifest['database']} database but this "
                          f"site is configured for {kind} (DATABASE_URL)")
    archive = source / manifest["file"]
    progress(f"checking {archive}")
    if _sha256(archive) != manifest["sha256"]:
        raise BackupError(f"{archive} does not match its manifest (damaged copy?)")
    _require_empty_target(kind, where)
    db.session.remove()
    db.engine.dispose()  # nothing of ours holds the target open while it is written
    if kind == "sqlite":
        _sqlite_restore(archive, where, progress)
    else:
        _pg_restore(archive, where, progress)
    _restore_secret_key(source, progress)
    _report_settings(source, progress)
    progress("search index: rebuilding from the database")
    from . import search
    manifest["indexed"] = search.rebuild(timeout=120)
    return manifest


def _require_empty_target(kind: str, where) -> None:
    data_dir = Path(current_app.config["RTSUIVI_DATA_DIR"])
    if kind == "sqlite":
        if where.exists() and where.stat().st_size and _has_tables(where):
            raise BackupError(f"{where} already holds a database: restore only into an "
                              "empty data folder (RTSUIVI_DATA_DIR), never over a live site")
        expected = {SECRET, "search_index", where.name, f"{where.name}-wal",
                    f"{where.name}-shm"}
        others = sorted(p.name for p in data_dir.iterdir() if p.name not in expected) \
            if data_dir.exists() else []
        if others and where.parent == data_dir:
            raise BackupError(f"the data folder {data_dir} is not empty ({', '.join(others)})"
                              ": restore into an empty one")
    else:
        with db.engine.connect() as conn:
            tables = conn.exec_driver_sql(
                "SELECT count(*) FROM information_schema.tables "
                "WHERE table_schema = current_schema()").scalar()
        if tables:
            raise BackupError("the PostgreSQL database (DATABASE_URL) is not empty: create "
                              "an empty one and restore into it")


def _has_tables(path: Path) -> bool:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'") \
            .fetchone()[0] > 0
    finally:
        conn.close()


def _sqlite_restore(archive: Path, target: Path, progress) -> None:
    progress(f"database: restoring into {target}")
    target.parent.mkdir(parents=True, exist_ok=True)
    src, dst = sqlite3.connect(archive), sqlite3.connect(target)
    try:
        src.backup(dst)
        counts = _counts(dst)
    finally:
        src.close()
        dst.close()
    target.chmod(0o600)
    progress("database: " + ", ".join(f"{n} {table}" for table, n in counts.items()))


def _pg_restore(archive: Path, url: str, progress) -> None:
    progress("database: pg_restore")
    done = subprocess.run([_pg_tool("pg_restore"), "--no-owner", "--no-privileges",
                           "--exit-on-error", f"--dbname={url}", str(archive)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()}")


def _restore_secret_key(source: Path, progress) -> None:
    if os.environ.get("SECRET_KEY"):
        progress("secret key: SECRET_KEY is set in the environment, the backup's is not used")
        return
    data_dir = Path(current_app.config["RTSUIVI_DATA_DIR"])
    data_dir.mkdir(parents=True, exist_ok=True)
    _write_private(data_dir / SECRET, (source / SECRET).read_text())
    progress(f"secret key: restored into {data_dir / SECRET}")


def _report_settings(source: Path, progress) -> None:
    """Settings live in the environment: say which ones differ from the backup's."""
    saved = json.loads((source / SETTINGS).read_text())
    current = json.loads(json.dumps(_settings(), default=str))
    differ = sorted(k for k in saved.keys() | current.keys()
                    if k not in ("RTSUIVI_DATA_DIR", "RTSUIVI_INDEX_DIR")
                    and saved.get(k) != current.get(k))
    if differ:
        progress("settings that differ from the backup's (set them in the environment): "
                 + ", ".join(f"{k}={saved.get(k)!r}" for k in differ))
    else:
        progress("settings: same as at backup time")
