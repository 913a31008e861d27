"""Hostile files of rows (CSV, JSON, XLSX), made in memory: each function returns the
bytes of one file that once cost the site a 500, gigabytes or minutes. The door tests
(``tests/test_import_door.py``) feed each to ``import_results`` and to the admin's
import; keep new attacks here so the next door is tried the same way."""

import io
import json
import zipfile

# The columns of a row of results, as the export writes them.
HEADER = "model,benchmark,source,value,provenance,claimed_by,quote"

OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
RELATIONS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006"
CONTENT_TYPES = (
    f'<?xml version="1.0"?><Types xmlns="{PACKAGE}/content-types">'
    f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{OFFICE}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{OFFICE}.worksheet+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{OFFICE}.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    f'<?xml version="1.0"?><Relationships xmlns="{PACKAGE}/relationships">'
    f'<Relationship Id="rId1" Type="{RELATIONS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0"?><workbook '
    'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    f'xmlns:r="{RELATIONS}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/>'
    "</sheets></workbook>"
)
WORKBOOK_RELS = (
    f'<?xml version="1.0"?><Relationships xmlns="{PACKAGE}/relationships">'
    f'<Relationship Id="rId1" Type="{RELATIONS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{RELATIONS}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def xlsx(sheet_data, dimension=None, shared_strings=()):
    """A minimal workbook: one sheet holding ``sheet_data`` (its <row> elements, as
    text or as an iterable of texts), the ``dimension`` it declares, and shared
    strings (text, or an iterable of texts written piece by piece)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/sharedStrings.xml", "w") as part:
            part.write(f'<?xml version="1.0"?><sst xmlns="{SHEET_NS}">'.encode())
            for text in shared_strings:
                part.write(b"<si><t>")
                for piece in [text] if isinstance(text, str) else text:
                    part.write(piece.encode())
                part.write(b"</t></si>")
            part.write(b"</sst>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            part.write(f'<?xml version="1.0"?><worksheet xmlns="{SHEET_NS}">'.encode())
            if dimension:
                part.write(f'<dimension ref="{dimension}"/>'.encode())
            part.write(b"<sheetData>")
            for piece in [sheet_data] if isinstance(sheet_data, str) else sheet_data:
                part.write(piece.encode())
            part.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def inline_row(number, cells):
    """A <row> of inline strings."""
    return (
        f'<row r="{number}">'
        + "".join(
            f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{cell}</t></is></c>'
            for i, cell in enumerate(cells)
        )
        + "</row>"
    )


def xlsx_claiming_every_cell():
    """5 KB that declares A1:XFD1048576: openpyxl pads every row to 16,384 cells
    (4.76 GB before the bound)."""
    return xlsx(inline_row(1, HEADER.split(",")), dimension="A1:XFD1048576")


def xlsx_of_empty_rows(count=1_048_575):
    """A few KB holding a row at the sheet's last line: read row by row, every
    missing row before it is an empty row (over 120 s before the bound)."""
    return xlsx(inline_row(1, HEADER.split(",")) + f'<row r="{count + 1}"/>')


def xlsx_with_a_huge_cell(megabytes=60):
    """A shared string of ``megabytes`` MB of one letter, which deflates to a few
    hundred KB (300 MB of memory and more before the bound)."""
    piece = "a" * (1024 * 1024)
    return xlsx(
        inline_row(1, HEADER.split(",")) + '<row r="2"><c r="A2" t="s"><v>0</v></c></row>',
        shared_strings=[(piece for _ in range(megabytes))],
    )


def xlsx_under_declared(rows):
    """Declares A1:G2 and holds ``rows`` rows: rows past the declared range must be
    read (and bounded), not dropped without a word."""
    body = [inline_row(1, HEADER.split(","))]
    body += [
        inline_row(n, ["m", "b", "s", "1", "independent", "", "q"]) for n in range(2, rows + 2)
    ]
    return xlsx(body, dimension="A1:G2")


def json_of_empty_objects(count=30_000):
    """A list of ``{}``: tablib read it in quadratic time (30,000 killed a worker)."""
    return json.dumps([{}] * count).encode()


def json_of_lists():
    """A list of lists, not of objects: a 500 in the admin."""
    return b"[[1, 2, 3]]"


def json_nested(depth=100_000):
    """Nesting deeper than Python's recursion limit."""
    return b"[" * depth + b"]" * depth


def json_with_a_list_cell():
    """A cell holding a list ("as_percentage": [1] was read as false)."""
    return json.dumps([{"model": "m", "as_percentage": [1]}]).encode()


def csv_of_duplicates(count=100_000):
    """The same row ``count`` times (260 s and 2.6 GB before the bound)."""
    row = "gpt-oss-largest,ai-index,some-source,33,independent,,GPT-OSS scored 33.\n"
    return (HEADER + "\n" + row * count).encode()


def csv_with_a_long_cell(characters=200_000):
    """One quote of ``characters`` characters (csv's own limit says only "field
    larger than field limit")."""
    return (HEADER + "\n" + "m,b,s,1,independent,," + "q" * characters + "\n").encode()


def csv_ragged():
    """A short row and a long row: tablib said only "cannot be read as CSV: "."""
    return (HEADER + "\nm,b,s\nm,b,s,1,independent,,q,extra\n").encode()


def csv_over_the_size(megabytes=11):
    """A file past the size limit, made of blank lines after its header."""
    return (HEADER + "\n").encode() + b"\n" * (megabytes * 1024 * 1024)


def csv_with_a_nul():
    """A NUL byte in a slug: PostgreSQL refuses to even look it up."""
    return (HEADER + "\ngpt-oss-largest\x00,ai-index,s,1,independent,,q\n").encode()
