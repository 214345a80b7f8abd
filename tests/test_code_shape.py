"""The sizes issue 11 asks for, measured on the code (docs/architecture.md, « Conventions »):
a module under rtsuivi/ holds at most 400 lines, a domain function at most 40, a view (a
function decorated with a blueprint route) at most 20. A function's size counts from its
`def` line to its last line (decorators not counted, docstring included)."""
import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "rtsuivi"
MAX_MODULE_LINES = 400
MAX_DOMAIN_FUNCTION_LINES = 40
MAX_VIEW_LINES = 20

# Today's exceptions, so that the test passes and any NEW violation fails; each leaves the
# list when its code is split (test_every_allowed_exception_is_still_one says when).
MODULES_ALLOWED: set[str] = set()
DOMAIN_FUNCTIONS_ALLOWED: set[str] = set()
VIEWS_ALLOWED: set[str] = set()


def _python_files():
    return sorted(p for p in ROOT.rglob("*.py") if "translations" not in p.parts)


def _name(path: Path) -> str:
    return path.relative_to(ROOT.parent).as_posix()


def _functions(tree):
    """Every function of a module, nested ones included, with its qualified name."""
    def walk(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield f"{prefix}{child.name}", child
                yield from walk(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                yield from walk(child, f"{prefix}{child.name}.")
    yield from walk(tree, "")


def _length(function) -> int:
    return function.end_lineno - function.lineno + 1


def _is_route(decorator) -> bool:
    """`@bp.route(...)`, `@bp.get(...)`, `@bp.post(...)` (any blueprint object)."""
    return (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)
            and decorator.func.attr in {"route", "get", "post", "put", "patch", "delete"})


def module_violations():
    found = {}
    for path in _python_files():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            found[_name(path)] = lines
    return found


def domain_function_violations():
    found = {}
    for path in _python_files():
        if "domain" not in path.relative_to(ROOT).parts:
            continue
        for qualname, function in _functions(ast.parse(path.read_text(encoding="utf-8"))):
            if _length(function) > MAX_DOMAIN_FUNCTION_LINES:
                found[f"{_name(path)}:{qualname}"] = _length(function)
    return found


def view_violations():
    found = {}
    for path in _python_files():
        for qualname, function in _functions(ast.parse(path.read_text(encoding="utf-8"))):
            if any(_is_route(d) for d in function.decorator_list) and \
                    _length(function) > MAX_VIEW_LINES:
                found[f"{_name(path)}:{qualname}"] = _length(function)
    return found


def test_modules_hold_at_most_400_lines():
    too_long = {k: v for k, v in module_violations().items() if k not in MODULES_ALLOWED}
    assert not too_long, f"modules over {MAX_MODULE_LINES} lines (split them): {too_long}"


def test_domain_functions_hold_at_most_40_lines():
    too_long = {k: v for k, v in domain_function_violations().items()
                if k not in DOMAIN_FUNCTIONS_ALLOWED}
    assert not too_long, f"domain functions over {MAX_DOMAIN_FUNCTION_LINES} lines: {too_long}"


def test_views_hold_at_most_20_lines():
    too_long = {k: v for k, v in view_violations().items() if k not in VIEWS_ALLOWED}
    assert not too_long, f"views over {MAX_VIEW_LINES} lines: {too_long}"


def test_every_allowed_exception_is_still_one():
    """An entry of the allow-lists whose code was split must leave the list with it."""
    stale = (MODULES_ALLOWED - set(module_violations())) | \
        (DOMAIN_FUNCTIONS_ALLOWED - set(domain_function_violations())) | \
        (VIEWS_ALLOWED - set(view_violations()))
    assert not stale, f"no longer too long, remove from the allow-list: {sorted(stale)}"


def test_a_long_view_is_found(tmp_path, monkeypatch):
    """The check sees through decorators: a 21-line route is a violation, a 20-line one not."""
    body = "\n".join(f"    x{i} = {i}" for i in range(18))
    (tmp_path / "views.py").write_text(
        f"@bp.route('/a')\n@login_required\ndef long():\n{body}\n    x = 1\n    return x0\n\n"
        f"@bp.get('/b')\ndef short():\n{body}\n    return x0\n\n"
        f"def helper():\n{body}\n{body}\n    return x0\n")
    monkeypatch.setattr("tests.test_code_shape.ROOT", tmp_path)
    assert view_violations() == {f"{tmp_path.name}/views.py:long": 21}


# Mentions of files that are not in the repository; remove each when its file is fixed:
# None today.
OUTSIDE_ALLOWED: set[tuple[str, str]] = set()


def test_no_reference_to_a_file_outside_the_repository():
    """README and code point to guides that ship with them (docs/), not to ../shared."""
    repo = ROOT.parent
    texts = [repo / "README.md", *(repo / "docs").rglob("*.md"), *ROOT.rglob("*.py"),
             *ROOT.rglob("*.html"), *ROOT.rglob("*.md"), *(repo / "tests").glob("*.py"),
             *(repo / "bench").glob("*.py")]
    present = {p.relative_to(repo).as_posix() for p in repo.rglob("*.md") if ".venv" not in p.parts}
    dangling = set()
    for path in texts:
        if path == Path(__file__).resolve():
            continue
        source = path.read_text(encoding="utf-8")
        for mention in re.findall(r"[\w./-]*\w\.md\b", source):
            name = mention.lstrip("./")
            if "../" in mention or not any(p == name or p.endswith("/" + name) for p in present):
                dangling.add((path.relative_to(repo).as_posix(), mention))
    assert not dangling - OUTSIDE_ALLOWED, sorted(dangling - OUTSIDE_ALLOWED)
