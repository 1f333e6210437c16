"""Page numbers from the query string: one rule for every list, page and API operation.

A page number outside 1 .. MAX_PAGE (or not a number at all) means the first page. Without the
upper bound a page like 10**20 becomes an offset no database integer can hold.
"""

from flask import request

MAX_PAGE = 100_000


def page_number(value):
    """``value`` (a query-string text, or None) as a page number in 1 .. MAX_PAGE, else 1."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number <= MAX_PAGE else 1


def requested_page():
    """The page the request's ``page`` argument asks for (see :func:`page_number`)."""
    return page_number(request.args.get("page"))
