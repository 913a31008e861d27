"""Where quotes sit in a source's kept text: the source page shows the text with every
quoted passage marked, each with an anchor that the figures it proves link to. The
anchor is the quote's own (``quote_anchor``), so identical quotes share one and a page
never needs to know which citations quote a passage to link to it."""

import hashlib
import re
from dataclasses import dataclass, field

from .quotes import normalize_space


@dataclass
class Piece:
    """A stretch of a paragraph, and the anchors of the quotes that cover it."""

    text: str
    anchors: list = field(default_factory=list)  # anchors of quotes covering this stretch
    starts: list = field(default_factory=list)  # anchors of quotes that begin here


def quote_anchor(quote):
    """The fragment of a source page where a quote is marked: "q-" and the start of the
    SHA-256 of the quote as the quote rule reads it (runs of whitespace as one space)."""
    return "q-" + hashlib.sha256(normalize_space(quote).encode()).hexdigest()[:12]


def marked_paragraphs(raw_text, quotes):
    """The text's paragraphs, each a list of ``Piece``s, with each of ``quotes`` marked
    where it stands (matched as the quote rule matches it), and the quotes the text
    does not hold."""
    paragraphs = [normalize_space(p) for p in re.split(r"\n", raw_text) if p.strip()]
    joined = "\n".join(paragraphs)
    searchable = joined.replace("\n", " ")  # same length: positions agree
    spans, missing = [], []
    for quote in dict.fromkeys(normalize_space(q) for q in quotes):
        start = searchable.find(quote) if quote else -1
        if start < 0:
            missing.append(quote)
        else:
            spans.append((start, start + len(quote), quote_anchor(quote)))
    cuts = sorted({0, len(joined), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    result, current = [], []
    for begin, end in zip(cuts, cuts[1:], strict=False):
        covering = [a for s, e, a in spans if s <= begin and end <= e]
        starting = [a for s, _, a in spans if s == begin]
        for i, text in enumerate(joined[begin:end].split("\n")):
            if i:
                result.append(current)
                current = []
            if text:
                current.append(Piece(text, covering, starting if i == 0 else []))
    result.append(current)
    return [p for p in result if p], missing
