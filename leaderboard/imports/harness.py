"""Results files written by EleutherAI's lm-evaluation-harness, as rows of results.

Such a file is an independent measurement of one model: it becomes a source whose
kept text is the file itself, about that model, and each result quotes the part of
the file that states it (the task's block, from its name down to the metric's line
and its standard error's), so the quote rule checks an imported result exactly as it
checks the article. A fraction (0.6561) on a percentage benchmark is stored as that
percentage (65.61), with the conversion recorded (``Result.as_percentage``).

What the harness writes (``results`` → task → ``"acc,none"``, ``"acc_stderr,none"``;
``config.model_args`` with ``pretrained=…``; ``model_name``; ``date``) is read here,
and ``n-shot`` → task gives each result's ``shots`` (how many solved examples the
prompt held: results with different numbers are not comparable), which the rule
accepts because the kept text states it; a value that is no whole number from 0 up
leaves it empty. ``versions`` → task is deliberately not recorded as a field: it
versions the harness's implementation of the task, not the benchmark
(``BenchmarkVersion``), and it is kept word for word in the source's kept text.

A file that does not fit is refused whole, before anything is written, with one
sentence naming the file, the task and what is wrong: over ``MAX_FILE_BYTES``; not
JSON, nested past the recursion limit, a number too long to read, or a key given
twice in one object (json keeps the last, the quote would be cut from the first); a
task that is no object of metrics; a figure that is no number a result can hold
(NaN, Infinity, ``true``, 10⁹ or more) or, on a percentage benchmark, no fraction
from 0 to 1 (its standard error is converted and checked as its value is); a
standard error that is neither a number from 0 up nor "N/A"; a ``date`` that is no
time stamp; two tasks that are one benchmark; a task or model name that could not be
an alias (too long, or carrying control, formatting or bidirectional characters), or
a quote that would show such characters; and a file none of whose tasks is imported.
"""

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, DecimalException
from functools import cached_property

import tablib

from ..models import AIModel, Benchmark, BenchmarkAlias, ModelAlias, ResultKind, Source
from ..models.results import Provenance
from ..rules import run_settings, writes
from ..rules.quotes import stored_figure
from . import reading
from .resources import LARGEST_FIGURE
from .run import ImportRefused

# The metrics tried, in order, when none is given for a benchmark; then the
# benchmark's own (``Benchmark.harness_metric``).
DEFAULT_METRICS = ("acc_norm", "acc")

# A results file becomes a source's kept text: the bound the admin puts on a source's
# uploaded text (``SourceForm.MAX_BYTES``), checked before the file is read.
MAX_FILE_BYTES = 5 * 1024 * 1024
# A task's or the model's name in the file may become an alias: what an alias holds.
MAX_NAME_CHARS = min(
    BenchmarkAlias._meta.get_field("name").max_length,
    ModelAlias._meta.get_field("name").max_length,
)
# Characters no name may carry and no quote may show, by Unicode category: controls,
# formatting characters (the bidirectional overrides U+202A–U+202E and isolates
# U+2066–U+2069, zero-width characters), line and paragraph separators, and halves of
# surrogate pairs (JSON's "\ud800" reads as one, and no database stores it).
UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
# What a quote may hold of those: the file's own line breaks and indentation.
QUOTE_WHITESPACE = frozenset("\t\n\r")
# A value or name a sentence shows is cut to this many characters.
SHOWN_CHARS = 40


class RepeatedKey(Exception):
    """A key given twice in one JSON object."""

    def __init__(self, key):
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class TaskResult:
    """What one task gives, checked and as it is stored."""

    task: str
    benchmark: Benchmark
    metric: str  # "acc_norm", from the key "acc_norm,none"
    metric_variant: str  # "none": the harness's filter
    value: Decimal
    stderr: Decimal | None
    as_percentage: bool
    quote: str


class HarnessFile:
    """One results file: ``model``, ``results`` (every task read and checked when the
    file is, so a refusal comes before anything is written), ``save_source()`` and
    ``rows(source)``, both called inside the import's transaction. Every way the file
    does not fit the site raises ImportRefused with a sentence naming the file and
    saying what to do."""

    def __init__(self, text, name, model=None, tasks=None, metrics=None, skip_unknown=False):
        self.text, self.name = text, name
        self.task_map = tasks or {}
        self.metrics = metrics or {}
        self.skip_unknown = skip_unknown
        self.skipped = []  # tasks left out (--skip-unknown-tasks), for the report
        # Tasks left out because --task maps another task to their benchmark:
        # (task, benchmark slug, the task mapped to it), for the report.
        self.set_aside = []
        check_size(len(text.encode(errors="surrogatepass")), name)
        self.data = parse(text, name)
        if not isinstance(self.data, dict) or not isinstance(self.data.get("results"), dict):
            raise ImportRefused(
                f'{name}: no "results" object: not a results file of lm-evaluation-harness '
                "(rows of results are a JSON list of objects)."
            )
        self.model_names = self.named_models()
        self.model = self.find_model(model)
        self.measured_on = self.read_date()
        self.results = self.read_results()

    def refuse(self, sentence):
        return ImportRefused(f"{self.name}: {sentence}")

    # The model.

    def named_models(self):
        """The names the file gives its model: ``model_name`` and ``pretrained=``,
        each one that could become the model's alias."""
        names = []
        model_name = self.data.get("model_name")
        if model_name is not None:
            if not isinstance(model_name, str):
                raise self.refuse(
                    f'"model_name" is {shown(model_name)}, not the model\'s name as text.'
                )
            names.append(model_name)
        names += self.pretrained_names()
        for name in names:
            problem = name_problem(name)
            if problem:
                raise self.refuse(f"the model name {named(name)} {problem}.")
        return list(dict.fromkeys(names))

    def pretrained_names(self):
        """``pretrained=`` of ``config.model_args``: text ("pretrained=org/name,dtype=…")
        as the command line gives it, or an object as the harness writes arguments given
        from Python."""
        config = self.data.get("config")
        if config is None:
            return []
        if not isinstance(config, dict):
            raise self.refuse(
                f'"config" is {json_type(config)}, not an object (the harness writes the '
                "model's arguments there)."
            )
        args = config.get("model_args")
        if isinstance(args, dict):
            pretrained = args.get("pretrained")
            return [pretrained] if isinstance(pretrained, str) and pretrained.strip() else []
        if isinstance(args, str):
            pairs = (part.partition("=") for part in args.split(","))
            return [value.strip() for key, _, value in pairs if key.strip() == "pretrained"]
        if args is None:
            return []
        raise self.refuse(
            f'"config" → "model_args" is {shown(args)}, neither text ("pretrained=…") nor '
            "an object."
        )

    def find_model(self, slug):
        if slug:
            model = AIModel.objects.filter(slug=slug).first()
            if model is None:
                raise ImportRefused(f"--model {slug}: no model has that slug.")
            return model
        for name in self.model_names:
            found = (
                AIModel.objects.filter(hf_repository__iexact=name).first()
                or AIModel.objects.filter(name__iexact=name).first()
                or AIModel.objects.filter(
                    pk__in=ModelAlias.objects.filter(name__iexact=name).values("model_id")
                ).first()
            )
            if found is not None:
                return found
        named_as = " or ".join(named(n) for n in self.model_names) or "no model"
        raise self.refuse(
            f"it names {named_as}, which is no model's Hugging Face repository, name or "
            "alias: give the model that repository (with a citation) in the admin, or name "
            "the model with --model SLUG."
        )

    # The source.

    @property
    def digest(self):
        return hashlib.sha256(self.text.encode()).hexdigest()

    def read_date(self):
        """The day of the measurement, from ``date`` (seconds since 1970); None when
        the file gives none. Anything else is refused rather than left out unsaid."""
        stamp = self.data.get("date")
        if stamp is None:
            return None
        if isinstance(stamp, int | Decimal) and not isinstance(stamp, bool):
            try:
                return datetime.fromtimestamp(float(stamp), tz=UTC).date()
            except (ValueError, OverflowError, OSError):
                pass
        raise self.refuse(
            f'"date" is {shown(stamp)}, not a time stamp (the harness writes the seconds '
            "since 1970, as 1767225600.0)."
        )

    def save_source(self):
        """The source whose kept text is this file, saved (once: the same file again
        finds its source by the digest in its slug); the file's name for the model is
        made one of its aliases when the model was named with --model, so the source
        names its subject."""
        known = {name.lower() for name in self.model.names}
        if self.model_names and not any(name.lower() in known for name in self.model_names):
            writes.save(ModelAlias(model=self.model, name=self.model_names[0]))
            self.model.__dict__.pop("names", None)
        slug = f"lm-eval-{self.model.slug}-{self.digest[:12]}"[:200]
        existing = Source.objects.filter(slug=slug).first()
        if existing is not None:
            return existing
        when = self.measured_on
        source = Source(
            title=f"lm-evaluation-harness results for {self.model.name}"
            + (f", {when:%-d %b %Y}" if when else ""),
            slug=slug,
            published_on=when,
            kept_text=self.text,
            about_model=self.model,
        )
        writes.save(source)
        return source

    # The results.

    def read_results(self):
        """Each task's result, checked; refused when a task does not fit, when two
        tasks are one benchmark (the second would replace the first), or when no task
        is left to import (a source for no result)."""
        results = self.data["results"]
        if not results:
            raise self.refuse('its "results" object holds no task: there is nothing to import.')
        found, task_of_benchmark = [], {}
        for task, figures in results.items():
            self.check_task(task, figures)
            benchmark = self.benchmark_for(task)
            if benchmark is None:
                continue
            if benchmark.pk in task_of_benchmark:
                raise self.refuse(
                    f"tasks {task_of_benchmark[benchmark.pk]!r} and {task!r} are both the "
                    f"benchmark {benchmark.slug}, which a file gives one figure: leave one "
                    "of them out of the file."
                )
            task_of_benchmark[benchmark.pk] = task
            found.append(self.read_task(task, figures, benchmark))
        if not found:
            left_out = ", ".join(repr(task) for task in self.skipped[:5])
            more = ", …" if len(self.skipped) > 5 else ""
            raise self.refuse(
                f"none of its {len(results)} task(s) is a benchmark on the site (left out: "
                f"{left_out}{more}): there is nothing to import; map a task to a benchmark "
                "with --task TASK=SLUG."
            )
        return found

    def check_task(self, task, figures):
        """A task's name, which may become the benchmark's alias and is shown in every
        sentence about it, and its block, which must be an object of metrics."""
        problem = name_problem(task)
        if problem:
            raise self.refuse(f"task {named(task)} {problem}: rename the task in the file.")
        if not isinstance(figures, dict):
            raise self.refuse(
                f'task {task!r} in "results" is {json_type(figures)}, not an object of '
                'metrics ("acc,none": 0.61, …).'
            )

    @cached_property
    def benchmarks(self):
        """Every benchmark by its slug, and the benchmarks each alias names (in lower
        case): read once, not twice a task, for a file may leave out thousands."""
        by_slug = {benchmark.slug: benchmark for benchmark in Benchmark.objects.all()}
        by_pk = {benchmark.pk: benchmark for benchmark in by_slug.values()}
        by_alias = {}
        for name, benchmark_id in BenchmarkAlias.objects.values_list("name", "benchmark_id"):
            by_alias.setdefault(name.lower(), {})[benchmark_id] = by_pk[benchmark_id]
        return by_slug, by_alias

    def benchmark_for(self, task):
        """The benchmark a task maps to (--task, else a benchmark's slug or alias), or
        None for a task left out."""
        by_slug, by_alias = self.benchmarks
        slug = self.task_map.get(task)
        if slug:
            if slug not in by_slug:
                raise ImportRefused(f"--task {task}={slug}: no benchmark has that slug.")
            return by_slug[slug]
        found = self.implicit_benchmark(task, by_slug, by_alias)
        # An explicit mapping wins: the task the editor named is the benchmark's, and a
        # task that only shares its name (a group beside its subtask) is left out.
        mapped = [t for t, s in self.task_map.items() if found is not None and s == found.slug]
        if mapped:
            self.set_aside.append((task, found.slug, mapped[0]))
            return None
        return found

    def implicit_benchmark(self, task, by_slug, by_alias):
        """The benchmark a task names by its slug or an alias, or None (left out with
        --skip-unknown-tasks, else refused)."""
        if task in by_slug:
            return by_slug[task]
        named_by = sorted(by_alias.get(task.lower(), {}).values(), key=lambda b: b.slug)
        if len(named_by) > 1:
            raise self.refuse(
                f"task {task!r} is an alias of {' and '.join(b.slug for b in named_by)}: "
                f"say which it is with --task {task}=SLUG."
            )
        if named_by:
            return named_by[0]
        if self.skip_unknown:
            self.skipped.append(task)
            return None
        raise self.refuse(
            f"task {task!r} is no benchmark's slug or alias: map it with "
            f"--task {task}=SLUG, or leave such tasks out with --skip-unknown-tasks."
        )

    def read_task(self, task, figures, benchmark):
        """The task's figure and standard error, as stored (a fraction on a percentage
        benchmark times 100, both), and the quote that states them."""
        key = self.metric_key(task, figures, benchmark)
        metric, _, applied = key.partition(",")
        stderr_key = f"{metric}_stderr,{applied}" if applied else f"{metric}_stderr"
        value = self.figure(task, key, figures[key], benchmark)
        stderr = self.standard_error(task, stderr_key, figures.get(stderr_key), benchmark)
        keys = [key] + ([stderr_key] if stderr is not None else [])
        return TaskResult(
            task=task,
            benchmark=benchmark,
            metric=metric,
            metric_variant=applied,
            value=value,
            stderr=stderr,
            as_percentage=is_percentage(benchmark),
            quote=self.quote_for(task, keys),
        )

    def metric_key(self, task, figures, benchmark):
        """The key of the figure to import ("acc_norm,none"): the metric given for the
        benchmark with --metric (a metric, or metric,filter as the file writes it),
        else the metric the benchmark ranks, acc_norm, acc, or the benchmark's own;
        of its filters, the one given, else the one the benchmark ranks, else "none",
        else the first. A figure measured otherwise than the benchmark ranks is still
        imported: it is shown apart, never ranked (``leaderboard.rules.run_settings``)."""
        given = self.metrics.get(benchmark.slug)
        if given:
            wanted = [given.partition(",")[0]]
            filters = [given.partition(",")[2]] if "," in given else []
        else:
            wanted = [benchmark.ranked_metric, *DEFAULT_METRICS, benchmark.harness_metric]
            filters = [benchmark.ranked_metric_variant]
        wanted = list(dict.fromkeys(m for m in wanted if m))
        for metric in wanted:
            keys = [k for k in figures if k.split(",")[0] == metric and "_stderr" not in k]
            if given and filters:
                keys = [k for k in keys if k.partition(",")[2] == filters[0]]
            if keys:
                for applied in [*filters, "none"]:
                    if applied and f"{metric},{applied}" in keys:
                        return f"{metric},{applied}"
                return keys[0]
        shown_wanted = given if given else ", ".join(wanted)
        raise self.refuse(
            f"task {task!r} gives none of the metrics {shown_wanted}: name the metric "
            f"with --metric {benchmark.slug}=METRIC (or METRIC,FILTER)."
        )

    def figure(self, task, key, given, benchmark):
        """``given`` as stored: refused unless it is a number a result can hold and,
        on a percentage benchmark, a fraction from 0 to 1 (then stored times 100, as
        every figure of the file on that benchmark is)."""
        where = f"task {task!r}: {shown(key)} is {shown(given)}"
        number = self.number(where, given)
        percent = is_percentage(benchmark)
        if percent and not 0 <= number <= 1:
            raise self.refuse(
                f"{where}, but {benchmark.name} is in percent, which the harness gives as a "
                f"fraction from 0 to 1: choose a metric that is one with "
                f"--metric {benchmark.slug}=METRIC."
            )
        too_large = self.refuse(
            f"{where}: a result holds figures below {LARGEST_FIGURE:,} (to six decimal places)."
        )
        # Checked first, and exactly (abs() overflows past 10^999999): quantize raises
        # past 28 digits.
        if number.copy_abs() >= LARGEST_FIGURE:
            raise too_large
        stored = stored_figure(number, percent)
        if stored.copy_abs() >= LARGEST_FIGURE:  # rounded up to 10⁹
            raise too_large
        return stored

    def number(self, where, given, otherwise=""):
        """``given`` as a Decimal: json's NaN and Infinity (floats: every other number
        is read as a Decimal or an int) and anything but a number are refused."""
        if isinstance(given, float):
            raise self.refuse(f"{where}, not a number a result can hold.")
        if isinstance(given, bool) or not isinstance(given, int | Decimal):
            raise self.refuse(f"{where}, not a number{otherwise}.")
        return Decimal(given)

    def standard_error(self, task, key, given, benchmark):
        """The figure's standard error as stored, converted as its figure is; None where
        the file gives none (absent, null, or the harness's "N/A")."""
        if given is None or given == "N/A":
            return None
        where = f"task {task!r}: {shown(key)} is {shown(given)}"
        if self.number(where, given, otherwise=' (nor "N/A", the harness\'s word for none)') < 0:
            raise self.refuse(f"{where}: a standard error is never negative.")
        return self.figure(task, key, given, benchmark)

    def quote_for(self, task, keys):
        """The file's own words for a task's figures: from the task's name in
        ``results`` down to the last of ``keys``' lines; refused when it would show a
        control or bidirectional character (which JSON allows unescaped in a string)."""
        results_at = self.text.find('"results"')
        start = self.text.find(json.dumps(task) + ":", results_at)
        if results_at < 0 or start < 0:
            raise self.refuse(f"task {task!r}: its block cannot be found in the file's text.")
        end = start
        for key in keys:
            line = re.compile(re.escape(json.dumps(key)) + r"\s*:\s*[^,\n}]*")
            match = line.search(self.text, start)
            if match is None:
                raise self.refuse(f"task {task!r}: no line for {shown(key)} in the file's text.")
            end = max(end, match.end())
        quote = self.text[start:end]
        unsafe = unsafe_character(quote, allowed=QUOTE_WHITESPACE)
        if unsafe:
            raise self.refuse(
                f"task {task!r}: its block holds {described(unsafe)}, which would change "
                "how its quote reads."
            )
        return quote

    def rows(self, source):
        """The rows of results to import from ``source`` (this file, saved); a task
        that a mapping (--task) makes a benchmark becomes one of its aliases, so its
        quote names the benchmark."""
        settings = [s.field for s in run_settings.SETTINGS]
        dataset = tablib.Dataset(
            headers=[
                "model",
                "benchmark",
                "source",
                "value",
                "stderr",
                "as_percentage",
                *settings,
                "provenance",
                "reported_on",
                "quote",
            ]
        )
        facts = run_settings.harness_facts(self.text)
        for result in self.results:
            stated = {
                **facts.of(result.task),
                "metric": result.metric,
                "metric_variant": result.metric_variant,
            }
            benchmark = result.benchmark
            if not any(result.task.lower() == name.lower() for name in benchmark.names):
                writes.save(BenchmarkAlias(benchmark=benchmark, name=result.task))
                benchmark.__dict__.pop("names", None)
            dataset.append(
                [
                    self.model.slug,
                    benchmark.slug,
                    source.slug,
                    result.value,
                    result.stderr,
                    result.as_percentage,
                    *(stated.get(field) for field in settings),
                    Provenance.INDEPENDENT,
                    self.measured_on.isoformat() if self.measured_on else "",
                    result.quote,
                ]
            )
        return dataset


def check_size(size, name):
    """Refuse a file over ``MAX_FILE_BYTES`` (``size`` in bytes)."""
    reading.check_size(
        size, name, MAX_FILE_BYTES, advice=" on a source's text: keep fewer tasks in it"
    )


def parse(text, name):
    """The file's JSON, numbers with a fraction or exponent read as Decimals (exactly
    as written); each way the text cannot be read is refused with a sentence."""
    try:
        return json.loads(text, parse_float=Decimal, object_pairs_hook=unique_keys)
    except RepeatedKey as repeated:
        raise ImportRefused(
            f"{name}: the key {shown(repeated.key)} is given twice in one object, so "
            "which figure the file gives is unclear (json keeps the last, a quote would "
            "show the first)."
        ) from None
    except RecursionError:
        raise ImportRefused(
            f"{name}: its JSON is nested too deeply to be a results file."
        ) from None
    except json.JSONDecodeError as error:
        raise ImportRefused(f"{name}: not JSON ({error}).") from error
    except (ValueError, DecimalException):
        # int() refuses past 4,300 digits, Decimal() an exponent past its limit.
        raise ImportRefused(
            f"{name}: {unreadable_number(text)} is too long or too large to read, which no "
            "result could hold."
        ) from None


# A number where JSON puts a value (after ":", "[" or ","), as JSON writes one.
JSON_NUMBER = re.compile(r"(?<=[:\[,])\s*(-?\d+)(\.\d+)?([eE][+-]?\d+)?")


def unreadable_number(text):
    """Where the number json could not read is ("the number on line 12"): the first
    whole number past Python's digits, or number past Decimal's exponent."""
    for match in JSON_NUMBER.finditer(text):
        whole, fraction, exponent = match.groups()
        try:
            if fraction or exponent:
                Decimal(match.group().strip())
            else:
                int(whole)
        except (ValueError, DecimalException):
            return f"the number on line {text.count(chr(10), 0, match.start()) + 1}"
    return "a number in it"


def unique_keys(pairs):
    """A JSON object, refused (RepeatedKey) when it gives a key twice."""
    found = {}
    for key, value in pairs:
        if key in found:
            raise RepeatedKey(key)
        found[key] = value
    return found


def is_percentage(benchmark):
    """Whether the benchmark's figures are percentages, which the harness gives as
    fractions from 0 to 1."""
    return benchmark.result_kind == ResultKind.PERCENTAGE


def name_problem(name):
    """What keeps a name the file gives (a task's, the model's) from being shown in a
    sentence and kept as an alias, as the end of a sentence; None for a good name."""
    if not name.strip():
        return "is empty or only spaces"
    if len(name) > MAX_NAME_CHARS:
        return f"has {len(name):,} characters, over the {MAX_NAME_CHARS} a name may have"
    unsafe = unsafe_character(name)
    if unsafe:
        return f"holds {described(unsafe)}, which no name may carry"
    return None


def unsafe_character(text, allowed=frozenset()):
    """The first character of ``text`` in ``UNSAFE_CATEGORIES`` and not ``allowed``,
    or None. Each distinct character is looked at once."""
    unsafe = {
        char for char in set(text) - allowed if unicodedata.category(char) in UNSAFE_CATEGORIES
    }
    return min(unsafe, key=text.index) if unsafe else None


def described(char):
    return (
        f"the character U+{ord(char):04X}, a control or formatting character (such as a "
        "bidirectional override)"
    )


def json_type(value):
    """What a JSON value is, in a word or two."""
    if isinstance(value, bool):
        return json.dumps(value)
    kinds = {dict: "an object", list: "a list", str: "text", type(None): "null"}
    return kinds.get(type(value), "a number")


def shown(value):
    """A value from the file as a sentence shows it: as JSON writes it, every
    character that is not plain ASCII escaped, cut short; an object or list by its
    kind (never written out: it may be nested thousands deep)."""
    if isinstance(value, dict | list):
        return json_type(value)
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        text = str(value)
    else:
        text = json.dumps(value)
    return cut(text)


def named(name):
    """A name from the file as a sentence shows it: quoted, each control or
    formatting character escaped (``repr``), cut short."""
    return repr(name) if len(name) <= SHOWN_CHARS else f"{name[:SHOWN_CHARS]!r}…"


def cut(text):
    if len(text) <= SHOWN_CHARS:
        return text
    return f"{text[:SHOWN_CHARS]}… ({len(text):,} characters)"
