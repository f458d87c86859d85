"""Where a cue or a content starts and stops: a learned choice among the syntactic boundaries
near the rules' guess.

The rules shape a span from the parse (the content's subtree, the cue's verb group) and the
conventions counted in :mod:`claimgraph.extract.cue_spans` and
:mod:`claimgraph.extract.content_spans`; they are right about the words but often a phrase
off at an edge ("said [in an interview]", "[both sides] to return to the table"). The
:class:`BoundaryRanker` takes each edge of a span in turn and picks, among the nearby places
where a phrase of the parse starts (left edge) or ends (right edge), the one its weights score
highest (a cue's edge may also stop at any word). The rules' own guess is one of the places
and a feature of its own, so the ranker moves an edge only where the corpus says the rules
are wrong in that context. An edge stays in its paragraph, keeps the span's head word and
never runs into the attribution's other mentions.

The weights are those of a listwise logistic model (softmax over an edge's places), trained
by :mod:`claimgraph.extract.learn` on the rules' output for the train split against the gold
spans, and shipped as package data (``boundary_weights.tsv``: feature, weight; see
:mod:`claimgraph.extract.weights`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import ClassVar, Literal, Protocol

import numpy
from spacy.attrs import DEP, HEAD, IS_PUNCT, IS_SPACE, LOWER, POS, SENT_START
from spacy.tokens import Doc

from claimgraph.extract.spans import (
    mention_tokens,
    paragraph_range,
    pieces_mention,
    quote_type_of,
    token_range,
)
from claimgraph.extract.weights import FeatureWeights, sgd_steps
from claimgraph.records import Attribution

Role = Literal["cue", "content", "source"]
Side = Literal["start", "end"]
ROLES: tuple[Role, ...] = ("cue", "content")
#: The edges the ranker places (a content's end gains nothing for its cost), how many tokens
#: an edge may move, and whether it may stop at any word or only where a phrase of the
#: parse starts or ends. A content's start is that of its first piece.
EDGES: dict[Role, tuple[Side, ...]] = {"cue": ("start", "end"), "content": ("start",)}
WINDOWS: dict[Role, int] = {"cue": 4, "content": 10, "source": 6}
WORD_PLACES: dict[Role, bool] = {"cue": True, "content": False, "source": True}
# Words named in the features when they sit at an edge: function words and punctuation.
NAMED_POS = frozenset({"ADP", "SCONJ", "CCONJ", "DET", "PART", "PRON", "AUX", "PUNCT"})
# Rules whose spans the ranker places: the verbal ones (quotations have their marks).
RANKED_RULE_PREFIX = "verb:"


@dataclass(frozen=True, slots=True)
class RankedSpan:
    """A span whose edges the ranker places: its role, token range (a content's first
    piece), the position of the cue word, the attribution's frame, the token range the edges
    must stay within (its paragraph, up to the nearest word of the attribution's other
    mentions on either side) and the index of the parse."""

    role: Role
    start: int
    end: int
    cue: int
    frame: str
    limits: tuple[int, int]
    parse: ParseIndex


@dataclass(frozen=True, slots=True)
class ParseIndex:
    """The per-token facts of a parse that the features ask for again and again, read once
    per Doc into plain lists (indexed by token position): head, depth in its tree, edges
    of its subtree, sentence number, relation, part of speech, lower-case text, and whether
    it is punctuation or a sentence start."""

    heads: list[int]
    depths: list[int]
    left_edges: list[int]
    right_edges: list[int]
    sentences: list[int]
    deps: list[str]
    parts_of_speech: list[str]
    words: list[str]
    punct: list[bool]
    sentence_starts: list[bool]

    @classmethod
    def of(cls, doc: Doc) -> ParseIndex:
        """Index the parse of ``doc``."""
        # Read as arrays and computed on whole columns: making a Token object for each word,
        # or a Python loop over the words, is what would cost (this runs on every Doc).
        # String columns are unsigned hashes; HEAD (an offset) and SENT_START (-1, 0, 1)
        # are signed.
        attributes = [HEAD, SENT_START, DEP, POS, LOWER, IS_PUNCT, IS_SPACE]
        columns = doc.to_array(attributes).reshape(len(doc), len(attributes))
        positions = numpy.arange(len(doc))
        heads = columns[:, 0].astype("int64") + positions
        sentence_starts = columns[:, 1].astype("int64") == 1
        sentence_starts[:1] = True
        deps, parts_of_speech, words = (_strings(doc, columns[:, column]) for column in (2, 3, 4))
        words = [word if word.strip() else "<space>" for word in words]  # one feature a line
        punct = ((columns[:, 5] != 0) | (columns[:, 6] != 0)).tolist()
        # Depth: every word climbs one step at a time, all words at once, until the root.
        depths = numpy.zeros(len(doc), dtype="int64")
        reached = positions
        climbing = heads != positions
        while climbing.any():
            depths += climbing
            reached = numpy.where(climbing, heads[reached], reached)
            climbing = heads[reached] != reached
        # Deepest first, a level at a time: a head hears from all of its subtree.
        left_edges, right_edges = positions.copy(), positions.copy()
        for depth in range(int(depths.max(initial=0)), 0, -1):
            level = numpy.flatnonzero(depths == depth)
            numpy.minimum.at(left_edges, heads[level], left_edges[level])
            numpy.maximum.at(right_edges, heads[level], right_edges[level])
        return cls(heads.tolist(), depths.tolist(), left_edges.tolist(), right_edges.tolist(),
                   numpy.cumsum(sentence_starts).tolist(), deps, parts_of_speech, words, punct,
                   sentence_starts.tolist())

    def is_ancestor(self, ancestor: int, index: int) -> bool:
        """Return whether token ``ancestor`` is above token ``index`` in its tree."""
        heads = self.heads
        while heads[index] != index:
            index = heads[index]
            if index == ancestor:
                return True
        return False


@dataclass(slots=True)
class BoundaryRanker(FeatureWeights):
    """Feature weights of the listwise edge model; :meth:`place` moves a span's edges."""

    FILE: ClassVar[str] = "boundary_weights.tsv"

    def place(self, span: RankedSpan) -> tuple[int, int]:
        """Return the token range ``(start, end)`` of ``span`` after moving each of its
        ranked edges (see :data:`EDGES`) to its best-scoring place."""
        placed = {side: snap_edge(span, side, self._best_place(edge_candidates(span, side)))
                  for side in EDGES[span.role]}
        return placed.get("start", span.start), placed.get("end", span.end)

    def _best_place(self, candidates: list[tuple[int, tuple[tuple[str, ...], ...]]]) -> int:
        # A group that repeats among one edge's candidates is the same object: score it once.
        scores: dict[int, float] = {}
        best_place, best_score = candidates[0][0], None
        for place, groups in candidates:
            score = 0.0
            for group in groups:
                group_score = scores.get(id(group))
                if group_score is None:
                    group_score = scores[id(group)] = self.weigh(group)
                score += group_score
            if best_score is None or score > best_score:
                best_place, best_score = place, score
        return best_place

    @classmethod
    def train(cls, examples: Sequence[tuple[list[list[str]], list[bool]]], *, epochs: int = 6,
              rate: float = 0.05, seed: int = 0) -> BoundaryRanker:
        """Fit weights to ``examples``, each the features of an edge's places and which of
        them are right, by stochastic gradient descent on the softmax loss; return it."""
        ranker = cls()
        weights = ranker.weights
        for index, step in sgd_steps(len(examples), epochs=epochs, rate=rate, seed=seed):
            places, right = examples[index]
            scores = [ranker.weigh(features) for features in places]
            top = max(scores)
            exps = [math.exp(score - top) for score in scores]
            total = sum(exps)
            n_right = sum(right)
            for features, share, is_right in zip(places, exps, right, strict=True):
                gradient = share / total - (1.0 / n_right if is_right else 0.0)
                if abs(gradient) > 1e-6:
                    for feature in features:
                        weights[feature] = weights.get(feature, 0.0) - step * gradient
        return ranker



class EdgePlacer(Protocol):
    """What the rules ask of a model that places edges after them (the span model, see
    :mod:`claimgraph.extract.span_model`)."""

    def place(self, doc: Doc, attributions: list[Attribution],
              parse: ParseIndex | None = None) -> list[Attribution]:
        """Return ``attributions`` of ``doc`` with their edges placed (``parse``: the
        index of ``doc``, made when not given)."""
        ...


def ranked_spans(doc: Doc, attribution: Attribution, parse: ParseIndex | None = None,
                 roles: Sequence[Role] = ROLES) -> list[RankedSpan]:
    """Return the spans of ``attribution`` the ranker places: the ``roles`` (default the
    cue and the content, a content's first piece) of a verbal attribution; none for other
    rules. ``parse`` is the index of ``doc`` (made here when not given)."""
    if not attribution.rule.startswith(RANKED_RULE_PREFIX):
        return []
    cue_range = token_range(doc, attribution.cue.pieces()[:1])
    if cue_range is None:
        return []
    cue = doc[cue_range[0]:cue_range[1]].root.i
    frame = attribution.rule.removeprefix(RANKED_RULE_PREFIX)
    parse = parse if parse is not None else ParseIndex.of(doc)
    spans = []
    for role in roles:
        span = token_range(doc, role_pieces(attribution, role))
        if span is None:
            continue
        # An edge stays in its paragraph and never runs into another mention's words.
        others = mention_tokens(doc, [getattr(attribution, other) for other in
                                       ("cue", "content", "source") if other != role])
        spans.append(RankedSpan(role, *span, cue, frame,
                                narrow_limits(paragraph_range(doc, *span), span, others), parse))
    return spans


def role_pieces(attribution: Attribution, role: Role) -> list[tuple[int, int]]:
    """Return the character pieces of the ``role`` mention the ranker works on: its first
    (none for a missing source)."""
    mention = getattr(attribution, role)
    return list(mention.pieces()[:1]) if mention is not None else []


def place_edges(doc: Doc, attributions: Iterable[Attribution],
                ranker: BoundaryRanker, parse: ParseIndex | None = None) -> list[Attribution]:
    """Return ``attributions`` with the edges of their cues and contents placed by
    ``ranker`` (see :func:`ranked_spans`): the cue first, then the content, which stays
    clear of the placed cue. ``parse`` is the index of ``doc`` (made here when not given)."""
    attributions = list(attributions)
    if not any(item.rule.startswith(RANKED_RULE_PREFIX) for item in attributions):
        return attributions
    parse = parse if parse is not None else ParseIndex.of(doc)
    return [_placed(doc, attribution, ranker, parse) for attribution in attributions]


def _placed(doc: Doc, attribution: Attribution, ranker: BoundaryRanker,
            parse: ParseIndex) -> Attribution:
    changes: dict[str, object] = {}
    placed_cue: tuple[int, int] | None = None
    for span in ranked_spans(doc, attribution, parse):
        if span.role == "content" and placed_cue is not None:
            low, high = span.limits
            span = replace(span, limits=narrow_limits((low, high), (span.start, span.end),
                                                set(range(*placed_cue))))
        start, end = ranker.place(span)
        if span.role == "cue":
            placed_cue = (start, end)
        if (start, end) == (span.start, span.end):
            continue
        changes |= moved_edges(doc, attribution, span.role, (span.start, span.end),
                               (start, end))
    return replace(attribution, **changes) if changes else attribution


def moved_edges(doc: Doc, attribution: Attribution, role: Role, old: tuple[int, int],
                new: tuple[int, int]) -> dict[str, object]:
    """Return the changes (for :func:`dataclasses.replace`) that move the first piece of
    ``attribution``'s ``role`` mention from the tokens ``old`` (start, end) to ``new``: the
    mention, and for a content its quote type. An edge that did not move keeps its
    character offset."""
    pieces = list(getattr(attribution, role).pieces())
    first_start, first_end = pieces[0]
    if new[0] != old[0]:
        first_start = doc[new[0]].idx
    if new[1] != old[1]:
        first_end = doc[new[1] - 1].idx + len(doc[new[1] - 1])
    pieces[0] = (first_start, first_end)
    mention = pieces_mention(doc, pieces)
    if role == "content":
        return {role: mention, "quote_type": quote_type_of(mention)}
    return {role: mention}


def edge_examples(span: RankedSpan, gold: tuple[int, int],
                  ) -> list[tuple[list[list[str]], list[bool]]]:
    """Return the training examples of a predicted ``span`` whose gold token range is
    ``gold``: per edge, the features of its places and which places are right (an edge
    whose right place is out of reach gives none)."""
    examples = []
    for side in EDGES[span.role]:
        candidates = edge_candidates(span, side)
        labels = edge_labels(span.parse, [place for place, _ in candidates], side, gold)
        if any(labels):
            examples.append(([[feature for group in groups for feature in group]
                              for _, groups in candidates], labels))
    return examples


def edge_labels(parse: ParseIndex, places: list[int], side: Side,
                gold: tuple[int, int]) -> list[bool]:
    """Return which ``places`` put the ``side`` edge where the ``gold`` token range has it,
    punctuation and spaces at the edges aside (as the scorer trims them)."""
    step = 1 if side == "start" else -1
    target = _skip_filler(parse, gold[0] if side == "start" else gold[1], step)
    return [_skip_filler(parse, place, step) == target for place in places]


def edge_places(span: RankedSpan, side: Side, reach: int | None = None) -> list[int]:
    """Return the token positions an edge of ``span`` may move to: where a phrase of the
    parse (or, for a role with word places, any word) starts (``side="start"``) or ends
    (``"end"``), within ``reach`` tokens (default: the role's window) and the span's
    limits, keeping the span's head word (see :func:`span_head`); the current edge
    included."""
    start, end = span.start, span.end
    low, high = span.limits
    edge = start if side == "start" else end
    reach = reach if reach is not None else WINDOWS[span.role]
    window = range(max(low, edge - reach), min(high, edge + reach))
    places = {edge}
    words = WORD_PLACES[span.role]
    head = span_head(span)  # an edge never moves past the span's head word
    if side == "start":
        left_edges = span.parse.left_edges
        places.update(place for index in window
                      for place in ((left_edges[index], index) if words else (left_edges[index],))
                      if low <= place <= head and abs(place - edge) <= reach)
    else:
        right_edges = span.parse.right_edges
        places.update(place for index in window
                      for place in ((right_edges[index] + 1, index + 1) if words
                                    else (right_edges[index] + 1,))
                      if head < place <= high and abs(place - edge) <= reach)
    return sorted(places)


def span_head(span: RankedSpan) -> int:
    """Return the position of the head word of ``span``: the cue word of a cue, the least
    deep word of a content (the first of them on a tie)."""
    if span.role == "cue" and span.start <= span.cue < span.end:
        return span.cue
    depths = span.parse.depths
    return min(range(span.start, span.end), key=depths.__getitem__)


def edge_candidates(span: RankedSpan, side: Side,
                    ) -> list[tuple[int, tuple[tuple[str, ...], ...]]]:
    """Return ``(place, feature groups)`` for each place the ``side`` edge of ``span`` may
    move to (see :func:`edge_places` and :func:`edge_features`)."""
    edge = span.start if side == "start" else span.end
    depths = span.parse.depths
    groups: dict[tuple[object, ...], tuple[str, ...]] = {}
    candidates = [(edge, edge_features(span, edge, side, None, groups))]
    # The phrase a move takes in or leaves out is headed by its least deep token; walk
    # outwards from the edge on each side so that each token is looked at once.
    places = edge_places(span, side)
    for walk, step in (([place for place in places if place < edge][::-1], -1),
                       ([place for place in places if place > edge], 1)):
        top, reached = -1, edge
        for place in walk:
            for index in (range(reached - 1, place - 1, -1) if step < 0
                          else range(reached, place)):
                if top < 0 or depths[index] < depths[top] or (
                        step < 0 and depths[index] == depths[top]):
                    top = index  # ties go to the leftmost token
            reached = place
            candidates.append((place, edge_features(span, place, side, top, groups)))
    return candidates


def edge_features(span: RankedSpan, place: int, side: Side, top: int | None,
                  groups: dict[tuple[object, ...], tuple[str, ...]],
                  ) -> tuple[tuple[str, ...], ...]:
    """Return the features of moving the ``side`` edge of ``span`` to ``place``, in groups:
    how far it moved and which way; the word inside the new edge and the word outside it
    (relation, part of speech, function word, relation to the cue); the phrase the move
    takes in or leaves out, headed by token ``top`` (None for the edge where it is).
    ``groups`` caches the groups of one edge, which repeat from place to place (the same
    group is then the same object)."""
    edge = span.start if side == "start" else span.end
    moved = "stay" if place == edge else (
        "out" if (place < edge) == (side == "start") else "in")
    distance = abs(place - edge)
    keys: list[tuple[object, ...]] = [
        ("move", distance if distance < 10 else 10 + min(distance // 10, 4), moved),
        ("inner", place if side == "start" else place - 1, moved),
        ("outer", place - 1 if side == "start" else place, moved)]
    if top is not None:
        sentences, (low, high) = span.parse.sentences, sorted((place, edge))
        keys.append(("top", top, moved, sentences[low] != sentences[high - 1],
                     low <= span.cue < high))
    found = []
    for key in keys:
        group = groups.get(key)
        if group is None:
            group = groups[key] = _group_features(span, side, key)
        found.append(group)
    return tuple(found)


def _group_features(span: RankedSpan, side: Side, key: tuple[object, ...]) -> tuple[str, ...]:
    """Return the features of one group (see :func:`edge_features`), named by ``key``."""
    prefix = f"{span.role}:{side}:"
    kind, value, moved, *rest = key
    if kind == "move":
        return (prefix + "bias", f"{prefix}default={moved == 'stay'}", f"{prefix}moved={moved}",
                f"{prefix}distance={moved}|{value}")
    if kind in ("inner", "outer"):
        return _word_features(span, f"{prefix}{kind}", int(value), str(moved))
    parse, top, cue = span.parse, int(value), span.cue
    dep = parse.deps[top]
    relation = "cue-child" if parse.heads[top] == cue else (
        "under-cue" if parse.is_ancestor(cue, top) else "other")
    crosses_sentence, has_cue = rest
    return (f"{prefix}top={dep}|{moved}", f"{prefix}top|rel={dep}|{relation}|{moved}",
            f"{prefix}top|frame={dep}|{span.frame}|{moved}",
            f"{prefix}top|word={dep}|{parse.words[top]}|{moved}",
            f"{prefix}crosses_sentence={crosses_sentence}|{moved}",
            f"{prefix}has_cue={has_cue}|{moved}")


def _word_features(span: RankedSpan, name: str, index: int, moved: str) -> tuple[str, ...]:
    """The features of the word at ``index`` on one side of an edge (``name`` says which)."""
    parse = span.parse
    if not 0 <= index < len(parse.heads):
        return (f"{name}=none",)
    dep, tag = parse.deps[index], parse.parts_of_speech[index]
    relation = _relation_to_cue(parse, index, span.cue)
    features = [f"{name}.dep={dep}", f"{name}.pos={tag}", f"{name}.dep|pos={dep}|{tag}",
                f"{name}.rel={relation}", f"{name}.rel|dep={relation}|{dep}|{moved}",
                f"{name}.sent_start={parse.sentence_starts[index]}"]
    if tag in NAMED_POS or parse.punct[index]:
        features.append(f"{name}.word={parse.words[index]}")
    return tuple(features)


def _strings(doc: Doc, column: numpy.ndarray) -> list[str]:
    """Return the strings of a column of string hashes (each distinct one looked up once)."""
    hashes = column.tolist()
    strings = doc.vocab.strings
    known = {value: strings[value] for value in set(hashes)}
    return [known[value] for value in hashes]


def snap_edge(span: RankedSpan, side: Side, place: int) -> int:
    """Return ``place`` with the punctuation and spaces at the moved edge left out (the
    scorer and the training labels ignore them, so they are never a reason to move), or
    the span's own edge when the move was only over them (a quotation mark stays)."""
    edge = span.start if side == "start" else span.end
    step = 1 if side == "start" else -1
    snapped = _skip_filler(span.parse, place, step)
    emptied = snapped >= span.end if side == "start" else snapped <= span.start
    return edge if emptied or snapped == _skip_filler(span.parse, edge, step) else snapped


def _skip_filler(parse: ParseIndex, position: int, step: int) -> int:
    """Move an edge position past punctuation and spaces, inwards (``step`` 1 for a start
    edge, -1 for an end edge)."""
    while 0 <= (position if step > 0 else position - 1) < len(parse.punct):
        if not parse.punct[position if step > 0 else position - 1]:
            break
        position += step
    return position


def _relation_to_cue(parse: ParseIndex, index: int, cue: int) -> str:
    if index == cue:
        return "cue"
    if parse.heads[index] == cue:
        return "cue-child"
    if parse.is_ancestor(index, cue):
        return "above-cue"
    return "under-cue" if parse.is_ancestor(cue, index) else "other"


def narrow_limits(bounds: tuple[int, int], span: tuple[int, int], others: set[int],
            ) -> tuple[int, int]:
    """Return ``bounds`` narrowed to the words between the nearest of ``others`` before
    ``span`` and the nearest after it."""
    low, high = bounds
    low = max([low] + [token + 1 for token in others if token < span[0]])
    high = min([high] + [token for token in others if token >= span[1]])
    return low, high
