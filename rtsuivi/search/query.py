"""TicketSQL run as a user, its Content clauses answered by the full-text index.

The one function the web views, the CLI and a future API call to turn a query into a
condition on Ticket (rights filter included); none of them wires the index in itself.
"""
from ..domain.ticketsql import Compiled, compile_query
from ..models import User


def compile_for(query: str, user: User, zone: str | None = None) -> Compiled:
    """Compile TicketSQL for the user; Content goes to the index, dates in `zone`.

    Raises TicketSQLError before anything runs, FullTextUnavailable (a TicketSQLError)
    while the index cannot answer.
    """
    def fulltext(words, statuses=None):
        from . import search  # the package's search(); imported late: it imports us
        return search(words, user, statuses)
    return compile_query(query, user, fulltext=fulltext, zone=zone)
