"""Bounds on the words given to the full-text engine, checked before it sees them.

Whoosh parses and runs a query recursively: 1,200 nested parentheses raised RecursionError,
which was then taken for a corrupt index and cost a rebuild. Real searches are a few words;
these bounds leave them ample room.
"""
from flask_babel import lazy_gettext as _l

from .. import DomainError

MAX_LENGTH = 1000   # characters
MAX_DEPTH = 10      # nested parentheses
MAX_TERMS = 64      # words and operators


class FullTextRefused(DomainError):
    """The full-text engine will not run these words (too long, too deep, too many)."""

    def __init__(self, reason):
        self.message = _l("Recherche plein texte trop complexe : %(reason)s", reason=reason)
        super().__init__(self.message)


def check_words(text: str) -> None:
    """Refuse full-text words longer, deeper or more numerous than the engine takes."""
    if len(text) > MAX_LENGTH:
        raise FullTextRefused(_l("%(max)d caractères au plus.", max=MAX_LENGTH))
    depth = deepest = 0
    for char in text:
        if char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth = max(0, depth - 1)
    if deepest > MAX_DEPTH:
        raise FullTextRefused(_l("%(max)d parenthèses imbriquées au plus.", max=MAX_DEPTH))
    if len(text.replace("(", " ").replace(")", " ").split()) > MAX_TERMS:
        raise FullTextRefused(_l("%(max)d mots au plus.", max=MAX_TERMS))
