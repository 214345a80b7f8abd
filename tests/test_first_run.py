"""A site started without demo data (issue 12, item 5): `admin` with a one-time password
that must be changed at first login, the default grants, and Administration's checklist."""
import os
import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from rtsuivi.domain import accounts, first_run, groups_admin
from rtsuivi.domain.rights import can
from rtsuivi.extensions import db
from rtsuivi.models import User

ROOT = Path(__file__).resolve().parent.parent


def _first_run(app):
    result = app.test_cli_runner().invoke(args=["rtsuivi", "first-run"])
    assert result.exit_code == 0, result.output
    return result.output


def _admin():
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.name == "admin"))


def test_first_run_creates_admin_with_a_one_time_password(app):
    output = _first_run(app)
    password = re.search(r"one-time password: (\S+)", output).group(1)
    admin = _admin()
    assert admin.must_change_password and admin.privileged
    assert accounts.authenticate("admin", password) is not None
    assert can(admin, "SuperUser")
    agent = accounts.create_user("agent", privileged=True)
    requester = accounts.create_user("demandeur")
    assert can(agent, "ModifySelf") and can(agent, "ShowSearchAdvanced")
    assert can(requester, "ModifySelf")
    assert "nothing created" in _first_run(app)  # a second start leaves the site alone


def test_the_one_time_password_must_be_changed_before_anything_else(app, client, login_as):
    password = re.search(r"one-time password: (\S+)", _first_run(app)).group(1)
    client = login_as(_admin(), password)
    for url in ("/accueil", "/admin/", "/admin/utilisateurs", "/files"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"] == "/preferences/mot-de-passe", url
    fragment = client.hx_get("/admin/utilisateurs")  # a whole page change, not a box
    assert fragment.headers["HX-Redirect"] == "/preferences/mot-de-passe"
    page = client.get("/preferences/mot-de-passe").plain
    assert "valable qu'une fois" in page and "Annuler" not in page
    refused = client.post("/preferences/mot-de-passe", data={
        "current": password, "new": "court", "confirm": "court"})
    assert refused.status_code == 200 and _admin().must_change_password
    done = client.post("/preferences/mot-de-passe", data={
        "current": password, "new": "mon-mot-de-passe-a-moi",
        "confirm": "mon-mot-de-passe-a-moi"})
    assert done.status_code == 302 and not _admin().must_change_password
    assert client.get("/admin/").status_code == 200
    assert accounts.authenticate("admin", password) is None


def test_the_checklist_ticks_itself_as_the_desk_is_set_up(app, login_as, make_user):
    _first_run(app)
    admin = _admin()
    admin.must_change_password = False
    db.session.commit()
    assert [s.done for s in first_run.checklist()] == [False, False, False, False]
    accounts.set_password(admin, "mot-de-passe-admin")
    db.session.commit()
    client = login_as(_admin(), "mot-de-passe-admin")
    page = client.get("/admin/").plain
    assert "Premiers pas" in page and page.count("(à faire)") == 4
    assert 'href="/admin/groupes/nouveau"' in page and 'href="/admin/utilisateurs/nouveau"' in page
    accounts.create_queue("Sans adresse")
    db.session.commit()
    assert not first_run.checklist()[0].done  # a queue needs its addresses
    queue = accounts.create_queue("Support", correspond_address="support@example.org")
    group = groups_admin.create(None, "N1")
    db.session.commit()
    assert [s.done for s in first_run.checklist()] == [True, True, False, False]
    accounts.grant("group:N1", "OwnTicket", queue)
    make_user("alice", privileged=True)
    assert group and [s.done for s in first_run.checklist()] == [True, True, True, True]
    assert "Premiers pas" not in client.get("/admin/").plain


def test_run_starts_without_demo_data_when_asked():
    script = (ROOT / "run").read_text(encoding="utf-8")
    assert 'if [ "${RTSUIVI_DEMO:-1}" = "0" ]' in script and "rtsuivi first-run" in script


def test_first_run_on_a_fresh_database_through_the_command_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    env.update(RTSUIVI_DATA_DIR=str(tmp_path), RTSUIVI_INDEX_MODE="off")

    def flask(*args):
        return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT,
                              env=env, capture_output=True, timeout=120, text=True)
    assert flask("db", "upgrade").returncode == 0
    result = flask("rtsuivi", "first-run")
    assert result.returncode == 0, result.stderr
    assert "login: admin" in result.stdout and "one-time password: " in result.stdout


def test_a_web_worker_does_without_the_migration_and_chart_libraries(tmp_path):
    """gunicorn's 'app:create_app()' never migrates nor, until asked, draws a chart:
    alembic (11 MB) and pygal (2 MB) stay out of each worker (issue 16: worker memory);
    `flask db` still has Flask-Migrate's commands."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    env.update(RTSUIVI_DATA_DIR=str(tmp_path), RTSUIVI_INDEX_MODE="off")
    probe = ("import sys, app; app.create_app(); "
             "print(sorted({'alembic', 'flask_migrate', 'pygal'} & set(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env,
                            capture_output=True, timeout=120, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
    help_text = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "db", "--help"],
                               cwd=ROOT, env=env, capture_output=True, timeout=120, text=True)
    assert "upgrade" in help_text.stdout and "--directory" in help_text.stdout
