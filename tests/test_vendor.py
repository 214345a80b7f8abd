import hashlib
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "rtsuivi" / "static" / "vendor"


def test_vendored_htmx_matches_recorded_sha256():
    recorded = (STATIC / "VENDORED.md").read_text()
    digest = hashlib.sha256((STATIC / "htmx-2.0.11.min.js").read_bytes()).hexdigest()
    assert digest in recorded


def test_vendored_sortable_matches_recorded_sha256():
    recorded = (STATIC / "VENDORED.md").read_text()
    digest = hashlib.sha256((STATIC / "Sortable-1.15.7.min.js").read_bytes()).hexdigest()
    assert digest in recorded
