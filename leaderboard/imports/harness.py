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
"""

import hashlib
import json
import re
from datetime import UTC, datetime
from decimal import Decimal

import tablib

from .. import writes
from ..models import AIModel, Benchmark, BenchmarkAlias, ModelAlias, ResultKind, Source
from ..models.results import Provenance
from ..quotes import harness_shots, stored_figure
from .run import ImportRefused

# The metrics tried, in order, when none is given for a benchmark; then the
# benchmark's own (``Benchmark.harness_metric``).
DEFAULT_METRICS = ("acc_norm", "acc")


class HarnessFile:
    """One results file: ``model``, ``source()`` (unsaved until ``save_source``) and
    ``rows()``. Every way the file does not fit the site raises ImportRefused with a
    sentence saying what to do."""

    def __init__(self, text, name, model=None, tasks=None, metrics=None, skip_unknown=False):
        self.text, self.name = text, name
        self.task_map = tasks or {}
        self.metrics = metrics or {}
        self.skip_unknown = skip_unknown
        self.skipped = []  # tasks left out (--skip-unknown-tasks), for the report
        try:
            self.data = json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as error:
            raise ImportRefused(f"{name}: not JSON ({error}).") from error
        if not isinstance(self.data, dict) or not isinstance(self.data.get("results"), dict):
            raise ImportRefused(
                f'{name}: no "results" object: not a results file of lm-evaluation-harness '
                "(rows of results are a JSON list of objects)."
            )
        self.model_names = self.named_models()
        self.model = self.find_model(model)

    # The model.

    def named_models(self):
        """The names the file gives its model: ``model_name`` and ``pretrained=``."""
        names = []
        if isinstance(self.data.get("model_name"), str):
            names.append(self.data["model_name"])
        args = (self.data.get("config") or {}).get("model_args")
        if isinstance(args, str):
            for part in args.split(","):
                key, _, value = part.partition("=")
                if key.strip() == "pretrained" and value.strip():
                    names.append(value.strip())
        return [name for name in dict.fromkeys(names) if name]

    def find_model(self, slug):
        if slug:
            model = AIModel.objects.filter(slug=slug).first()
            if model is None:
                raise ImportRefused(f"--model {slug}: no model has that slug.")
            return model
        for name in self.model_names:
            found = (
                AIModel.objects.filter(name__iexact=name).first()
                or AIModel.objects.filter(
                    pk__in=ModelAlias.objects.filter(name__iexact=name).values("model_id")
                ).first()
            )
            if found is not None:
                return found
        named = " or ".join(repr(n) for n in self.model_names) or "no model"
        raise ImportRefused(
            f"{self.name} names {named}, which is no model's name or alias: add it as an "
            "alias of the model, or name the model with --model SLUG."
        )

    # The source.

    @property
    def digest(self):
        return hashlib.sha256(self.text.encode()).hexdigest()

    @property
    def measured_on(self):
        stamp = self.data.get("date")
        try:
            return datetime.fromtimestamp(float(stamp), tz=UTC).date()
        except (TypeError, ValueError, OverflowError, OSError):
            return None

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

    def benchmark_for(self, task):
        """The benchmark a task maps to (--task, else a benchmark's slug or alias), or
        None for a task left out."""
        slug = self.task_map.get(task)
        if slug:
            benchmark = Benchmark.objects.filter(slug=slug).first()
            if benchmark is None:
                raise ImportRefused(f"--task {task}={slug}: no benchmark has that slug.")
            return benchmark
        benchmark = (
            Benchmark.objects.filter(slug=task).first()
            or Benchmark.objects.filter(
                pk__in=BenchmarkAlias.objects.filter(name__iexact=task).values("benchmark_id")
            ).first()
        )
        if benchmark is None:
            if self.skip_unknown:
                self.skipped.append(task)
                return None
            raise ImportRefused(
                f"Task {task!r} is no benchmark's slug or alias: map it with "
                f"--task {task}=SLUG, or leave such tasks out with --skip-unknown-tasks."
            )
        return benchmark

    def metric_key(self, task, figures, benchmark):
        """The key of the figure to import ("acc_norm,none"): the metric given for the
        benchmark, else acc_norm, acc, or the benchmark's own metric, preferring the
        "none" filter."""
        wanted = (
            [self.metrics[benchmark.slug]]
            if benchmark.slug in self.metrics
            else [
                *DEFAULT_METRICS,
                *([benchmark.harness_metric] if benchmark.harness_metric else []),
            ]
        )
        for metric in wanted:
            keys = [k for k in figures if k.split(",")[0] == metric and "_stderr" not in k]
            if keys:
                return next((k for k in keys if k.endswith(",none")), keys[0])
        raise ImportRefused(
            f"Task {task!r} gives none of the metrics {', '.join(wanted)}: name the metric "
            f"with --metric {benchmark.slug}=METRIC."
        )

    def quote_for(self, task, keys):
        """The file's own words for a task's figures: from the task's name in
        ``results`` down to the last of ``keys``' lines."""
        results_at = self.text.find('"results"')
        start = self.text.find(json.dumps(task) + ":", results_at)
        if results_at < 0 or start < 0:
            raise ImportRefused(f"Task {task!r}: its block cannot be found in the file's text.")
        end = start
        for key in keys:
            line = re.compile(re.escape(json.dumps(key)) + r"\s*:\s*[^,\n}]*")
            match = line.search(self.text, start)
            if match is None:
                raise ImportRefused(f"Task {task!r}: no line for {key!r} in the file's text.")
            end = max(end, match.end())
        return self.text[start:end]

    def rows(self, source):
        dataset = tablib.Dataset(
            headers=[
                "model",
                "benchmark",
                "source",
                "value",
                "stderr",
                "as_percentage",
                "shots",
                "provenance",
                "reported_on",
                "quote",
            ]
        )
        shots = harness_shots(self.text)
        for task, figures in self.data["results"].items():
            if not isinstance(figures, dict):
                continue
            benchmark = self.benchmark_for(task)
            if benchmark is None:
                continue
            if not any(task.lower() == name.lower() for name in benchmark.names):
                # The mapping says this task is that benchmark: its quotes name it so.
                writes.save(BenchmarkAlias(benchmark=benchmark, name=task))
            key = self.metric_key(task, figures, benchmark)
            metric, _, applied = key.partition(",")
            stderr_key = f"{metric}_stderr,{applied}" if applied else f"{metric}_stderr"
            value, stderr = figures[key], figures.get(stderr_key)
            if not isinstance(value, Decimal | int):
                raise ImportRefused(f"Task {task!r}: {key} is {value!r}, not a number.")
            if not isinstance(stderr, Decimal | int):  # absent, or "N/A"
                stderr = None
            percent = benchmark.result_kind == ResultKind.PERCENTAGE and 0 <= value <= 1
            keys = [key] + ([stderr_key] if stderr is not None else [])
            dataset.append(
                [
                    self.model.slug,
                    benchmark.slug,
                    source.slug,
                    stored_figure(Decimal(value), percent),
                    None if stderr is None else stored_figure(Decimal(stderr), percent),
                    percent,
                    shots.get(task),
                    Provenance.INDEPENDENT,
                    self.measured_on.isoformat() if self.measured_on else "",
                    self.quote_for(task, keys),
                ]
            )
        return dataset
