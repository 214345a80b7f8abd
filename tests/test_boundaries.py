"""Issue 11 item 4: the layers keep to their side (the domain decides, mail/ composes)."""
import ast
from pathlib import Path

from sqlalchemy import func, select

from rtsuivi.domain import notifications
from rtsuivi.domain import tickets as domain
from rtsuivi.extensions import db
from rtsuivi.models import OutboxMail, Transaction

PACKAGE = Path(__file__).resolve().parent.parent / "rtsuivi"


def _imports(path: Path) -> set[str]:
    """Every module a file imports, relative imports made absolute."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    package = list(parts[:-1])  # where a relative import starts from
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - (node.level - 1)]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module
            found.add(name)
            found.update(f"{name}.{alias.name}" for alias in node.names)
    return found


def test_the_import_reader_resolves_relative_imports(tmp_path):
    sample = tmp_path / "rtsuivi" / "domain" / "sample.py"
    sample.parent.mkdir(parents=True)
    sample.write_text("from ..mail import outbound\nfrom . import rights\n"
                      "def f():\n    import rtsuivi.mail.inbound\n")
    global PACKAGE
    real, PACKAGE = PACKAGE, tmp_path / "rtsuivi"
    try:
        found = _imports(sample)
    finally:
        PACKAGE = real
    assert {"rtsuivi.mail.outbound", "rtsuivi.domain.rights", "rtsuivi.mail.inbound"} <= found


def test_the_domain_never_imports_mail():
    offenders = {str(path.relative_to(PACKAGE)): sorted(
        name for name in _imports(path) if name == "rtsuivi.mail"
        or name.startswith("rtsuivi.mail."))
        for path in sorted((PACKAGE / "domain").rglob("*.py"))}
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_scrips_say_which_mails_without_composing_them(desk, make_ticket):
    ticket = make_ticket(desk.support, requestors=[desk.denise])
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(OutboxMail))
    txn = domain.reply(ticket, desk.alice, "Nous arrivons.")
    db.session.flush()
    mails = notifications.mails_for(txn)
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == before
    assert [(m.scrip.name, [p.name for p in m.people]) for m in mails] == [
        ("On Correspond Notify Requestors and Ccs", ["denise"])]
    assert isinstance(mails[0].scrip.action, notifications.Notify)
    db.session.rollback()


def test_squelch_is_an_attribute_of_the_transaction(desk, make_ticket):
    ticket = make_ticket(desk.support, requestors=[desk.denise])
    db.session.commit()
    txn = domain.reply(ticket, desk.alice, "Nous arrivons.")
    db.session.flush()
    notifications.squelch(txn, desk.denise, privileged_only=True)
    assert txn.squelched_ids == {desk.denise.id} and txn.privileged_only
    assert not {"_squelched", "_privileged_only"} & set(vars(txn))
    assert notifications.mails_for(txn) == []
    db.session.rollback()
    fresh = db.session.scalars(select(Transaction)).first()
    assert fresh.squelched_ids == frozenset() and not fresh.privileged_only


def test_a_new_site_gets_its_default_grants_from_the_domain(app, make_user):
    from rtsuivi.domain import accounts
    from rtsuivi.domain.rights import can
    queue = accounts.create_queue("Accueil")
    stranger = make_user("passant", privileged=False)
    agent = make_user("agent", privileged=True)
    assert not can(stranger, "CreateTicket", queue) and not can(agent, "ShowSearchAdvanced")
    accounts.grant_site_defaults([queue])
    db.session.commit()
    assert can(stranger, "CreateTicket", queue) and can(stranger, "ReplyToTicket", queue)
    assert all(can(agent, right) for right in ("ModifySelf", "ShowSearchAdvanced",
                                               "ShowSearchBulkUpdate", "LoadSavedSearch"))


def test_create_app_given_its_config_writes_nothing(tmp_path, monkeypatch):
    """Tests, benchmarks and tools pass their config: no folder, key or database file
    appears; only a deployment (no config given) prepares its data folder."""
    from rtsuivi import create_app
    data = tmp_path / "donnees"
    data.mkdir()
    monkeypatch.setenv("RTSUIVI_DATA_DIR", str(data))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("RTSUIVI_INDEX_DIR", raising=False)
    app = create_app({"TESTING": True, "RTSUIVI_INDEX_MODE": "off"})
    assert app.config["SECRET_KEY"] and str(data) in app.config["SQLALCHEMY_DATABASE_URI"]
    assert list(data.iterdir()) == []
    create_app()
    assert {p.name for p in data.iterdir()} >= {"secret_key", "search_index"}


QUERYING = ("db.session.get", "db.session.scalar", "db.session.execute", "db.session.query",
            "select", "Model.query")


def _calls(path: Path) -> set[str]:
    return {ast.unparse(node.func) for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Call)}


def test_views_run_no_query_of_their_own():
    """Views load through domain functions (queries.visible_queue, queries.load_mail...)."""
    views = [p for p in (PACKAGE / "blueprints").rglob("*.py") if "tickets" not in p.parts]
    found = {str(p.relative_to(PACKAGE)): sorted(c for c in _calls(p)
                                                 if c.startswith(QUERYING))
             for p in views}
    assert {path: calls for path, calls in found.items() if calls} == {}


def test_models_run_no_query_in_a_property():
    found = {str(p.relative_to(PACKAGE)): sorted(c for c in _calls(p) if c.startswith(QUERYING))
             for p in (PACKAGE / "models").rglob("*.py")}
    assert {path: calls for path, calls in found.items() if calls} == {}


def test_a_hidden_or_unknown_queue_is_not_found(desk, login_as, make_queue):
    hidden = make_queue("Direction")
    client = login_as(desk.alice)
    assert client.get(f"/files/{hidden.id}").status_code == 404
    assert client.get("/files/999999").status_code == 404
    assert client.get(f"/files/{desk.support.id}").status_code == 200


def test_the_domain_reads_no_request():
    """Forms and URL arguments are read in blueprints/ (search_forms.py), not in domain/."""
    found = {}
    for path in sorted((PACKAGE / "domain").rglob("*.py")):
        tree = ast.parse(path.read_text())
        reads = sorted({ast.unparse(node) for node in ast.walk(tree) if isinstance(
            node, ast.Attribute) and node.attr in ("getlist", "form", "args")}
            | {name for name in _imports(path) if name in ("flask.request",
                                                           "werkzeug.datastructures")})
        if reads:
            found[str(path.relative_to(PACKAGE))] = reads
    assert found == {}


def test_the_builder_labels_every_field_and_operator_of_the_domain():
    from rtsuivi.blueprints import search_forms
    from rtsuivi.domain import query_builder
    assert tuple(name for name, _ in search_forms.FIELDS) == query_builder.FIELD_NAMES
    assert tuple(op for op, _ in search_forms.OPERATORS) == query_builder.OPERATOR_NAMES
    assert "lazy_gettext" not in Path(query_builder.__file__).read_text(encoding="utf-8")
