"""Playwright in Debian's chromium against a live server on 127.0.0.1 (no download)."""
import os
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
# Assertions wait up to 15 s (Playwright's default is 5): on a loaded 2-core machine a box
# refresh after an action has taken longer, and a wait that succeeds costs nothing more.
expect.set_options(timeout=15_000)
SCREENSHOTS = Path(__file__).parent / "screenshots"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Fail, never skip, when the browser is missing: ./test installs it.
    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: run ./test, which installs it"
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The UI follows the browser's Accept-Language: these journeys are the French manual's.
    return {**browser_context_args, "locale": "fr-FR"}


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture
def shot(page):
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(name):
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    return take


@pytest.fixture
def log_in(live_server):
    from tests.conftest import PASSWORD

    def log_in(page, user):
        page.goto(f"{live_server}/login")
        page.get_by_label("Nom d'utilisateur").fill(user.name)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url("**/accueil")
    return log_in


def phone_logged_in(browser, live_server, name: str):
    """A page 390 px wide (a phone) where this user has logged in with the test password."""
    from tests.conftest import PASSWORD
    phone = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844}) \
        .new_page()
    phone.goto(f"{live_server}/login")
    phone.get_by_label("Nom d'utilisateur").fill(name)
    phone.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    phone.get_by_role("button", name="Se connecter").click()
    return phone
