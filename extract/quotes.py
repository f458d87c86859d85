"""Find quotations in text, robustly: unbalanced and odd quotation marks never stop the search.

News text mixes curly (“ ”), straight (") and doubled-apostrophe ('' … '') marks, lets a
quotation run over several paragraphs (each paragraph reopens it, only the last closes it)
and sometimes forgets a mark. The scanner works paragraph by paragraph: curly marks say which
way they face; straight marks alternate; a quotation still open at the end of a paragraph
ends there, unless the next paragraph opens with a quotation mark (the newswire convention
for a quotation that goes on). So a stray mark costs at most one paragraph, never the
document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPENING_MARKS = frozenset("“«„")
CLOSING_MARKS = frozenset("”»")
STRAIGHT_MARKS = frozenset({'"', "''"})
QUOTE_MARKS = OPENING_MARKS | CLOSING_MARKS | STRAIGHT_MARKS | frozenset("‘’'") | {"``"}
_PARAGRAPH = re.compile(r"[^\n]+")
# Every mark the scanner reads: two apostrophes or backticks (older newswire) count as one.
_MARK = re.compile(r"''|``|[“”«»„\"]")


@dataclass(frozen=True, slots=True)
class Quotation:
    """A quotation from its opening mark to its closing mark (both included).

    ``closed`` is False when no closing mark was found and the quotation was ended at the
    end of its paragraph.
    """

    start: int
    end: int
    closed: bool = True


def find_quotations(text: str, *, min_length: int = 3) -> list[Quotation]:
    """Return the quotations of ``text`` in order of position.

    Takes the article text; returns :class:`Quotation` spans (character offsets, marks
    included). Quotations shorter than ``min_length`` characters inside the marks are
    dropped (scare quotes of a letter or two, stray marks).
    """
    quotations: list[Quotation] = []
    carried: Quotation | None = None  # open at the end of the previous paragraph
    for paragraph in _PARAGRAPH.finditer(text):
        first = paragraph.start()
        open_at: int | None = None
        if carried is not None:
            reopening = _MARK.match(text, first)
            if reopening is not None and reopening.group() not in CLOSING_MARKS:
                # The quotation goes on: keep its start and skip the reopening mark.
                open_at, first = carried.start, reopening.end()
            else:
                quotations.append(carried)
            carried = None
        for found in _MARK.finditer(text, first, paragraph.end()):
            mark, position = found.group(), found.start()
            opening = mark in OPENING_MARKS or mark == "``"
            if opening or (mark in STRAIGHT_MARKS and open_at is None):
                if open_at is not None:
                    # A second opening mark: the first quotation was never closed.
                    quotations.append(Quotation(open_at, _trim_end(text, position), False))
                open_at = position
            elif mark in CLOSING_MARKS | STRAIGHT_MARKS and open_at is not None:
                quotations.append(Quotation(open_at, found.end()))
                open_at = None
        if open_at is not None:
            carried = Quotation(open_at, _trim_end(text, paragraph.end()), False)
    if carried is not None:
        quotations.append(carried)
    return [quote for quote in quotations if quote.end - quote.start - 2 >= min_length]


def _trim_end(text: str, end: int) -> int:
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return end
