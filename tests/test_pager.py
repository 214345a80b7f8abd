"""The one pager macro (templates/_macros.html `pager`) every paginated list uses: links keep
the list's arguments, leave out the empty ones, and swap a box through htmx when asked."""
from flask import render_template_string

from rtsuivi.domain.queries import Page

CALL = "{{ pager(page, endpoint, args, box=box) }}"


def _render(app, page, endpoint, args=None, box=None):
    with app.test_request_context("/"):
        return render_template_string(CALL, page=page, endpoint=endpoint, args=args or {},
                                      box=box)


def test_one_page_shows_no_pager(app):
    assert "pager" not in _render(app, Page([], 10, 1, 25), "admin.users")


def test_links_keep_the_arguments_and_drop_the_empty_ones(app):
    html = _render(app, Page([], 120, 2, 50), "search.results",
                   {"q": "écran", "query": "Status = 'new'", "kind": None})
    assert "page=1&amp;q=%C3%A9cran&amp;query=Status" in html
    assert "page=3&amp;q=%C3%A9cran&amp;query=Status" in html
    assert "kind=" not in html and "Page 2 sur 3" in html
    assert 'rel="prev"' in html and 'rel="next"' in html and "hx-boost" not in html


def test_a_box_is_swapped_through_htmx(app):
    html = _render(app, Page([], 30, 1, 25), "admin.custom_fields", {"q": "b"},
                   box="field-list")
    assert 'hx-target="#field-list"' in html and 'hx-select="#field-list"' in html
    assert 'href="/admin/champs-personnalises?page=2&amp;q=b" rel="next"' in html
    assert 'rel="prev"' not in html
