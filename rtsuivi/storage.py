"""The data folder, the search index and the SQLite file hold every ticket, mail and
password hash: only the account that runs RT-suivi may read them (folders 0700, file 0600).

SQLite gives its -wal and -shm files the database file's mode, so they follow.
"""
import os
from pathlib import Path

from flask import Flask


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
    """Create the data folder, the index folder (it holds the tickets' text) and the
    SQLite file, private, before anything writes there."""
    private_dir(Path(app.config["RTSUIVI_DATA_DIR"]))
    private_dir(Path(app.config["RTSUIVI_INDEX_DIR"]))
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if not uri.startswith("sqlite:///") or ":memory:" in uri or "mode=memory" in uri:
        return
    path = Path(uri.removeprefix("sqlite:///").split("?")[0])
    if not path.is_absolute():  # Flask-SQLAlchemy puts a relative one in the instance folder
        path = Path(app.instance_path) / path
    private_dir(path.parent)
    private_file(path)
