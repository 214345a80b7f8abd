def test_rt_ticket_display_redirects_agents_to_ticket_page(login_as, desk, make_ticket):
    ticket = make_ticket(desk.support)
    response = login_as(desk.alice).get(f"/Ticket/Display.html?id={ticket.id}")
    assert response.status_code == 301 and response.location.endswith(f"/tickets/{ticket.id}")


def test_rt_selfservice_display_redirects_requesters_to_portal(login_as, desk, make_ticket):
    ticket = make_ticket(desk.support, requestors=[desk.denise])
    client = login_as(desk.denise)
    response = client.get(f"/SelfService/Display.html?id={ticket.id}")
    assert response.location.endswith(f"/demandes/{ticket.id}")
    assert client.get(f"/Ticket/Display.html?id={ticket.id}").location.endswith(
        f"/demandes/{ticket.id}")


def test_rt_display_with_bad_id_is_404(login_as, desk):
    assert login_as(desk.alice).get("/Ticket/Display.html?id=abc").status_code == 404


def test_rt_display_of_invisible_ticket_ends_in_404(login_as, desk, make_ticket):
    ticket = make_ticket(desk.info)
    response = login_as(desk.alice).get(f"/Ticket/Display.html?id={ticket.id}",
                                        follow_redirects=True)
    assert response.status_code == 404
