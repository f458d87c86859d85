"""Cut a long text into paragraph-aligned pieces that spaCy parses one at a time.

spaCy refuses texts over ``nlp.max_length`` (1,000,000 characters), and parsing one doc
costs more per character the longer the doc is (measured on PolNeAR text: 60 µs a
character at 10,000 characters, 100 µs at 40,000 and rising). Pieces of at most
:data:`PIECE_CHARACTERS` keep the cost per character flat however long the article is;
an article of usual length (PolNeAR's longest is under 20,000 characters) is one piece.
"""

from __future__ import annotations

#: The longest piece of text parsed as one spaCy doc.
PIECE_CHARACTERS = 20_000

#: Where a piece may end, best first: after a blank line (a paragraph), a line break, a
#: sentence's end, a space. Without any of them in its second half, a piece is cut hard.
_BREAKS = ("\n\n", "\n", ". ", " ")


def text_pieces(text: str, limit: int = PIECE_CHARACTERS) -> list[tuple[int, int]]:
    """Return the ``(start, end)`` ranges of ``text``'s pieces, in order and covering it.

    Each piece has at most ``limit`` characters and ends just after the last paragraph
    break in its second half (else line break, sentence end or space), so that a piece
    is rarely shorter than half the limit. A text of ``limit`` characters or fewer is one
    piece. Offsets are Python string offsets into ``text``.
    """
    if limit < 2:
        raise ValueError(f"a piece must allow at least 2 characters, not {limit}")
    pieces: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > limit:
        end = start + limit
        for separator in _BREAKS:
            found = text.rfind(separator, start + limit // 2, end)
            if found != -1 and found + len(separator) <= end:
                end = found + len(separator)
                break
        pieces.append((start, end))
        start = end
    pieces.append((start, len(text)))
    return pieces
