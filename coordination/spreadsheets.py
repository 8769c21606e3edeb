"""Cells for CSV and Excel exports that a spreadsheet shows as text and never runs.

A spreadsheet program takes a cell beginning with =, +, -, @ (or a tab or carriage return before
one) as a formula; text typed by the public (a case title, a company name) could otherwise call
out to the web or run commands when an official opens an export ("CSV injection"). Numbers
stay numbers; text that would start a formula gets a leading apostrophe in CSV (shown by the
spreadsheet, as OWASP advises) and is stored as a text cell in Excel files."""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str | int | float:
    """A CSV value: numbers as they are, text that would start a formula after an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def append_row(sheet, values) -> None:
    """Append a row to an openpyxl worksheet with every text cell stored as text (openpyxl would
    otherwise store a string starting with = as a formula)."""
    sheet.append([None] * len(values) if values else [])
    row = sheet.max_row
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column)
        if value is None:
            continue
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            cell.value = value
        else:
            cell.value = str(value)
            cell.data_type = "s"
