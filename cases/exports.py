"""Excel and PDF exports of eligibility reports (issue 6 §5).

Every export states a reason and is logged (``log_access(request, "export", …)``) by the view
before a byte is sent. Text cells that a spreadsheet would run as a formula are neutralised.
PDF: fpdf2's core fonts have no Hangul and no package we trust ships a Korean font, so the PDF
uses the TTF named by ``BIGCARE_PDF_FONT`` when set (e.g. NanumGothic.ttf) and otherwise writes
names romanised, saying so on the page.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence

from bigcare.cells import neutralise


def xlsx(title: str, header: Sequence[str], rows: Sequence[Sequence]) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = book.add_worksheet(title[:31])
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, [neutralise(h) for h in header], bold)
    for i, row in enumerate(rows, start=1):
        for j, value in enumerate(row):
            value = neutralise(value)
            if isinstance(value, str):
                sheet.write_string(i, j, value)
            elif value is None:
                sheet.write_blank(i, j, None)
            else:
                sheet.write(i, j, value)
    sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


def _latin(text: str) -> str:
    from matching.normalize import romanize

    out = []
    for chunk in str(text).split(" "):
        if any("\uac00" <= ch <= "\ud7a3" for ch in chunk):
            chunk = romanize(chunk)
        out.append(chunk)
    return (
        " ".join(out)
        .replace("₩", "KRW ")
        .replace("≤", "<=")
        .encode("latin-1", "replace")
        .decode("latin-1")
    )


def pdf(
    title: str, header: Sequence[str], rows: Sequence[Sequence], widths: Sequence[float]
) -> bytes:
    from fpdf import FPDF

    doc = FPDF(orientation="L", unit="mm", format="A4")
    font = os.environ.get("BIGCARE_PDF_FONT", "")
    korean = bool(font) and os.path.exists(font)
    doc.add_page()
    if korean:
        doc.add_font("ko", "", font)
        doc.set_font("ko", size=9)
        fix = str
    else:
        doc.set_font("Helvetica", size=9)
        fix = _latin
    doc.cell(0, 8, fix(title), new_x="LMARGIN", new_y="NEXT")
    if not korean:
        doc.cell(
            0,
            6,
            "Hangul romanised: no Korean font configured (BIGCARE_PDF_FONT).",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    with doc.table(col_widths=tuple(widths), text_align="LEFT", line_height=5) as table:
        head = table.row()
        for h in header:
            head.cell(fix(h))
        for row in rows:
            r = table.row()
            for v in row:
                r.cell(fix("" if v is None else neutralise(str(v))))
    return bytes(doc.output())
