"""Reading a store through SPARQL in small queries: the store's interface, a query's
solutions as rows (pyoxigraph's terms as they come: converting thousands of rows to rdflib
costs more than the query), and lists of IRIs cut into VALUES blocks. Store-wide merging
(:mod:`claimgraph.graph.merging`), claim matching (:mod:`claimgraph.graph.spread`) and its
index (:mod:`claimgraph.graph.claim_index`) share them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

#: The most values one query's VALUES block holds: the lists of entities and claims grow
#: with the store, and Virtuoso refuses a query of some 8,000 values ("Too many arguments").
VALUES_BLOCK = 1_000
#: Claims per SPARQL lookup (VALUES rows) in claim matching.
CHUNK = VALUES_BLOCK


class Store(Protocol):
    """What merging and matching ask of a store (:class:`claimgraph.graph.store.BaseStore`)."""

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


__all__ = ["CHUNK", "VALUES_BLOCK", "Store", "chunked", "iri_values", "select_rows"]
