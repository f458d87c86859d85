"""Turn tokens and character ranges of a parsed Doc into :class:`~claimgraph.records.Mention` s.

A content is often discontinuous: “A,” he said, “B.” is one content in two pieces around its
cue. :func:`tokens_mention` builds a mention from a set of tokens, keeping as pieces the runs
that are separated only by tokens of the attribution itself (its cue, source and the phrases
hanging off the cue) and trimming junk from the edges of each piece.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from weakref import WeakKeyDictionary

from spacy.tokens import Doc, Token

from claimgraph.extract.quotes import QUOTE_MARKS
from claimgraph.records import Mention, QuoteType

Piece = tuple[int, int]
# Doc.text joins every token anew on each call: the rules read it often, so keep it per Doc.
_TEXTS: WeakKeyDictionary[Doc, str] = WeakKeyDictionary()
# Punctuation that ends a sentence or clause: pieces of one content never lie across it.
GAP_STOPS = frozenset({".", "!", "?", ":", ";", "\n"})


def doc_text(doc: Doc) -> str:
    """Return ``doc.text``, computed once per Doc."""
    text = _TEXTS.get(doc)
    if text is None:
        text = _TEXTS[doc] = doc.text
    return text


def token_mention(doc: Doc, start: int, end: int) -> Mention:
    """Return the tokens ``start:end`` (end exclusive) as a mention."""
    span = doc[start:end]
    return Mention(span.start_char, span.end_char, span.text)


def char_mention(doc: Doc, start: int, end: int) -> Mention:
    """Return the characters ``start:end`` of the doc's text as a mention."""
    return Mention(start, end, doc_text(doc)[start:end])


def pieces_mention(doc: Doc, pieces: Iterable[Piece]) -> Mention:
    """Return a mention of character ``pieces``: overlapping or touching pieces merge; more
    than one piece left makes a discontinuous mention (``parts``), spanning first to last."""
    merged: list[list[int]] = []
    for start, end in sorted(pieces):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    start, end = merged[0][0], merged[-1][1]
    parts = tuple((a, b) for a, b in merged) if len(merged) > 1 else ()
    return Mention(start, end, doc_text(doc)[start:end], parts=parts)


def mention_tokens(doc: Doc, mentions: Iterable[Mention | None]) -> set[int]:
    """Return the indices of the tokens that the pieces of ``mentions`` (None skipped) cover."""
    indices: set[int] = set()
    for mention in mentions:
        if mention is None:
            continue
        for start, end in mention.pieces():
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is not None:
                indices.update(range(span.start, span.end))
    return indices


def token_range(doc: Doc, pieces: Sequence[Piece]) -> tuple[int, int] | None:
    """Return the token range from the first piece's start to the last piece's end, or None
    when there are no pieces or no tokens in them."""
    if not pieces:
        return None
    span = doc.char_span(pieces[0][0], pieces[-1][1], alignment_mode="expand")
    return (span.start, span.end) if span is not None and len(span) else None


def paragraph_range(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Return the token range of the paragraph(s) the tokens ``start:end`` lie in (a parse
    may run a sentence over a paragraph break, as after a headline)."""
    text = doc_text(doc)
    first = text.rfind("\n", 0, doc[start].idx) + 1
    last = text.find("\n", doc[end - 1].idx)
    span = doc.char_span(first, len(text) if last < 0 else last, alignment_mode="expand")
    return (span.start, span.end) if span is not None else (start, end)


def tokens_mention(
    doc: Doc, tokens: Collection[int], *, anchor: int, gap_tokens: Collection[int] = (),
) -> Mention | None:
    """Return a mention of the token indices ``tokens``, or None if nothing but junk is left.

    Runs of consecutive tokens are pieces; a run joins the mention only if what separates it
    from the run of ``anchor`` is punctuation, space or tokens in ``gap_tokens`` (the cue and
    what hangs off it), and no sentence or clause ends in between (``GAP_STOPS``). Each
    piece is trimmed of edge punctuation and conjunctions, but never of quotation marks (a
    direct quotation keeps its marks).
    """
    runs = _runs(sorted(set(tokens)))
    if not runs:
        return None
    home = next((index for index, (start, end) in enumerate(runs) if start <= anchor < end), 0)
    kept = [runs[home]]
    for step in (-1, 1):
        index = home
        while 0 <= index + step < len(runs):
            one, other = sorted((runs[index], runs[index + step]))
            gap = range(one[1], other[0])
            if not all((i in gap_tokens or _is_filler(doc[i])) and doc[i].text not in GAP_STOPS
                       for i in gap):
                break
            index += step
            kept.append(runs[index])
    pieces = [trimmed for start, end in kept if (trimmed := trim_run(doc, start, end))]
    if not pieces:
        return None
    return pieces_mention(doc, [(doc[start].idx, doc[end - 1].idx + len(doc[end - 1]))
                                for start, end in pieces])


def trim_run(doc: Doc, start: int, end: int) -> Piece | None:
    """Return the token run ``start:end`` without junk at its edges, or None if all junk."""
    while start < end and is_edge_junk(doc[start]):
        start += 1
    while end > start and is_edge_junk(doc[end - 1]):
        end -= 1
    return (start, end) if start < end else None


def is_edge_junk(token: Token) -> bool:
    """Punctuation, space and conjunctions at the edge of a span; quotation marks are not."""
    if token.text in QUOTE_MARKS or any(mark in token.text for mark in "“”"):
        return False
    return token.is_punct or token.is_space or token.dep_ == "cc"


def _is_filler(token: Token) -> bool:
    return token.is_punct or token.is_space


def _runs(indices: list[int]) -> list[Piece]:
    runs: list[list[int]] = []
    for index in indices:
        if runs and index == runs[-1][1]:
            runs[-1][1] += 1
        else:
            runs.append([index, index + 1])
    return [(start, end) for start, end in runs]


# Marks that make a content (partly) quoted.
QUOTING = ("“", "”", '"', "''", "``")


def quote_type_of(content: Mention) -> QuoteType:
    """Return whether ``content`` is a direct quotation (marks at both ends), a mixed one
    (marks inside) or indirect (no marks)."""
    text = content.text
    if not any(mark in text for mark in QUOTING):
        return "indirect"
    direct = text.startswith(("“", '"', "''", "``")) and text.endswith(("”", '"', "''"))
    return "direct" if direct else "mixed"
