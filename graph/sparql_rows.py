"""Reading a store through SPARQL in small queries: the store's interface, a query's
solutions as rows, and lists of IRIs cut into VALUES blocks. Claim matching
(:mod:`claimgraph.graph.spread`) and its index (:mod:`claimgraph.graph.claim_index`)
share them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from claimgraph.graph.merging import VALUES_BLOCK

#: Claims per SPARQL lookup (VALUES rows): the queries stay small for any server
#: (Virtuoso refuses a VALUES block of a few thousand).
CHUNK = VALUES_BLOCK


class Store(Protocol):
    """What matching asks of a store (:class:`claimgraph.graph.store.BaseStore`)."""

    def query(self, sparql: str) -> Any: ...

    def update(self, sparql: str) -> None: ...


def select_rows(store: Store, sparql: str) -> list[dict[str, Any]]:
    """Return the solutions of a SELECT query as dicts, variable name to term (None
    where unbound)."""
    results = store.query(sparql)
    names = [variable.value for variable in results.variables]
    return [{name: solution[name] for name in names} for solution in results]


def chunked(items: Sequence[str], size: int = CHUNK) -> Iterable[Sequence[str]]:
    """Yield ``items`` in consecutive slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


def iri_values(iris: Iterable[str]) -> str:
    """Return IRIs as the terms of a SPARQL VALUES block (``<a> <b>``)."""
    return " ".join(f"<{iri}>" for iri in iris)


__all__ = ["CHUNK", "Store", "chunked", "iri_values", "select_rows"]
