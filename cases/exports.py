"""Excel and PDF exports of eligibility reports and of the access log (issue 6 §5, issue 16 §5).

Every export states a reason and is logged (``log_access(request, "export", …)``) by the view
before a byte is sent. Text cells that a spreadsheet would run as a formula are neutralised.
Each file opens with a title block (what, centre, period, who exported it, when, why) so a
printed page still says where it came from.

PDF: fpdf2's core fonts have no Hangul. The PDF embeds NanumGothic (regular and bold) from
Debian's ``fonts-nanum``, which the README's install line and ``.ci/run`` install, or the TTF
named by ``BIGCARE_PDF_FONT`` (bold from ``BIGCARE_PDF_FONT_BOLD``, else the file beside it
named ``…Bold.ttf``, else the regular face again). Without any Korean font the export refuses
with a message naming the package rather than print a romanised report nobody can file.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bigcare.cells import neutralise

# Debian's fonts-nanum; the BarunGothic pair is a second choice of the same package.
SYSTEM_FONTS = (
    ("/usr/share/fonts/truetype/nanum/NanumGothic.ttf", "NanumGothicBold.ttf"),
    ("/usr/share/fonts/truetype/nanum/NanumBarunGothic.ttf", "NanumBarunGothicBold.ttf"),
)


class FontMissing(RuntimeError):
    """No TTF with Hangul is installed: the PDF cannot be written legibly."""


@dataclass(frozen=True)
class TitleBlock:
    """What a printed export says about itself, one labelled line each."""

    title: str
    lines: Sequence[tuple[str, str]]  # (label, value): centre, period, exported by, when, reason


def korean_fonts() -> tuple[str, str]:
    """(regular, bold) TTF paths with Hangul; raise FontMissing when there is none."""
    configured = os.environ.get("BIGCARE_PDF_FONT", "")
    if configured:
        regular = Path(configured)
        if not regular.is_file():
            raise FontMissing(f"BIGCARE_PDF_FONT={configured}")
        bold_env = os.environ.get("BIGCARE_PDF_FONT_BOLD", "")
        sibling = regular.with_name(f"{regular.stem}Bold{regular.suffix}")
        bold = Path(bold_env) if bold_env else sibling
        return str(regular), str(bold if bold.is_file() else regular)
    for regular, bold_name in SYSTEM_FONTS:
        if os.path.isfile(regular):
            bold = Path(regular).with_name(bold_name)
            return regular, str(bold if bold.is_file() else regular)
    raise FontMissing("fonts-nanum")


def _width(value) -> int:
    """Display width in spreadsheet characters: Hangul and other wide letters count twice."""
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x1100 else 1 for ch in text)


def xlsx(
    sheet_name: str,
    header: Sequence[str],
    rows: Sequence[Sequence],
    block: TitleBlock | None = None,
    max_width: int = 60,
) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = book.add_worksheet(sheet_name[:31])
    bold = book.add_format({"bold": True})
    heading = book.add_format({"bold": True, "bottom": 1, "bg_color": "#EEEEEE"})
    title = book.add_format({"bold": True, "font_size": 14})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    top = 0
    if block is not None:
        sheet.write_string(0, 0, neutralise(block.title), title)
        for i, (label, value) in enumerate(block.lines, start=1):
            sheet.write_string(i, 0, neutralise(label), bold)
            sheet.write_string(i, 1, neutralise(str(value)))
        top = len(block.lines) + 2
    sheet.write_row(top, 0, [neutralise(h) for h in header], heading)
    widths = [_width(h) for h in header]
    for i, row in enumerate(rows, start=top + 1):
        for j, value in enumerate(row):
            value = neutralise(value)
            widths[j] = max(widths[j], _width(value))
            if isinstance(value, str):
                sheet.write_string(i, j, value, wrap)
            elif value is None:
                sheet.write_blank(i, j, None)
            else:
                sheet.write(i, j, value)
    for j, width in enumerate(widths):
        sheet.set_column(j, j, min(max(width, 6) + 2, max_width))
    sheet.freeze_panes(top + 1, 0)
    sheet.autofilter(top, 0, top + len(rows), len(header) - 1)
    book.close()
    return buffer.getvalue()


def pdf(
    block: TitleBlock,
    header: Sequence[str],
    rows: Sequence[Sequence],
    widths: Sequence[float],
) -> bytes:
    from fpdf import FPDF

    regular, bold = korean_fonts()
    doc = FPDF(orientation="L", unit="mm", format="A4")
    doc.add_font("ko", "", regular)
    doc.add_font("ko", "B", bold)
    doc.add_page()
    doc.set_font("ko", "B", size=13)
    doc.cell(0, 8, block.title, new_x="LMARGIN", new_y="NEXT")
    doc.set_font("ko", size=9)
    for label, value in block.lines:
        doc.cell(0, 5, f"{label}: {value}", new_x="LMARGIN", new_y="NEXT")
    doc.ln(2)
    with doc.table(col_widths=tuple(widths), text_align="LEFT", line_height=5) as table:
        head = table.row()
        for h in header:
            head.cell(h)
        for row in rows:
            r = table.row()
            for v in row:
                r.cell("" if v is None else str(neutralise(str(v))))
    return bytes(doc.output())
