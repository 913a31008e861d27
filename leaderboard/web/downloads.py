"""Streamed exports kept on disk under the ETag they were built for.

The whole leaderboard as JSON (275 MB at 10,000 models x 50 benchmarks) takes seconds
to build and reads the same until the data or the code changes. So the first request
for an export builds it as it streams and keeps a copy as it goes; later requests for
the same URL under the same ETag are served that copy, with its length, as a file.
A copy is only kept once the whole export was sent: a client that stops reading
leaves nothing behind.

The copies are an accelerator, never a requirement: a directory that cannot be
written (missing, full, read-only) or a copy that cannot be read only means the
export is built again, as before. Copies least recently served are removed while all
of them exceed ``DOWNLOADS_MAX_BYTES``."""

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.http import FileResponse

logger = logging.getLogger(__name__)

# A copy is: the length of the export, in LENGTH_DIGITS digits, on its own line (set
# once the export is whole: a copy torn by a crash or cut short on disk does not
# match it and is built again); the headers it keeps, as JSON, on one line; the export.
KEPT_HEADERS = ("Content-Type", "Content-Disposition")
LENGTH_DIGITS = 20
SUFFIX = ".download"
PART_SUFFIX = ".part"
# A part this old was left by a process that died while writing it.
STALE_PART_SECONDS = 3600


class KeptCopy(FileResponse):
    """A kept copy, read a quarter of a megabyte at a time where the server does not
    send the file itself (FileResponse reads 4 KB: 67,000 reads for 275 MB)."""

    block_size = 1 << 18


def copy_path(request, etag):
    """Where the copy of this request's answer under ``etag`` is kept: named by a
    digest of the ETag (the data version and the release), the database and the whole
    URL (host included: the export holds absolute links), or None when copies are
    off."""
    if not settings.DOWNLOADS_DIR:
        return None
    database = settings.DATABASES["default"]["NAME"]
    key = f"{etag}\n{database}\n{request.build_absolute_uri()}"
    return Path(settings.DOWNLOADS_DIR) / (hashlib.sha256(key.encode()).hexdigest() + SUFFIX)


def kept_copy(request, etag):
    """The kept copy of this request's answer under ``etag`` as a response, or None
    (none kept, copies off, or the copy unreadable: it is then removed)."""
    path = copy_path(request, etag)
    if path is None or request.method not in ("GET", "HEAD"):
        return None
    try:
        file = path.open("rb")
    except OSError:
        return None
    try:
        length = int(file.readline())
        headers = json.loads(file.readline())
        if os.fstat(file.fileno()).st_size - file.tell() != length:
            raise ValueError(f"not the {length} bytes written")
        response = KeptCopy(file, content_type=headers["Content-Type"])
        response["Content-Disposition"] = headers["Content-Disposition"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        file.close()
        logger.warning("Removing an unreadable kept download %s: %s", path.name, error)
        path.unlink(missing_ok=True)
        return None
    with contextlib.suppress(OSError):
        os.utime(file.fileno())  # served now: the last to be removed
    return response


def keep_copy(request, response, etag):
    """Have ``response`` (a streamed download answering a GET) keep a copy of what it
    sends under ``etag``, as it sends it. Other responses are left as they are."""
    if request.method != "GET" or response.status_code != 200:
        return
    if not (response.streaming and response.has_header("Content-Disposition")):
        return
    path = copy_path(request, etag)
    if path is None:
        return
    headers = {name: response[name] for name in KEPT_HEADERS}
    response.streaming_content = copying(response.streaming_content, path, headers)


def copying(chunks, path, headers):
    """``chunks``, each written to a part file as it passes; once the last has passed,
    the part becomes the copy at ``path``. Nothing is written before the first chunk
    is asked for, and a failure to write stops the copying, never the download."""
    part = Part.started(path, headers)
    sent_all = False
    try:
        for chunk in chunks:
            if part is not None and not part.write(chunk):
                part = None
            yield chunk
        sent_all = True
    finally:
        if part is not None:
            part.finish(keep=sent_all)


class Part:
    """A copy being written, in a part file beside where it will be kept."""

    def __init__(self, path, file, name, export_starts):
        self.path, self.file, self.name = path, file, name
        self.export_starts = export_starts  # where the export follows the opening

    @classmethod
    def started(cls, path, headers):
        """A part for the copy at ``path``, its length not yet known and its headers
        written; None (and a warning) if it cannot be written."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor, name = tempfile.mkstemp(dir=path.parent, suffix=PART_SUFFIX)
        except OSError as error:
            logger.warning("Not keeping a copy of a download: %s", error)
            return None
        opening = b"0" * LENGTH_DIGITS + b"\n" + json.dumps(headers).encode() + b"\n"
        part = cls(path, os.fdopen(descriptor, "wb"), name, len(opening))
        return part if part.write(opening) else None

    def write(self, data):
        """Whether ``data`` was written; if not, the part is removed."""
        try:
            self.file.write(data)
        except OSError as error:
            logger.warning("Not keeping a copy of a download: %s", error)
            self.finish(keep=False)
            return False
        return True

    def finish(self, keep):
        """Close the part; make it the copy (``os.replace``: a reader sees the whole
        copy or none), or remove it."""
        try:
            if keep:
                length = self.file.tell() - self.export_starts
                self.file.seek(0)
                self.file.write(f"{length:0{LENGTH_DIGITS}d}".encode())
            self.file.close()
            if keep:
                os.replace(self.name, self.path)
                prune(self.path.parent)
                return
        except OSError as error:
            logger.warning("Not keeping a copy of a download: %s", error)
        Path(self.name).unlink(missing_ok=True)


def prune(directory):
    """Remove the copies least recently served while all of them together exceed
    ``DOWNLOADS_MAX_BYTES``, and parts left by processes that died."""
    copies, now = [], time.time()
    for entry in os.scandir(directory):
        try:
            stat = entry.stat()
            if entry.name.endswith(PART_SUFFIX) and now - stat.st_mtime > STALE_PART_SECONDS:
                os.unlink(entry.path)
            elif entry.name.endswith(SUFFIX):
                copies.append((stat.st_mtime, stat.st_size, entry.path))
        except OSError:
            continue  # removed meanwhile by another process
    total = sum(size for _, size, _ in copies)
    for _, size, path in sorted(copies):
        if total <= settings.DOWNLOADS_MAX_BYTES:
            break
        Path(path).unlink(missing_ok=True)
        total -= size
