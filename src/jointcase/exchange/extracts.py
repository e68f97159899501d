"""Reading a partner extract (docs/exchange.md "Person records"): the whole file is
refused (``ValidationError`` keyed ``file``) when it is not an extract, otherwise each data
row is returned with its line number and its text exactly as received. Pure: no database.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from jointcase.exchange.models import ImportFormat
from jointcase.exchange.records import PERSON_FIELDS, REQUIRED_FIELDS


@dataclass(frozen=True)
class ExtractRow:
    """One data row as received: ``fields`` when it could be read, else ``problem``."""

    line_number: int
    raw: str
    fields: dict[str, Any] | None
    problem: str = ""


@dataclass(frozen=True)
class Extract:
    format: str
    rows: list[ExtractRow]


def refuse(message: str, field: str = "file") -> ValidationError:
    return ValidationError({field: message})


def _text_of(content: bytes) -> str:
    if not content.strip():
        raise refuse("The file is empty")
    if b"\x00" in content[:65536]:
        raise refuse("The file is not a CSV or JSON lines text file (it looks binary)")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise refuse(
            f"The file is not UTF-8 text (an invalid byte at position {error.start})"
        ) from error


def _csv_rows(text: str) -> list[ExtractRow]:
    lines = text.splitlines(keepends=True)
    reader = csv.reader(lines)
    try:
        header = [column.strip().lower() for column in next(reader)]
    except (StopIteration, csv.Error) as error:
        raise refuse("The file has no readable CSV header") from error
    missing = [name for name in REQUIRED_FIELDS if name not in header]
    unknown = [name for name in header if name not in PERSON_FIELDS]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(f"it lacks the column(s) {', '.join(missing)}")
        if unknown:
            problems.append(f"it has unknown column(s) {', '.join(unknown)}")
        raise refuse(
            "The CSV header is not that of a person extract: "
            + " and ".join(problems)
            + f" (the columns are {', '.join(PERSON_FIELDS)}; see docs/exchange.md)"
        )
    if len(set(header)) != len(header):
        raise refuse("The CSV header names a column twice")
    rows: list[ExtractRow] = []
    end = reader.line_num
    while True:
        start = end + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            end = reader.line_num
            raw = "".join(lines[start - 1 : end]).rstrip("\r\n")
            rows.append(ExtractRow(start, raw, None, f"The line is not valid CSV ({error})"))
            continue
        end = reader.line_num
        raw = "".join(lines[start - 1 : end]).rstrip("\r\n")
        if not values or not "".join(values).strip():
            continue
        if len(values) != len(header):
            problem = f"The row has {len(values)} values; the header has {len(header)} columns"
            rows.append(ExtractRow(start, raw, None, problem))
            continue
        rows.append(ExtractRow(start, raw, dict(zip(header, values, strict=True))))
    return rows


def _jsonl_rows(text: str) -> list[ExtractRow]:
    rows: list[ExtractRow] = []
    first = True
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError:
            value = None
        if not isinstance(value, dict):
            if first:
                raise refuse(
                    "The file is neither a CSV with a person extract header nor JSON lines "
                    f"(line {number} is not a JSON object; see docs/exchange.md)"
                )
            rows.append(ExtractRow(number, line, None, "The line is not a JSON object"))
            continue
        first = False
        rows.append(ExtractRow(number, line, value))
    return rows


def extract_read(content: bytes) -> Extract:
    """Read a whole extract, or refuse it (``ValidationError`` keyed ``file``) when it is not
    one: empty, binary, not UTF-8, a CSV without the person header, JSON lines whose first line
    is not an object, or no data rows at all. The format is told by the first character: ``{``
    for JSON lines, anything else a CSV header."""
    text = _text_of(content)
    if text.lstrip().startswith("{"):
        extract = Extract(ImportFormat.JSONL, _jsonl_rows(text))
    else:
        extract = Extract(ImportFormat.CSV, _csv_rows(text))
    if not extract.rows:
        raise refuse("The file has no records, only a header")
    return extract
