"""How far a cue reaches beyond its word: the "verb group" conventions, learned from a corpus.

PolNeAR's cues keep the verb with its entourage: auxiliaries and modals ("has said", "would
call"), negation ("did not say"), some adverbs ("also said", but not "angrily said"), some
prepositional phrases ("said in a statement", "called on") and a colon ("said:"). Which
neighbours belong to the cue is a matter of convention, so it is counted rather than written
down: :func:`count_cue_edges` walks outwards from the verb of each gold cue and counts, per
kind of neighbour, how often the neighbour was inside the cue; :class:`CueEdges` then grows a
predicted cue over the neighbours that were inside more often than not.

A neighbour is a child of a cue token, taken with its whole subtree when that lies on one
side ("in a statement"). Its kind is named by keys from specific to general: side, relation,
word and (for a phrase) the head noun of the phrase; then side, relation and word; then side,
relation and part of speech.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import ClassVar

from spacy.tokens import Doc, Token

from claimgraph.extract.edge_counts import EdgeCounts, Key
from claimgraph.extract.frames import CUE_POS
from claimgraph.extract.quotes import QUOTE_MARKS

EDGES_FILE = "cue_edges.tsv"
# Relations that never join a cue: the source, the content and clause-level attachments.
NEVER_CUE_DEPS = frozenset({
    "nsubj", "nsubjpass", "csubj", "csubjpass", "expl", "ccomp", "xcomp", "dobj", "dative",
    "attr", "oprd", "conj", "cc", "advcl", "parataxis", "mark", "relcl", "acl", "appos",
    "agent", "pcomp",
})
# A phrase longer than this is never part of a cue ("in a statement released on ...").
MAX_PHRASE = 4


@dataclass(slots=True)
class CueEdges(EdgeCounts):
    """Counts per neighbour key: ``inside`` a gold cue, ``seen`` next to one at all."""

    FILE: ClassVar[str] = EDGES_FILE

    def grow(self, core: Iterable[Token], blocked: set[int]) -> tuple[int, int]:
        """Return the token range ``(start, end)`` (end exclusive) of the cue grown from
        ``core`` (contiguous tokens) over the neighbours that belong, never over a token in
        ``blocked`` (the source and the content)."""
        core = sorted(core, key=lambda token: token.i)
        return grow_outwards(core[0].doc, core[0].i, core[-1].i + 1, blocked,
                             lambda keys, _start, _end: self.belongs(keys))


def grow_outwards(doc: Doc, start: int, end: int, blocked: set[int],
                  accept: Callable[[list[Key], int, int], bool]) -> tuple[int, int]:
    """Grow the token range ``start:end`` over its neighbour units, leftwards then
    rightwards, while ``accept(keys, unit_start, unit_end)`` takes them; return the range.

    The one walk both for applying the learned counts (:meth:`CueEdges.grow`) and for
    counting them (:func:`count_cue_edges`), so that learning sees what applying will ask.
    """
    members = set(range(start, end))
    for side in ("L", "R"):
        while True:
            unit = neighbour_unit(doc, start, end, side, members, blocked)
            if unit is None:
                break
            token, unit_start, unit_end, cut = unit
            if not accept(neighbour_keys(doc, token, unit_start, unit_end, side, cut),
                          unit_start, unit_end):
                break
            members.update(range(unit_start, unit_end))
            start, end = min(start, unit_start), max(end, unit_end)
    return start, end


def neighbour_unit(doc: Doc, start: int, end: int, side: str, members: set[int],
                   blocked: set[int]) -> tuple[Token, int, int, bool] | None:
    """Return the neighbour of the token range ``start:end`` on ``side`` as
    ``(attachment token, unit start, unit end, cut)``, or None when there is none.

    The neighbour is the adjacent token if a cue token is its head; a preposition or noun
    comes with its subtree when that starts (right side) or ends (left side) next to the cue
    and holds no ``blocked`` token (source or content: "talked about [the incident]" offers
    "about" alone); ``cut`` says that a phrase was cut down to its first word that way
    ("said at [a rally in Ohio]"). A blocked neighbour is no neighbour.
    """
    position = start - 1 if side == "L" else end
    if not 0 <= position < len(doc):
        return None
    token = doc[position]
    # Quotation marks belong to the content: a cue never takes one.
    if (token.i in blocked or token.text.isspace() or "\n" in token.text
            or any(mark in token.text for mark in QUOTE_MARKS)):
        return None
    attached = token
    # On the left the adjacent token may be the last word of a phrase ("on Friday said").
    if side == "L" and token.head.i not in members:
        attached = token.head
        while attached.head.i not in members and attached.head != attached:
            attached = attached.head
        if attached.head.i not in members:
            return None
    if attached.head.i not in members or attached.dep_ in NEVER_CUE_DEPS:
        return None
    subtree = list(attached.subtree)
    unit_start, unit_end = subtree[0].i, subtree[-1].i + 1
    contiguous = unit_end - unit_start == len(subtree)
    touches = unit_start == end if side == "R" else unit_end == start
    if (not contiguous or not touches or unit_end - unit_start > MAX_PHRASE
            or blocked.intersection(range(unit_start, unit_end))):
        if attached is not token:
            return None
        return token, token.i, token.i + 1, len(subtree) > 1
    return attached, unit_start, unit_end, False


def neighbour_keys(doc: Doc, token: Token, unit_start: int, unit_end: int,
                   side: str, cut: bool = False) -> list[Key]:
    """Return the keys of a neighbour, most specific first (see the module docstring)."""
    word = token.lower_
    keys: list[Key] = []
    if cut:
        return [(side, token.dep_, word, "cut"), (side, token.dep_, token.pos_, "cut")]
    if unit_end - unit_start > 1:
        nouns = [t for t in doc[unit_start:unit_end] if t.pos_ in {"NOUN", "PROPN", "PRON"}]
        head = nouns[-1].lemma_.lower() if nouns else "-"
        keys.append((side, token.dep_, word, head))
        keys.append((side, token.dep_, word, "*"))
    else:
        keys.append((side, token.dep_, word))
    keys.append((side, token.dep_, token.pos_, str(unit_end - unit_start > 1)))
    return keys


def count_cue_edges(doc: Doc, cue_spans: Iterable[tuple[int, int]],
                    blocked_chars: Iterable[tuple[int, int]], edges: CueEdges) -> None:
    """Count the neighbours of each gold cue of ``doc`` into ``edges``.

    ``cue_spans`` are gold cue character spans; ``blocked_chars`` the character spans of gold
    sources and contents (never counted: the rules keep those out of a cue anyway). The walk
    starts at the verb that heads the cue and steps outwards while the gold cue goes on.
    """
    blocked = set()
    for start, end in blocked_chars:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None:
            blocked.update(range(span.start, span.end))
    for cue_start, cue_end in cue_spans:
        span = doc.char_span(cue_start, cue_end, alignment_mode="expand")
        if span is None or not len(span):
            continue
        root = span.root
        if root.pos_ not in CUE_POS:
            continue
        gold = set(range(span.start, span.end))

        def count(keys: list[Key], unit_start: int, unit_end: int,
                  gold: set[int] = gold) -> bool:
            inside = gold.issuperset(range(unit_start, unit_end))
            edges.add(keys, inside=inside)
            return inside  # the walk goes on while the gold cue does

        grow_outwards(doc, root.i, root.i + 1, blocked, count)
