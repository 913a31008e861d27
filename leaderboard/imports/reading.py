"""Files of rows (CSV, JSON, XLSX) read within bounds: a file is refused, with the
limit it passed, before it can cost more memory or time than a file at the limits.

The bounds are checked before reading where the format states them (the file's size,
an XLSX's declared dimensions and unpacked sizes) and while reading otherwise (rows,
columns, a cell's length), so a 5 KB file that claims a million rows costs nothing.
A file at the limits imports in the time ``make scale`` reports for 10,000 rows.
"""

import csv
import io
import json
import zipfile

import tablib
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.exceptions import InvalidFileException

from .run import ImportRefused

# The formats rows come in, by the name ``--format`` takes and a file's suffix.
ROW_FORMATS = ("csv", "json", "xlsx")

# A file's size as uploaded (10,000 rows with their quotes are about 2 MB).
MAX_FILE_BYTES = 10 * 1024 * 1024
# Rows of results in one file, the header not counted.
MAX_ROWS = 10_000
# Columns a row may have (a row of results has 15).
MAX_COLUMNS = 30
# Characters in one cell (a quote is a sentence or a harness file's task block).
MAX_CELL_CHARS = 20_000
# An XLSX is a zip: what its parts may unpack to, all together.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
# Empty rows an XLSX may hold besides its rows of results (spreadsheets keep some).
MAX_EMPTY_ROWS = 1_000

LIMITS = {
    "file size": f"{MAX_FILE_BYTES // (1024 * 1024)} MB",
    "rows": f"{MAX_ROWS:,}",
    "columns": f"{MAX_COLUMNS}",
    "characters in a cell": f"{MAX_CELL_CHARS:,}",
    "unpacked XLSX": f"{MAX_UNPACKED_BYTES // (1024 * 1024)} MB",
}


def read_rows(data, name, fmt):
    """A tablib Dataset of the rows in ``data`` (bytes) of format ``fmt``; raises
    ImportRefused with a sentence naming ``name`` and what is wrong or which limit the
    file passed."""
    if fmt not in ROW_FORMATS:
        raise ImportRefused(f"{name}: not a format rows come in (csv, json or xlsx).")
    check_size(len(data), name)
    if fmt == "xlsx":
        header, rows = xlsx_rows(data, name)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportRefused(f"{name}: not UTF-8 text ({error.reason}).") from error
        header, rows = csv_rows(text, name) if fmt == "csv" else json_rows(text, name)
    return dataset_of(header, rows, name)


def read_path(path, fmt=None):
    """``read_rows`` for a file on disk, its format from its suffix unless given; the
    size is checked before the file is read."""
    fmt = fmt or path.suffix.lstrip(".").lower()
    if fmt not in ROW_FORMATS:
        raise ImportRefused(f"{path.name}: not a format rows come in (csv, json or xlsx).")
    check_size(path.stat().st_size, path.name)
    return read_rows(path.read_bytes(), path.name, fmt)


def check_size(size, name, limit=MAX_FILE_BYTES, advice=": split it into smaller files"):
    """Refuse a file of ``size`` bytes over ``limit``, saying what to do instead."""
    if size > limit:
        raise ImportRefused(
            f"{name}: the file is {size / (1024 * 1024):.1f} MB, over the limit of "
            f"{limit // (1024 * 1024)} MB{advice}."
        )


def dataset_of(header, rows, name):
    if not header and rows:
        raise ImportRefused(f"{name}: its rows name no columns (model, benchmark, …).")
    if not header:
        raise ImportRefused(f"{name}: the file holds no rows (not even a header).")
    if not rows:
        raise ImportRefused(f"{name}: the file holds a header but no rows of results.")
    names = [str(cell).strip() if cell is not None else "" for cell in header]
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if repeated:
        raise ImportRefused(f"{name}: the header names {', '.join(repeated)} more than once.")
    dataset = tablib.Dataset(headers=names)
    for row in rows:  # each checked for its width as it was read
        dataset.append(row)
    return dataset


def check_row(cells, number, width, name):
    """One row's shape and cells, as read: refused with where and what."""
    if len(cells) != width:
        raise ImportRefused(
            f"{name}: row {number} has {len(cells)} cell(s) where the header has {width}: "
            "every row needs one cell per column (an empty cell is fine)."
        )
    for column, cell in enumerate(cells, 1):
        if isinstance(cell, str) and "\x00" in cell:
            # Refused here: PostgreSQL cannot even look a slug holding one up.
            raise ImportRefused(
                f"{name}: row {number}, column {column} holds a NUL character (U+0000): remove it."
            )
        if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
            raise ImportRefused(
                f"{name}: row {number}, column {column} holds {len(cell):,} characters, over "
                f"the limit of {LIMITS['characters in a cell']}."
            )


def too_many_rows(name):
    return ImportRefused(
        f"{name}: the file holds more than {LIMITS['rows']} rows, the limit of one "
        "import: split it into smaller files."
    )


def check_header(header, name):
    if len(header) > MAX_COLUMNS:
        raise ImportRefused(
            f"{name}: the header has {len(header):,} columns, over the limit of "
            f"{LIMITS['columns']} (a row of results has 15)."
        )


def csv_rows(text, name):
    # csv's own limit on a field is 128 KB; ours is checked with a clearer sentence.
    reader = csv.reader(io.StringIO(text, newline=""))
    header, rows = None, []
    try:
        for cells in reader:
            if header is None:
                header = cells
                check_header(header, name)
                continue
            if not any(cell.strip() for cell in cells):
                continue  # a blank line
            if len(rows) == MAX_ROWS:
                raise too_many_rows(name)
            check_row(cells, len(rows) + 1, len(header), name)
            rows.append(cells)
    except csv.Error as error:
        if "field limit" in str(error):  # csv's own bound, below ours: say ours
            raise ImportRefused(
                f"{name}: line {reader.line_num} holds a cell over the limit of "
                f"{LIMITS['characters in a cell']} characters."
            ) from error
        raise ImportRefused(
            f"{name}: cannot be read as CSV at line {reader.line_num}: {error}."
        ) from error
    return header, rows


SCALAR = (str, int, float, bool, type(None))


def json_rows(text, name):
    """Rows from a JSON list of objects, each object's keys naming its columns."""
    if not text.lstrip().startswith("["):
        raise ImportRefused(f"{name}: rows of results are a JSON list of objects.")
    try:
        items = json.loads(text)
    except RecursionError:
        raise ImportRefused(f"{name}: the JSON is nested too deeply to be rows.") from None
    except ValueError as error:
        raise ImportRefused(f"{name}: cannot be read as JSON ({error}).") from error
    if not isinstance(items, list):
        raise ImportRefused(f"{name}: rows of results are a JSON list of objects.")
    if len(items) > MAX_ROWS:
        raise too_many_rows(name)
    header = {}
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise ImportRefused(
                f"{name}: item {number} of the list is {json_type(item)}, not an object "
                'of columns ({"model": …, "benchmark": …}).'
            )
        for key, value in item.items():
            if not isinstance(value, SCALAR):
                raise ImportRefused(
                    f"{name}: row {number}'s {key!r} is {json_type(value)}: a cell is text, "
                    "a number, true, false or null."
                )
            header.setdefault(key, None)
            if len(header) > MAX_COLUMNS:
                raise ImportRefused(
                    f"{name}: the rows name more than {LIMITS['columns']} columns "
                    "between them (a row of results has 15)."
                )
    header = list(header)
    rows = []
    for number, item in enumerate(items, 1):
        cells = ["" if item.get(key) is None else item[key] for key in header]
        check_row(cells, number, len(header), name)
        rows.append(cells)
    return header, rows


def json_type(value):
    return {list: "a list", dict: "an object"}.get(type(value), type(value).__name__)


def xlsx_rows(data, name):
    """The first sheet's rows. Refused before reading when its parts would unpack to
    more than the limit or its declared dimensions pass the limits; read streaming,
    so a sheet that under-declares is stopped at the limit as it is read."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(part.file_size for part in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise ImportRefused(f"{name}: cannot be read as XLSX (not a zip archive).") from error
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportRefused(
            f"{name}: its parts unpack to {unpacked / (1024 * 1024):,.0f} MB, over the limit "
            f"of {LIMITS['unpacked XLSX']}."
        )
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise ImportRefused(f"{name}: cannot be read as XLSX ({error or 'no sheet'}).") from error
    except Exception as error:  # openpyxl's parsers raise many kinds on a broken part
        raise ImportRefused(
            f"{name}: cannot be read as XLSX ({type(error).__name__}: {error})."
        ) from error
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise ImportRefused(f"{name}: the workbook has no sheet.")
        check_dimensions(sheet, name)
        return sheet_rows(sheet, name)
    except ImportRefused:
        raise
    except Exception as error:
        raise ImportRefused(
            f"{name}: cannot be read as XLSX ({type(error).__name__}: {error})."
        ) from error
    finally:
        book.close()


def check_dimensions(sheet, name):
    """The sheet's declared range (``<dimension ref="A1:XFD1048576">``) within the
    limits: openpyxl pads each row to the declared width, so a 5 KB file declaring
    16,384 columns would take gigabytes."""
    try:
        declared = sheet.calculate_dimension()
        first_column, first_row, last_column, last_row = range_boundaries(declared)
    except (TypeError, ValueError):
        return  # no dimension declared: the rows are bounded as they are read
    columns = (last_column or 0) - (first_column or 1) + 1
    rows = (last_row or 0) - (first_row or 1) + 1
    if columns > MAX_COLUMNS or rows > MAX_ROWS + 1 + MAX_EMPTY_ROWS:
        raise ImportRefused(
            f"{name}: the sheet declares the range {declared} ({rows:,} rows × {columns:,} "
            f"columns), over the limits of {LIMITS['rows']} rows and {LIMITS['columns']} "
            "columns: copy the rows into a new sheet, or save it as CSV."
        )


def sheet_rows(sheet, name):
    # Read every row there is, not only the declared ones (openpyxl stops at the
    # declared last row: rows past it would be dropped without a word).
    sheet.reset_dimensions()
    header, rows, empty = None, [], 0
    for cells in sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True):
        cells = list(cells)
        while cells and cells[-1] in (None, ""):
            cells.pop()
        if not cells:
            empty += 1
            if empty > MAX_EMPTY_ROWS:
                raise ImportRefused(
                    f"{name}: the sheet holds more than {MAX_EMPTY_ROWS:,} empty rows: "
                    "delete them, or save the rows as CSV."
                )
            continue
        if header is None:
            header = cells
            check_header(header, name)
            continue
        if len(rows) == MAX_ROWS:
            raise too_many_rows(name)
        if len(cells) > len(header):
            check_row(cells, len(rows) + 1, len(header), name)
        cells += [None] * (len(header) - len(cells))
        check_row(cells, len(rows) + 1, len(header), name)
        rows.append(["" if cell is None else cell for cell in cells])
    return header, rows
