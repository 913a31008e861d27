"""How a result was measured (its *settings*), as its source states them: the one
home of what a setting is, where a source states one, and which results a benchmark
ranks together.

A figure is only comparable with figures measured the same way. Each result records,
where its source states them, the metric and its variant (the evaluation harness's
filter, such as ``strict-match``), the number of shots, the evaluation harness and its
version or commit, the model's revision and precision, whether a chat template was
applied and whether the run covered only a subset of the task. A setting no source
states stays empty (*not reported*): every door checks a setting as it checks a
figure (``setting_errors``), so none can be made up.

Where a source states a setting:

- **Its quote**, for any source: the setting's words stand in it ("acc_norm",
  "strict-match", "5-shot", "bfloat16", "chat template", "subset").
- **An lm-evaluation-harness results file** kept as the source's text
  (``HarnessFacts``): for the task that is the result's benchmark, the metric keys of
  its block in ``results`` ("acc_norm,none": metric ``acc_norm``, variant ``none``),
  its ``n-shot`` (a group's from its subtasks, when they all agree: the harness
  writes 0 for a group whatever its subtasks ran), ``lm_eval_version`` (else
  ``git_hash``), ``dtype`` and ``revision`` of ``config.model_args``, whether
  ``chat_template`` is given, and whether ``config.limit`` is set or ``n-samples``
  counts fewer effective samples than the task has.

A benchmark may declare the setting it ranks (metric, variant, shots), as it declares
the version it ranks. A result is *comparable* (``Result.is_comparable``, kept by
``leaderboard.rules.writes``) when it matches every part the benchmark declares, a part it
does not report matching none, and did not run on a subset: subset runs are never
ranked with full runs. Only comparable results get places; the others are shown
apart, each with what differs (``differences``).
"""

import json
from collections import namedtuple
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce

from .quotes import mentions, shots_count, shots_in

HARNESS = "lm-evaluation-harness"


@dataclass(frozen=True)
class Setting:
    """One setting: the result's field, how a page labels it, and the words a quote
    states it with (for a true/false setting: either value)."""

    field: str
    label: str
    words: tuple = ()
    # What an editor is told to quote.
    hint: str = "quote the words that state it"


SETTINGS = (
    Setting("metric", "metric"),
    Setting("metric_variant", "metric variant"),
    Setting(
        "shots",
        "shots",
        hint="quote the words that say how many solved examples the prompt held (“5-shot”)",
    ),
    Setting("harness", "evaluation harness"),
    Setting("harness_version", "harness version"),
    Setting("model_revision", "model revision"),
    Setting("precision", "precision"),
    Setting("chat_template", "chat template", ("chat template", "chat-template")),
    Setting("subset", "subset", ("subset", "full set", "full test set", "limit")),
)

# A result's settings as plain values, by field: what ``description`` and ``as_json``
# read where rows are read raw rather than as ``Result`` instances (the exports).
SettingsRow = namedtuple("SettingsRow", [setting.field for setting in SETTINGS])
BY_FIELD = {setting.field: setting for setting in SETTINGS}
# What a benchmark may declare it ranks: Benchmark field → Result field.
RANKED = {
    "ranked_metric": "metric",
    "ranked_metric_variant": "metric_variant",
    "ranked_shots": "shots",
}


def is_given(value):
    return value is not None and value != ""


def as_json(result):
    """Every setting of a result by its field, null where not reported: what the API
    and the typed export give."""
    return {
        s.field: getattr(result, s.field) if is_given(getattr(result, s.field)) else None
        for s in SETTINGS
    }


def given_settings(result):
    """{field: value} of the settings a result records."""
    return {
        s.field: getattr(result, s.field) for s in SETTINGS if is_given(getattr(result, s.field))
    }


# What a harness file states.


@dataclass(frozen=True)
class TaskFacts:
    """What a results file states of one task's run."""

    metrics: frozenset  # {(metric, variant)} of the task's block in "results"
    shots: int | None
    subset: bool | None


@dataclass(frozen=True)
class HarnessFacts:
    """What an lm-evaluation-harness results file states of its runs: per task
    (``tasks``), and for the whole file."""

    tasks: dict
    harness_version: str | None
    model_revision: str | None
    precision: str | None
    chat_template: bool | None

    def of(self, task):
        """{field: value} that the file states of ``task``'s run (empty for a task it
        does not hold)."""
        facts = self.tasks.get(task)
        if facts is None:
            return {}
        stated = {
            "harness": HARNESS,
            "harness_version": self.harness_version,
            "model_revision": self.model_revision,
            "precision": self.precision,
            "chat_template": self.chat_template,
            "shots": facts.shots,
            "subset": facts.subset,
        }
        return {field: value for field, value in stated.items() if value is not None}


@lru_cache(maxsize=8)
def harness_facts(text):
    """The ``HarnessFacts`` of a source's kept text, or None for a text that is no
    results file of the harness. Cached: each result a file imports reads it."""
    if not text or '"results"' not in text:
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("results"), dict):
        return None
    blocks = {**as_dict(data.get("groups")), **data["results"]}
    shots = {task: shots_count(n) for task, n in as_dict(data.get("n-shot")).items()}
    subtasks = subtasks_of(data)
    config = as_dict(data.get("config"))
    limited = config.get("limit") is not None if "limit" in config else None
    samples = as_dict(data.get("n-samples"))
    # Every task the file names a figure or a number of shots for.
    tasks = {
        task: TaskFacts(
            metrics=frozenset(metric_keys(as_dict(blocks.get(task)))),
            shots=task_shots(task, shots, subtasks),
            subset=task_subset(task, limited, samples, subtasks),
        )
        for task in {**shots, **blocks}
    }
    args = model_args(config.get("model_args"))
    return HarnessFacts(
        tasks=tasks,
        harness_version=text_or_none(data.get("lm_eval_version"))
        or text_or_none(data.get("git_hash")),
        model_revision=text_or_none(args.get("revision"))
        or text_or_none(config.get("model_revision")),
        precision=text_or_none(args.get("dtype") or args.get("torch_dtype"))
        or text_or_none(config.get("model_dtype")),
        chat_template=chat_template_applied(data),
    )


def chat_template_applied(data):
    """Whether the run applied a chat template: the harness writes the template's
    digest (``chat_template_sha``) only when it did, and the template (null or ""
    when it did not); files before 0.4.3 say neither (None)."""
    if "chat_template_sha" in data:
        return data["chat_template_sha"] is not None
    if "chat_template" in data:
        return bool(data["chat_template"])
    return None


def as_dict(value):
    return value if isinstance(value, dict) else {}


def text_or_none(value):
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


# Keys of a task's block that are no metric.
NOT_METRICS = ("alias", "name", "sample_len", "samples")


def metric_keys(block):
    """(metric, variant) of each figure of a task's block: "acc_norm,none" gives
    ("acc_norm", "none"); a key without a comma (the harness before 0.4) gives
    ("acc_norm", ""). Standard errors and the "alias" are not metrics."""
    keys = set()
    for key in block:
        metric, _, variant = key.partition(",")
        # A group without a figure of its own holds {" ": " ", "alias": …}.
        if not metric.strip() or metric.endswith("_stderr") or metric in NOT_METRICS:
            continue
        keys.add((metric, variant))
    return keys


def subtasks_of(data):
    """{group: [subtask, …]} from ``group_subtasks`` (0.4.2 and later) or the group
    names of ``groups`` (earlier 0.4 files list no subtasks: none are known)."""
    given = as_dict(data.get("group_subtasks"))
    return {
        group: [t for t in tasks if isinstance(t, str)]
        for group, tasks in given.items()
        if isinstance(tasks, list) and tasks
    }


def leaves(task, subtasks, seen=()):
    """The tasks that ran under ``task``: itself when it is no group, else its
    subtasks' leaves (a group of groups, as MMLU's categories, is followed down)."""
    if task not in subtasks or task in seen:
        return [task]
    found = []
    for sub in subtasks[task]:
        found += leaves(sub, subtasks, (*seen, task))
    return found


def task_shots(task, shots, subtasks):
    """A task's shots: its own ``n-shot``; a group's, its subtasks' when every one of
    them gives the same number (the harness writes 0 for a group whatever its
    subtasks ran), else None."""
    if task not in subtasks:
        return shots.get(task)
    found = {shots.get(leaf) for leaf in leaves(task, subtasks)}
    return found.pop() if len(found) == 1 else None


def task_subset(task, limited, samples, subtasks):
    """Whether the task (every task under a group) ran on a subset: ``limit`` set, or
    fewer effective samples than the task has; False when the file says it ran whole;
    None when it says neither."""
    counts = [as_dict(samples.get(leaf)) for leaf in leaves(task, subtasks)]
    short = [
        c.get("effective") < c.get("original")
        for c in counts
        if isinstance(c.get("effective"), int) and isinstance(c.get("original"), int)
    ]
    if limited or any(short):
        return True
    if limited is False:
        return False
    if short and len(short) == len(counts):
        return False
    return None


def model_args(args):
    """``config.model_args`` as a dict: the harness writes the command line's text
    ("pretrained=org/name,dtype=bfloat16") or, from Python, an object."""
    if isinstance(args, dict):
        return args
    if not isinstance(args, str):
        return {}
    pairs = (part.partition("=") for part in args.split(","))
    return {key.strip(): value.strip() for key, _, value in pairs if key.strip()}


def stated_by_file(text, task_names):
    """{field: {value: [task, …]}} that a results file kept as ``text`` states for
    the tasks named in ``task_names`` (a benchmark's names, any case), the metrics as
    (metric, variant) pairs under "metric_key"; empty for a text that is no results
    file."""
    facts = harness_facts(text)
    if facts is None:
        return {}
    wanted = {name.lower() for name in task_names}
    stated = {}
    for task, task_facts in facts.tasks.items():
        if task.lower() not in wanted:
            continue
        for field, value in facts.of(task).items():
            stated.setdefault(field, {}).setdefault(value, []).append(task)
        for key in task_facts.metrics:
            stated.setdefault("metric_key", {}).setdefault(key, []).append(task)
    return stated


# The rule every door runs.


def setting_errors(result, source_text, task_names):
    """{field: message} for each setting ``result`` records that its source does not
    state: a results file of the harness (``source_text``, its tasks named as
    ``task_names``) states what it holds of the task, word for word; any other
    source's quote must name the setting (a JSON block's words are not read as
    sentences: "none" in ``"acc,none"`` states no metric)."""
    given = given_settings(result)
    if not given:
        return {}
    errors = {}
    is_file = harness_facts(source_text) is not None
    stated = stated_by_file(source_text, task_names)
    for field, value in given.items():
        if is_file:
            if field in ("metric", "metric_variant"):
                ok = metric_stated(stated, given)
            else:
                ok = value in stated.get(field, ())
        else:
            ok = in_quote(result.quote, field, value)
        if not ok:
            errors[field] = refusal(field, value, stated, is_file)
    return errors


def in_quote(quote, field, value):
    """Whether the quote states this setting."""
    if field == "shots":
        return value in shots_in(quote)
    setting = BY_FIELD[field]
    if isinstance(value, bool):
        return bool(mentions(quote, setting.words))
    return bool(mentions(quote, [str(value)]))


def metric_stated(stated, given):
    """Whether the file gives the task a figure of the result's metric and variant
    (each one the result records)."""
    metric, variant = given.get("metric"), given.get("metric_variant")
    return any(
        (metric is None or metric == m) and (variant is None or variant == v)
        for m, v in stated.get("metric_key", ())
    )


def refusal(field, value, stated, is_file):
    """Why a setting is refused, and what to do."""
    said = phrase(field, value)
    if not is_file:
        return (
            f"Neither the quote nor the source states {said}: {BY_FIELD[field].hint}, or "
            "leave it empty (not reported)."
        )
    if field in ("metric", "metric_variant") and stated.get("metric_key"):
        gives = "; ".join(
            f"{', '.join(f'{m},{v}' if v else m for m, v in sorted(keys))} for {task}"
            for task, keys in by_task(stated["metric_key"]).items()
        )
        return f"The source's results file gives {gives}: not {said}."
    if stated.get(field):
        gives = " and ".join(
            f"{phrase(field, v)} for {', '.join(tasks)}"
            for v, tasks in sorted(stated[field].items(), key=str)
        )
        return f"The source's results file states {gives}, not {said}."
    return (
        f"The source's results file does not state {said} for this benchmark's task: "
        "leave it empty (not reported)."
    )


def by_task(stated):
    """{value: [task, …]} turned round: {task: [value, …]}, tasks in order."""
    tasks = {}
    for value, names in stated.items():
        for task in names:
            tasks.setdefault(task, []).append(value)
    return dict(sorted(tasks.items()))


def phrase(field, value):
    """A setting as a sentence names it: "5-shot", "the metric “acc_norm”", "that a
    chat template was applied"."""
    if field == "shots":
        return f"{value}-shot"
    if field == "chat_template":
        return "that a chat template was applied" if value else "that no chat template was applied"
    if field == "subset":
        return "that it ran on a subset" if value else "that it ran on the full set"
    return f"the {BY_FIELD[field].label} “{value}”"


# Comparability.


def declared(benchmark):
    """{Result field: value} of the setting a benchmark ranks."""
    return {
        result_field: getattr(benchmark, field)
        for field, result_field in RANKED.items()
        if is_given(getattr(benchmark, field))
    }


def differences(result, benchmark):
    """What keeps a result out of the benchmark's ranking, as phrases ("0-shot, not
    10-shot", "ran on a subset"); empty for a comparable result."""
    found = []
    if result.subset:
        found.append("ran on a subset")
    for field, wanted in declared(benchmark).items():
        value = getattr(result, field)
        if not is_given(value):
            found.append(f"{BY_FIELD[field].label} not reported")
        elif value != wanted:
            found.append(f"{short(field, value)}, not {short(field, wanted)}")
    return found


def short(field, value):
    """A setting as a table's note names it: "5-shot", "acc_norm"."""
    return f"{value}-shot" if field == "shots" else str(value)


def description_parts(result):
    """Every setting a result records, as a page lists them: (fields, text) pairs in
    order, ``fields`` the settings the text states: ((metric, shots), "acc_norm,
    10-shot"), ((precision,), "bfloat16"), ((harness, harness_version),
    "lm-evaluation-harness 0.4.3"), then the revision, chat template and subset."""
    given = given_settings(result)
    ranked = {f: given[f] for f in RANKED.values() if f in given}
    parts = [(tuple(ranked), setting_label(ranked))]
    parts.append((("precision",), given.get("precision", "")))
    harness = " ".join(filter(None, [given.get("harness"), given.get("harness_version")]))
    parts.append((("harness", "harness_version"), harness))
    if "model_revision" in given:
        parts.append((("model_revision",), f"revision {given['model_revision']}"))
    if "chat_template" in given:
        text = "chat template" if given["chat_template"] else "no chat template"
        parts.append((("chat_template",), text))
    if "subset" in given:
        parts.append((("subset",), "on a subset" if given["subset"] else "full set"))
    return [(fields, text) for fields, text in parts if text]


def description(result):
    """Every setting a result records, in a line: "acc_norm, 10-shot, bfloat16,
    lm-evaluation-harness 0.4.3, chat template, revision abc123"; "" for none."""
    return ", ".join(text for _, text in description_parts(result))


def differing_fields(results):
    """The settings on which ``results`` (of one benchmark) differ: a field one of
    them records and another records otherwise or not at all."""
    given = [given_settings(result) for result in results]
    fields = {field for settings in given for field in settings}
    return {field for field in fields if len({settings.get(field) for settings in given}) > 1}


def marked_description(result, differing):
    """``description_parts`` as (text, differs) pairs: ``differs`` where the part
    states a setting in ``differing`` (``differing_fields``); a setting the others
    record and this result does not is named "<label> not reported"."""
    parts = [
        (text, any(field in differing for field in fields))
        for fields, text in description_parts(result)
    ]
    given = given_settings(result)
    parts += [
        (f"{s.label} not reported", True)
        for s in SETTINGS
        if s.field in differing and s.field not in given
    ]
    return parts


def group_label(settings, benchmark):
    """A group of results measured alike (``settings``: the fields the benchmark
    ranks by, and ``subset``), as the benchmark page names it: "acc, 0-shot", "acc_norm,
    shots not reported, on a subset"."""
    wanted = declared(benchmark)
    parts = [
        setting_label({field: settings[field]})
        if is_given(settings.get(field))
        else f"{BY_FIELD[field].label} not reported"
        for field in RANKED.values()
        if field in wanted or is_given(settings.get(field))
    ]
    if settings.get("subset"):
        parts.append("on a subset")
    return ", ".join(part for part in parts if part) or "settings not reported"


def is_comparable(result, benchmark):
    return not differences(result, benchmark)


def comparable_q(benchmark):
    """A filter for the benchmark's results that are comparable (``differences`` as
    a query): not run on a subset, and matching each part of the setting it ranks."""
    return (Q(subset=False) | Q(subset__isnull=True)) & Q(**declared(benchmark))


def alike_keys():
    """Annotations that are equal on two results measured alike, as far as their
    sources say: the same metric and variant, the same shots (both not reported
    counts as the same), and both full runs or both subset runs. What a claim and a
    measurement must share for their difference to mean anything."""
    return {
        "alike_metric": F("metric"),
        "alike_variant": F("metric_variant"),
        "alike_shots": Coalesce("shots", Value(-1)),
        "alike_subset": Coalesce("subset", Value(False)),
    }


def setting_label(settings):
    """Settings as a header names them: "acc_norm, strict-match, 5-shot" (the
    harness's filter "none" is no variant, and left out)."""
    return ", ".join(
        short(field, value)
        for field, value in settings.items()
        if not (field == "metric_variant" and value == "none")
    )
