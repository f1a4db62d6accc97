"""The blank case workbook: an About sheet that explains every column, then every sheet
of the case format with its headers (and the Settings keys with their defaults)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from optimizer.case.schema import REQUIRED, SETTINGS, SHEETS
from optimizer.case.schema_docs import HEADER, schema_rows
from optimizer.files import write_atomically

BOLD = Font(bold=True)


def write_template(path: str | Path) -> Path:
    def write(temporary: Path) -> None:
        workbook = Workbook()
        about = workbook.active
        about.title = "About"
        about.append(list(HEADER))
        for row in schema_rows():
            about.append(list(row))
        for cell in about[1]:
            cell.font = BOLD
        for letter, width in zip("ABCDEF", (14, 22, 44, 16, 26, 80), strict=True):
            about.column_dimensions[letter].width = width
        for row in about.iter_rows(min_row=2):
            row[5].alignment = Alignment(wrap_text=True)
        for sheet in SHEETS:
            worksheet = workbook.create_sheet(sheet.name)
            worksheet.append([column.name for column in sheet.columns])
            for cell in worksheet[1]:
                cell.font = BOLD
            worksheet.freeze_panes = "A2"
            for index, _ in enumerate(sheet.columns):
                worksheet.column_dimensions[chr(ord("A") + index)].width = 16
        settings = workbook["Settings"]
        for setting in SETTINGS:
            settings.append([setting.key,
                             None if setting.default is REQUIRED else setting.default])
        workbook.save(temporary)

    return write_atomically(path, write)
