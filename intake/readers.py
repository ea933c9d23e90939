"""Readers: a file in, frames of text out (every cell a str, blank as "").

Hot-path module: no Django. The content decides the format (a ZIP is XLSX, a leading ``{`` is
JSON lines, anything else textual is CSV) and it must agree with the file's extension. Every
problem that stops a file from being read at all is a typed :class:`~intake.errors.IntakeError`.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from intake.errors import (
    ArchiveBomb,
    EmptyFile,
    EncodingProblem,
    MissingColumns,
    UnreadableFile,
    WrongFormat,
)

CHUNK_ROWS = 200_000
_AS_STR = pd.StringDtype("pyarrow", na_value=np.nan)
SAMPLE_BYTES = 1 << 20
# An XLSX is a ZIP of XML: refuse archives that would inflate past these before opening them.
MAX_UNCOMPRESSED = 1 << 30
MAX_RATIO = 200
INVALID_COLUMN = "__invalid__"  # a row the reader could not parse (a JSON line), with the reason

_EXTENSIONS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".jsonl": "jsonl",
    ".json": "jsonl",
    ".ndjson": "jsonl",
}


@dataclass
class Chunk:
    """Rows of text cells, columns as in the file's header, as a frame or an arrow table.

    A table (what pyarrow's CSV reader makes) stays one until a frame is asked for: it is cut
    into parts and sent to the staging processes as arrow buffers, and each part becomes a
    frame there, not in the importer's process.
    """

    data: pd.DataFrame | pa.Table
    first_row: int  # 1-based number of the first data row in the file
    # The rows' 1-based numbers when they are not consecutive (a partition of the file).
    row_numbers: np.ndarray | None = None

    @property
    def frame(self) -> pd.DataFrame:
        if isinstance(self.data, pa.Table):
            self.data = self.data.to_pandas(types_mapper=lambda _: _AS_STR)
        return self.data

    @property
    def rows(self) -> int:
        return self.data.num_rows if isinstance(self.data, pa.Table) else len(self.data)

    @property
    def columns(self) -> list[str]:
        return list(
            self.data.column_names if isinstance(self.data, pa.Table) else self.data.columns
        )


# A file is a path or an open, seekable binary stream whose ``name`` carries the file's extension
# (a kept file is decrypted as it is read: intake.keptfiles, bigcare.crypto.open_sealed).
Source = Path | io.BufferedIOBase


def _rewound(source: Source) -> Source:
    if isinstance(source, (str, os.PathLike)):
        return source
    source.seek(0)
    return source


@contextlib.contextmanager
def _binary(source: Source) -> Iterator:
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as f:
            yield f
    else:
        yield _rewound(source)


@contextlib.contextmanager
def _text(source: Source, encoding: str) -> Iterator:
    if isinstance(source, (str, os.PathLike)):
        with open(source, encoding=encoding) as f:
            yield f
        return
    wrapper = io.TextIOWrapper(_rewound(source), encoding=encoding)
    try:
        yield wrapper
    finally:
        wrapper.detach()  # the stream stays open: its owner closes it


def _size(source: Source) -> int:
    if isinstance(source, (str, os.PathLike)):
        return Path(source).stat().st_size
    return source.seek(0, io.SEEK_END)


def sniff_format(path: Source) -> str:
    with _binary(path) as f:
        head = f.read(8192)
    if not head.strip():
        raise EmptyFile("the file is empty")
    if head.startswith(b"PK\x03\x04"):
        found = "xlsx"
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        raise WrongFormat("this is an old Excel (.xls) or other OLE file: save it as .xlsx")
    elif head.startswith(b"PK") or b"\x00" in head:
        raise WrongFormat("the file is binary, not CSV, XLSX or JSON lines")
    elif head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        found = "jsonl"
    else:
        found = "csv"
    suffix = Path(getattr(path, "name", path)).suffix
    said = _EXTENSIONS.get(suffix.lower())
    if said and said != found:
        raise WrongFormat(f"the file is named {suffix} but its content is {found.upper()}")
    return found


def _decodes(data: bytes, encoding: str, final: bool) -> bool:
    try:
        codecs.getincrementaldecoder(encoding)().decode(data, final=final)
        return True
    except UnicodeDecodeError:
        return False


def detect_encoding(path: Source, declared: str = "auto") -> str:
    """UTF-8 (with or without BOM) or CP949 (EUC-KR is a subset), from the first megabyte."""
    if declared and declared != "auto":
        try:
            codecs.lookup(declared)
        except LookupError:
            raise EncodingProblem(f"unknown encoding {declared!r} declared") from None
        return declared
    with _binary(path) as f:
        sample = f.read(SAMPLE_BYTES)
        final = not f.read(1)
    if sample.startswith(codecs.BOM_UTF8) or _decodes(sample, "utf-8", final):
        return "utf-8-sig"
    if _decodes(sample, "cp949", final):
        return "cp949"
    raise EncodingProblem("the file is neither UTF-8 nor CP949 (EUC-KR): declare its encoding")


def _check_header(columns: list[str], required: list[str]) -> None:
    missing = [c for c in required if c not in columns]
    if missing:
        raise MissingColumns(missing)


def _text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    return frame.fillna("").astype("str")


# Files up to this size are decoded whole and parsed by pyarrow (both cores, ~5× pandas' parser);
# larger ones stream through pandas in chunks so memory stays bounded.
ARROW_MAX_BYTES = 512 << 20


def _read_csv_arrow(path: Source, encoding: str) -> pa.Table | None:
    """The whole file through pyarrow, or None when pandas must read it (for its typed errors).

    Everything that can fail happens here, before the first chunk is handed out: a file that
    fails half-way must not be read again from the start by the fallback.
    """
    import pyarrow.csv as pacsv

    if _size(path) > ARROW_MAX_BYTES:
        return None
    with _binary(path) as f:
        head = f.read(SAMPLE_BYTES)
    # The header ends at the first line break of any kind: old Mac files end lines with CR only.
    first_line = re.split(rb"\r\n|\r|\n", head, maxsplit=1)[0]
    try:
        header = next(csv.reader([first_line.decode(encoding)]), [])
    except (UnicodeDecodeError, csv.Error):
        return None
    names = [h.strip() for h in header]
    if not names or len(set(names)) != len(names) or "" in names:
        return None  # pandas names duplicate or blank columns its own way
    # pyarrow transcodes block by block as it parses (UTF-8 needs none: string columns are
    # checked as they are made), rather than decoding the whole file before parsing starts:
    # 1 M CP949 rows 1.3–1.8 s → 0.8–1.1 s.
    utf8 = codecs.lookup(encoding).name in ("utf-8", "utf-8-sig")
    try:
        table = pacsv.read_csv(
            _rewound(path),
            read_options=pacsv.ReadOptions(
                column_names=names, skip_rows=1, encoding="utf8" if utf8 else encoding
            ),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError):
        return None  # a ragged or broken row, or mixed encodings: pandas reads or reports it
    if table.num_rows == 0:
        return None
    return table.combine_chunks()


def read_csv(path: Source, encoding: str, required: list[str]) -> Iterator[Chunk]:
    table = _read_csv_arrow(path, encoding)
    if table is not None:
        _check_header(table.column_names, required)
        yield Chunk(table, 1)  # one chunk: it is cut by source key (pipeline.partitions) anyway
        return
    try:
        reader = pd.read_csv(
            _rewound(path),
            dtype=str,
            keep_default_na=False,
            encoding=encoding,
            chunksize=CHUNK_ROWS,
            skip_blank_lines=True,
            engine="c",
        )
        first = 1
        header_checked = False
        for frame in reader:
            frame = _text_frame(frame)
            if not header_checked:
                _check_header(list(frame.columns), required)
                header_checked = True
            yield Chunk(frame, first)
            first += len(frame)
        if not header_checked or first == 1:
            raise EmptyFile("the file has a header but no rows")
    except UnicodeDecodeError as e:
        raise EncodingProblem(
            f"bytes at offset {e.start} are not {encoding}: the file mixes encodings"
        ) from None
    except pd.errors.EmptyDataError:
        raise EmptyFile("the file is empty") from None
    except pd.errors.ParserError as e:
        raise UnreadableFile(f"the CSV cannot be parsed: {str(e).strip()[:200]}") from None


def check_archive(path: Source) -> None:
    """Refuse a ZIP bomb before any XML is parsed: total size and compression ratio."""
    try:
        with zipfile.ZipFile(_rewound(path)) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
    except zipfile.BadZipFile:
        raise WrongFormat("the file is named .xlsx but is not a valid Excel file") from None
    total = sum(m.file_size for m in members)
    packed = max(sum(m.compress_size for m in members), 1)
    if total > MAX_UNCOMPRESSED or (total > 10 * SAMPLE_BYTES and total / packed > MAX_RATIO):
        raise ArchiveBomb(
            f"the workbook would inflate to {total:,} bytes ({total // packed}× its size): refused"
        )
    if "xl/workbook.xml" not in names:
        raise WrongFormat("the ZIP file is not an Excel workbook")


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value)


_NS = rb"(?:\w+:)?"
# A formula cell whose value was never saved (a file written by a program, not by Excel):
# openpyxl reads it as blank. Self-closing <c .../> cells are not formula cells.
_FORMULA_WITHOUT_VALUE = re.compile(
    rb"<" + _NS + rb"c r=\"([A-Z]{1,3})([0-9]+)\"[^>]*(?<!/)>\s*"  # a cell, not self-closed
    rb"<" + _NS + rb"f\b[^>]*(?:/>|>[^<]*</" + _NS + rb"f>)\s*"  # its formula
    rb"(?:<" + _NS + rb"v\s*/>|<" + _NS + rb"v>\s*</" + _NS + rb"v>)?\s*"  # no value, or empty
    rb"</" + _NS + rb"c>"
)
_MERGED_RANGE = re.compile(
    rb"<" + _NS + rb"mergeCell ref=\"([A-Z]{1,3})([0-9]+)(?::([A-Z]{1,3})([0-9]+))?\""
)
_CUT_AFTER = re.compile(rb".*(?:row>|c>)", re.DOTALL)  # the end of the last whole row or cell


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


@dataclass
class SheetMarks:
    """What openpyxl's read-only mode does not tell: merged ranges and unsaved formulas."""

    merged: list[tuple[int, int, int, int]]  # (first row, first column, last row, last column)
    formulas: dict[int, list[int]]  # sheet row → columns (1-based) of formulas with no value
    _by_row: dict[int, list[tuple[int, int, int, int]]] | None = None

    def merged_on(self, sheet_row: int) -> list[tuple[int, int, int, int]]:
        if self._by_row is None:
            self._by_row = {}
            for merged in self.merged:
                for row in range(merged[0], merged[2] + 1):
                    self._by_row.setdefault(row, []).append(merged)
        return self._by_row.get(sheet_row, [])


def sheet_marks(path: Source, member: str) -> SheetMarks:
    """Scan a sheet's XML (streamed, in blocks, by regular expressions) for merged ranges
    and for formula cells with no saved value."""
    marks = SheetMarks([], {})
    with zipfile.ZipFile(_rewound(path)) as archive, archive.open(member) as f:
        carry = b""
        while True:
            block = f.read(1 << 22)
            data = carry + block
            cut = len(data)
            if block:
                last = _CUT_AFTER.match(data)
                cut = last.end() if last else 0
            for m in _FORMULA_WITHOUT_VALUE.finditer(data, 0, cut):
                marks.formulas.setdefault(int(m[2]), []).append(_column_number(m[1]))
            for m in _MERGED_RANGE.finditer(data, 0, cut):
                row, col = int(m[2]), _column_number(m[1])
                marks.merged.append((row, col, int(m[4] or m[2]), _column_number(m[3] or m[1])))
            carry = data[cut:]
            if not block:
                return marks


def _fill_merged(
    cells: list[str], sheet_row: int, marks: SheetMarks, anchors: dict[tuple[int, int], str]
) -> None:
    """A merged range's value (its top-left cell's) in each of its cells, as Excel shows it."""
    for top, left, _, right in marks.merged_on(sheet_row):
        if sheet_row == top:
            anchors[(top, left)] = cells[left - 1] if left <= len(cells) else ""
        value = anchors.get((top, left), "")
        for col in range(left, min(right, len(cells)) + 1):
            if col != left or sheet_row != top:
                cells[col - 1] = value


def read_xlsx(path: Path, required: list[str]) -> Iterator[Chunk]:
    import openpyxl  # defusedxml, when installed, makes openpyxl parse XML safely

    check_archive(path)
    try:
        book = openpyxl.load_workbook(_rewound(path), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        marks = sheet_marks(path, sheet._worksheet_path)
    except Exception as e:  # openpyxl raises many types for a broken workbook
        raise UnreadableFile(f"the workbook cannot be opened ({type(e).__name__})") from None
    try:
        rows = sheet.iter_rows(values_only=True)  # from the sheet's first row, blank or not
        header = next(rows, None)
        if header is None:
            raise EmptyFile("the workbook's first sheet is empty")
        columns = [_cell_text(c).strip() for c in header]
        _check_header(columns, required)
        # Formulas with no saved value: their rows are rejected, their reason in this column.
        extra = [INVALID_COLUMN] if marks.formulas else []
        anchors: dict[tuple[int, int], str] = {}
        batch: list[list[str]] = []
        first = 1
        for sheet_row, row in enumerate(rows, start=2):
            cells = [_cell_text(c) for c in row[: len(columns)]]
            cells += [""] * (len(columns) - len(cells))
            if marks.merged:
                _fill_merged(cells, sheet_row, marks, anchors)
            if not any(cells):
                continue
            if extra:
                unsaved = [
                    columns[c - 1] for c in marks.formulas.get(sheet_row, []) if c <= len(columns)
                ]
                cells.append(
                    f"{', '.join(unsaved)}: a formula whose value was never saved "
                    "(open the file in Excel and save it again)"
                    if unsaved
                    else ""
                )
            batch.append(cells)
            if len(batch) >= CHUNK_ROWS:
                yield Chunk(pd.DataFrame(batch, columns=columns + extra, dtype="str"), first)
                first += len(batch)
                batch = []
        if batch:
            yield Chunk(pd.DataFrame(batch, columns=columns + extra, dtype="str"), first)
            first += len(batch)
        if first == 1:
            raise EmptyFile("the workbook has a header but no rows")
    finally:
        book.close()


def read_jsonl(path: Source, encoding: str, required: list[str]) -> Iterator[Chunk]:
    """One object per line; a line that is not a JSON object becomes a row with its reason."""
    batch: list[dict] = []
    first = 1
    seen_columns: set[str] = set()
    try:
        with _text(path, encoding) as f:
            for line in f:
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                    if not isinstance(obj, dict):
                        raise ValueError
                    obj = {
                        str(k): _cell_text(v)
                        if not isinstance(v, (dict, list))
                        else json.dumps(v, ensure_ascii=False)
                        for k, v in obj.items()
                    }
                except ValueError:
                    obj = {
                        INVALID_COLUMN: "the line is not a JSON object",
                        "_line": line.strip()[:500],
                    }
                except RecursionError:
                    obj = {
                        INVALID_COLUMN: "the line is nested too deeply to be read",
                        "_line": line.strip()[:500],
                    }
                seen_columns.update(obj)
                batch.append(obj)
                if len(batch) >= CHUNK_ROWS:
                    yield Chunk(_text_frame(pd.DataFrame(batch)), first)
                    first += len(batch)
                    batch = []
    except UnicodeDecodeError as e:
        raise EncodingProblem(
            f"bytes at offset {e.start} are not {encoding}: the file mixes encodings"
        ) from None
    if batch:
        yield Chunk(_text_frame(pd.DataFrame(batch)), first)
        first += len(batch)
    if first == 1:
        raise EmptyFile("the file has no JSON lines")
    # JSON lines have no header: a column is missing when no line has it.
    missing = [c for c in required if c not in seen_columns]
    if missing:
        raise MissingColumns(missing)


def read_file(
    path: Source, encoding: str = "auto", required: list[str] | None = None
) -> tuple[str, Iterator[Chunk]]:
    """The format found and an iterator of chunks (raising typed errors as it reads)."""
    if isinstance(path, str):
        path = Path(path)
    required = required or []
    fmt = sniff_format(path)
    if fmt == "xlsx":
        return fmt, read_xlsx(path, required)
    enc = detect_encoding(path, encoding)
    if fmt == "jsonl":
        return fmt, read_jsonl(path, enc, required)
    return fmt, read_csv(path, enc, required)
