"""The schema in words: the rows of the template's About sheet and of the README's
workbook table come from here, so they never drift from what validation enforces."""

from __future__ import annotations

from optimizer.case.schema import SETTINGS, SHEETS

HEADER = ("sheet", "column", "rule", "default", "unit", "description")


def schema_rows() -> list[tuple[str, str, str, str, str, str]]:
    """One row per column of every sheet, then one per Settings key."""
    rows = []
    for sheet in SHEETS:
        if sheet.name == "Settings":
            continue
        required = "required sheet" if sheet.required else "optional sheet"
        rows.append((sheet.name, "", required, "", "", sheet.description))
        for column in sheet.columns:
            rows.append((sheet.name, column.name, column.rule(), column.default_in_words(),
                         column.unit, column.description))
    rows.append(("Settings", "", "required sheet", "", "",
                 "One setting a row: column 'key' names it, column 'value' holds it."))
    for setting in SETTINGS:
        column = setting.as_column()
        rows.append(("Settings", f"key = {setting.key}", column.rule(),
                     column.default_in_words(), "", setting.description))
    return rows


def markdown_table() -> str:
    """The schema as a Markdown table, as the README shows it."""
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for row in schema_rows():
        cells = [cell.replace("|", "\\|") for cell in row]
        if not cells[1]:
            cells = [f"**{cells[0]}**", "", cells[2], "", "", cells[5]]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")
