"""Small factories: each makes one valid row, with keyword arguments to change it,
saved through the site's write path (``leaderboard.rules.writes``)."""

import itertools

from leaderboard.models import (
    AIModel,
    Benchmark,
    Organization,
    Provenance,
    Result,
    ResultKind,
    Source,
)
from leaderboard.rules import writes

_numbers = itertools.count(1)


def saved(instance):
    writes.save(instance)
    return instance


def make_organization(**fields):
    n = next(_numbers)
    fields.setdefault("name", f"Org {n}")
    fields.setdefault("slug", f"org-{n}")
    return saved(Organization(**fields))


def make_source(**fields):
    """A source with no kept text, so quotes are checked only against their figures."""
    n = next(_numbers)
    fields.setdefault("title", f"Source {n}")
    fields.setdefault("slug", f"source-{n}")
    return saved(Source(**fields))


def make_model(**fields):
    n = next(_numbers)
    fields.setdefault("name", f"Model {n}")
    fields.setdefault("slug", f"model-{n}")
    if "organization" not in fields:
        fields["organization"] = make_organization()
    return saved(AIModel(**fields))


def make_benchmark(**fields):
    n = next(_numbers)
    fields.setdefault("name", f"Bench {n}")
    fields.setdefault("slug", f"bench-{n}")
    fields.setdefault("result_kind", ResultKind.SCORE)
    fields.setdefault("higher_is_better", True)
    return saved(Benchmark(**fields))


def make_result(**fields):
    """A result whose default quote states its value (or its rank)."""
    if "model" not in fields:
        fields["model"] = make_model()
    if "benchmark" not in fields:
        fields["benchmark"] = make_benchmark()
    if "source" not in fields:
        fields["source"] = make_source()
    fields.setdefault("provenance", Provenance.INDEPENDENT)
    if "value" not in fields and "rank" not in fields:
        fields["value"] = 50
    if "quote" not in fields:
        fields["quote"] = stating(**fields)
    return saved(Result(**fields))


def stating(model, benchmark, value=None, rank=None, claimed_by=None, provenance=None, **_):
    """Words that state a result as the quote rule asks: they name the claimer (of a
    vendor's claim), the model and the benchmark, and put the figures next to the
    model's name."""
    stated = [f"scored {value}"] if value is not None else []
    if rank is not None:
        stated.append(f"ranked #{rank}")
    claim = f"{claimed_by.name} claims " if claimed_by and provenance != "independent" else ""
    return f"{claim}{model.name} {' and '.join(stated)} on {benchmark.name}."


def set_value(result, value):
    """An editor's correction of a result's figure, with a quote that states it."""
    result.value = value
    result.quote = stating(
        result.model,
        result.benchmark,
        value,
        claimed_by=result.claimed_by,
        provenance=result.provenance,
    )
    writes.save(result)
    return result
