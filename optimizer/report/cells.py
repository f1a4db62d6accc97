"""Text that goes into a workbook: never a formula, whatever the input said."""

from __future__ import annotations

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: object) -> object:
    """Text starting with a character that a spreadsheet application may evaluate
    (``= + - @``, tab, carriage return) gets a leading apostrophe; other values pass."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
