"""The span model: a small network over the pipeline's own token vectors that places the
start and end of the cues, contents and sources the rules found.

The rules and the boundary ranker (:mod:`claimgraph.extract.boundaries`) see the parse and a
few words; the span model sees what the tagger and the parser saw: the vectors the
pipeline's ``tok2vec`` leaves in ``doc.tensor`` (read, never trained, so the parse stays the
parse). For each edge of a verbal attribution's mention it scores the places the ranker may
move that edge to (:func:`~claimgraph.extract.boundaries.edge_places`, the current edge
included) and keeps the best: each place is described by the vectors of the word inside and
the word outside the new edge, the mean vector of the words a move takes in or leaves out,
the vectors of the cue word and the span's head word, and which edge it is and how far it
moved. A ReLU layer and a linear output give a score per place; a softmax over one edge's
places is trained against the gold edge (listwise, as the ranker is).

:class:`SpanEdges` is a spaCy trainable component (``claim_span_edges``): ``update`` learns
from Examples whose predicted Doc carries the rules' attributions (``doc._.attributions``)
and whose reference Doc carries the gold ones; ``to_disk``/``from_disk`` keep the weights.
The trained weights ship as package data (``span_model/``); ``claim_attribution`` runs them
when ``use_span_model`` is on. :mod:`claimgraph.extract.train_span_model` rebuilds them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy
from spacy.language import Language
from spacy.pipeline import TrainablePipe
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import registry
from spacy.vocab import Vocab
from thinc.api import Config, Linear, Model, Optimizer, Relu, chain
from thinc.types import Floats2d

from claimgraph.extract.attributions import _with_subjects
from claimgraph.extract.boundaries import (
    ParseIndex,
    RankedSpan,
    Role,
    Side,
    edge_labels,
    edge_places,
    moved_edges,
    narrow_limits,
    ranked_spans,
    role_pieces,
    snap_edge,
    span_head,
)
from claimgraph.extract.doc_attributions import register_extensions
from claimgraph.extract.scoring import match_attributions
from claimgraph.extract.spans import doc_text, token_range
from claimgraph.records import Attribution

register_extensions()

#: The edges the span model places, in order: every cue first (a content or source then
#: stays clear of the placed cue).
EDGES: tuple[tuple[Role, Side], ...] = (
    ("cue", "start"), ("cue", "end"), ("content", "start"), ("content", "end"),
    ("source", "start"), ("source", "end"))
#: How far the span model looks for an edge's places where the ranker's window is too
#: short: a content's end is often a clause or more away ("far" on dev: 106 of 1,472).
REACH: dict[tuple[Role, Side], int] = {("content", "end"): 30}
#: Token vectors per place: inner word, outer word, the words moved over (mean), cue, head.
VECTORS_PER_PLACE = 5
#: Other inputs per place: one-hot edge (6), one-hot stay/in/out (3), distance, sentence
#: crossed, punctuation moved over.
#: The parse around a place: the relation label (hashed into DEP_BUCKETS, one more for
#: none) and the relation to the cue (RELATIONS, one more for none) of the word inside, the
#: word outside and the head of the words moved over.
DEP_BUCKETS = 64
RELATIONS = ("cue", "cue-child", "above-cue", "under-cue", "other")
PARSE_WORDS = 3
EXTRA_INPUTS = len(EDGES) + 3 + 3 + PARSE_WORDS * (DEP_BUCKETS + 1 + len(RELATIONS) + 1)
#: Where the shipped weights and their config live (package data).
SHIPPED = "span_model"


@registry.architectures("claimgraph.SpanEdgeScorer.v1")
def build_edge_scorer(width: int = 96, hidden: int = 64, dropout: float = 0.1,
                      ) -> Model[Floats2d, Floats2d]:
    """Return the scorer of edge places: the inputs of a place (``width``-wide token
    vectors, see :func:`place_inputs`) through a ReLU layer of ``hidden`` units to one
    score."""
    inputs = VECTORS_PER_PLACE * width + EXTRA_INPUTS
    return chain(Relu(nO=hidden, nI=inputs, dropout=dropout), Linear(nO=1, nI=hidden))


def shipped_config() -> Config:
    """Return the config the shipped weights were trained with (``span_model/config.cfg``:
    the model and the training recipe)."""
    return Config().from_disk(Path(str(files(__package__) / SHIPPED / "config.cfg")))


class SpanEdges(TrainablePipe):
    """Place the edges of the attributions on a Doc with the span model (see the module).

    ``roles`` are the mentions placed (cue, content, source)."""

    def __init__(self, vocab: Vocab, model: Model[Floats2d, Floats2d],
                 name: str = "claim_span_edges", *,
                 roles: Sequence[Role] = ("cue", "content", "source")) -> None:
        self.vocab = vocab
        self.model = model
        self.name = name
        self.cfg: dict[str, Any] = {"roles": list(roles)}

    @property
    def edges(self) -> list[tuple[Role, Side]]:
        """The edges placed, in order."""
        return [(role, side) for role, side in EDGES if role in self.cfg["roles"]]

    def predict(self, docs: Iterable[Doc]) -> list[list[Attribution]]:
        """Return, for each Doc, its attributions with their edges placed."""
        return [self.place(doc, doc._.attributions or []) for doc in docs]

    def set_annotations(self, docs: Iterable[Doc], placed: list[list[Attribution]]) -> None:
        """Put the placed attributions on the Docs, their subjects found again in the
        placed contents (as ``claim_attribution`` finds them)."""
        for doc, attributions in zip(docs, placed, strict=True):
            entities = doc.ents
            doc._.attributions = [_with_subjects(doc, item, entities) for item in attributions]

    def place(self, doc: Doc, attributions: list[Attribution],
              parse: ParseIndex | None = None) -> list[Attribution]:
        """Return ``attributions`` with the edges of verbal ones placed (unchanged
        attributions are the same objects); ``parse`` is the index of ``doc`` (made here
        when not given). A Doc without token vectors of the model's width is left as it is."""
        if not _has_vectors(doc, self.model) or not attributions:
            return attributions
        parse = parse if parse is not None else ParseIndex.of(doc)
        spans = [{span.role: span for span in ranked_spans(doc, item, parse, self.cfg["roles"])}
                 for item in attributions]
        placed: list[dict[str, tuple[int, int]]] = [{} for _ in attributions]
        tokens = TokenVectors.of(doc, parse)
        # Cues first; then the other mentions, kept clear of the placed cue.
        for roles in (("cue",), ("content", "source")):
            edges = []
            for index, by_role in enumerate(spans):
                for (role, side) in self.edges:
                    span = by_role.get(role)
                    if role not in roles or span is None:
                        continue
                    if role != "cue" and "cue" in placed[index]:
                        span = replace(span, limits=narrow_limits(
                            span.limits, (span.start, span.end), set(range(*placed[index]["cue"]))))
                        by_role[role] = span
                    if side == "end" and role == "content" and len(
                            attributions[index].content.pieces()) > 1:
                        continue  # a content in pieces keeps the end of its first piece
                    edges.append((index, span, side))
            if not edges:
                continue
            groups = [edge_places(span, side, REACH.get((span.role, side)))
                      for _, span, side in edges]
            scores = self.model.predict(place_inputs(
                [(span, side, places)
                 for (_, span, side), places in zip(edges, groups, strict=True)], tokens))[:, 0]
            offset = 0
            for (index, span, side), places in zip(edges, groups, strict=True):
                best = places[int(numpy.argmax(scores[offset:offset + len(places)]))]
                offset += len(places)
                start, end = placed[index].get(span.role, (span.start, span.end))
                edge = snap_edge(span, side, best)
                placed[index][span.role] = (edge, end) if side == "start" else (start, edge)
        return [_moved(doc, item, spans[index], placed[index])
                for index, item in enumerate(attributions)]

    def update(self, examples: Iterable[Example], *, drop: float = 0.0,
               sgd: Optimizer | None = None, losses: dict[str, float] | None = None,
               ) -> dict[str, float]:
        """Learn from ``examples`` (predicted Docs with the rules' attributions, reference
        Docs with the gold ones): one step of the listwise softmax loss over every edge of
        every predicted attribution that matches a gold one."""
        losses = {} if losses is None else losses
        losses.setdefault(self.name, 0.0)
        rows, groups = [], []
        for example in examples:
            for inputs, labels in self.edge_examples(example.predicted,
                                                     example.reference._.attributions or []):
                rows.append(inputs)
                groups.append(labels)
        if not rows:
            return losses
        scores, backprop = self.model.begin_update(numpy.vstack(rows))
        loss, gradient = listwise_loss(scores[:, 0], groups)
        backprop(self.model.ops.asarray2f(gradient[:, None]))
        if sgd is not None:
            self.finish_update(sgd)
        losses[self.name] += loss
        return losses

    def get_loss(self, examples: Iterable[Example], scores: Floats2d) -> tuple[float, Floats2d]:
        """Return the listwise loss of ``scores`` (all places of all edges of ``examples``,
        in order) and its gradient."""
        groups = [labels for example in examples
                  for _, labels in self.edge_examples(example.predicted,
                                                      example.reference._.attributions or [])]
        loss, gradient = listwise_loss(scores[:, 0], groups)
        return loss, gradient[:, None]

    def edge_examples(self, doc: Doc, gold: Sequence[Attribution],
                      ) -> Iterable[tuple[Floats2d, numpy.ndarray]]:
        """Yield ``(inputs of its places, which places are right)`` for every edge of every
        attribution on ``doc`` that matches one of ``gold`` (an edge whose right place is
        out of reach gives none)."""
        predicted = doc._.attributions or []
        if not predicted or not _has_vectors(doc, self.model):
            return
        parse = ParseIndex.of(doc)
        tokens = TokenVectors.of(doc, parse)
        for gold_index, predicted_index in match_attributions(gold, predicted, doc_text(doc)):
            for span in ranked_spans(doc, predicted[predicted_index], parse, self.cfg["roles"]):
                gold_span = token_range(doc, role_pieces(gold[gold_index], span.role))
                if gold_span is None:
                    continue
                for role, side in self.edges:
                    if role != span.role:
                        continue
                    places = edge_places(span, side, REACH.get((role, side)))
                    labels = numpy.array(edge_labels(parse, places, side, gold_span))
                    if labels.any():
                        yield place_inputs([(span, side, places)], tokens), labels

    def initialize(self, get_examples: Callable[[], Iterable[Example]], *,
                   nlp: Language | None = None) -> None:
        """Initialize the model's weights (its input width is fixed by its config)."""
        self.model.initialize()


def listwise_loss(scores: numpy.ndarray, groups: Sequence[numpy.ndarray],
                  ) -> tuple[float, numpy.ndarray]:
    """Return the softmax cross-entropy of ``scores`` (the places of each edge in turn,
    ``groups`` saying which of an edge's places are right, spread evenly over them) and
    its gradient, both summed over edges."""
    scores = numpy.asarray(scores, dtype="float32")
    gradient = numpy.zeros_like(scores)
    loss, offset = 0.0, 0
    for labels in groups:
        part = scores[offset:offset + len(labels)]
        exps = numpy.exp(part - part.max())
        shares = exps / exps.sum()
        target = labels / labels.sum()
        loss -= float(numpy.log(shares[labels].sum()))
        gradient[offset:offset + len(labels)] = shares - target
        offset += len(labels)
    return loss, gradient


@dataclass(frozen=True, slots=True)
class TokenVectors:
    """The token vectors of a Doc (``doc.tensor``) with a row of zeros after the last (the
    vector of a place outside the Doc), and running sums the inputs of a place ask for: of
    the vectors, of sentence starts and of punctuation (``sums[i]``: over tokens before i)."""

    vectors: numpy.ndarray
    sums: numpy.ndarray
    sentence_starts: numpy.ndarray
    punct: numpy.ndarray
    dep_buckets: numpy.ndarray  # per token, and DEP_BUCKETS for the place outside
    heads: numpy.ndarray
    left_edges: numpy.ndarray
    right_edges: numpy.ndarray
    depths: list[int]

    @classmethod
    def of(cls, doc: Doc, parse: ParseIndex) -> TokenVectors:
        """Read the vectors of ``doc``, whose parse is indexed in ``parse``."""
        tensor = numpy.asarray(doc.tensor, dtype="float32")
        zeros = numpy.zeros((1, tensor.shape[1]), dtype="float32")
        strings = doc.vocab.strings  # a label's hash is the same in every process
        return cls(numpy.vstack([tensor, zeros]),
                   numpy.vstack([zeros, numpy.cumsum(tensor, axis=0)]),
                   numpy.cumsum([0, *parse.sentence_starts]),
                   numpy.cumsum([0, *parse.punct]),
                   numpy.array([strings[dep] % DEP_BUCKETS for dep in parse.deps]
                               + [DEP_BUCKETS]),
                   numpy.array([*parse.heads, -1]), numpy.array([*parse.left_edges, -1]),
                   numpy.array([*parse.right_edges, -2]), parse.depths)

    def relations(self, words: numpy.ndarray, cues: numpy.ndarray) -> numpy.ndarray:
        """Return the index in RELATIONS of each word's relation to its cue (the word's
        subtree holding the cue: above it; the cue's subtree holding the word: under it;
        a projective parse's subtrees are contiguous), len(RELATIONS) for the place
        outside."""
        inside = (self.left_edges[cues] <= words) & (words <= self.right_edges[cues])
        above = (self.left_edges[words] <= cues) & (cues <= self.right_edges[words])
        found = numpy.select(
            [words == len(self.heads) - 1, words == cues, self.heads[words] == cues, above,
             inside], [len(RELATIONS), 0, 1, 2, 3], 4)
        return found

    def tops(self, lows: numpy.ndarray, highs: numpy.ndarray) -> numpy.ndarray:
        """Return the least deep word from each low to high (the first of them on a tie;
        the place outside where the range is empty)."""
        depths, outside = self.depths, len(self.heads) - 1
        return numpy.array([min(range(low, high), key=depths.__getitem__) if high > low
                            else outside for low, high in zip(lows.tolist(), highs.tolist(),
                                                              strict=True)], dtype="int64")


def place_inputs(edges: Sequence[tuple[RankedSpan, Side, list[int]]],
                 tokens: TokenVectors) -> numpy.ndarray:
    """Return the inputs of each place of each of ``edges`` (a span, the side of its edge,
    the places that edge may move to), one row a place, edge after edge: the vectors of
    the words inside and outside the new edge, the mean vector of the words between it and
    the current edge, the vectors of the cue and head words, a one-hot of the edge and of
    the move (stay, in, out), the distance, whether the move crosses a sentence start and
    how much of what it moves over is punctuation."""
    counts = [len(places) for _, _, places in edges]
    where = numpy.fromiter((place for _, _, places in edges for place in places), "int64",
                           sum(counts))
    facts = numpy.array([(span.start if side == "start" else span.end, side == "start",
                          EDGES.index((span.role, side)), span.cue, span_head(span))
                         for span, side, _ in edges], dtype="int64").reshape(-1, 5)
    edge, starts_side, edge_kind, cue, head = numpy.repeat(facts, counts, axis=0).T
    starts_side = starts_side.astype(bool)
    vectors = tokens.vectors
    outside = len(vectors) - 1  # the row of zeros
    inner = numpy.where(starts_side, where, where - 1)
    outer = numpy.where(starts_side, where - 1, where)
    inner = numpy.where((inner >= 0) & (inner < outside), inner, outside)
    outer = numpy.where((outer >= 0) & (outer < outside), outer, outside)
    low, high = numpy.minimum(where, edge), numpy.maximum(where, edge)
    widths = numpy.maximum(high - low, 1).astype("float32")
    rows = len(where)
    extra = numpy.zeros((rows, EXTRA_INPUTS), dtype="float32")
    extra[numpy.arange(rows), edge_kind] = 1.0
    grows = numpy.where(starts_side, where < edge, where > edge)
    move = numpy.where(where == edge, 0, numpy.where(grows, 2, 1))
    extra[numpy.arange(rows), len(EDGES) + move] = 1.0
    extra[:, len(EDGES) + 3] = numpy.abs(where - edge) / 10.0
    # A move crosses a sentence when a sentence starts among the words it moves over,
    # or (a start moving out) at the current edge.
    first = numpy.where(starts_side, low + 1, low)
    last = numpy.where(starts_side, numpy.minimum(high + 1, outside), high)
    starts = tokens.sentence_starts
    extra[:, len(EDGES) + 4] = (starts[last] - starts[numpy.minimum(first, last)]) > 0
    extra[:, len(EDGES) + 5] = (tokens.punct[high] - tokens.punct[low]) / widths
    column = len(EDGES) + 6
    for word in (inner, outer, tokens.tops(low, high)):
        extra[numpy.arange(rows), column + tokens.dep_buckets[word]] = 1.0
        column += DEP_BUCKETS + 1
        extra[numpy.arange(rows), column + tokens.relations(word, cue)] = 1.0
        column += len(RELATIONS) + 1
    moved_over = (tokens.sums[high] - tokens.sums[low]) / widths[:, None]
    return numpy.hstack([vectors[inner], vectors[outer], moved_over, vectors[cue],
                         vectors[head], extra])


def _has_vectors(doc: Doc, model: Model) -> bool:
    tensor = doc.tensor
    width = (model.get_dim("nI") - EXTRA_INPUTS) // VECTORS_PER_PLACE \
        if model.has_dim("nI") else None
    return (getattr(tensor, "ndim", 0) == 2 and tensor.shape[0] == len(doc)
            and tensor.shape[1] == width)


def _moved(doc: Doc, attribution: Attribution, spans: dict[str, RankedSpan],
           placed: dict[str, tuple[int, int]]) -> Attribution:
    """Return ``attribution`` with the first piece of each placed mention moved (itself
    when nothing moved)."""
    changes: dict[str, object] = {}
    for role, (start, end) in placed.items():
        span = spans[role]
        if (start, end) == (span.start, span.end) or start >= end:
            continue
        changes |= moved_edges(doc, attribution, role, (span.start, span.end), (start, end))
    return replace(attribution, **changes) if changes else attribution


def load_shipped(vocab: Vocab) -> SpanEdges:
    """Return the span model with the shipped config and weights."""
    config = shipped_config()
    model = registry.resolve({"model": config["model"]})["model"]
    pipe = SpanEdges(vocab, model, roles=config["component"]["roles"])
    return pipe.from_disk(Path(str(files(__package__) / SHIPPED)), exclude=["vocab"])


DEFAULT_MODEL = """
[model]
@architectures = "claimgraph.SpanEdgeScorer.v1"
width = 96
hidden = 64
dropout = 0.1
"""


@Language.factory(
    "claim_span_edges",
    requires=["doc.tensor", "doc._.attributions"],
    assigns=["doc._.attributions", "doc.spans"],
    default_config={"model": Config().from_str(DEFAULT_MODEL)["model"],
                    "roles": ["cue", "content", "source"]},
)
def make_span_edges(nlp: Language, name: str, model: Model[Floats2d, Floats2d],
                    roles: list[str]) -> SpanEdges:
    """Build the component (untrained: ``nlp.initialize`` or ``from_disk`` gives it
    weights); its settings come from the pipeline config."""
    return SpanEdges(nlp.vocab, model, name, roles=roles)
