"""Every htmx event the server announces is heard by some element, and every event an element
waits for is announced somewhere (issue 11, item 7: no unheard events). Events follow
docs/architecture.md's naming, `<area>-changed` or `<area>-<part>-changed`; names built at run time
(f"ticket-{part}-changed", hx-trigger="ticket-{{ part }}-changed") count as patterns."""
import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "rtsuivi"
EVENT = re.compile(r"^[a-z{][a-z0-9{}_. -]*-changed$")

# Events announced that no element listens to, on purpose (none today).
UNHEARD_ALLOWED: set[str] = set()


def _python_strings(tree):
    """String constants and f-strings of the code, docstrings left out ({} for a value)."""
    docstrings = {id(node.value) for node in ast.walk(tree)
                  if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and id(node) not in docstrings:
            yield node.value
        elif isinstance(node, ast.JoinedStr):
            yield "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)


def announced() -> set[str]:
    found = set()
    for path in ROOT.rglob("*.py"):
        found |= {s for s in _python_strings(ast.parse(path.read_text(encoding="utf-8")))
                  if EVENT.match(s)}
    for path in (ROOT / "static" / "js").rglob("*.js"):
        found |= set(re.findall(r"""(?:trigger|CustomEvent)\(\s*[^"']*["']([a-z-]+-changed)["']""",
                                path.read_text(encoding="utf-8")))
    return found


def listened() -> set[str]:
    found = set()
    for path in (ROOT / "templates").rglob("*.html"):
        for value in re.findall(r'hx-trigger="([^"]*)"', path.read_text(encoding="utf-8")):
            for spec in value.split(","):
                name = re.sub(r"{{.*?}}", "{}", spec).split()[0] if spec.split() else ""
                if EVENT.match(name):
                    found.add(name)
    for path in (ROOT / "static" / "js").rglob("*.js"):
        found |= set(re.findall(r"""addEventListener\(\s*["']([a-z-]+-changed)["']""",
                                path.read_text(encoding="utf-8")))
    return found


def _matches(name: str, others: set[str]) -> bool:
    """A name matches a name of the other side, either being a pattern ({} for any part)."""
    def pattern(text):
        return re.compile("^" + re.escape(text).replace(r"\{\}", "[a-z0-9-]+") + "$")
    return any(pattern(other).match(name) or pattern(name).match(other) or
               re.sub(r"\{[^}]*\}", "{}", other) == re.sub(r"\{[^}]*\}", "{}", name)
               for other in others)


def test_every_announced_event_is_heard():
    heard = listened()
    unheard = {name for name in announced() - UNHEARD_ALLOWED if not _matches(name, heard)}
    assert not unheard, f"announced, but no element listens: {sorted(unheard)}"


def test_every_awaited_event_is_announced():
    said = announced()
    silent = {name for name in listened() if not _matches(name, said)}
    assert not silent, f"elements wait for events nobody announces: {sorted(silent)}"


def test_the_allowed_unheard_events_are_still_announced_and_unheard():
    """The allow-list shrinks with the code: a name fixed there must leave it."""
    heard, said = listened(), announced()
    assert all(name in said and not _matches(name, heard) for name in UNHEARD_ALLOWED)


def test_the_scan_sees_both_sides():
    assert "search-results-changed" in announced() & listened()
    assert _matches("ticket-people-changed", {"ticket-{}-changed"})
    assert not _matches("ticket-people-changed", {"ticket-changed"})
