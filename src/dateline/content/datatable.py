"""Data tables of infographics: rows of text, the first row the header.

Stored as JSON (``[["Year", "Tonnes"], ["2021", "1,250"], …]``) and shown as
a real <table>; editors type it as CSV. Every path that writes a table goes
through ``validate_data_table``.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.core.exceptions import ValidationError

MAX_ROWS = 500
MAX_COLUMNS = 20
MAX_CELL = 200


def validate_data_table(value: Any) -> None:
    """Empty, or a header row and at least one row, all of the same width."""
    if value in (None, []):
        return
    if not isinstance(value, list) or not all(isinstance(row, list) for row in value):
        raise ValidationError("The table must be a list of rows.")
    if len(value) < 2:
        raise ValidationError("The table needs a header row and at least one row.")
    if len(value) > MAX_ROWS + 1:
        raise ValidationError(f"The table may have at most {MAX_ROWS} rows.")
    header = value[0]
    if not 1 <= len(header) <= MAX_COLUMNS:
        raise ValidationError(f"The table may have 1 to {MAX_COLUMNS} columns.")
    if not all(isinstance(cell, str) and cell.strip() for cell in header):
        raise ValidationError("Every column needs a heading in the first row.")
    for number, row in enumerate(value[1:], start=2):
        if len(row) != len(header):
            raise ValidationError(
                f"Row {number} has {len(row)} cells; the header has {len(header)}."
            )
        if not all(isinstance(cell, str) for cell in row):
            raise ValidationError(f"Row {number}: every cell must be text.")
    for number, row in enumerate(value, start=1):
        for cell in row:
            if len(cell) > MAX_CELL:
                raise ValidationError(
                    f"Row {number}: a cell is longer than {MAX_CELL} characters."
                )


def parse_table_text(text: str) -> list[list[str]]:
    """CSV typed in the newsroom into rows (validated); blank lines skipped."""
    if not text.strip():
        return []
    try:
        rows = [
            [cell.strip() for cell in row]
            for row in csv.reader(io.StringIO(text.strip()))
            if any(cell.strip() for cell in row)
        ]
    except csv.Error as error:
        raise ValidationError(f"The table cannot be read as CSV: {error}.") from None
    validate_data_table(rows)
    return rows


def table_text(rows: list[list[str]]) -> str:
    """Rows back to CSV, for editing."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()
