"""Text that goes into a workbook: never a formula, whatever the input said."""

from __future__ import annotations

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: object) -> bool:
    """True for text starting with a character that a spreadsheet application may
    evaluate (``= + - @``, tab, carriage return). Such text is written as a string cell
    with the quote-prefix style (what Excel does when a user types ``'=1+1``): the value
    stays exactly the input text and can never become a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)
