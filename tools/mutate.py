"""Mutation testing, our own small driver: change one operator or constant at a time in
the modules that hold the site's rules, run the tests that guard that module, and
count the changes the tests catch. A change no test catches is a rule no test checks.

    python tools/mutate.py [--jobs 2] [--only quotes] [--report docs/mutation.md]

Each mutant runs in a copy of the project (one per job), so the working tree is never
touched. Mutations: comparison operators (== and !=, < and <=, > and >=, in and not
in, is and is not), and/or, removing a not, +/- and *//, integers n to n+1, True and
False, and a constant string to "" in a regular expression or a tuple of prefixes.
Docstrings, log and error messages, the literal parts of f-strings, and ``strict=``
guards are left alone.
"""

import argparse
import ast
import copy
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Each module that holds rules, and the tests that guard it.
TARGETS = {
    "quotes": (
        "leaderboard/rules/quotes.py",
        ["tests/test_quotes.py", "tests/test_quote_rules.py", "tests/test_models.py"],
    ),
    "validation": (
        "leaderboard/models/results.py",
        [
            "tests/test_migrations.py",
            "tests/test_models.py",
            "tests/test_quote_rules.py",
            "tests/test_doors.py",
        ],
    ),
    "citations": (
        "leaderboard/models/citations.py",
        [
            "tests/test_migrations.py",
            "tests/test_models.py",
            "tests/test_quote_rules.py",
            "tests/test_source_text.py",
        ],
    ),
    "ranking": ("leaderboard/rules/ranking.py", ["tests/test_ranking.py"]),
    "caching": (
        "leaderboard/web/caching.py",
        ["tests/test_caching.py", "tests/test_cache_outage.py"],
    ),
    "exports": (
        "leaderboard/reading/exports.py",
        ["tests/test_security.py", "tests/test_ranking.py"],
    ),
}

SWAPS = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.And: ast.Or,
    ast.Or: ast.And,
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
}


def left_alone(tree):
    """The ids of constant nodes that are not rules: docstrings, and guards such as
    ``zip(..., strict=True)`` that only turn a bug elsewhere into an error."""
    found = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.keyword) and node.arg == "strict"
    }
    # The literal parts of f-strings are wording and spacing, not rules.
    found |= {
        id(part)
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        for part in node.values
        if isinstance(part, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def mutation_points(tree):
    """(index, description) of every mutation in the module, in source order."""
    skip = left_alone(tree)
    points = []
    for index, node in enumerate(ast.walk(tree)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                if type(op) in SWAPS:
                    points.append(
                        (index, i, line, f"{type(op).__name__} → {SWAPS[type(op)].__name__}")
                    )
        elif isinstance(node, ast.BoolOp | ast.BinOp):
            if type(node.op) in SWAPS:
                points.append(
                    (index, 0, line, f"{type(node.op).__name__} → {SWAPS[type(node.op)].__name__}")
                )
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            points.append((index, 0, line, "not removed"))
        elif isinstance(node, ast.Constant) and id(node) not in skip:
            if isinstance(node.value, bool):
                points.append((index, 0, line, f"{node.value} → {not node.value}"))
            elif isinstance(node.value, int):
                points.append((index, 0, line, f"{node.value} → {node.value + 1}"))
            elif isinstance(node.value, str) and is_rule_string(node.value):
                points.append((index, 0, line, f"{node.value!r} → ''"))
    return points


def is_rule_string(text):
    """Strings that are rules rather than words: patterns and one-character prefixes."""
    return len(text) == 1 or any(mark in text for mark in ("\\d", "\\s", "\\w", "(?"))


def mutant(tree, index, position):
    """The module's source with one mutation applied."""
    tree = copy.deepcopy(tree)
    node = list(ast.walk(tree))[index]
    if isinstance(node, ast.Compare):
        node.ops[position] = SWAPS[type(node.ops[position])]()
    elif isinstance(node, ast.BoolOp | ast.BinOp):
        node.op = SWAPS[type(node.op)]()
    elif isinstance(node, ast.UnaryOp):
        replacement = node.operand
        for parent in ast.walk(tree):
            for field, value in ast.iter_fields(parent):
                if value is node:
                    setattr(parent, field, replacement)
                elif isinstance(value, list):
                    parent.__dict__[field] = [replacement if v is node else v for v in value]
    elif isinstance(node.value, bool):
        node.value = not node.value
    elif isinstance(node.value, int):
        node.value += 1
    else:
        node.value = ""
    return ast.unparse(tree)


def copy_project(destination):
    ignore = shutil.ignore_patterns(".git", ".venv", "bench", "test-artifacts", "*.sqlite3*")
    shutil.copytree(ROOT, destination, ignore=ignore, dirs_exist_ok=True)


def run_tests(workdir, tests, timeout):
    env = {
        **os.environ,
        "DJANGO_SECRET_KEY": "mutation-testing-key",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.pop("DATABASE_URL", None)
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    try:
        done = subprocess.run(
            command, cwd=workdir, env=env, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return "timeout"
    return "passed" if done.returncode == 0 else "failed"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", action="append", choices=sorted(TARGETS))
    parser.add_argument("--report", default=str(ROOT / "docs" / "mutation.md"))
    options = parser.parse_args()
    names = options.only or list(TARGETS)

    workdirs = [Path(tempfile.mkdtemp(prefix=f"mutate-{i}-")) for i in range(options.jobs)]
    for workdir in workdirs:
        copy_project(workdir)
    free = list(workdirs)

    totals = {}
    survivors = []
    for name in names:
        path, tests = TARGETS[name]
        source = (workdirs[0] / path).read_text()  # the copy, fixed when the run began
        tree = ast.parse(source)
        started = time.monotonic()
        if run_tests(workdirs[0], tests, timeout=1800) != "passed":
            sys.exit(f"{name}: the tests fail before any mutation")
        baseline = time.monotonic() - started
        points = mutation_points(tree)
        print(f"{name}: {len(points)} mutants, tests take {baseline:.0f} s", flush=True)

        def attempt(point, path=path, tests=tests, tree=tree, source=source, baseline=baseline):
            index, position, line, description = point
            workdir = free.pop()
            try:
                (workdir / path).write_text(mutant(tree, index, position))
                outcome = run_tests(workdir, tests, timeout=max(60, 3 * baseline))
            finally:
                # The copy's own text (the tree may have changed since the run began).
                (workdir / path).write_text(source)
                free.append(workdir)
            return point, outcome

        caught = 0
        with ThreadPoolExecutor(max_workers=options.jobs) as pool:
            for (_index, _position, line, description), outcome in pool.map(attempt, points):
                if outcome == "passed":
                    survivors.append((path, line, description))
                    print(f"  survived: {path}:{line} {description}", flush=True)
                else:
                    caught += 1
        totals[name] = (caught, len(points))
        print(f"{name}: {caught} of {len(points)} caught", flush=True)

    for workdir in workdirs:
        shutil.rmtree(workdir, ignore_errors=True)
    write_report(Path(options.report), totals, survivors)


def write_report(path, totals, survivors):
    caught = sum(c for c, _ in totals.values())
    total = sum(t for _, t in totals.values())
    lines = [
        "# Mutation testing",
        "",
        f"`make mutate` ({time.strftime('%Y-%m-%d')}): **{caught} of {total} mutants caught "
        f"({100 * caught / max(total, 1):.0f}%)**. One operator or constant changed at a time "
        "(see `tools/mutate.py`), the module's own tests run against it.",
        "",
        "| module | caught | mutants | score |",
        "|---|---|---|---|",
    ]
    for name, (c, t) in totals.items():
        lines.append(f"| {TARGETS[name][0]} | {c} | {t} | {100 * c / max(t, 1):.0f}% |")
    lines += ["", "## Mutants no test caught", ""]
    if not survivors:
        lines.append("None.")
    for file, line, description in survivors:
        lines.append(f"- `{file}:{line}`: {description}")
    path.write_text("\n".join(lines) + "\n")
    print(f"{caught} of {total} caught; report in {path}")


if __name__ == "__main__":
    main()
