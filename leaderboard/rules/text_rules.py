"""What text the leaderboard takes in, and how text stored before the rule is shown.

**Control characters** (Unicode category Cc: U+0000–U+001F, U+007F–U+009F) are never
what an editor meant to type, and each one breaks a reader somewhere: XML 1.0 cannot
hold most of them, so one in a title made the Atom feed answer 500 for everyone;
PostgreSQL cannot store NUL; spreadsheets refuse them. Every free-text field refuses
them (``TextRule``, which ``leaderboard.models.base``'s text fields run as their
validator, in the model's ``full_clean`` and in the admin's form alike). Text of
several lines (a description, a quote, a source's kept text) keeps tab, newline and
carriage return; a single line (a name, a title, a URL) keeps none.

**Bidirectional controls** that open a scope (embeddings and overrides U+202A–U+202E,
isolates U+2066–U+2069) make the text after them read in another direction: a model
named "Tiny Test \\u202eModel" turns "on ARC Easy" into "ysaE CRA no" wherever its name
stands in a sentence. Single-line fields (names, titles, labels) refuse them; prose
and quotes keep them, as a right-to-left text may need them, and a paragraph ends
their scope. The marks U+200E, U+200F and U+061C are allowed everywhere: they open no
scope, so they cannot reorder what follows the name (pages isolate names in ``<bdi>``
besides), and a right-to-left name may need one to place its punctuation.

What was stored before these rules is made safe where it goes out
(``replace_control_characters``: the Atom feed, exports).
"""

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Cc, as ranges for a regular expression: C0 controls, DEL and C1 controls; and the
# same less tab, newline and carriage return.
CONTROLS = "\x00-\x1f\x7f-\x9f"
CONTROLS_BUT_LINE_BREAKS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
REPLACEMENT = "\ufffd"

# What an output cannot carry: the control characters a text of several lines may
# not hold, and what XML 1.0 refuses besides (lone surrogates, U+FFFE, U+FFFF).
UNSAFE_OUTPUT = re.compile(f"[{CONTROLS_BUT_LINE_BREAKS}\ud800-\udfff\ufffe\uffff]")


def refused_pattern(line_breaks, bidi):
    """The characters a field refuses: every control character, less tab, newline and
    carriage return when it keeps ``line_breaks``, plus the bidirectional controls
    unless it keeps ``bidi``."""
    refused = CONTROLS_BUT_LINE_BREAKS if line_breaks else CONTROLS
    if not bidi:
        refused += BIDI_CONTROLS
    return re.compile(f"[{refused}]")


def refusal(label, match):
    """The sentence for the first refused character: which one, and where (counting
    characters from 1, as an editor counts them)."""
    char = match.group()
    kind = "bidirectional control character" if char in BIDI_CONTROLS else "control character"
    return (
        f"The {label} holds a {kind} (U+{ord(char):04X}) at position {match.start() + 1}: "
        "remove it."
    )


@deconstructible
class TextRule:
    """A field's validator: refuses control characters in ``label``'s text (all of
    them, or all but tab, newline and carriage return with ``line_breaks``), and
    bidirectional controls unless ``bidi``. The message names the field, the
    character and its position."""

    code = "control_character"

    def __init__(self, label, line_breaks=False, bidi=False):
        self.label = label  # a string, or a lazy one (a field's verbose name)
        self.line_breaks = line_breaks
        self.bidi = bidi
        self.pattern = refused_pattern(line_breaks, bidi)

    def __call__(self, value):
        if not isinstance(value, str):
            return
        match = self.pattern.search(value)
        if match:
            raise ValidationError(refusal(self.label, match), code=self.code)

    def __eq__(self, other):
        return isinstance(other, TextRule) and (
            (self.label, self.line_breaks, self.bidi)
            == (other.label, other.line_breaks, other.bidi)
        )

    def __hash__(self):
        return hash((self.label, self.line_breaks, self.bidi))


def replace_control_characters(value):
    """``value`` with every character an XML document or a spreadsheet cannot hold
    (control characters but tab, newline and carriage return; lone surrogates; U+FFFE
    and U+FFFF) replaced by U+FFFD, so text stored before the rule still goes out
    (the Atom feed, an export) and shows where something was. Anything but a string
    comes back as it is."""
    if not isinstance(value, str):
        return value
    return UNSAFE_OUTPUT.sub(REPLACEMENT, value)
