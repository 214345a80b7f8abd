"""The command line says plainly what is wrong (issue 9, item 8)."""
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from rtsuivi.domain.rights import ALL_RIGHTS
from rtsuivi.domain.rights_catalog import MEANINGS
from rtsuivi.extensions import db
from rtsuivi.models import ACE, Ticket

ROOT = Path(__file__).resolve().parent.parent


def _flask(*args, data_dir, stdin=b""):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    env.update(RTSUIVI_DATA_DIR=str(data_dir), RTSUIVI_INDEX_MODE="off")
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", "rtsuivi", *args],
                          cwd=ROOT, env=env, input=stdin, capture_output=True, timeout=60)


def test_cli_without_a_database_says_so_and_creates_none(tmp_path):
    data_dir = tmp_path / "donnees"
    result = _flask("create-user", "bob", "--password", "x" * 12, data_dir=data_dir)
    output = (result.stdout + result.stderr).decode()
    assert result.returncode == 1
    assert "No RT-suivi database in the data directory" in output and "./run" in output
    assert "no such table" not in output and "Traceback" not in output
    assert not (data_dir / "rtsuivi.sqlite3").exists()


def test_cli_on_an_empty_database_file_says_it_is_not_migrated(tmp_path):
    (tmp_path / "rtsuivi.sqlite3").write_bytes(b"")
    result = _flask("create-queue", "Support", data_dir=tmp_path)
    output = (result.stdout + result.stderr).decode()
    assert result.returncode == 1 and "has no RT-suivi tables yet" in output
    assert "no such table" not in output


def test_mailgate_without_a_database_asks_the_mta_to_retry(tmp_path):
    result = _flask("mailgate", "--queue", "Support", data_dir=tmp_path / "absent",
                    stdin=b"Subject: x\n\nbonjour\n")
    assert result.returncode == 75
    assert not (tmp_path / "absent" / "rtsuivi.sqlite3").exists()


def test_rights_lists_every_right_with_one_line_of_meaning(app):
    result = app.test_cli_runner().invoke(args=["rtsuivi", "rights"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    for right in ALL_RIGHTS:
        line = next(line for line in lines if line.split()[:1] == [right])
        assert MEANINGS[right] in line
    assert set(MEANINGS) == set(ALL_RIGHTS)


def test_an_unknown_right_lists_the_valid_ones(app, make_user):
    make_user("bob")
    result = app.test_cli_runner().invoke(args=["rtsuivi", "grant", "user:bob", "SeeQueu"])
    assert result.exit_code == 1
    assert "Unknown right: SeeQueu. Valid rights: SeeQueue, " in result.output
    assert "ShowSearchBulkUpdate" in result.output
    assert db.session.scalar(select(func.count()).select_from(ACE).where(
        ACE.principal_name == "bob")) == 0


def test_demo_if_empty_leaves_a_site_with_users_and_no_ticket_alone(app, make_user):
    make_user("admin", rights=["SuperUser"])
    result = app.test_cli_runner().invoke(args=["rtsuivi", "demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "already has users" in result.output
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0
