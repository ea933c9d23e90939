"""Cells leaving Big Care for a spreadsheet (CSV, XLSX, PDF tables): no live formulas.

OWASP's CSV injection advice: a text cell a spreadsheet would read as a formula gets a leading
apostrophe. Spreadsheets skip leading whitespace before deciding, so ``" =HYPERLINK(…)"`` and
``"\\u3000=1+1"`` are formulas too (#12 item 15); full-width signs are read as their ASCII twins.
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Tab and carriage return are triggers of their own (they split a cell in some importers).
CONTROL_START = ("\t", "\r", "\n")


def neutralise(value):
    """``value`` unchanged, or as text with a leading apostrophe when a spreadsheet would
    evaluate it. Non-text values (numbers, dates) pass through."""
    if not isinstance(value, str):
        return value
    if value.startswith(CONTROL_START) or value.lstrip().startswith(FORMULA_START):
        return "'" + value
    return value
