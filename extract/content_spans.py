"""Where a verbal cue's content starts and stops: conventions learned from a corpus.

The content of "X called him a liar" is "him a liar", not the object "him" alone; the content
of "X opposed the pact — one of Obama's goals" leaves the appositive out. So the subtree of the
content head is only a first guess: phrases hanging off the cue after the content (its
*siblings*: "a liar", "for suggesting ...", "as evidence ...") may join it, and phrases at the
edges of the subtree (its *edge children*: relative clauses, appositives, sentence adverbs)
may leave it. :func:`count_content_edges` counts, per kind of phrase and frame, how often the
gold content took it; :class:`ContentEdges` shapes a predicted content accordingly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from spacy.tokens import Doc, Token

from claimgraph.extract.edge_counts import EdgeCounts, Key
from claimgraph.extract.frames import CUE_POS, complement_frames

CONTENT_EDGES_FILE = "content_edges.tsv"
# Children of the cue that are never a sibling of its content: the source, the verb group.
NOT_SIBLINGS = frozenset({
    "nsubj", "nsubjpass", "csubj", "csubjpass", "expl", "aux", "auxpass", "neg", "punct",
    "cc", "mark", "prt", "agent", "conj", "parataxis",
})


@dataclass(slots=True)
class ContentEdges(EdgeCounts):
    """Counts per phrase key: ``inside`` a gold content, ``seen`` at its edge at all."""

    FILE: ClassVar[str] = CONTENT_EDGES_FILE

    def shape(self, cue: Token, frame: str, head: Token) -> set[int]:
        """Return the token indices of the content of ``cue`` in ``frame`` headed by
        ``head``: its subtree without the edge children that stay out, with the siblings
        that join in."""
        tokens = {token.i for token in head.subtree}
        for side in ("L", "R"):
            for child in edge_children(head, side, cue):
                if self.belongs(phrase_keys("child-" + side, frame, child), default=True):
                    break
                tokens -= {token.i for token in child.subtree}
        for sibling in siblings(cue, head):
            if not self.belongs(phrase_keys("sibling", frame, sibling)):
                break
            tokens |= {token.i for token in sibling.subtree}
        return tokens


def edge_children(head: Token, side: str, cue: Token | None = None) -> list[Token]:
    """Return the children of ``head`` on ``side`` ("L" or "R") from the outer edge inwards
    (a walk over them stops at the first child that stays, so only edge phrases are ever
    taken off), except ``cue`` itself (when the content is the clause the cue hangs off)."""
    if side == "R":
        return [child for child in reversed(list(head.children))
                if child.i > head.i and child != cue]
    return [child for child in head.children if child.i < head.i and child != cue]


def siblings(cue: Token, head: Token) -> list[Token]:
    """Return the children of ``cue`` after the content headed by ``head``, in order."""
    end = head.right_edge.i
    return [child for child in cue.children
            if child.i > end and child.dep_ not in NOT_SIBLINGS]


def phrase_keys(kind: str, frame: str, token: Token) -> list[Key]:
    """Return the keys of a phrase headed by ``token``, most specific first."""
    return [(kind, frame, token.dep_, token.lower_), (kind, frame, token.dep_),
            (kind, token.dep_)]


def count_content_edges(doc: Doc, gold: Iterable[tuple[tuple[int, int], ...]],
                        cue_spans: Iterable[tuple[int, int]], edges: ContentEdges) -> None:
    """Count the edge phrases of the gold contents of ``doc`` into ``edges``.

    ``gold`` are the content pieces and ``cue_spans`` the cue spans of the gold
    attributions (in the same order). For a cue headed by a verb, the frame whose content
    head lies in the gold content is the one counted; each edge child and sibling counts as
    inside when most of its tokens are, walking as :meth:`ContentEdges.shape` does.
    """
    for pieces, (cue_start, cue_end) in zip(gold, cue_spans, strict=True):
        cue_span = doc.char_span(cue_start, cue_end, alignment_mode="expand")
        if cue_span is None or not len(cue_span) or cue_span.root.pos_ not in CUE_POS:
            continue
        cue = cue_span.root
        frame_head = next(((frame, head) for frame, head in complement_frames(cue)
                           if _inside(head, pieces)), None)
        if frame_head is None:
            continue
        frame, head = frame_head
        for side in ("L", "R"):
            for child in edge_children(head, side, cue):
                subtree = list(child.subtree)
                taken = sum(_inside(token, pieces) for token in subtree) * 2 > len(subtree)
                edges.add(phrase_keys("child-" + side, frame, child), inside=taken)
                if taken:
                    break
        for sibling in siblings(cue, head):
            subtree = list(sibling.subtree)
            taken = sum(_inside(token, pieces) for token in subtree) * 2 > len(subtree)
            edges.add(phrase_keys("sibling", frame, sibling), inside=taken)
            if not taken:
                break


def _inside(token: Token, pieces: tuple[tuple[int, int], ...]) -> bool:
    return any(start <= token.idx < end for start, end in pieces)
