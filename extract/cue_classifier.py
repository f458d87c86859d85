"""A small learned cue classifier: is this word, in this frame, the cue of an attribution?

The cue lexicon (:mod:`claimgraph.extract.lexicon`) knows how often a (lemma, frame) pair was
a cue, but not *when*: "say" is a cue in "Trump said that …" and not in "it is fair to say
that …"; "support" is one in "voters support Sanders" and not in "to support his family".
This classifier is a logistic regression over a handful of parse features of a candidate
(its lemma and frame, tag, relation, subject, auxiliaries, the shape of its content, whether
it sits inside a quotation), trained on the candidates of an annotated corpus by
:mod:`claimgraph.extract.learn` and shipped as package data (``cue_weights.tsv``: feature,
weight). It scores only the pairs the lexicon already finds plausible, so it stays cheap.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar, Protocol

from spacy.tokens import Token

from claimgraph.extract.weights import FeatureWeights, sgd_steps

SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
MODALS = frozenset({"would", "could", "should", "might", "may", "will", "can", "must", "'d",
                    "’d", "'ll", "’ll", "wo", "ca"})
# Relations through which a cue hangs under another word worth naming ("want to say").
GOVERNED_DEPS = frozenset({"xcomp", "ccomp", "advcl", "relcl", "acl", "pcomp", "conj"})


def candidate_features(cue: Token, frame: str, content_head: Token, *,
                       in_quotation: bool) -> list[str]:
    """Return the features of ``cue`` taking a content headed by ``content_head`` in
    ``frame``; ``in_quotation`` says whether the cue lies inside a quotation."""
    lemma = cue.lemma_.lower()
    subject = next((child for child in cue.children if child.dep_ in SUBJECT_DEPS), None)
    subject_kind = "none" if subject is None else subject.pos_
    features = [
        "bias", f"lf={lemma}|{frame}", f"l={lemma}", f"f={frame}", f"tag={cue.tag_}",
        f"tag|f={cue.tag_}|{frame}", f"dep={cue.dep_}", f"dep|f={cue.dep_}|{frame}",
        f"subj|f={subject_kind}|{frame}", f"subj|l={subject_kind}|{lemma}",
        f"hpos|f={content_head.pos_}|{frame}",
        f"len={min(sum(1 for _ in content_head.subtree) // 4, 8)}",
    ]
    if subject is not None and subject.pos_ == "PRON":
        features.append(f"subjw={subject.lower_}")
        features.append(f"subjw|l={subject.lower_}|{lemma}")
    if in_quotation:
        features.append("quoted")
        features.append(f"quoted|l={lemma}")
    for child in cue.children:
        if child.dep_ in {"aux", "auxpass"}:
            if child.lower_ in MODALS:
                features.append("modal")
                features.append(f"modal|l={lemma}")
            elif child.tag_ == "TO":
                features.append("to")
                features.append(f"to|l={lemma}")
        elif child.dep_ == "neg":
            features.append("neg")
    if cue.dep_ in GOVERNED_DEPS:
        governor = cue.head.lemma_.lower()
        features.append(f"gov={cue.dep_}|{governor}")
        features.append(f"gov|l={governor}|{lemma}")
    for child in content_head.children:
        if child.dep_ == "mark":
            features.append(f"mark|f={child.lower_}|{frame}")
    return features


class CueScorer(Protocol):
    """What the rules ask of a cue classifier: how likely a candidate is a cue."""

    def score(self, cue: Token, frame: str, content_head: Token, *,
              in_quotation: bool) -> float:
        """Return the probability (0..1) that ``cue`` in ``frame``, its content headed by
        ``content_head``, is the cue of an attribution."""
        ...


@dataclass(slots=True)
class CueClassifier(FeatureWeights):
    """Feature weights of a logistic regression; :meth:`probability` scores a candidate."""

    FILE: ClassVar[str] = "cue_weights.tsv"

    def score(self, cue: Token, frame: str, content_head: Token, *,
              in_quotation: bool) -> float:
        """Return the probability that a candidate is a cue (see :class:`CueScorer`)."""
        return self.probability(candidate_features(cue, frame, content_head,
                                                   in_quotation=in_quotation))

    def probability(self, features: Iterable[str]) -> float:
        """Return the probability (0..1) that a candidate with ``features`` is a cue."""
        return _logistic(self.weigh(features))

    @classmethod
    def train(cls, examples: list[tuple[list[str], bool]], *, epochs: int = 8,
              rate: float = 0.1, l2: float = 1e-4, seed: int = 0) -> CueClassifier:
        """Fit the weights to ``examples`` (features, is a cue) by stochastic gradient
        descent on the log loss with L2 shrinkage; return the classifier."""
        weights: dict[str, float] = {}
        for index, step in sgd_steps(len(examples), epochs=epochs, rate=rate, seed=seed):
            features, is_cue = examples[index]
            predicted = _logistic(sum(weights.get(feature, 0.0) for feature in features))
            gradient = (1.0 if is_cue else 0.0) - predicted
            for feature in features:
                weight = weights.get(feature, 0.0)
                weights[feature] = weight + step * (gradient - l2 * weight)
        return cls(weights)


def _logistic(score: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score))))
