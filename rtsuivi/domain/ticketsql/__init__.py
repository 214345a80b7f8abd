"""TicketSQL: RT's query language, parsed by a recursive-descent parser into a tree, then
compiled into a parameterised SQLAlchemy condition on Ticket.

Grammar (keywords are case-insensitive):

    query    := [or_expr] EOF
    or_expr  := and_expr ("OR" and_expr)*
    and_expr := factor ("AND" factor)*
    factor   := "(" or_expr ")" | clause
    clause   := field ["SHALLOW"] operator value | field "IS" ["NOT"] "NULL"
    operator := = | != | <> | < | > | <= | >= | ["NOT"] (LIKE | STARTSWITH | ENDSWITH)
    field    := word | quoted            (Owner, Requestor.EmailAddress, 'CF.{Name}')
    value    := quoted | word            ('x', "x", 42, __CurrentUser__, or another field)

A hand-written parser rather than a parsing library: the grammar is twenty lines, and every
error must name the character where it happened, in French, without a new dependency.
Every value reaches SQL as a bound parameter; nothing is ever built from the query text.
"""
from .compiler import STATUS_WORDS, Compiled, compile_query
from .fulltext import FullTextRefused, check_words
from .parser import INT_FIELDS, BoolOp, Clause, FullTextUnavailable, TicketSQLError, parse, tokenize

__all__ = ["INT_FIELDS", "STATUS_WORDS", "BoolOp", "Clause", "Compiled", "FullTextRefused",
           "FullTextUnavailable", "TicketSQLError", "check_words", "compile_query", "parse",
           "tokenize"]
