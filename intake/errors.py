"""File-level problems: each a type, each with a message an administrator can act on.

A file-level problem fails the run; a row-level problem rejects the row (RejectedRow) and never
fails the run. Messages never quote cell contents, so no identity number can leak through them.
"""


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
