"""Hostile lm-evaluation-harness results files, made in memory: each function returns
the text of one file that once cost the harness import a traceback, a value stored
other than the file states it, or a write where nothing should be written. The tests
(``tests/test_imports_harness.py``) feed each to ``import_results``; keep new attacks
here so the next importer of such files is tried the same way.

Every file names its model ``example-org/tiny-test-model`` and its tasks as the
example file does (``arc_easy``, ``hellaswag``); ``results_file`` builds a sound one
to spoil."""

import json

MODEL_NAME = "example-org/tiny-test-model"
# Stands where a figure is to be written as raw JSON text (1e309, NaN): json.dumps
# cannot write those as the attack needs them.
RAW = "@RAW-FIGURE@"


def task(acc_norm=0.6127946127946128, stderr=0.009995312065890362):
    """One task's block as the harness writes it."""
    return {
        "alias": "arc_easy",
        "acc,none": 0.6561447811447811,
        "acc_stderr,none": 0.009746660584852454,
        "acc_norm,none": acc_norm,
        "acc_norm_stderr,none": stderr,
    }


def results_file(results=None, raw=None, **fields):
    """A results file holding ``results`` (by default one sound ``arc_easy`` task),
    with ``fields`` added or replaced at the top level; ``raw``, if given, is written
    as JSON text where a value is ``RAW``."""
    data = {
        "results": {"arc_easy": task()} if results is None else results,
        "n-shot": {"arc_easy": 0},
        "config": {"model": "hf", "model_args": f"pretrained={MODEL_NAME},dtype=float32"},
        "date": 1767225600.0,
        "model_name": MODEL_NAME,
        **fields,
    }
    text = json.dumps(data, indent=2)
    return text if raw is None else text.replace(json.dumps(RAW), raw)


def fraction_above_one(value=1.5):
    """A fraction past 1 on a percentage benchmark: was stored as 1.5 %, its standard
    error raw, while 0.536 in the same file became 53.6 %."""
    return results_file({"arc_easy": task(acc_norm=value), "hellaswag": task(acc_norm=0.536)})


def fraction_below_zero():
    """A negative fraction on a percentage benchmark: was stored as it stands (-0.2 %)."""
    return fraction_above_one(-0.2)


def raw_figure(raw, stderr=0.01):
    """``acc_norm`` written as the JSON text ``raw`` (1e309, NaN, a 4,000-digit
    integer, true)."""
    return results_file({"arc_easy": task(acc_norm=RAW, stderr=stderr)}, raw=raw)


def figure_past_a_float():
    """1e309, past the largest float: ``decimal.InvalidOperation`` from ``quantize``."""
    return raw_figure("1e309")


def figure_too_large(raw="1e300"):
    """A figure no result can hold (a score's 1e300): ``quantize`` raised."""
    return raw_figure(raw)


def figure_of_many_digits(digits=4000):
    """A whole number of ``digits`` digits: ``quantize`` raised."""
    return raw_figure("9" * digits)


def figure_past_pythons_digits(digits=5000):
    """A whole number longer than Python reads (4,300 digits): ValueError from
    ``json.loads``, which is no ``JSONDecodeError``."""
    return raw_figure("9" * digits)


def figure_past_decimals_exponent():
    """An exponent past what ``decimal`` holds: ``InvalidOperation`` from
    ``json.loads`` itself (``parse_float=Decimal``)."""
    return raw_figure("1e99999999999999999999")


def figure_not_a_number(raw="NaN"):
    """NaN, Infinity or -Infinity, which Python's json reads though JSON has none."""
    return raw_figure(raw)


def figure_true():
    """``true`` as the figure: a bool is an int to Python, so it was stored as 100 %."""
    return raw_figure("true")


def stderr_of(raw):
    """The standard error written as the JSON text ``raw`` (NaN, -0.01, "0.01", 1e309):
    anything but a number or "N/A" was dropped without a word."""
    return results_file({"arc_easy": task(stderr=RAW)}, raw=raw)


def config_of(config):
    """``config`` as something other than an object (a list, a string): an
    AttributeError in ``named_models``."""
    return results_file(config=config)


def model_name_of(name):
    """``model_name`` as something other than a name (a number, a list), or a name
    carrying control or bidi characters into the model's alias."""
    return results_file(model_name=name, config={"model": "hf"})


def nested(depth=100_000):
    """A task nested ``depth`` lists deep: RecursionError from ``json.loads``. It opens
    with "{", so it is taken for a results file without --format."""
    return '{"results": {"arc_easy": ' + "[" * depth + "]" * depth + "}}"


def date_of(raw):
    """``date`` written as the JSON text ``raw`` (1e300, a 4,000-digit integer, NaN,
    "yesterday"): no time stamp."""
    return results_file(date=RAW, raw=raw)


def odd_n_shot():
    """``n-shot`` values of every odd type: none is a number of shots."""
    return results_file(
        raw="NaN",
        **{
            "n-shot": {
                "arc_easy": [5],
                "hellaswag": "5",
                "lambada": {"shots": 5},
                "mmlu": True,
                "gsm8k": 10**400,
                "piqa": RAW,
            }
        },
    )


def n_shot_of(value):
    """``n-shot`` itself as something other than an object."""
    return results_file(**{"n-shot": value})


def task_of(value):
    """A task in ``results`` that is no object of metrics (a number, a list, null): was
    skipped without a word."""
    return results_file({"arc_easy": value, "hellaswag": task()})


def no_results():
    """An empty ``results``: a source was created and the data version moved on, for
    no result."""
    return results_file({})


def only_unknown_tasks():
    """Tasks that match no benchmark: with --skip-unknown-tasks every one was left out
    and a source was still created."""
    return results_file({"no_such_task": task(), "nor_this_one": task()})


def oversized(megabytes=5):
    """A file just over ``megabytes`` MB, padded in a field nothing reads."""
    return results_file(padding="x" * (megabytes * 1024 * 1024))


def task_named(name):
    """One task named ``name``, written as json.dumps writes it (control and bidi
    characters escaped, so its block is found): the name was saved as the
    benchmark's alias when the task was mapped with --task."""
    return results_file({name: task()}, **{"n-shot": {}})


def two_tasks_for_one_benchmark():
    """Two tasks that are the same benchmark (an alias matches either case): the second
    replaced the first without a word."""
    return results_file({"arc_easy": task(acc_norm=0.5), "ARC_EASY": task(acc_norm=0.9)})


def duplicate_task():
    """The same task twice in ``results``: json keeps the last, while the quote is
    cut from the first."""
    block = json.dumps(task(), indent=2)
    other = json.dumps(task(acc_norm=0.9), indent=2)
    return results_file(raw=f'{{"arc_easy": {block}, "arc_easy": {other}}}', results=RAW)


def duplicate_metric():
    """The same metric twice in one task: json keeps the last (0.5), while the quote
    is cut down to the first (0.9) and states the 0.5 of ``acc``."""
    body = (
        '{"acc,none": 0.5, "acc_norm,none": 0.9, "acc_norm_stderr,none": 0.01, '
        '"acc_norm,none": 0.5}'
    )
    return results_file(raw=f'{{"arc_easy": {body}}}', results=RAW)


def bidi_in_a_quote():
    """A right-to-left override written unescaped in a task's block (JSON allows it):
    the quote shown beside the figure would read other than it is."""
    block = task()
    block["alias"] = "arc_easy \u202e1.0 = "
    return json.dumps(
        {**json.loads(results_file()), "results": {"arc_easy": block}}, ensure_ascii=False
    )
