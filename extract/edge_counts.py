"""Counts that settle span-boundary conventions: how often a kind of neighbour was inside
a gold span. Learned by :mod:`claimgraph.extract.learn`, shipped as TSV package data.

A neighbour is described by keys from specific to general (see the users:
:mod:`claimgraph.extract.cue_spans`, :mod:`claimgraph.extract.content_spans`); the most
specific key seen often enough decides.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import ClassVar, Self

Key = tuple[str, ...]
# A key is trusted once seen this often; rarer keys defer to a more general one.
MIN_SEEN = 3


@dataclass(slots=True)
class EdgeCounts:
    """Counts per neighbour key: ``inside`` a gold span, ``seen`` next to one at all."""

    FILE: ClassVar[str] = ""  # the shipped TSV file of a subclass

    inside: dict[Key, int] = field(default_factory=dict)
    seen: dict[Key, int] = field(default_factory=dict)

    def belongs(self, keys: list[Key], *, default: bool = False) -> bool:
        """Return whether a neighbour with ``keys`` (specific first) belongs to the span.

        The most specific key seen at least ``MIN_SEEN`` times decides: the neighbour
        belongs when it was inside more often than not. With no such key, ``default``.
        """
        for key in keys:
            seen = self.seen.get(key, 0)
            if seen >= MIN_SEEN:
                return self.inside.get(key, 0) * 2 > seen
        return default

    def add(self, keys: list[Key], *, inside: bool) -> None:
        """Count one neighbour under each of its ``keys``."""
        for key in keys:
            self.seen[key] = self.seen.get(key, 0) + 1
            if inside:
                self.inside[key] = self.inside.get(key, 0) + 1

    def save(self, path: str | Path, *, min_seen: int = 2) -> None:
        """Write the counts as TSV (key parts joined by ``|``), rare keys left out."""
        with open(path, "w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream, delimiter="\t", lineterminator="\n")
            writer.writerow(["key", "inside", "seen"])
            for key in sorted(self.seen):
                if self.seen[key] >= min_seen:
                    writer.writerow(["|".join(key), self.inside.get(key, 0), self.seen[key]])

    @classmethod
    def load(cls, path: str | Path | None = None) -> Self:
        """Read a TSV written by :meth:`save`; without a path, the one shipped with claimgraph."""
        source = Path(path) if path else Path(str(files(__package__) / cls.FILE))
        counts = cls()
        with open(source, encoding="utf-8", newline="") as stream:
            for row in csv.DictReader(stream, delimiter="\t"):
                key = tuple(row["key"].split("|"))
                counts.inside[key] = int(row["inside"])
                counts.seen[key] = int(row["seen"])
        return counts
