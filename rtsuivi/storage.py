"""The data folder, the search index and the SQLite file hold every ticket, mail and
password hash: only the account that runs RT-suivi may read them (folders 0700, file 0600).

SQLite gives its -wal and -shm files the database file's mode, so they follow.
"""
import os
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine


def private_dir(path: Path) -> None:
    """Create the folder (and its parents) readable by its owner only, if missing."""
    if not path.exists():
        path.mkdir(parents=True, mode=0o700, exist_ok=True)
        path.chmod(0o700)  # mkdir's mode goes through the umask


def private_file(path: Path) -> None:
    """Create an empty file readable by its owner only, if missing."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass


def prepare(app: Flask) -> None:
    """Create the data folder and the index folder (it holds the tickets' text), private,
    before anything writes there. The SQLite file itself is created private on the first
    connection (_private_sqlite_file), not here: a command run without a database must not
    leave an empty one behind."""
    private_dir(Path(app.config["RTSUIVI_DATA_DIR"]))
    private_dir(Path(app.config["RTSUIVI_INDEX_DIR"]))


@event.listens_for(Engine, "do_connect")
def _private_sqlite_file(dialect, conn_rec, cargs, cparams):
    """Create a missing SQLite file 0600 just before sqlite3 would create it world-readable."""
    if dialect.name != "sqlite" or not cargs:
        return
    database = str(cargs[0])
    if database in ("", ":memory:") or database.startswith("file:") or "mode=memory" in database:
        return
    path = Path(database)
    if not path.exists():
        private_dir(path.parent)
        private_file(path)
