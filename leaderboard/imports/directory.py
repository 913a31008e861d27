"""A directory of lm-evaluation-harness results files, imported file by file.

The layout evaluation runs and the Open LLM Leaderboard's results repository use is
``org/model/results_*.json``; any ``*.json`` file under the directory is read, in
sorted path order. A file holding a JSON list is a file of rows, not a results file:
it is skipped, and the summary says so.

Each results file is imported as ``import_results FILE`` imports it (``import_text``):
one source and its results in the file's own transaction, written only when none of
its rows is refused. One file refused neither stops nor undoes the others.
``import_directory`` yields a ``FileOutcome`` a file, from which the command prints
its progress and ``summary`` its table.

Bounds: at most ``max_files`` ``.json`` files, counted while the tree is walked and
before any file is read; each file within the harness reader's size bound, checked
before it is read. A symbolic link, to a file or a directory, is followed only when
what it resolves to lies inside the directory; a file reached twice through links is
imported once.
"""

import os
from dataclasses import dataclass, field
from pathlib import Path

from .harness import HarnessFile, check_size, unsafe_character
from .run import ImportRefused, ImportReport, import_rows

SUFFIX = ".json"
# What a file's report counts, as the table's columns.
COUNTS = ("created", "changed", "unchanged")


@dataclass
class FileOutcome:
    """What became of one file: imported (``report``), refused (``refused``: the
    sentences, as the reader or the rules wrote them) or skipped (``skipped``: why)."""

    path: str  # relative to the directory, as the summary shows it
    report: ImportReport | None = None
    refused: list = field(default_factory=list)
    skipped: str = ""
    left_out: list = field(default_factory=list)  # a sentence a task left out

    @property
    def imported(self):
        return self.report is not None and not self.refused


def read_text(path, name):
    """A results file's text, its size checked before it is read."""
    check_size(path.stat().st_size, name)
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRefused(f"{name}: not UTF-8 text.") from error


def import_text(text, name, dry_run=False, progress=None, **harness):
    """Import one results file's ``text`` (``name`` names it in every sentence):
    each task read and checked (``HarnessFile``, given ``harness``: model, tasks,
    metrics, skip_unknown) before the transaction in which its source and results are
    written. Returns the report and a sentence a task left out; raises
    ImportRefused."""
    harness_file = HarnessFile(text, name, **harness)
    # The source (and any alias the mapping adds) is saved inside the import's
    # transaction: written only when every row is.
    report = import_rows(
        lambda: harness_file.rows(harness_file.save_source()),
        dry_run=dry_run,
        progress=progress,
    )
    return report, left_out(harness_file)


def left_out(harness_file):
    """A sentence a task the file gives and the import leaves out: matching no
    benchmark (--skip-unknown-tasks), or set aside for the task --task maps to its
    benchmark."""
    return [
        *(f"Left out task {task!r}: it matches no benchmark." for task in harness_file.skipped),
        *(
            f"Left out task {task!r}: --task maps {mapped!r} to the benchmark {slug}."
            for task, slug, mapped in harness_file.set_aside
        ),
    ]


def shown_path(relative):
    """A path as a sentence or the table shows it: as it is, or quoted with its
    escapes (``repr``) when it holds a control or bidirectional character."""
    return repr(relative) if unsafe_character(relative) else relative


def candidates(root, max_files):
    """``(relative path, path to read)`` for every ``.json`` file under ``root``,
    sorted by relative path; for a file not to be read, why, in place of the path.
    Refuses (ImportRefused) a tree holding more than ``max_files``."""
    root = root.resolve()
    found, seen_dirs, count = [], {root}, 0

    def unreadable(error):
        where = Path(error.filename).relative_to(root).as_posix() if error.filename else "."
        found.append((where, f"could not be read ({type(error).__name__}): not imported."))

    for here, dirnames, filenames in os.walk(root, onerror=unreadable, followlinks=True):
        here = Path(here)
        kept = []
        for name in sorted(dirnames):
            target = resolved(here / name)
            if target is None or not target.is_relative_to(root):
                relative = (here / name).relative_to(root).as_posix()
                found.append(
                    (relative, "a link to a directory outside the one imported: not followed.")
                )
            elif target not in seen_dirs:  # a link back up, or to a directory seen
                seen_dirs.add(target)
                kept.append(name)
        dirnames[:] = kept
        for name in filenames:
            if not name.lower().endswith(SUFFIX):
                continue
            count += 1
            if count > max_files:
                raise ImportRefused(
                    f"{root}: more than {max_files:,} {SUFFIX} files, the limit of one "
                    "import: import its subdirectories one at a time."
                )
            found.append(((here / name).relative_to(root).as_posix(), here / name))
    found.sort(key=lambda pair: pair[0])
    read, checked = {}, []
    for relative, path in found:
        if isinstance(path, Path):
            target = resolved(path)
            if target is None:
                path = "a link that leads nowhere (a loop): not followed."
            elif not target.is_relative_to(root):
                path = "a link to a file outside the directory imported: not followed."
            elif not target.is_file():
                path = "not a regular file: not read."
            elif target in read:
                path = f"the same file as {shown_path(read[target])}: imported once."
            else:
                read[target] = relative
                path = target
        checked.append((relative, path))
    return checked


def resolved(path):
    """``path`` with every link resolved, or None for a link in a loop."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):  # RuntimeError: Python 3.11's "symlink loop"
        return None


def import_directory(root, *, max_files, dry_run=False, progress=None, **harness):
    """Import every results file under ``root`` (see the module), each in its own
    transaction; yields a ``FileOutcome`` a file, in sorted path order. ``progress
    (total)``, if given, returns a function called once a file. Refuses
    (ImportRefused) before anything is read a tree of more than ``max_files``
    ``.json`` files or of none. ``harness``: model, tasks, metrics, skip_unknown, for
    every file. An error no rule foresaw propagates, noting the file it stopped at."""
    files = candidates(root, max_files)
    if not files:
        raise ImportRefused(
            f"No {SUFFIX} file under {root}: nothing to import (a results file of "
            "lm-evaluation-harness is org/model/results_*.json)."
        )
    tick = progress(len(files)) if progress is not None else (lambda: None)
    for relative, path in files:
        shown = shown_path(relative)
        if isinstance(path, Path):
            try:
                outcome = import_one(path, shown, dry_run, harness)
            except Exception as error:
                error.add_note(f"while importing {shown} (under {root})")
                raise
        else:
            outcome = FileOutcome(shown, skipped=path)
        tick()
        yield outcome


def import_one(path, shown, dry_run, harness):
    """One file's ``FileOutcome``: skipped when it holds a JSON list (rows)."""
    try:
        text = read_text(path, shown)
        if text.lstrip().startswith("["):
            return FileOutcome(
                shown,
                skipped="a JSON list, rows of results rather than a harness results file: "
                "import it on its own (import_results FILE).",
            )
        report, left_out = import_text(text, shown, dry_run=dry_run, **harness)
    except ImportRefused as refused:
        return FileOutcome(shown, refused=[str(refused)])
    except OSError as error:
        return FileOutcome(shown, refused=[f"{shown}: could not be read ({error.strerror})."])
    return FileOutcome(shown, report=report, refused=list(report.refused), left_out=left_out)


def totals(outcomes, dry_run):
    """The summary's last line: files imported, refused and skipped, and results."""
    imported = [o for o in outcomes if o.imported]
    refused = sum(1 for o in outcomes if o.refused)
    skipped = sum(1 for o in outcomes if o.skipped)
    verb = "would be " if dry_run else ""
    count = {key: sum(getattr(o.report, key) for o in imported) for key in COUNTS}
    return (
        f"{len(outcomes)} file(s): {len(imported)} {verb}imported, {refused} refused"
        + (f", {skipped} skipped" if skipped else "")
        + f"; {count['created']} result(s) {verb}created, {count['changed']} changed, "
        f"{count['unchanged']} unchanged."
    )


def summary(outcomes, dry_run):
    """The summary's lines: a table of the files (created, changed, unchanged; why a
    file was refused or skipped), then ``totals``."""
    header = ("file", "created", "changed", "unchanged")
    rows = []
    for outcome in outcomes:
        if outcome.imported:
            report = outcome.report
            figures = (report.created, report.changed, report.unchanged)
            notes = [f"left out {len(outcome.left_out)} task(s)"] if outcome.left_out else []
        else:
            figures = ("-", "-", "-")
            notes = [f"refused: {outcome.refused[0]}"] if outcome.refused else []
            notes += outcome.refused[1:]
            notes += [f"skipped: {outcome.skipped}"] if outcome.skipped else []
        rows.append(((outcome.path, *map(str, figures)), notes))
    width = max(len(header[0]), *(len(cells[0]) for cells, _ in rows))
    numbers = [len(name) for name in header[1:]]

    def line(cells):
        return "  ".join(
            [cells[0].ljust(width), *(c.rjust(n) for c, n in zip(cells[1:], numbers, strict=True))]
        )

    lines = [line(header)]
    for cells, notes in rows:
        lines.append(line(cells) + (f"  {notes[0]}" if notes else ""))
        lines += [" " * len(line(cells)) + f"  {note}" for note in notes[1:]]
    return [*lines, totals(outcomes, dry_run)]


def closing_error(outcomes, dry_run):
    """The command's closing sentence when a file was refused or none was a results
    file; None when every results file was (or would be) imported."""
    refused = sum(1 for o in outcomes if o.refused)
    imported = sum(1 for o in outcomes if o.imported)
    if not refused and not imported:
        return (
            f"No lm-evaluation-harness results file among the {len(outcomes)} file(s) "
            "(see the table above): nothing was imported."
        )
    if not refused:
        return None
    if dry_run:
        others = f"the other {imported} would be imported" if imported else "no file would be"
        written = "nothing is written in a dry run"
    else:
        others = f"the other {imported} were imported" if imported else "no file was imported"
        written = "nothing of them was written"
    return (
        f"{refused} of {len(outcomes)} file(s) refused (see the table above), {written}; {others}."
    )
