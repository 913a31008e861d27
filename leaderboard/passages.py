"""Where quotes sit in a source's kept text: the source page shows the text with every
quoted passage marked, each with an anchor that the figures it proves link to."""

import re
from dataclasses import dataclass, field

from .quotes import normalize_space


@dataclass
class Piece:
    """A stretch of a paragraph, and the anchors of the quotes that cover it."""

    text: str
    anchors: list = field(default_factory=list)  # anchors of quotes covering this stretch
    starts: list = field(default_factory=list)  # anchors of quotes that begin here


def marked_paragraphs(raw_text, citations):
    """The text's paragraphs, each a list of ``Piece``s, with every citation's quote
    marked where it stands (matched with runs of whitespace read as one space, as the
    quote rule matches it), and the anchors of quotes the text does not hold."""
    paragraphs = [normalize_space(p) for p in re.split(r"\n", raw_text) if p.strip()]
    joined = "\n".join(paragraphs)
    searchable = joined.replace("\n", " ")  # same length: positions agree
    spans = []
    missing = []
    for citation in citations:
        quote = normalize_space(citation.quote)
        start = searchable.find(quote) if quote else -1
        if start < 0:
            missing.append(citation.anchor)
        else:
            spans.append((start, start + len(quote), citation.anchor))
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
