"""Issue 12's refusal rule, over every Administration URL the application has (read from
its URL map, so a page added later is covered): an agent without any admin right, and a
requester, get 403 on each, as a page and as an htmx fragment, GET and POST alike."""
import pytest

HTMX = {"HX-Request": "true"}


def _admin_urls(app) -> list[tuple[str, set[str]]]:
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin"):
            continue
        values = {name: 1 for name in rule.arguments}
        for name, converter in rule._converters.items():
            if hasattr(converter, "items"):  # any(...): its first word
                values[name] = sorted(converter.items)[0]
            elif type(converter).__name__ in ("UnicodeConverter", "PathConverter"):
                values[name] = "x"
        with app.test_request_context():
            from flask import url_for
            found.append((url_for(rule.endpoint, **values), set(rule.methods) - {"HEAD",
                                                                                 "OPTIONS"}))
    return found


@pytest.mark.parametrize("who", ["alice", "denise"])
def test_every_admin_url_is_403_without_an_admin_right(app, desk, login_as, who):
    urls = _admin_urls(app)
    assert len(urls) > 40, urls  # the whole of Administration is read from the map
    client = login_as(getattr(desk, who))
    token = client.refresh_token()
    assert token
    for url, methods in urls:
        for method in sorted(methods):
            for headers in ({}, HTMX):
                if method == "GET":
                    answer = client.get(url, headers=headers)
                else:  # with the CSRF token, so that the right is what refuses
                    answer = client.open(url, method=method, data={"x": "1"},
                                         headers={**headers, "X-CSRFToken": token})
                assert answer.status_code == 403, (method, url, headers, answer.status_code)
