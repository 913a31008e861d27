"""Where quotes sit in a source's kept text: the source page shows the text with every
quoted passage marked, each with an anchor that the figures it proves link to. The
anchor is the quote's own (``quote_anchor``), so identical quotes share one and a page
never needs to know which citations quote a passage to link to it.

A long text is shown in pages (``MarkedText``): a 5 MB text of 130,000 lines took
seconds to render whole and was too large for the page cache. Only the page shown is
marked up; where every quote stands (its page) is known from one pass over the text, so
a link to a passage lands on the page holding it (``?passage=``, or on the first page
through the list of passages further on)."""

import sys
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from itertools import accumulate

from ..rules.quotes import normalize_space, quote_anchor

# A page of a source's text holds at most this many lines, and stops at the first line
# that takes it past this many characters, so its HTML stays well under the page
# cache's limit (PAGE_CACHE_MAX_BYTES). A text within both is one page, as it always was.
TEXT_PAGE_LINES = 1_000
TEXT_PAGE_CHARS = 100_000


@dataclass
class Piece:
    """A stretch of a paragraph, and the anchors of the quotes that cover it."""

    text: str
    anchors: list = field(default_factory=list)  # anchors of quotes covering this stretch
    starts: list = field(default_factory=list)  # anchors of quotes that begin here


@dataclass
class Passage:
    """A quote's place in the text: its anchor, the page it begins on, and its words."""

    anchor: str
    page: int
    text: str


def passage_url(source_url, quote):
    """Where a figure's "where the source states it" link goes: the source's page, on
    the page of its text holding the quote (``?passage=``: a long text is shown a page
    at a time), at the quote's mark."""
    return source_url + passage_fragment(quote_anchor(quote))


def passage_fragment(anchor):
    """What follows the source page's address in the address of the passage marked
    ``anchor`` (``passage_url``): the page of its text holding it, and the mark."""
    return f"?passage={anchor}#{anchor}"


# Every other character Python counts as whitespace (``\s``, ``str.split``); none lies
# past U+3000.
OTHER_WHITESPACE = [c for c in map(chr, range(0x3001)) if c.isspace() and c not in " \n"]


def text_lines(raw_text):
    """The text's non-blank lines, each as ``normalize_space`` reads it. A text with no
    run of spaces and no other whitespace than single spaces and newlines (most) is only
    split and stripped: collapsing every line took half a second on 5 MB."""
    parts = raw_text.split("\n")
    if "  " in raw_text or any(c in raw_text for c in OTHER_WHITESPACE):
        parts = (" ".join(part.split()) for part in parts)
    return [line for line in (part.strip() for part in parts) if line]


class MarkedText:
    """A source's text in pages of lines, with each of ``quotes`` found where it stands
    (matched as the quote rule matches it, across line breaks) and the quotes the text
    does not hold (``missing``). ``paragraphs(page)`` marks up one page."""

    def __init__(self, raw_text, quotes, page_lines=TEXT_PAGE_LINES, page_chars=TEXT_PAGE_CHARS):
        lines = text_lines(raw_text)
        self.joined = "\n".join(lines)
        searchable = self.joined.replace("\n", " ")  # same length: positions agree
        self.spans, self.missing = [], []
        for quote in dict.fromkeys(normalize_space(q) for q in quotes):
            start = searchable.find(quote) if quote else -1
            if start < 0:
                self.missing.append(quote)
            else:
                self.spans.append((start, start + len(quote), quote_anchor(quote)))
        # Where each line starts in ``joined``, and one past the end of the last.
        self.offsets = [0, *accumulate(len(line) + 1 for line in lines)]
        self.page_starts = page_starts(self.offsets, page_lines, page_chars)

    @property
    def line_count(self):
        return len(self.offsets) - 1

    @property
    def page_count(self):
        return len(self.page_starts)

    def lines_of(self, page):
        """The first and one past the last line (0-based) of a page (1-based)."""
        first = self.page_starts[page - 1]
        last = self.page_starts[page] if page < self.page_count else self.line_count
        return first, last

    @cached_property
    def passages(self):
        """Every quote found, in the order of the text, with the page it begins on."""
        return [
            Passage(anchor, self.page_of_offset(start), self.joined[start:end])
            for start, end, anchor in sorted(self.spans)
        ]

    @cached_property
    def pages(self):
        """The page each quote found begins on, by its anchor."""
        return {passage.anchor: passage.page for passage in self.passages}

    def page_of_offset(self, offset):
        line = bisect_right(self.offsets, offset) - 1
        return bisect_right(self.page_starts, line)

    def paragraphs(self, page=1):
        """The page's lines, each a list of ``Piece``s: only this page is marked up. A
        quote that runs on from the page before is marked without its anchor, which
        stands where it begins."""
        if not self.line_count:
            return []
        first, last = self.lines_of(page)
        begin, end = self.offsets[first], self.offsets[last] - 1
        spans = [(s, e, a) for s, e, a in self.spans if s < end and begin < e]
        ends = {x for s, e, _ in spans for x in (max(s, begin), min(e, end))}
        cuts = sorted({begin, end, *ends})
        return pieces(self.joined, spans, cuts)


def pieces(joined, spans, cuts):
    """The stretches between ``cuts`` split into lines, each stretch with the anchors
    of the ``spans`` covering it and of those beginning at it."""
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
    return [p for p in result if p]


def page_starts(offsets, page_lines, page_chars):
    """The first line of each page: a page ends after ``page_lines`` lines or at the
    first line that takes it past ``page_chars`` characters (a longer line is a page
    of its own). Always at least one page."""
    starts, line, count = [0], 0, len(offsets) - 1
    while True:
        fits = bisect_right(offsets, offsets[line] + page_chars) - 1
        line = max(line + 1, min(fits, line + page_lines))
        if line >= count:
            return starts
        starts.append(line)


def marked_paragraphs(raw_text, quotes):
    """The whole text's paragraphs, each a list of ``Piece``s, with each of ``quotes``
    marked where it stands, and the quotes the text does not hold."""
    text = MarkedText(raw_text, quotes, page_lines=sys.maxsize, page_chars=sys.maxsize)
    return text.paragraphs(), text.missing
