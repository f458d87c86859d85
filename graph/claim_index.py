"""The matching index: the claims matched so far, by band key, for
:mod:`claimgraph.graph.spread` to find a new claim's candidates without reading the store.

Where the index lives (:func:`claim_index`):

- An embedded store on disk keeps it in a SQLite file in its folder (:data:`INDEX_FILE`;
  RocksDB leaves files it did not write alone): per matched article a row; per matched
  claim its matching order, IRI, article and band keys (one blob); per band key the claims
  holding it (a B-tree the lookups read). The store keeps only the matching order of the
  claims in clusters (``cg:matchOrder``, which the spread queries read): no quad per other
  claim, where the index in the store cost 34 per matched claim. The store's update is made
  first, then the file's transaction: an article whose file edit a crash lost is matched
  again, as one not matched yet.
- A store without a folder of its own (a SPARQL server, ``--endpoint``; a store in memory)
  keeps it in :data:`~claimgraph.graph.rdf.CLUSTERS_GRAPH`: each matched claim has its band
  keys as literals (``cg:lshBand``), its place in matching order (``cg:matchOrder``) and
  its article (``cg:indexedArticle``), looked up with one SPARQL query per
  ``4 x CHUNK`` keys (the store indexes literals); the same queries and updates run on
  any SPARQL server.

What a copy, a move or an export does:

- Copying or moving the folder carries the file. A store without it (copied without it,
  the file deleted) gets it again from the store on its next matching (:func:`_fill_index`:
  band keys from the claims' texts, the claims in clusters with their order, the others
  after them); a store without clusters (new, or bulk-loaded) starts it empty and matches
  all its articles.
- A store written with the index in it and then opened on disk (matched through
  ``claimgraph serve --allow-update`` on its folder) moves its index into the file on its
  next matching (:func:`_move_store_index`).
- Exports leave the index out (:func:`without_index`, also for a server's store): a store
  rebuilds it, as above; a server that loads an export matches its articles again on its
  next ingest, as articles not matched yet.
"""

from __future__ import annotations

import sqlite3
import struct
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib.namespace import XSD

from claimgraph.graph.rdf import CLUSTERS_GRAPH
from claimgraph.graph.sparql_rows import CHUNK, Store, chunked, iri_values, select_rows
from claimgraph.graph.terms import OxigraphNamespace
from claimgraph.ontology import CG

if TYPE_CHECKING:
    from claimgraph.graph.spread import ClaimRecord

_CG = OxigraphNamespace(CG)
_GRAPH = ox.NamedNode(str(CLUSTERS_GRAPH))
_G = f"<{CLUSTERS_GRAPH}>"
_INTEGER = ox.NamedNode(str(XSD.integer))

#: The file of an embedded store's matching index, in the store's folder (RocksDB leaves
#: files it did not write alone).
INDEX_FILE = "claim-index.sqlite"
#: Parameters per SQLite statement (its limit is 32,766; small statements stay quick).
_SQL_CHUNK = 500


@dataclass(slots=True)
class IndexEdit:
    """What one step changes in the index: the articles it matched (or removes), the
    claims leaving the index, and the claims entering it with their band keys."""

    articles: list[str]
    removing: bool
    unindexed: list[str] = field(default_factory=list)
    indexed: list[tuple[ClaimRecord, list[str]]] = field(default_factory=list)


class StoreIndex:
    """The index in the store's clusters graph (``cg:lshBand``, ``cg:matchOrder``,
    ``cg:indexedArticle`` per claim): for a store without a folder of its own (a SPARQL
    server, a store in memory). Its changes are quads of the step's update."""

    in_store = True

    def __init__(self, store: Store) -> None:
        self.store = store

    def claims_of(self, articles: Sequence[str]) -> list[str]:
        """Return the claims indexed for ``articles``."""
        found: list[str] = []
        for chunk in chunked(articles):
            found += [row["claim"].value for row in select_rows(self.store, f"""
                SELECT ?claim WHERE {{ VALUES ?article {{ {iri_values(chunk)} }}
                  GRAPH {_G} {{ ?claim cg:indexedArticle ?article }} }}""")]
        return sorted(found)

    def articles_of(self, claims: Sequence[str]) -> dict[str, str]:
        """Return the article of each indexed claim of ``claims``."""
        found: dict[str, str] = {}
        for chunk in chunked(sorted(claims)):
            found |= {row["claim"].value: row["article"].value for row in select_rows(
                self.store, f"""SELECT ?claim ?article WHERE {{
                  VALUES ?claim {{ {iri_values(chunk)} }}
                  GRAPH {_G} {{ ?claim cg:indexedArticle ?article }} }}""")}
        return found

    def orders(self, claims: Sequence[str]) -> dict[str, int]:
        """Return the matching order of each indexed claim of ``claims``."""
        found: dict[str, int] = {}
        for chunk in chunked(sorted(claims)):
            found |= {row["claim"].value: int(row["order"].value) for row in select_rows(
                self.store, f"""SELECT ?claim ?order WHERE {{
                  VALUES ?claim {{ {iri_values(chunk)} }}
                  GRAPH {_G} {{ ?claim cg:matchOrder ?order }} }}""")}
        return found

    def last_order(self) -> int:
        """Return the highest matching order stored (0 when none)."""
        rows = select_rows(self.store, f"""SELECT (MAX(?order) AS ?last) WHERE {{
            GRAPH {_G} {{ ?claim cg:matchOrder ?order }} }}""")
        return int(rows[0]["last"].value) if rows and rows[0]["last"] is not None else 0

    def lookup(self, keys: Sequence[str]) -> dict[str, set[str]]:
        """Return the indexed claims holding each of ``keys`` (band keys)."""
        found: dict[str, set[str]] = defaultdict(set)
        for chunk in chunked(sorted(keys), CHUNK * 4):
            values = " ".join(str(ox.Literal(key)) for key in chunk)
            for row in select_rows(self.store, f"""SELECT ?claim ?key WHERE {{
                    VALUES ?key {{ {values} }} GRAPH {_G} {{ ?claim cg:lshBand ?key }} }}"""):
                found[row["key"].value].add(row["claim"].value)
        return found

    def matched(self, articles: Sequence[str]) -> set[str]:
        """Return those of ``articles`` the index has matched (holds claims of)."""
        return {row["article"].value for row in select_rows(self.store, f"""
            SELECT DISTINCT ?article WHERE {{ GRAPH {_G} {{ ?claim cg:indexedArticle ?article }}
            }}""")} & set(articles)

    def quads(self, edit: IndexEdit) -> tuple[set[ox.Quad], set[ox.Quad]]:
        """Return the quads ``edit`` removes from the store and adds to it."""
        removed: set[ox.Quad] = set()
        for chunk in chunked(edit.unindexed):
            # One query per property: with the property a variable, Oxigraph scans the graph.
            for predicate in (_CG.lshBand, _CG.matchOrder, _CG.indexedArticle):
                for row in select_rows(self.store, f"""
                    SELECT ?claim ?o WHERE {{ VALUES ?claim {{ {iri_values(chunk)} }}
                      GRAPH {_G} {{ ?claim {predicate} ?o }} }}"""):
                    removed.add(ox.Quad(row["claim"], predicate, row["o"], _GRAPH))
        # A claim indexed again that the index did not hold (a store loaded from an export,
        # which leaves the index out) keeps no matching order it had.
        for claim, order in self.orders([record.iri for record, _ in edit.indexed]).items():
            removed.add(order_quad(claim, order))
        added: set[ox.Quad] = set()
        for record, keys in edit.indexed:
            claim = ox.NamedNode(record.iri)
            added |= {ox.Quad(claim, _CG.lshBand, ox.Literal(key), _GRAPH) for key in keys}
            added |= {order_quad(record.iri, record.order),
                      ox.Quad(claim, _CG.indexedArticle, ox.NamedNode(record.article), _GRAPH)}
        return removed, added

    def commit(self, edit: IndexEdit) -> None:
        """Nothing to do: the step's update carried the edit."""

    def close(self) -> None:
        """Nothing to release."""


class FileIndex:
    """The index in a SQLite file in an embedded store's folder (:data:`INDEX_FILE`): per
    matched article a row, per claim its matching order, IRI, article and band keys (one
    blob), per band key the claims holding it (the lookup). The store keeps none of it:
    only the matching order of the claims that are in clusters (``cg:matchOrder``)."""

    in_store = False

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        if read_only:
            self.db = sqlite3.connect(f"{path.as_uri()}?mode=ro" if path.is_file()
                                      else ":memory:", uri=True)
        else:
            self.db = sqlite3.connect(path)
        self.db.executescript(_SCHEMA)

    def select_in(self, sql: str, items: Sequence[Any]) -> list[tuple[Any, ...]]:
        """Return the rows of ``sql`` for ``items``, its ``(?)`` standing for a list of
        them (asked in parts of :data:`_SQL_CHUNK`)."""
        rows: list[tuple[Any, ...]] = []
        for chunk in chunked(list(items), _SQL_CHUNK):
            marks = ",".join("?" * len(chunk))
            rows += self.db.execute(sql.replace("(?)", f"({marks})"), list(chunk)).fetchall()
        return rows

    def claims_of(self, articles: Sequence[str]) -> list[str]:
        """Return the claims indexed for ``articles``."""
        return sorted(iri for (iri,) in self.select_in(
            "SELECT claim.iri FROM claim JOIN article ON article.id = claim.article "
            "WHERE article.iri IN (?)", articles))

    def articles_of(self, claims: Sequence[str]) -> dict[str, str]:
        """Return the article of each indexed claim of ``claims``."""
        return dict(self.select_in("SELECT claim.iri, article.iri FROM claim JOIN article ON "
                                 "article.id = claim.article WHERE claim.iri IN (?)", claims))

    def orders(self, claims: Sequence[str]) -> dict[str, int]:
        """Return the matching order of each indexed claim of ``claims``."""
        return dict(self.select_in("SELECT iri, ord FROM claim WHERE iri IN (?)", claims))

    def last_order(self) -> int:
        """Return the highest matching order indexed (0 when none)."""
        return self.db.execute("SELECT COALESCE(MAX(ord), 0) FROM claim").fetchone()[0]

    def lookup(self, keys: Sequence[str]) -> dict[str, set[str]]:
        """Return the indexed claims holding each of ``keys`` (band keys)."""
        by_number = {key_number(key): key for key in keys}
        found: dict[str, set[str]] = defaultdict(set)
        for number, iri in self.select_in("SELECT band.key, claim.iri FROM band JOIN claim ON "
                                        "claim.ord = band.ord WHERE band.key IN (?)",
                                        sorted(by_number)):
            found[by_number[number]].add(iri)
        return found

    def matched(self, articles: Sequence[str]) -> set[str]:
        """Return those of ``articles`` the index has matched."""
        return {iri for (iri,) in self.select_in("SELECT iri FROM article WHERE iri IN (?)",
                                               articles)}

    def quads(self, edit: IndexEdit) -> tuple[set[ox.Quad], set[ox.Quad]]:
        """No quads: the index is not in the store (see :meth:`commit`)."""
        return set(), set()

    def commit(self, edit: IndexEdit) -> None:
        """Make ``edit`` in one SQLite transaction (after the store's update: an article
        whose edit a crash lost is matched again, as one not matched yet)."""
        with self.db:
            for chunk in chunked(edit.unindexed, _SQL_CHUNK):
                marks = ",".join("?" * len(chunk))
                rows = self.db.execute(f"SELECT ord, keys FROM claim WHERE iri IN ({marks})",
                                       list(chunk)).fetchall()
                self.db.executemany("DELETE FROM band WHERE key = ? AND ord = ?",
                                    [(key, order) for order, keys in rows
                                     for key in unpack_keys(keys)])
                self.db.execute(f"DELETE FROM claim WHERE iri IN ({marks})", list(chunk))
            if edit.removing:
                self.db.executemany("DELETE FROM article WHERE iri = ?",
                                    [(article,) for article in edit.articles])
                return
            self.db.executemany("INSERT OR IGNORE INTO article (iri) VALUES (?)",
                                [(article,) for article in edit.articles])
            ids = dict(self.select_in("SELECT iri, id FROM article WHERE iri IN (?)",
                                    edit.articles + [record.article
                                                     for record, _ in edit.indexed]))
            for record, keys in edit.indexed:
                numbers = [key_number(key) for key in keys]
                self.db.execute("INSERT INTO claim (ord, iri, article, keys) VALUES (?, ?, ?, ?)",
                                (record.order, record.iri, ids[record.article],
                                 _pack_keys(numbers)))
                self.db.executemany("INSERT OR IGNORE INTO band (key, ord) VALUES (?, ?)",
                                    [(number, record.order) for number in numbers])

    def close(self) -> None:
        """Close the file."""
        self.db.close()


_SCHEMA = """
CREATE TABLE IF NOT EXISTS article (id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS claim (ord INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE,
                                  article INTEGER NOT NULL, keys BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS claim_article ON claim (article);
CREATE TABLE IF NOT EXISTS band (key INTEGER NOT NULL, ord INTEGER NOT NULL,
                                 PRIMARY KEY (key, ord)) WITHOUT ROWID;
"""


def key_number(key: str) -> int:
    """Return a band key (``"BB:HASH"``) as one signed 64-bit integer: the hash with the
    band number in its top five bits."""
    band, digest = key.split(":")
    number = int(digest, 16) ^ (int(band) << 59)
    return number - (1 << 64) if number >= 1 << 63 else number


def _pack_keys(numbers: Sequence[int]) -> bytes:
    return struct.pack(f"<{len(numbers)}q", *numbers)


def unpack_keys(blob: bytes) -> tuple[int, ...]:
    return struct.unpack(f"<{len(blob) // 8}q", blob)


#: Either place of the index (see :func:`claim_index`).
ClaimIndex = StoreIndex | FileIndex


def claim_index(store: Store, *, in_store: bool | None = None) -> ClaimIndex:
    """Return the matching index of ``store``: a file in its folder for an embedded store
    on disk (:class:`FileIndex`, made from the store when missing, see
    :func:`_fill_index`), the store's clusters graph otherwise (or with ``in_store``)."""
    folder = getattr(store, "path", None)
    if in_store or (in_store is None and folder is None):
        return StoreIndex(store)
    path = Path(folder) / INDEX_FILE
    if getattr(store, "read_only", False):
        return FileIndex(path, read_only=True)  # (an empty one in memory when missing)
    if path.is_file():
        index = FileIndex(path)
        try:
            # An index the store holds (matched through a SPARQL endpoint on this folder,
            # `claimgraph serve --allow-update`) is the later one: it moves into the file.
            _move_store_index(store, index)
        except BaseException:
            index.close()
            raise
        return index
    index = FileIndex(path)
    try:
        _fill_index(store, index)
    except BaseException:
        index.close()
        path.unlink(missing_ok=True)  # a half-made index would pass for a whole one
        raise
    return index


def _move_store_index(store: Store, index: FileIndex) -> bool:
    """Move the index entries ``store`` holds (``cg:lshBand``, ``cg:indexedArticle``, and
    the matching order of claims outside clusters) into ``index``, where they replace the
    entries of the same articles; return whether there were any."""
    from claimgraph.graph.spread import ClaimRecord  # spread builds on this module
    if not select_rows(store, f"""SELECT ?claim WHERE {{ GRAPH {_G} {{
            ?claim cg:indexedArticle ?article }} }} LIMIT 1"""):
        return False
    stored = select_rows(store, f"""SELECT ?claim ?order ?article WHERE {{ GRAPH {_G} {{
        ?claim cg:matchOrder ?order ; cg:indexedArticle ?article }} }}""")
    keys: dict[str, list[str]] = defaultdict(list)
    for row in select_rows(store, f"""SELECT ?claim ?key WHERE {{
            GRAPH {_G} {{ ?claim cg:lshBand ?key }} }}"""):
        keys[row["claim"].value].append(row["key"].value)
    articles = sorted({row["article"].value for row in stored})
    moved = [ClaimRecord(row["claim"].value, row["article"].value, "",
                         order=int(row["order"].value)) for row in stored]
    # The store's orders are kept (its clusters carry them): the file's articles whose
    # claims hold one of them are forgotten, and matched again as not matched yet.
    clashing = {article for (article,) in index.select_in(
        "SELECT article.iri FROM claim JOIN article ON article.id = claim.article "
        "WHERE claim.ord IN (?)", [record.order for record in moved])} - set(articles)
    index.commit(IndexEdit(sorted(clashing), removing=True,
                           unindexed=index.claims_of(sorted(clashing))))
    index.commit(IndexEdit(articles, removing=False,
                           unindexed=sorted({record.iri for record in moved}
                                            | set(index.claims_of(articles))),
                           indexed=[(record, sorted(keys[record.iri])) for record in moved]))
    store.update(f"""DELETE {{ GRAPH {_G} {{ ?claim ?p ?o }} }} WHERE {{ GRAPH {_G} {{
          VALUES ?p {{ cg:lshBand cg:indexedArticle }} ?claim ?p ?o }} }} ;
        DELETE {{ GRAPH {_G} {{ ?claim cg:matchOrder ?o }} }} WHERE {{ GRAPH {_G} {{
          ?claim cg:matchOrder ?o FILTER NOT EXISTS {{ ?m cg:memberClaim ?claim }} }} }}""")
    return True


def _fill_index(store: Store, index: FileIndex) -> None:
    """Fill a new index file from ``store``.

    An index the store holds (a store written before the index left it, or loaded from a
    server's export) moves into the file, then leaves the store (but the matching order of
    claims in clusters). Else, when the store has clusters (the file was lost, or the
    store copied without it), every claim of every article is indexed again: band keys
    computed from the texts, the claims in clusters with their stored matching order, the
    others after them in article and claim IRI order (the order they were matched in is
    lost with the file). A store without clusters (new, or bulk-loaded) leaves the file
    empty: its articles are matched as articles not matched yet.
    """
    from claimgraph.graph.spread import band_keys, claim_records  # spread builds on this module
    if _move_store_index(store, index):
        return
    members = {row["claim"].value: int(row["order"].value) for row in select_rows(store, f"""
        SELECT ?claim ?order WHERE {{ GRAPH {_G} {{ ?m cg:memberClaim ?claim .
          ?claim cg:matchOrder ?order }} }}""")}
    if not members:
        return
    order = max(members.values())
    articles = sorted(row["article"].value for row in select_rows(store, """SELECT DISTINCT ?article
        WHERE { GRAPH ?article { ?claim schema:appearance ?article } }"""))
    for chunk in chunked(articles, CHUNK // 20):
        records = claim_records(store, articles=chunk, index=index)
        indexed = []
        for iri in sorted(records, key=lambda iri: (records[iri].article, iri)):
            record = records[iri]
            if record.shingles:
                if iri not in members:
                    order += 1
                record = replace(record, order=members.get(iri, order))
                indexed.append((record, band_keys(record.shingles)))
        index.commit(IndexEdit(list(chunk), removing=False, indexed=indexed))


def without_index(store: Store, quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    """Yield ``quads`` (of ``store``) but those of the matching index the store may hold:
    no band keys or indexed articles, the matching order of cluster members only. An
    export leaves the index out: a store rebuilds it (see :func:`claim_index`)."""
    members = {row["claim"].value for row in select_rows(store, f"""SELECT DISTINCT ?claim WHERE {{
        GRAPH {_G} {{ ?membership cg:memberClaim ?claim }} }}""")}
    for quad in quads:
        if quad.graph_name == _GRAPH and (
                quad.predicate in (_CG.lshBand, _CG.indexedArticle)
                or (quad.predicate == _CG.matchOrder and quad.subject.value not in members)):
            continue
        yield quad


def order_quad(claim: str, order: int | None) -> ox.Quad:
    """Return the statement of a claim's place in matching order (``cg:matchOrder``)."""
    return ox.Quad(ox.NamedNode(claim), _CG.matchOrder,
                   ox.Literal(str(order), datatype=_INTEGER), _GRAPH)


__all__ = ["INDEX_FILE", "ClaimIndex", "FileIndex", "IndexEdit", "StoreIndex", "claim_index",
           "key_number", "order_quad", "unpack_keys", "without_index"]
