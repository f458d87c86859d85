"""Count what a batch of inputs held: records read as articles, and records skipped, why.

Loaders stream, so the counts are kept as they go: :func:`~claimgraph.loaders.iter_documents`
counts each article and each error by the kind of record it came from, and a loader counts
the records that are not articles at all (a WARC ``request`` record, an image) with the
reason. The ingest summary prints them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(slots=True)
class InputTally:
    """Records read, per kind ("HTML page", "WARC record"), and skipped, per kind and reason."""

    read: Counter[str] = field(default_factory=Counter)
    skipped: Counter[tuple[str, str]] = field(default_factory=Counter)

    def count(self, kind: str) -> None:
        """Count one record of ``kind`` read as an article."""
        self.read[kind] += 1

    def skip(self, kind: str, reason: str) -> None:
        """Count one record of ``kind`` skipped for ``reason``."""
        self.skipped[(kind, reason)] += 1

    def add(self, other: InputTally) -> None:
        """Add the counts of ``other`` (what a worker task read) to these."""
        self.read.update(other.read)
        self.skipped.update(other.skipped)

    def __str__(self) -> str:
        read = ", ".join(f"{count} {_plural(kind, count)}"
                         for kind, count in sorted(self.read.items()))
        skipped = ", ".join(f"{count} {_plural(kind, count)} ({reason})"
                            for (kind, reason), count in sorted(self.skipped.items()))
        parts = [f"read {read or 'nothing'}"]
        if skipped:
            parts.append(f"skipped {skipped}")
        return "; ".join(parts)


def _plural(kind: str, count: int) -> str:
    if count == 1:
        return kind
    if kind.endswith("y"):
        return kind[:-1] + "ies"
    return kind + ("es" if kind.endswith("s") else "s")
