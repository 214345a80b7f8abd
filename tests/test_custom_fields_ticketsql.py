"""TicketSQL on custom fields (`CF.{Name}`, `CF.Name`, `'CF.{Name}'`, `CF.{id}`), every
operator, values with accents and quotes; run on SQLite and PostgreSQL by ./test."""
import os

import pytest
from sqlalchemy import select

from rtsuivi.domain import accounts
from rtsuivi.domain import custom_fields as cf
from rtsuivi.domain import tickets as domain
from rtsuivi.domain.ticketsql import TicketSQLError, compile_query
from rtsuivi.extensions import db
from rtsuivi.models import Ticket

LASER = "L'imprimante « laser »"


@pytest.fixture
def cfdesk(desk, make_user, make_ticket):
    admin = make_user("cfadmin", rights=("AdminCustomField",))
    for right in ("SeeCustomField", "ModifyCustomField"):
        accounts.grant("group:N1", right, desk.support)
    q = [desk.support]
    cat = cf.create_field(admin, "Catégorie", "select_one", queues=q,
                          values=["Réseau", LASER, "Écran"])
    note = cf.create_field(admin, "Note d'équipe", "freeform", queues=q)
    due = cf.create_field(admin, "Échéance client", "date", queues=q)
    meeting = cf.create_field(admin, "Rendez-vous", "datetime", queues=q)
    tags = cf.create_field(admin, "Étiquettes", "select_many", queues=q,
                           values=["vip", "urgent"])
    db.session.commit()
    desk.alice.timezone = "Europe/Paris"
    t1, t2, t3 = (make_ticket(desk.support, subject=s) for s in ("un", "deux", "trois"))
    cf.set_values(t1, desk.alice, {cat.id: "Réseau", note.id: "Câble coupé à l'étage 2",
                                   due.id: "2024-05-10", tags.id: ["vip", "urgent"]})
    cf.set_values(t2, desk.alice, {cat.id: LASER, note.id: "Toner « noir »",
                                   due.id: "2024-06-01", meeting.id: "2024-06-01T10:00",
                                   tags.id: ["urgent"]})
    db.session.commit()
    desk.cat, desk.admin, desk.t = cat, admin, {"t1": t1.id, "t2": t2.id, "t3": t3.id}
    return desk


def _found(desk, query, user=None):
    compiled = compile_query(query, user or desk.alice, zone="Europe/Paris")
    ids = set(db.session.scalars(select(Ticket.id).where(compiled.condition)))
    return {name for name, ticket_id in desk.t.items() if ticket_id in ids}


@pytest.mark.parametrize("query, expected", [
    ("CF.{Catégorie} = 'Réseau'", {"t1"}),
    ("CF.Catégorie = 'réseau'", {"t1"}),
    ("'CF.{Catégorie}' = 'Réseau'", {"t1"}),
    ("CF.{catégorie} = \"L'imprimante « laser »\"", {"t2"}),
    ("CF.{Catégorie} = 'L\\'imprimante « laser »'", {"t2"}),
    ("CF.{Catégorie} = 'Écran'", set()),
    ("CF.{Catégorie} != 'Réseau'", {"t2", "t3"}),
    ("CF.{Catégorie} LIKE 'laser'", {"t2"}),
    ("CF.{Catégorie} NOT LIKE 'seau'", {"t2", "t3"}),
    ("CF.{Catégorie} IS NULL", {"t3"}),
    ("CF.{Catégorie} IS NOT NULL", {"t1", "t2"}),
    ("CF.{Note d'équipe} LIKE 'l\\'étage'", {"t1"}),
    ("CF.{Note d'équipe} = 'Toner « noir »'", {"t2"}),
    ("CF.{Note d'équipe} NOT LIKE '« noir »'", {"t1", "t3"}),
    ("CF.{Note d'équipe} != 'Toner « noir »'", {"t1", "t3"}),
    ("CF.{Échéance client} < '2024-06-01'", {"t1"}),
    ("CF.{Échéance client} <= '2024-06-01'", {"t1", "t2"}),
    ("CF.{Échéance client} > '2024-05-10'", {"t2"}),
    ("CF.{Échéance client} >= '2024-05-10'", {"t1", "t2"}),
    ("CF.{Échéance client} = '10/05/2024'", {"t1"}),
    ("CF.{Échéance client} != '2024-05-10'", {"t2", "t3"}),
    ("CF.{Rendez-vous} = '2024-06-01'", {"t2"}),
    ("CF.{Rendez-vous} > '2024-06-01 09:59'", {"t2"}),
    ("CF.{Rendez-vous} < '2024-06-01 09:59'", set()),
    ("CF.{Rendez-vous} <= '2024-06-01 10:00'", {"t2"}),
    ("CF.{Rendez-vous} >= '2024-06-01 10:01'", set()),
    ("CF.{Étiquettes} = 'vip' AND CF.{Étiquettes} = 'urgent'", {"t1"}),
    ("CF.{Étiquettes} = 'urgent'", {"t1", "t2"}),
    ("CF.{Étiquettes} != 'vip'", {"t2", "t3"}),
    ("CF.{Étiquettes} IS NULL OR Subject = 'un'", {"t1", "t3"}),
])
def test_custom_field_operators(cfdesk, query, expected):
    assert _found(cfdesk, query) == expected


def test_a_field_is_named_by_its_id_too(cfdesk):
    assert _found(cfdesk, f"CF.{{{cfdesk.cat.id}}} = 'Réseau'") == {"t1"}
    assert _found(cfdesk, f"CF.{cfdesk.cat.id} IS NULL") == {"t3"}


def test_a_renamed_value_is_found_by_its_new_name(cfdesk, make_user):
    admin = make_user("renamer", rights=("AdminCustomField",))
    cf.rename_value(admin, cfdesk.cat.values[0], "Réseau « Wi-Fi »")
    db.session.commit()
    assert _found(cfdesk, "CF.{Catégorie} = 'Réseau « Wi-Fi »'") == {"t1"}
    assert _found(cfdesk, "CF.{Catégorie} = 'Réseau'") == set()


@pytest.mark.parametrize("query, message", [
    ("CF.{Inconnu} = 'x'", "Champ personnalisé inconnu : Inconnu"),
    ("CF.{Échéance client} < 'un jour'", "Date non comprise"),
])
def test_bad_custom_field_queries_are_refused_in_french(cfdesk, query, message):
    with pytest.raises(TicketSQLError, match=message):
        compile_query(query, cfdesk.alice)


def test_values_a_user_may_not_see_behave_as_empty(cfdesk, make_user):
    reader = make_user("lecteur", rights=("SeeQueue", "ShowTicket"), on=cfdesk.support)
    assert _found(cfdesk, "CF.{Catégorie} = 'Réseau'", reader) == set()
    assert _found(cfdesk, "CF.{Catégorie} IS NULL", reader) == {"t1", "t2", "t3"}


# ---------------------------------------------------------------- results, CSV, builder, bulk

def test_result_and_csv_columns_show_the_values(cfdesk, login_as):
    client = login_as(cfdesk.alice)
    args = {"query": "CF.{Catégorie} IS NOT NULL", "columns": ["id", "CF.{Catégorie}",
                                                                "CF.{Étiquettes}"]}
    page = client.get("/recherche/resultats", query_string=args).plain
    assert "<th" in page and "Catégorie" in page and LASER in page and "vip, urgent" in page
    csv_text = client.get("/recherche/resultats.csv", query_string=args).plain
    lines = csv_text.strip().splitlines()
    assert lines[0] == "#,Catégorie,Étiquettes"
    assert f"{cfdesk.t['t2']},{LASER},urgent" in lines


def test_custom_field_columns_cost_a_few_statements_per_page(cfdesk, make_ticket, login_as):
    from sqlalchemy import event
    for i in range(47):
        make_ticket(cfdesk.support, subject=f"ticket {i}")
    client = login_as(cfdesk.alice)
    counts = []
    for columns in (["id", "subject"], ["id", "subject", "CF.{Catégorie}", "CF.{Étiquettes}"]):
        statements = []

        def count(conn, cursor, statement, *rest):
            statements.append(statement)
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            page = client.get("/recherche/resultats", query_string={
                "query": "id > 0", "columns": columns}).plain
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        counts.append(len(statements))
    assert "vip, urgent" in page
    assert counts[1] <= counts[0] + 6, counts  # not one query per ticket (61 before)


def test_builder_offers_the_fields_as_criteria_and_columns(cfdesk, login_as):
    page = login_as(cfdesk.alice).get("/recherche/avancee").plain
    assert '<option value="CF.{Catégorie}"' in page
    assert 'name="columns" value="CF.{Catégorie}"' in page


def test_bulk_update_sets_a_field_on_every_selected_ticket(cfdesk, login_as):
    accounts.grant("group:N1", "ShowSearchBulkUpdate")
    db.session.commit()
    client = login_as(cfdesk.alice)
    ids = [str(cfdesk.t["t2"]), str(cfdesk.t["t3"])]
    response = client.post("/recherche/modifier", htmx=True, data={
        "ids": ids, "message_kind": "comment", f"cf-{cfdesk.cat.id}": "Réseau"})
    assert response.status_code == 200 and "Catégorie : Réseau" in response.plain
    assert _found(cfdesk, "CF.{Catégorie} = 'Réseau'") == {"t1", "t2", "t3"}
    refused = client.post("/recherche/modifier", htmx=True, data={
        "ids": ids, "message_kind": "comment", f"cf-{cfdesk.cat.id}": "Nulle part"})
    assert "La valeur « Nulle part » n'existe pas pour le champ Catégorie." in refused.plain
    assert _found(cfdesk, "CF.{Catégorie} = 'Réseau'") == {"t1", "t2", "t3"}


@pytest.mark.parametrize("backend", ["whoosh", "postgresql"])
def test_quick_search_finds_a_ticket_by_a_value(cfdesk, app, tmp_path, login_as, backend):
    from rtsuivi import search
    if backend == "postgresql" and not os.environ.get(
            "RTSUIVI_TEST_DATABASE_URL", "").startswith("postgresql"):
        pytest.skip("the PostgreSQL full-text backend needs PostgreSQL (./test runs it)")
    app.config.update(RTSUIVI_INDEX_DIR=str(tmp_path / "index"), RTSUIVI_INDEX_MODE="inline",
                      RTSUIVI_SEARCH_BACKEND=backend)
    try:
        search.rebuild()
        assert set(search.search("laser", cfdesk.alice).ids) == {cfdesk.t["t2"]}
        page = login_as(cfdesk.alice).get("/recherche", query_string={"q": "câble"},
                                          follow_redirects=True).plain
        assert f'/tickets/{cfdesk.t["t1"]}"' in page
        assert f'/tickets/{cfdesk.t["t2"]}"' not in page
        # Set at creation, then renamed: the words follow (marks, or ticket_texts at once).
        new = cf.create_with_fields(cfdesk.alice, domain.NewTicket(
            queue=cfdesk.support, subject="quatre"), {cfdesk.cat.id: "Écran"})
        db.session.commit()
        assert set(search.search("écran", cfdesk.alice).ids) == {new.id}
        cf.rename_value(cfdesk.admin, cfdesk.cat.values[2], "Moniteur")
        db.session.commit()
        assert set(search.search("moniteur", cfdesk.alice).ids) == {new.id}
    finally:
        app.config["RTSUIVI_SEARCH_BACKEND"] = "whoosh"
