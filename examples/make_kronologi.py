"""Writes the example chronology spreadsheet, examples/kronologi-nk-lh.csv and .xlsx.

A reviewer's chronology of the Lilla Hjärtat case as people make them: a title above the
header, Swedish column names, mixed date forms (journal phrases, weeks, an interval, EDTF),
an empty row, a section heading (merged cells in the workbook), a date cell, and six
transcription errors planted for `ledger draft check` (tests/test_drafts.py names them).
Public facts only (examples/SOURCES.md); the case key is a pseudonymous label.

    .venv/bin/python examples/make_kronologi.py
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
TITLE = "Kronologi – Lilla Hjärtat (Norrköping), offentliga källor"
HEADER = ["Datum", "Känt", "Händelse", "Typ", "Verksamhet", "Källa", "Kommentar"]
HEADING = "December 2019 – januari 2020"
IVO = "IVO:s pressmeddelande 2020-10-13"
KOMMUN = "Norrköpings kommun, redogörelse 2020"
ROWS: list[list[str] | None] = [
    ["april 2016", "2016-05~", "Flickan föds med abstinenssymtom.", "",
     "Förlossningsvården", "Göteborgs-Posten; Dagens Nyheter", ""],
    ["ca 2016-06", "", "Förvaltningsrätten beslutar om vård enligt LVU.", "kronologipost",
     "Förvaltningsrätten i Linköping", "TT; Göteborgs-Posten", ""],
    ["våren 2018", "", "Föräldrarna begär att vården ska upphöra.", "kronologipost",
     "Familjen", "Dagens Nyheter; TT", "Exakt datum inte offentligt"],
    ["2018-09", "", "Kammarrätten i Jönköping: vården enligt LVU ska upphöra.", "CareEnded",
     "Kammarrätten i Jönköping", "Expressen", "TT anger i stället våren 2019"],
    ["v. 14 2019", "", "Flickan flyttar hem till föräldrarna från familjehemmet.",
     "ChildMovedHome", "Familjen", "Dagens Nyheter", ""],
    None,  # the section heading
    ["sen december 2019", "", "Första orosanmälan kommer in.", "ChronologyEntry",
     "Socialtjänsten Norrköping", IVO, ""],
    ["sen decmber 2019", "", "Socialtjänsten bedömer att flickan inte behöver omedelbart skydd.",
     "ChronologyEntry", "Socialtjänsten Norrköping", IVO, "Skyddsbedömning"],
    ["slutet av december 2019", "", "Oanmält hembesök; socialsekreterarna släpps inte in.",
     "ChronologyEntry", "Socialtjänsten Norrköping", "", ""],
    ["2019-12-20/2019-12-31", "", "Begäran om uppgifter från BVC med föräldrarnas samtycke.",
     "ChronologyEntry", "Socialtjänsten Norrköping", KOMMUN, "Datum ur kommunens redogörelse"],
    ["början av januari 2020", "", "Andra orosanmälan kommer in.", "ChronologyEntry",
     "Socialtjänsten Norrköping", IVO, ""],
    [],  # an empty row
    ["januari 2020", "ca 2020-01-30", "Flickan avlider i föräldrarnas hem.", "ChildDied",
     "Familjen", IVO, ""],
    ["mitten av februari 2020", "", "Lex Sarah-utredning inleds.", "LexSarahInvestigationOpened",
     "Norrköpings kommun", KOMMUN, ""],
    ["2020-02-30", "", "IVO inleder tillsyn av ärendet.", "ChronologyEntry", "IVO",
     "Aftonbladet", "Månaden ur en källa"],
    ["2020-10-13", "", "IVO riktar allvarlig kritik mot socialnämnden.", "ChronologyEntry",
     "IVO", IVO, ""],
]  # fmt: skip
FIRST_ROW = 3  # the header's row number: a title and an empty row above it


def csv_text() -> str:
    """Semicolon-separated, as Swedish Excel saves CSV (the file gets a byte-order mark)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([TITLE])
    writer.writerow([])
    writer.writerow(HEADER)
    for row in ROWS:
        writer.writerow([HEADING] if row is None else row)
    return out.getvalue()


def workbook() -> object:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Kronologi"
    sheet.append([TITLE])
    sheet.append([])
    sheet.append(HEADER)
    for number, row in enumerate(ROWS, start=FIRST_ROW + 1):
        if row is None:
            sheet.append([HEADING])
            sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=7)
            continue
        cells: list[object] = list(row)
        if len(row) > 0 and len(row[0]) == 10 and row[0][4] == "-" and row[0] != "2020-02-30":
            cells[0] = datetime.fromisoformat(row[0])  # a real date cell, as Excel keeps one
        sheet.append(cells)
    for column, width in zip("ABCDEFG", (24, 14, 60, 26, 28, 34, 30), strict=True):
        sheet.column_dimensions[column].width = width
    fixed = datetime(2026, 1, 1)
    book.properties.created = book.properties.modified = fixed
    return book


def main() -> None:
    (HERE / "kronologi-nk-lh.csv").write_bytes(b"\xef\xbb\xbf" + csv_text().encode())
    workbook().save(HERE / "kronologi-nk-lh.xlsx")  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
