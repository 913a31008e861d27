"""Exports of the leaderboard, streamed as they are read: CSV that is safe to open in
a spreadsheet, and typed JSON."""

import csv
import json
import re

from django.http import StreamingHttpResponse

# A cell a spreadsheet would run as a formula: it starts with one of these...
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# ...unless it is simply a number ("-1.5").
PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
# How a cell that starts a formula begins in a line of CSV: after a comma, quoted or
# not (a cell starting with "\r" is always quoted: an unquoted "\r" after a comma is
# the line's end), or at the line's start. One pattern without alternatives at its
# start: it searches a line several times faster than either alternative.
CELL_START = re.compile(r',"?[=+\-@\t]|,"\r')
LINE_STARTS = FORMULA_START + tuple(f'"{c}' for c in FORMULA_START)
# Characters of rows joined into one chunk of the response, at least: a chunk is made
# twice (joined, then encoded), and a few megabytes at a time (200 rows of 50
# benchmarks' results) cost the JSON export of 10,000 models x 50 benchmarks a tenth
# of a second more than 64 KB at a time, on a machine whose memory is slow to hand out.
CHUNK_SIZE = 65536


def defuse(cell):
    """Prefix a text cell that a spreadsheet would evaluate with an apostrophe
    (OWASP's "CSV injection")."""
    if isinstance(cell, str) and cell.startswith(FORMULA_START) and not PLAIN_NUMBER.match(cell):
        return "'" + cell
    return cell


def may_start_a_formula(line):
    """Whether some cell of a line of CSV may start a formula. Only such lines (a
    negative number, or a comma inside a quoted cell, may be one too) are written
    again cell by cell: a CSV export has a million cells, nearly none of them text that
    could be a formula, and one search of the line costs less than a call a cell."""
    return line.startswith(LINE_STARTS) or CELL_START.search(line) is not None


class Lines:
    """A file for csv.writer that hands back what it is given."""

    def write(self, text):
        return text


def csv_chunks(rows):
    """``rows`` (the header first) as CSV text, defused, ``CHUNK_SIZE`` characters
    or a little more a chunk."""
    writer = csv.writer(Lines())
    chunk, size = [], 0
    for row in rows:
        line = writer.writerow(row)
        if may_start_a_formula(line):
            line = writer.writerow([defuse(cell) for cell in row])
        chunk.append(line)
        size += len(line)
        if size >= CHUNK_SIZE:
            yield "".join(chunk)
            chunk, size = [], 0
    if chunk:
        yield "".join(chunk)


def json_chunks(head, rows):
    """One JSON object: ``head``'s fields, then ``"rows"``: each of ``rows`` as it
    comes, ``CHUNK_SIZE`` characters or a little more a chunk, a row given as the
    pieces of its JSON text (made by the table as it reads them), joined only into the
    chunk: a row of 50 results is 27 KB, and joining it into one text, then that into
    the chunk, copied the 275 MB of an export twice more."""
    opening = json.dumps(head, ensure_ascii=False)[:-1]
    yield opening + (', "rows": [' if head else '"rows": [')
    chunk, size = [], 0
    for count, pieces in enumerate(rows, start=1):
        if count > 1:
            chunk.append(",")
        chunk.extend(pieces)
        size += sum(map(len, pieces))
        if size >= CHUNK_SIZE:
            yield "".join(chunk)
            chunk, size = [], 0
    yield "".join(chunk) + "]}"


def streamed(chunks, content_type, filename):
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
