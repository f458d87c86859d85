"""Score predicted attributions against gold ones (PolNeAR's convention).

Per role (source, cue, content): precision, recall and F1 under two match modes, with
one-to-one matching between gold and predicted spans:

* **exact**: the two spans cover the same text once whitespace and punctuation (quotation
  marks included, straight and curly) are trimmed from the ends of each piece; pieces
  separated only by whitespace or punctuation count as one stretch, so the quotation
  ``“A,” “B.”`` annotated as two pieces equals the single span over the same words.
* **overlap**: the spans share at least one character of their (trimmed) pieces. Among the
  largest one-to-one matchings, the one sharing the most characters is chosen (maximum
  weight matching of maximum cardinality, networkx).

Within a document, a role's identical spans count once: a source span used by two predicted
attributions is one predicted source. At the attribution level, a predicted attribution
matches a gold one when their cues and contents overlap and, where the gold attribution has a
source, their sources overlap too; matching is one-to-one as well. Corpus figures are micro
averages (counts summed over documents). Everything here is pure: no files, no printing.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import networkx as nx

from claimgraph.records import Attribution, Document, Mention

ROLES = ("source", "cue", "content")
MATCH_MODES = ("exact", "overlap")

Pieces = tuple[tuple[int, int], ...]
Predictor = Callable[[list[Document]], list[list[Attribution]]]


@dataclass(slots=True)
class Counts:
    """How many gold and predicted items there were, and how many were matched."""

    gold: int = 0
    predicted: int = 0
    matched: int = 0

    @property
    def precision(self) -> float:
        """Matched / predicted; 0.0 when nothing was predicted."""
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        """Matched / gold; 0.0 when there is no gold."""
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall; 0.0 when both are 0."""
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    @property
    def false_positives(self) -> int:
        """Predicted items that matched nothing."""
        return self.predicted - self.matched

    @property
    def false_negatives(self) -> int:
        """Gold items that nothing matched."""
        return self.gold - self.matched

    def add(self, other: Counts) -> None:
        """Add ``other``'s counts to these (for micro averages)."""
        self.gold += other.gold
        self.predicted += other.predicted
        self.matched += other.matched

    def to_dict(self) -> dict[str, Any]:
        """Return the counts and the three measures (rounded to 4 places) for JSON."""
        return {"gold": self.gold, "predicted": self.predicted, "matched": self.matched,
                "precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4)}


#: Span counts by role, then by match mode: ``spans["cue"]["exact"]``.
SpanCounts = dict[str, dict[str, Counts]]


def _empty_span_counts() -> SpanCounts:
    return {role: {mode: Counts() for mode in MATCH_MODES} for role in ROLES}


def _counts_dict(spans: SpanCounts, attributions: Counts) -> dict[str, Any]:
    result: dict[str, Any] = {role: {mode: counts.to_dict() for mode, counts in modes.items()}
                              for role, modes in spans.items()}
    result["attribution"] = attributions.to_dict()
    return result


@dataclass(slots=True)
class DocumentScore:
    """The scores of one document, with its missed gold and spurious predicted attributions."""

    document: Document = field(repr=False)
    spans: SpanCounts = field(default_factory=_empty_span_counts)
    attributions: Counts = field(default_factory=Counts)
    missed: list[Attribution] = field(default_factory=list)
    spurious: list[Attribution] = field(default_factory=list)

    def to_dict(self, *, errors: bool = False) -> dict[str, Any]:
        """Return the scores for JSON.

        With ``errors``, add the missed and spurious attributions, each with its sentence.
        """
        result = {"document": self.document.id, **_counts_dict(self.spans, self.attributions)}
        if errors:
            text = self.document.text
            result["missed"] = [_error_dict(item, text) for item in self.missed]
            result["spurious"] = [_error_dict(item, text) for item in self.spurious]
        return result


@dataclass(slots=True)
class CorpusScore:
    """Micro-averaged scores over documents, and the per-document scores."""

    spans: SpanCounts = field(default_factory=_empty_span_counts)
    attributions: Counts = field(default_factory=Counts)
    documents: list[DocumentScore] = field(default_factory=list)

    def to_dict(self, *, per_document: bool = False, errors: bool = False) -> dict[str, Any]:
        """Return the corpus scores for JSON; optionally each document's scores (and errors)."""
        result: dict[str, Any] = {"documents": len(self.documents),
                                  **_counts_dict(self.spans, self.attributions)}
        if per_document or errors:
            result["per_document"] = [score.to_dict(errors=errors) for score in self.documents]
        return result


def aggregate(scores: Iterable[DocumentScore]) -> CorpusScore:
    """Sum per-document scores into a :class:`CorpusScore` (micro averages)."""
    corpus = CorpusScore()
    for score in scores:
        corpus.documents.append(score)
        corpus.attributions.add(score.attributions)
        for role in ROLES:
            for mode in MATCH_MODES:
                corpus.spans[role][mode].add(score.spans[role][mode])
    return corpus


def score_document(document: Document, gold: Sequence[Attribution],
                   predicted: Sequence[Attribution]) -> DocumentScore:
    """Score the attributions ``predicted`` for ``document`` against its ``gold`` ones."""
    text = document.text
    score = DocumentScore(document=document)
    for role in ROLES:
        gold_spans = _role_spans(gold, role, text)
        predicted_spans = _role_spans(predicted, role, text)
        for mode, matcher in (("exact", _match_exact), ("overlap", _match_overlap)):
            score.spans[role][mode] = Counts(gold=len(gold_spans),
                                             predicted=len(predicted_spans),
                                             matched=len(matcher(gold_spans, predicted_spans)))
    pairs = match_attributions(gold, predicted, text)
    score.attributions = Counts(gold=len(gold), predicted=len(predicted), matched=len(pairs))
    matched_gold = {gold_index for gold_index, _ in pairs}
    matched_predicted = {predicted_index for _, predicted_index in pairs}
    score.missed = [item for index, item in enumerate(gold) if index not in matched_gold]
    score.spurious = [item for index, item in enumerate(predicted)
                      if index not in matched_predicted]
    return score


def evaluate_corpus(pairs: Iterable[tuple[Document, list[Attribution]]], predict: Predictor,
                    *, batch_size: int = 32) -> CorpusScore:
    """Run ``predict`` over a corpus of ``(document, gold attributions)`` and score it.

    ``predict`` takes a list of documents and returns one list of attributions per document
    (in order); it is called on batches of ``batch_size`` documents, which suits a spaCy
    pipeline's ``nlp.pipe`` and lets the caller show progress. Raises ValueError when a
    batch's results do not line up with its documents. Returns the aggregate and
    per-document scores.
    """
    def document_scores() -> Iterator[DocumentScore]:
        for batch in _batches(pairs, batch_size):
            documents = [document for document, _ in batch]
            predictions = predict(documents)
            if len(predictions) != len(documents):
                raise ValueError(f"predict returned {len(predictions)} results "
                                 f"for {len(documents)} documents")
            for (document, gold), predicted in zip(batch, predictions, strict=True):
                yield score_document(document, gold, predicted)

    return aggregate(document_scores())


# --- spans: trimming and overlap -----------------------------------------------------------

def _is_filler(character: str) -> bool:
    """Whitespace and punctuation (Unicode P*: quotes, commas, dashes, brackets...)."""
    return character.isspace() or unicodedata.category(character).startswith("P")


def trimmed_pieces(mention: Mention, text: str) -> Pieces:
    """Return the pieces of ``mention`` as compared: trimmed, merged and sorted.

    Pieces are clipped to the text, merged where they touch or are separated only by
    whitespace and punctuation, and trimmed of whitespace and punctuation at both ends.
    A span of nothing but punctuation (a colon cue) keeps its untrimmed pieces.
    """
    clipped = sorted((max(start, 0), min(end, len(text))) for start, end in mention.pieces())
    merged: list[list[int]] = []
    for start, end in clipped:
        if start >= end:
            continue
        if merged and all(_is_filler(character) for character in text[merged[-1][1]:start]):
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    trimmed = []
    for start, end in merged:
        while start < end and _is_filler(text[start]):
            start += 1
        while end > start and _is_filler(text[end - 1]):
            end -= 1
        if start < end:
            trimmed.append((start, end))
    return tuple(trimmed) if trimmed else tuple((start, end) for start, end in merged)


def shared_characters(first: Pieces, second: Pieces) -> int:
    """Return how many character offsets two sets of (disjoint, sorted) pieces share."""
    return sum(max(0, min(end_a, end_b) - max(start_a, start_b))
               for start_a, end_a in first for start_b, end_b in second)


def _role_spans(attributions: Iterable[Attribution], role: str, text: str) -> list[Pieces]:
    """The distinct trimmed spans of one role, in first-seen order (identical spans once)."""
    spans: dict[Pieces, Pieces] = {}
    for attribution in attributions:
        mention = getattr(attribution, role)
        if mention is not None:
            spans.setdefault(mention.pieces(), trimmed_pieces(mention, text))
    return list(spans.values())


# --- one-to-one matching ----------------------------------------------------------------

def _match_exact(gold: list[Pieces], predicted: list[Pieces]) -> list[tuple[int, int]]:
    """Pair equal spans one-to-one.

    Equality groups spans into classes; within a class any pairing is a maximum matching,
    so pairing in order is optimal (no graph needed).
    """
    waiting: dict[Pieces, list[int]] = defaultdict(list)
    for index, span in enumerate(predicted):
        waiting[span].append(index)
    pairs = []
    for gold_index, span in enumerate(gold):
        if waiting[span]:
            pairs.append((gold_index, waiting[span].pop(0)))
    return pairs


def _match_overlap(gold: list[Pieces], predicted: list[Pieces]) -> list[tuple[int, int]]:
    """Pair overlapping spans one-to-one, preferring the pairs sharing most characters."""
    return maximum_matching(len(gold), len(predicted),
                            lambda g, p: shared_characters(gold[g], predicted[p]))


def match_attributions(gold: Sequence[Attribution], predicted: Sequence[Attribution],
                        text: str) -> list[tuple[int, int]]:
    """Pair gold and predicted attributions whose cue, content (and gold source) overlap."""
    gold_spans = [_trimmed_roles(item, text) for item in gold]
    predicted_spans = [_trimmed_roles(item, text) for item in predicted]

    def weight(gold_index: int, predicted_index: int) -> int:
        one, other = gold_spans[gold_index], predicted_spans[predicted_index]
        shared = {role: shared_characters(one[role], other[role])
                  for role in ROLES if one[role] is not None and other[role] is not None}
        if not shared.get("cue") or not shared.get("content"):
            return 0
        if one["source"] is not None and not shared.get("source"):
            return 0
        return sum(shared.values())

    return maximum_matching(len(gold), len(predicted), weight)


def _trimmed_roles(attribution: Attribution, text: str) -> dict[str, Pieces | None]:
    """Role -> trimmed pieces of an attribution's mention (None for a missing source)."""
    return {role: trimmed_pieces(mention, text) if (mention := getattr(attribution, role))
            else None for role in ROLES}


def maximum_matching(n_gold: int, n_predicted: int,
                     weight: Callable[[int, int], int]) -> list[tuple[int, int]]:
    """Return a one-to-one pairing of gold and predicted indices, as (gold, predicted).

    ``weight(g, p)`` > 0 allows the pair. The pairing has as many pairs as possible and,
    among those, the largest total weight.
    """
    graph = nx.Graph()
    for gold_index in range(n_gold):
        for predicted_index in range(n_predicted):
            pair_weight = weight(gold_index, predicted_index)
            if pair_weight > 0:
                graph.add_edge(("gold", gold_index), ("predicted", predicted_index),
                               weight=pair_weight)
    pairs = []
    # Most spans overlap one span or none: solving each connected part apart keeps the
    # (cubic) matching algorithm for the few tangles and makes scoring a corpus fast.
    for part in nx.connected_components(graph):
        subgraph = graph.subgraph(part)
        matching = (subgraph.edges if len(part) == 2
                    else nx.max_weight_matching(subgraph, maxcardinality=True))
        for one, other in matching:
            gold_node, predicted_node = (one, other) if one[0] == "gold" else (other, one)
            pairs.append((gold_node[1], predicted_node[1]))
    return sorted(pairs)


# --- errors and reports -----------------------------------------------------------------

# The end of a sentence-ish stretch: a newline, or . ! ? … (and closing quotes) before a space.
_SENTENCE_END = re.compile(r"\n|[.!?…][\"'”’)\]]*(?=\s)")


def sentence_context(text: str, start: int, end: int, *, limit: int = 300) -> str:
    """Return the sentence(s) around ``text[start:end]`` on one line.

    The context runs from the last sentence end (newline, or ``.``, ``!``, ``?`` before a
    space) before ``start`` to the first one at or after ``end``, looking at most ``limit``
    characters either way; runs of whitespace become single spaces.
    """
    window_start = max(0, start - limit)
    left = window_start
    for match in _SENTENCE_END.finditer(text, window_start, start):
        left = match.end()
    right_match = _SENTENCE_END.search(text, end, min(len(text), end + limit))
    right = right_match.end() if right_match else min(len(text), end + limit)
    return " ".join(text[left:right].split())


def attribution_context(attribution: Attribution, text: str) -> str:
    """Return the sentence-ish context of a whole attribution (all its spans)."""
    mentions = [m for m in (attribution.source, attribution.cue, attribution.content) if m]
    return sentence_context(text, min(m.start for m in mentions), max(m.end for m in mentions))


def describe_attribution(attribution: Attribution, limit: int = 80) -> str:
    """Return ``source | cue | content`` on one line, each cut to ``limit`` characters."""
    def short(mention: Mention | None) -> str:
        if mention is None:
            return "-"
        words = " ".join(mention.text.split())
        return words if len(words) <= limit else words[:limit - 1] + "…"

    return " | ".join(short(m) for m in (attribution.source, attribution.cue,
                                         attribution.content))


def _error_dict(attribution: Attribution, text: str) -> dict[str, Any]:
    return {**attribution.to_dict(), "sentence": attribution_context(attribution, text)}


def format_report(score: CorpusScore | DocumentScore) -> str:
    """Return a plain-text table of the scores: one row per role and match mode."""
    header = (f"{'role':<12} {'match':<8} {'gold':>6} {'pred':>6} {'match':>6} "
              f"{'P':>6} {'R':>6} {'F1':>6}")
    rows = [header, "-" * len(header)]

    def row(role: str, mode: str, counts: Counts) -> str:
        return (f"{role:<12} {mode:<8} {counts.gold:>6} {counts.predicted:>6} "
                f"{counts.matched:>6} {counts.precision:>6.3f} {counts.recall:>6.3f} "
                f"{counts.f1:>6.3f}")

    for role in ROLES:
        for mode in MATCH_MODES:
            rows.append(row(role, mode, score.spans[role][mode]))
    rows.append(row("attribution", "overlap", score.attributions))
    if isinstance(score, CorpusScore):
        rows.insert(0, f"{len(score.documents)} documents")
    else:
        rows.insert(0, f"document {score.document.id}")
    return "\n".join(rows)


def format_errors(scores: Iterable[DocumentScore]) -> str:
    """Return the missed and spurious attributions of each document, with their sentences.

    One block per document that has errors; each attribution is shown as
    ``source | cue | content`` followed by the sentence it occurs in.
    """
    blocks = []
    for score in scores:
        if not score.missed and not score.spurious:
            continue
        lines = [f"== {score.document.id}"]
        for kind, items in (("missed", score.missed), ("spurious", score.spurious)):
            for item in items:
                lines.append(f"{kind:<9}{describe_attribution(item)}")
                lines.append(f"{'':<9}in: {attribution_context(item, score.document.text)}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Yield lists of up to ``size`` items (itertools.batched arrives in Python 3.12)."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
