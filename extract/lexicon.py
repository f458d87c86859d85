"""The cue lexicon: how often a (lemma, frame) pair introduces an attribution.

Learned from an annotated corpus by :mod:`claimgraph.extract.learn` and shipped as package
data (``cue_lexicon.tsv``: lemma, frame, times it was a cue, times it was seen). The rules ask
:meth:`CueLexicon.precision` whether a verb in a frame is likely to be a cue.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

LEXICON_FILE = "cue_lexicon.tsv"


@dataclass(slots=True)
class CueLexicon:
    """Counts per (lemma, frame): ``cue_counts`` as a cue, ``seen_counts`` seen at all."""

    cue_counts: dict[tuple[str, str], int] = field(default_factory=dict)
    seen_counts: dict[tuple[str, str], int] = field(default_factory=dict)
    smoothing: float = 1.0  # add-one style: unseen pairs get no credit, rare ones little
    # (cues, seen) summed over the frames of each lemma, built on first use.
    _lemma_totals: dict[str, tuple[int, int]] | None = field(default=None, repr=False,
                                                             compare=False)

    def precision(self, lemma: str, frame: str) -> float:
        """Return the smoothed share of times ``lemma`` in ``frame`` was a cue (0..1)."""
        key = (lemma.lower(), frame)
        cues = self.cue_counts.get(key, 0)
        return cues / (self.seen_counts.get(key, 0) + self.smoothing)

    def lemma_precision(self, lemma: str) -> float:
        """Return the smoothed share of times ``lemma`` was a cue, over all frames."""
        if self._lemma_totals is None:
            totals: dict[str, tuple[int, int]] = {}
            for key, seen in self.seen_counts.items():
                cues, all_seen = totals.get(key[0], (0, 0))
                totals[key[0]] = (cues + self.cue_counts.get(key, 0), all_seen + seen)
            self._lemma_totals = totals
        cues, seen = self._lemma_totals.get(lemma.lower(), (0, 0))
        return cues / (seen + self.smoothing)

    def add(self, lemma: str, frame: str, *, is_cue: bool) -> None:
        """Count one occurrence of ``lemma`` in ``frame``."""
        key = (lemma.lower(), frame)
        self._lemma_totals = None
        self.seen_counts[key] = self.seen_counts.get(key, 0) + 1
        if is_cue:
            self.cue_counts[key] = self.cue_counts.get(key, 0) + 1

    def pruned(self, min_cues: int) -> CueLexicon:
        """Return a copy without the pairs seen as a cue fewer than ``min_cues`` times (the
        lexicon as :meth:`save` writes it)."""
        kept = {key for key, cues in self.cue_counts.items() if cues >= min_cues}
        return CueLexicon({key: self.cue_counts[key] for key in kept},
                          {key: self.seen_counts[key] for key in kept}, self.smoothing)

    def to_rows(self, *, min_cues: int = 1) -> Iterable[tuple[str, str, int, int]]:
        """Yield (lemma, frame, cue count, seen count), pairs with fewer cues left out."""
        for key in sorted(self.seen_counts):
            cues = self.cue_counts.get(key, 0)
            if cues >= min_cues:
                yield (*key, cues, self.seen_counts[key])

    def save(self, path: str | Path, *, min_cues: int = 1) -> None:
        """Write the lexicon as a TSV file."""
        with open(path, "w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream, delimiter="\t", lineterminator="\n")
            writer.writerow(["lemma", "frame", "cues", "seen"])
            writer.writerows(self.to_rows(min_cues=min_cues))

    @classmethod
    def load(cls, path: str | Path | None = None) -> CueLexicon:
        """Read a lexicon TSV; without a path, the one shipped with claimgraph."""
        source = Path(path) if path else Path(str(files(__package__) / LEXICON_FILE))
        lexicon = cls()
        with open(source, encoding="utf-8", newline="") as stream:
            for row in csv.DictReader(stream, delimiter="\t"):
                key = (row["lemma"], row["frame"])
                lexicon.cue_counts[key] = int(row["cues"])
                lexicon.seen_counts[key] = int(row["seen"])
        return lexicon
