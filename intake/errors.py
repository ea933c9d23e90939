"""File-level problems: each a type, each with a message an administrator can act on.

A file-level problem fails the run; a row-level problem rejects the row (RejectedRow) and never
fails the run. Messages never quote cell contents, so no identity number can leak through them.
"""

from django.utils.translation import gettext_noop


class IntakeError(Exception):
    """A problem with a file or a mapping that fails the whole run."""

    code = "intake_error"


class EmptyFile(IntakeError):
    code = "empty_file"


class EncodingProblem(IntakeError):
    code = "encoding"


class WrongFormat(IntakeError):
    """The content is not what the extension or the source says."""

    code = "wrong_format"


class ArchiveBomb(IntakeError):
    code = "archive_bomb"


class MissingColumns(IntakeError):
    code = "missing_columns"

    def __init__(self, missing: list[str]):
        self.missing = missing
        super().__init__("missing required columns: " + ", ".join(missing))


class UnreadableFile(IntakeError):
    code = "unreadable"


class MappingError(IntakeError):
    code = "mapping"


class RunStateError(IntakeError):
    code = "run_state"


class AmbiguousDates(IntakeError):
    """A date field's formats read some of the file's values as different dates.

    ``%m/%d/%Y`` before ``%d/%m/%Y`` would read 03/02/1950 as March and never say so: the
    import is refused with the counts, and the administrator keeps the one format that fits.
    """

    code = "ambiguous_dates"

    def __init__(self, label: str, rows_read: dict[str, int], ambiguous: int):
        self.label, self.rows_read, self.ambiguous = label, rows_read, ambiguous
        read = ", ".join(f"{fmt} reads {n:,}" for fmt, n in rows_read.items())
        super().__init__(
            f"{label}: {ambiguous:,} rows are read as different dates by more than one of the "
            f"mapping's formats ({read} rows): keep only the format the file uses"
        )

    def __reduce__(self):
        return type(self), (self.label, self.rows_read, self.ambiguous)


# Each error in plain Korean for the run's page (msgids translated in locale/ko; marked with
# gettext_noop so that makemessages keeps them); the technical detail follows it.
SUMMARIES = {
    EmptyFile.code: gettext_noop("The file has no rows to import."),
    EncodingProblem.code: gettext_noop(
        "The file's text encoding cannot be read: save it as UTF-8 or CP949."
    ),
    WrongFormat.code: gettext_noop(
        "The file is not the format this source sends (CSV, Excel or JSON lines)."
    ),
    ArchiveBomb.code: gettext_noop(
        "The Excel file would be far too large once opened: it was refused."
    ),
    MissingColumns.code: gettext_noop("Columns the mapping needs are missing from the file."),
    UnreadableFile.code: gettext_noop("The file is damaged or cut short and cannot be read."),
    MappingError.code: gettext_noop("The source's column mapping has an error."),
    RunStateError.code: gettext_noop("The import cannot be done in its present state."),
    AmbiguousDates.code: gettext_noop(
        "Dates in the file can be read in more than one way: the import was "
        "refused so that no day and month are swapped."
    ),
}
UNEXPECTED_SUMMARY = gettext_noop("The import failed for a reason the program did not foresee.")
