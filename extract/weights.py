"""Feature weights of a linear model, learned from a corpus and shipped as TSV package data.

The cue classifier (:mod:`claimgraph.extract.cue_classifier`) and the boundary ranker
(:mod:`claimgraph.extract.boundaries`) both weigh string features and keep their weights in
a TSV file (feature, weight); this is the part they share.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib.resources import files
from itertools import repeat
from pathlib import Path
from typing import ClassVar, Self

# Weights smaller than this are left out of a saved file.
MIN_WEIGHT = 1e-3


@dataclass(slots=True)
class FeatureWeights:
    """A weight per feature; features with no weight count for nothing."""

    FILE: ClassVar[str] = ""  # the shipped TSV file of a subclass

    weights: dict[str, float] = field(default_factory=dict)

    def weigh(self, features: Iterable[str]) -> float:
        """Return the sum of the weights of ``features``."""
        # map over dict.get: the same sum in the same order, without a generator's frames
        # (this runs for every candidate cue and every place of every edge).
        return sum(map(self.weights.get, features, repeat(0.0)))

    def save(self, path: str | Path) -> None:
        """Write the weights as TSV, as :meth:`rounded` has them."""
        with open(path, "w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream, delimiter="\t", lineterminator="\n")
            writer.writerow(["feature", "weight"])
            for feature, weight in sorted(self.rounded().weights.items()):
                writer.writerow([feature, f"{weight:.4f}"])

    def rounded(self) -> Self:
        """Return a copy with the weights as the TSV file keeps them (what :meth:`load`
        reads back): four decimals, those too small to matter left out."""
        return type(self)({feature: float(f"{weight:.4f}")
                           for feature, weight in self.weights.items()
                           if abs(weight) >= MIN_WEIGHT})

    @classmethod
    def load(cls, path: str | Path | None = None) -> Self:
        """Read weights written by :meth:`save`; without a path, the shipped ones."""
        source = Path(path) if path else Path(str(files(__package__) / cls.FILE))
        with open(source, encoding="utf-8", newline="") as stream:
            return cls({row["feature"]: float(row["weight"])
                        for row in csv.DictReader(stream, delimiter="\t")})


def sgd_steps(count: int, *, epochs: int, rate: float, seed: int) -> Iterator[tuple[int, float]]:
    """Yield ``(example index, step size)`` for stochastic gradient descent: ``epochs``
    passes over ``count`` examples, each in a new seeded shuffle of the last pass's order,
    the step shrinking as ``rate / (1 + epoch)``."""
    order = list(range(count))
    shuffle = random.Random(seed).shuffle
    for epoch in range(epochs):
        shuffle(order)
        step = rate / (1 + epoch)
        for index in order:
            yield index, step
