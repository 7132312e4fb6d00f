"""One helper for every spreadsheet-bound export: guard against formula injection.

A cell that begins with = + - @ (or a tab or carriage return) is run as a formula by Excel and
LibreOffice. Text such cells are prefixed with an apostrophe; numbers pass unchanged.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text
