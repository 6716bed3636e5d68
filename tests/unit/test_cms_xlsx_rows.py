"""The HCPCS XLSX edition's rows read into records: columns, chunks read column by column or row by row, refusals
with their line, unsafe text cleaned once."""

from __future__ import annotations

import datetime as dt

import pytest

from omaliref.domain.cms import (
    FileFormatError,
)

TODAY = dt.date(2026, 11, 27)


def test_the_xlsx_columns_list_the_detail_fields_in_their_order():
    """hcpcs_records_from_rows picks the 13 cells in XLSX_COLUMNS' order and reads the details from the fifth on."""
    from omaliref.domain.cms import DETAIL_FIELDS, XLSX_COLUMNS

    assert list(XLSX_COLUMNS)[:4] == ["code", "seq", "recid", "description"]
    assert list(XLSX_COLUMNS)[4:] == list(DETAIL_FIELDS)


def test_xlsx_rows_of_text_numbers_and_short_rows_give_the_same_records():
    """hcpcs_records_from_rows strips a row of text cells in one C call and makes other cells text one by one (a
    number, a missing cell, a row shorter than the header): each way gives the same record."""
    from omaliref.domain.cms import XLSX_COLUMNS, hcpcs_records_from_rows

    header = ["", *XLSX_COLUMNS.values(), "EXTRA"]  # a leading and a trailing column the records do not use
    width = len(header)
    text = ["", "J2357", "00100", "3", "Injection, omalizumab ", *[f" {name} " for name in header[5:-1]], "x"]
    numbers: list[object] = [None, "J2357", 100.0, 3.0, "Injection, omalizumab ", *text[5:-1], None]
    short = text[:-2]  # ends before the last wanted cell: a row shorter than the header
    records = [hcpcs_records_from_rows([header, row], "x.xlsx")[0][0] for row in (text, numbers, short)]
    assert len(text) == len(numbers) == width and len(short) == width - 2
    last = list(XLSX_COLUMNS)[-1]
    assert records[0].details is not None and records[0].details[last] == header[-2]
    assert [(r.code, r.seq, r.recid, r.description) for r in records] == [
        ("J2357", 100, "3", "Injection, omalizumab ")
    ] * 3
    assert records[1].details == records[0].details
    assert records[2].details == {**records[0].details, last: ""}


def _xlsx_record_row(index: int, header: list[str]) -> list[object]:
    recid = "3" if index % 3 == 0 else "4"
    return ["", f"J{index % 10_000:04d}", f"{index % 7:05d}", recid, f"Injection {index} ", *header[5:-1], "x"]


def test_xlsx_rows_read_column_by_column_give_what_row_by_row_gives():
    """hcpcs_records_from_rows reads a chunk of plain record rows column by column and any other chunk row by row:
    over 3,500 rows with a blank row, numbers, a short row and a date-like float in some chunks, the records are
    those of reading every row one by one, with their lines."""
    import operator

    from omaliref.domain.cms import XLSX_COLUMNS, hcpcs_records_from_rows
    from omaliref.domain.cms.hcpcs import _CHUNK_ROWS, _plain_records, _row_records

    header = ["", *XLSX_COLUMNS.values(), "EXTRA"]
    body = [_xlsx_record_row(i, header) for i in range(3_500)]
    body[1_200] = [""] * len(header)  # a blank row: its chunk is read row by row
    body[2_100][2] = 3.0  # a number where the sequence number is: that column is made text cell by cell
    body[2_101] = body[2_101][:-2]  # a short row: its chunk is read row by row
    body[3_300][-2] = 20190703.0
    rows = [["HCPCS disclaimer"], header, *body]
    records, skipped = hcpcs_records_from_rows(rows, "x.xlsx")
    columns = {key: header.index(name) for key, name in XLSX_COLUMNS.items()}
    one_by_one = list(_row_records(body, 3, columns, "x.xlsx"))
    assert skipped == 1 and len(records) == 3_499 and len(body) > 3 * _CHUNK_ROWS
    assert [r.__dict__ for r in records] == [r.__dict__ for r in one_by_one]
    assert records[2_099].seq == 3 and records[2_099].line == 2_103
    pick, widest = operator.itemgetter(*columns.values()), max(columns.values())
    assert _plain_records(body[1_000:2_000], 1_003, pick, widest) is None  # the blank row
    assert _plain_records(body[2_000:3_000], 2_003, pick, widest) is None  # the short row
    assert _plain_records(body[3_000:], 3_003, pick, widest) is not None  # a number is not a reason to fall back


@pytest.mark.parametrize("bad", ["J-357", "", " "], ids=["code", "no-code", "blank-code"])
def test_a_malformed_row_in_a_chunk_is_refused_with_its_line(bad):
    from omaliref.domain.cms import XLSX_COLUMNS, hcpcs_records_from_rows

    header = ["", *XLSX_COLUMNS.values(), "EXTRA"]
    body = [_xlsx_record_row(i, header) for i in range(1_500)]
    body[1_234][1] = bad
    with pytest.raises(FileFormatError) as caught:
        hcpcs_records_from_rows([header, *body], "x.xlsx")
    assert caught.value.line == 1_236


def test_a_row_is_checked_for_unsafe_text_once_and_cleaned_only_when_it_holds_some():
    from omaliref.data.cms_writer import _all_one_line

    assert _all_one_line(("J2357", "Injection, omalizumab, 5 mg", 3, None))
    assert _all_one_line(("J2357", "NBSP\xa0is not a control character"))  # isprintable() doubts it; UNSAFE clears it
    for unsafe in ("\t", "\x1b[31m", "\u202e", "\u2028", "\x85"):
        assert not _all_one_line(("J2357", f"Injection{unsafe}x"))
