"""Who repeats whose claims: the same claim across articles, in clusters, and its spread.

**Matching.** Each claim's content text is normalised (Unicode NFKC, case folded,
punctuation dropped) and cut into character shingles of :data:`SHINGLE` characters; a
MinHash of them (datasketch) is split into :data:`BANDS` bands of :data:`ROWS` rows
(datasketch's choice for a Jaccard threshold of :data:`LSH_THRESHOLD`). Claims that share
a band are candidates. A candidate pair is the same claim (:func:`same_claim`) when

- the texts agree: one normalised text holds the other (``"verbatim"``), or the Jaccard
  similarity of their shingles is at least :data:`NEAR_VERBATIM` (``"near-verbatim"``), or
  at least :data:`PARAPHRASE` when the two claims share their source entity or a subject
  entity (``"paraphrase"``);
- and the subjects agree: when both claims are about entities, the entities of one are
  among those of the other. The same words about another subject ("Russia is sending
  fighters" and "Turkey is sending fighters") are not the same claim.

Two sources saying the same thing about the same subject is repetition: the source does not
have to agree, except for a short content (under :data:`SHORT_WORDS` words, in the shorter
of the two): "the former secretary of state" or "to leave the Democratic Party" recur in
many articles without being one claim (a hand check of 50 PolNeAR links found most false
links there). Claims of one article are never linked to each other, and contents shorter
than :data:`MIN_WORDS` words are not matched (a "no" or "it is true" would match anything).

**Clusters.** Linked claims form a ``cg:ClaimCluster`` (single linkage). Each claim of a
cluster has a ``cg:ClusterMembership`` recording the claim it matched (``cg:matchedClaim``),
the similarity (``cg:similarity``, the shingles' Jaccard, 1.0 for a verbatim repeat) and the
method (``cg:matchMethod``). The cluster records its first appearance (``cg:firstClaim``:
the claim whose article is dated earliest, else the one matched first) with its date
(``cg:firstAppearance``) and the number of articles (``cg:articleCount``); each other
member says whether it credits the first claim's source (``cg:creditsFirstSource``: it is
attributed to the same entity, "X said, according to Y", or to someone else or no one).

**Incremental index.** New claims find their candidates by looking their band keys up in
the matching index of the claims matched before (:mod:`claimgraph.graph.claim_index`: where
it lives, and what a copy, a move or an export does with it), so a batch costs what its own
claims and their candidates cost, not what the store holds, and the clusters of earlier
batches are only extended (or joined, when a new claim links two of them).

:func:`update_spread` is called after each ingest batch, and after ``claimgraph remove``:
the claims of articles that were replaced or removed leave the index and their clusters,
which are re-decided among the remaining members (a cluster whose bridge claim went may
split).
"""

from __future__ import annotations

import hashlib
import re
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import pyoxigraph as ox
from datasketch import MinHash, MinHashLSH
from rdflib.namespace import DCTERMS, RDF, SDO, XSD

from claimgraph.graph.claim_index import ClaimIndex, IndexEdit, claim_index, order_quad
from claimgraph.graph.rdf import CLUSTERS_GRAPH, ENTITIES_GRAPH, cluster_iri
from claimgraph.graph.sparql_rows import CHUNK, Store, chunked, iri_values, select_rows
from claimgraph.graph.store import shared_graphs_update
from claimgraph.graph.terms import OxigraphNamespace
from claimgraph.ontology import CG

#: Characters per shingle of the normalised text.
SHINGLE = 5
#: MinHash permutations.
NUM_PERM = 128
#: The Jaccard similarity at which datasketch chooses the bands (candidates above it are
#: found with high probability: 0.87 at 0.5, 0.99 at 0.6).
LSH_THRESHOLD = 0.4
_LSH = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
#: Bands and rows per band of the LSH index (32 and 4).
BANDS, ROWS = _LSH.b, _LSH.r
#: datasketch's hashing scheme: the band keys stored in a store depend on it, so it is
#: named rather than left to the library's default.
SCHEME = "affine32"
# datasketch draws the permutations from its seed for every MinHash: draw them once.
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, scheme=SCHEME).permutations
#: Jaccard similarity from which two texts are the same claim whatever their entities.
NEAR_VERBATIM = 0.6
#: Jaccard similarity from which two texts are the same claim when they share their source
#: or a subject entity.
PARAPHRASE = 0.4
#: Contents with fewer words are not matched.
MIN_WORDS = 5
#: Contents with fewer words match only a claim of the same source.
SHORT_WORDS = 8

_CG = OxigraphNamespace(CG)
_RDF_TYPE = ox.NamedNode(str(RDF.type))
_GRAPH = ox.NamedNode(str(CLUSTERS_GRAPH))
_G = f"<{CLUSTERS_GRAPH}>"
_DOUBLE = ox.NamedNode(str(XSD.double))
_INTEGER = ox.NamedNode(str(XSD.integer))
_DATE = ox.NamedNode(str(XSD.date))


# ---------------------------------------------------------------- texts


def normalise(text: str) -> str:
    """Return ``text`` as matching reads it: NFKC, case folded, each run of characters
    other than letters and digits one space."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.findall(r"\w+", folded))


def shingles(text: str) -> frozenset[str]:
    """Return the character shingles (:data:`SHINGLE` long) of a normalised text; empty
    for a text of fewer than :data:`MIN_WORDS` words."""
    if text.count(" ") + 1 < MIN_WORDS:
        return frozenset()
    return frozenset(text[index:index + SHINGLE] for index in range(len(text) - SHINGLE + 1))


def band_keys(pieces: Iterable[str]) -> list[str]:
    """Return the LSH band keys of a set of shingles: ``"BB:HASH"``, band number and a
    64-bit hash of its MinHash rows in hex."""
    minhash = MinHash(num_perm=NUM_PERM, permutations=_PERMUTATIONS, scheme=SCHEME)
    minhash.update_batch([piece.encode("utf-8") for piece in pieces])
    values = minhash.hashvalues.astype("<u8")  # little-endian: the same keys on any machine
    return [f"{band:02d}:" + hashlib.blake2b(values[band * ROWS:(band + 1) * ROWS].tobytes(),
                                             digest_size=8).hexdigest()
            for band in range(BANDS)]


# ---------------------------------------------------------------- the decision


@dataclass(frozen=True, slots=True)
class ClaimRecord:
    """What matching and spread read of a stored claim."""

    iri: str
    article: str
    text: str
    source: str | None = None  # the source entity's IRI
    source_text: str | None = None  # the source as written
    subjects: frozenset[str] = frozenset()  # the subject entities' IRIs
    date: str | None = None  # the article's date, YYYY-MM-DD
    publisher: str | None = None
    order: int | None = None  # place in matching order (cg:matchOrder)

    @property
    def source_words(self) -> frozenset[str]:
        """The words naming the claim's source: its entity's name, else the source as
        written (normalised, articles left out); empty without a source."""
        if self.source:
            return _name_words(self.source)
        return frozenset(normalise(self.source_text or "").split()) - {"the", "a", "an"}

    @property
    def normalised(self) -> str:
        """The text as matching reads it (see :func:`normalise`)."""
        return _normalised(self.text)

    @property
    def shingles(self) -> frozenset[str]:
        """The shingles of the normalised text (see :func:`shingles`)."""
        return _shingles(self.text)


@lru_cache(maxsize=65536)
def _normalised(text: str) -> str:
    return normalise(text)


@lru_cache(maxsize=65536)
def _shingles(text: str) -> frozenset[str]:
    return shingles(_normalised(text))


@dataclass(frozen=True, slots=True)
class Match:
    """Why two claims are the same claim: the shingles' Jaccard similarity (1.0 for a
    verbatim repeat) and the method (``"verbatim"``, ``"near-verbatim"``, ``"paraphrase"``)."""

    similarity: float
    method: str


def same_claim(one: ClaimRecord, other: ClaimRecord) -> Match | None:
    """Return how ``one`` and ``other`` state the same claim, or None when they do not
    (see the module docstring for the rule)."""
    if one.article == other.article or not one.shingles or not other.shingles:
        return None
    if _subjects_conflict(one.subjects, other.subjects):
        return None  # the same words about someone else
    if min(len(one.normalised.split()), len(other.normalised.split())) < SHORT_WORDS \
            and not same_source(one, other):
        return None  # a stock phrase ("the former secretary of state"), not one claim
    shorter, longer = sorted((one.normalised, other.normalised), key=len)
    if f" {shorter} " in f" {longer} " and shorter.count(" ") + 1 >= MIN_WORDS:
        return Match(1.0, "verbatim")
    similarity = len(one.shingles & other.shingles) / len(one.shingles | other.shingles)
    if similarity >= NEAR_VERBATIM:
        return Match(round(similarity, 3), "near-verbatim")
    shared = same_source(one, other) or bool(one.subjects & other.subjects)
    if similarity >= PARAPHRASE and shared:
        return Match(round(similarity, 3), "paraphrase")
    return None


def same_source(one: ClaimRecord, other: ClaimRecord) -> bool:
    """Whether two claims are attributed to the same source: the same entity, or names
    one of which holds the other's words ("Pashinyan", "Nikol Pashinyan") where an
    article's source has no entity."""
    if one.source is not None and one.source == other.source:
        return True
    words, other_words = one.source_words, other.source_words
    return bool(words and other_words) and (words <= other_words or other_words <= words)


def _subjects_conflict(one: frozenset[str], other: frozenset[str]) -> bool:
    """Whether each claim is about an entity the other is not about: then they are about
    different subjects. An entity whose name's words are among another's ("Karabakh",
    "Nagorno Karabakh") is taken for it, as is one only one side names (a subject the
    parse missed)."""
    def unmatched(these: frozenset[str], those: frozenset[str]) -> bool:
        return any(not any(_same_entity(this, that) for that in those) for this in these)

    return bool(one and other) and unmatched(one, other) and unmatched(other, one)


@lru_cache(maxsize=65536)
def _name_words(iri: str) -> frozenset[str]:
    return frozenset(iri.rstrip("/").rsplit("/", 1)[-1].split("-"))


def _same_entity(one: str, other: str) -> bool:
    if one == other:
        return True
    words, other_words = _name_words(one), _name_words(other)
    return words <= other_words or other_words <= words


# ---------------------------------------------------------------- reading the store


def claim_records(store: Store, *, articles: Sequence[str] = (),
                  claims: Sequence[str] = (), index: ClaimIndex | None = None
                  ) -> dict[str, ClaimRecord]:
    """Return the records of the claims of ``articles`` and of the claims ``claims``
    (IRIs; claims of the matching index), by claim IRI, with their matching order where
    they have one. ``index`` is the store's matching index (default: :func:`claim_index`).

    Each property is one query scoped by ``GRAPH ?article`` with the articles as VALUES:
    Oxigraph answers those from its graph index in milliseconds, where one query with
    OPTIONALs, or VALUES of claims over the union graph, scanned the store.
    """
    if index is None:
        opened = claim_index(store)
        try:
            return claim_records(store, articles=articles, claims=claims, index=opened)
        finally:
            opened.close()
    wanted = set(claims)
    by_article = set(articles) | set(index.articles_of(sorted(wanted)).values())
    found: dict[str, dict[str, Any]] = {}
    values: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    metadata: dict[str, dict[str, str]] = defaultdict(dict)
    for chunk in chunked(sorted(by_article), CHUNK // 20):
        graphs = f"VALUES ?article {{ {iri_values(chunk)} }}"
        for row in select_rows(store, f"""SELECT ?claim ?article ?text WHERE {{ {graphs}
                GRAPH ?article {{ ?claim schema:appearance ?article ; schema:text ?text }} }}"""):
            claim = row["claim"].value
            if claim in wanted or row["article"].value in articles:
                found[claim] = {"iri": claim, "article": row["article"].value,
                                "text": row["text"].value}
        for name, path in _CLAIM_PROPERTIES.items():
            for row in select_rows(store, f"""SELECT ?claim ?value WHERE {{ {graphs}
                    GRAPH ?article {{ ?claim {path} ?value }} }}"""):
                values[row["claim"].value][name].append(row["value"].value)
        for row in select_rows(store, f"""SELECT ?article ?p ?value WHERE {{ {graphs}
                VALUES ?p {{ schema:datePublished dcterms:publisher }}
                GRAPH ?article {{ ?article ?p ?value }} }}"""):
            metadata[row["article"].value][row["p"].value] = row["value"].value
    orders = index.orders(sorted(found))
    records = {}
    for claim, data in found.items():
        about, article = values.get(claim, {}), metadata.get(data["article"], {})
        records[claim] = ClaimRecord(
            **data, source=min(about.get("source", []), default=None),
            source_text=min(about.get("source_text", []), default=None),
            subjects=frozenset(about.get("subjects", [])),
            date=article.get(_DATE_PUBLISHED), publisher=article.get(_PUBLISHER),
            order=orders.get(claim))
    return records


_CLAIM_PROPERTIES = {"source": "prov:wasAttributedTo", "source_text": "cg:sourceText",
                     "subjects": "schema:about"}
_DATE_PUBLISHED = str(SDO.datePublished)
_PUBLISHER = str(DCTERMS.publisher)


def _value(term: Any) -> str | None:
    return None if term is None else term.value


@dataclass(slots=True)
class _Member:
    """A stored membership: the claim it makes a member, its cluster and its link."""

    claim: str
    cluster: str
    matched: str | None
    similarity: float
    method: str


def _memberships(store: Store, *, claims: Sequence[str] = (),
                 clusters: Sequence[str] = ()) -> dict[str, _Member]:
    """Return the stored memberships of ``claims`` and of the members of ``clusters``,
    by claim IRI."""
    found: dict[str, _Member] = {}
    for variable, iris in (("claim", claims), ("cluster", clusters)):
        for chunk in chunked(list(iris)):
            for row in select_rows(store, f"""
                SELECT ?claim ?cluster ?matched ?similarity ?method WHERE {{
                  VALUES ?{variable} {{ {iri_values(chunk)} }}
                  GRAPH {_G} {{ ?membership cg:memberClaim ?claim ; cg:inCluster ?cluster ;
                    cg:similarity ?similarity ; cg:matchMethod ?method .
                    OPTIONAL {{ ?membership cg:matchedClaim ?matched }} }} }}"""):
                found[row["claim"].value] = _Member(
                    row["claim"].value, row["cluster"].value, _value(row["matched"]),
                    float(row["similarity"].value), row["method"].value)
    return found


def _cluster_quads(store: Store, clusters: Sequence[str], *, member_orders: bool = False
                   ) -> set[ox.Quad]:
    """Return the stored statements of ``clusters`` and of their memberships (and, with
    ``member_orders``, their members' ``cg:matchOrder``)."""
    orders = """UNION { ?membership cg:inCluster ?cluster ; cg:memberClaim ?node .
                        ?node cg:matchOrder ?o BIND(cg:matchOrder AS ?p) }""" \
        if member_orders else ""
    quads: set[ox.Quad] = set()
    for chunk in chunked(list(clusters)):
        for row in select_rows(store, f"""
            SELECT ?node ?p ?o WHERE {{ VALUES ?cluster {{ {iri_values(chunk)} }}
              GRAPH {_G} {{ {{ ?cluster ?p ?o BIND(?cluster AS ?node) }} UNION
                           {{ ?node cg:inCluster ?cluster ; ?p ?o }} {orders} }} }}"""):
            quads.add(ox.Quad(row["node"], row["p"], row["o"], _GRAPH))
    return quads


# ---------------------------------------------------------------- updating the store


@dataclass(slots=True)
class SpreadSummary:
    """What one :func:`update_spread` step did."""

    indexed: int = 0  # claims added to the matching index
    unindexed: int = 0  # claims of replaced or removed articles taken out of it
    candidates: int = 0  # candidate pairs the index gave
    links: int = 0  # pairs decided the same claim
    clusters: int = 0  # clusters created or changed
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    def __str__(self) -> str:
        return (f"{self.indexed} claims matched, {self.links} links, "
                f"{self.clusters} clusters changed")


def update_spread(store: Store, articles: Iterable[str], *, index_in_store: bool | None = None
                  ) -> SpreadSummary:
    """Bring the claim clusters of ``store`` up to date with ``articles`` (IRIs): the
    articles just stored (added or replaced) or just removed.

    The claims these articles held before leave the index and their clusters (which are
    re-decided among their remaining members); the claims they hold now are matched
    against the index (see the module docstring) and join, found or link clusters. The
    changes are written in one update, then the index file's in one transaction.
    ``index_in_store`` keeps the index in the store even where it has a folder (see
    :func:`claim_index`). Returns what was done.
    """
    changes = spread_changes(store, articles, index_in_store=index_in_store)
    try:
        limit = getattr(store, "update_quads", None)
        if limit and len(changes.added) + len(changes.removed) > limit:
            # A server that refuses large updates (Virtuoso) gets them in parts, deletions
            # first; a part left undone is redone when these articles are matched again.
            for start in range(0, len(changes.removed), limit):
                store.update(shared_graphs_update([], changes.removed[start:start + limit]))
            for start in range(0, len(changes.added), limit):
                store.update(shared_graphs_update(changes.added[start:start + limit], []))
        elif changes.sparql:
            store.update(changes.sparql)
        changes.commit()
    finally:
        changes.close()
    changes.summary.seconds = changes.summary.timings["write"] = \
        time.perf_counter() - changes.started
    return changes.summary


@dataclass(frozen=True, slots=True)
class SpreadChanges:
    """The statements of the clusters graph to remove and to add, as lists and as one
    SPARQL update (empty when nothing changes), the summary of the step, and the index's
    own edit: :meth:`commit` makes it once the update is made (nothing to do when the
    index is in the store: the update carried it)."""

    sparql: str
    summary: SpreadSummary
    started: float
    added: list[ox.Quad] = field(default_factory=list)
    removed: list[ox.Quad] = field(default_factory=list)
    index: ClaimIndex | None = None
    edit: IndexEdit | None = None

    def commit(self) -> None:
        """Make the index's edit (after the store's update), and release the index."""
        if self.index is not None and self.edit is not None:
            self.index.commit(self.edit)
        self.close()

    def close(self) -> None:
        """Release the index (without its edit when not committed: the articles are then
        matched again as articles not matched yet)."""
        if self.index is not None:
            self.index.close()


def spread_changes(store: Store, articles: Iterable[str], *, removing: bool = False,
                   index_in_store: bool | None = None) -> SpreadChanges:
    """Return the changes :func:`update_spread` makes, without making them (call
    :meth:`SpreadChanges.commit` after the update).

    With ``removing``, the articles are about to be removed (their graphs are still
    there): their claims only leave the clusters, so that the removal and this update can
    be one transaction.
    """
    start = time.perf_counter()
    summary = SpreadSummary()
    articles = sorted(set(map(str, articles)))
    index = claim_index(store, in_store=index_in_store)
    try:
        return _spread_changes(store, index, articles, removing, summary, start)
    except BaseException:
        index.close()
        raise


def _spread_changes(store: Store, index: ClaimIndex, articles: list[str], removing: bool,
                    summary: SpreadSummary, start: float) -> SpreadChanges:
    removed: set[ox.Quad] = set()
    added: set[ox.Quad] = set()
    # 1. Whatever was indexed for these articles goes; their clusters are decided again.
    stale = index.claims_of(articles)
    edit = IndexEdit(articles, removing, unindexed=stale)
    lost: set[str] = set()
    if stale:
        summary.unindexed = len(stale)
        lost = {member.cluster for member in _memberships(store, claims=stale).values()}
    touched = set(lost)
    # 2. The articles' claims now, indexed in matching order after what the index holds.
    records = {} if removing else claim_records(store, articles=articles, index=index)
    order = index.last_order() + 1 if records else 1
    new: dict[str, ClaimRecord] = {}
    keys: dict[str, list[str]] = {}
    for iri in sorted(records, key=lambda iri: (articles.index(records[iri].article), iri)):
        record = records[iri]
        if not record.shingles:
            continue
        new[iri] = replace(record, order=order)
        keys[iri] = band_keys(record.shingles)
        edit.indexed.append((new[iri], keys[iri]))
        order += 1
    summary.indexed = len(new)
    summary.timings["index"] = time.perf_counter() - start
    # 3. Candidates: indexed claims (other than stale ones) and new claims sharing a band.
    candidates = _candidates(index, keys, exclude=set(stale))
    summary.timings["lookup"] = time.perf_counter() - start
    others = claim_records(store, claims=sorted({other for found in candidates.values()
                                                  for other in found} - set(new)),
                           index=index)
    known = {**others, **new}
    links: list[tuple[str, str, Match]] = []
    for iri, found in candidates.items():
        for other in sorted(found):
            if other in new and other <= iri:
                continue  # a pair of new claims is decided once
            summary.candidates += 1
            if other in known and (match := same_claim(new[iri], known[other])):
                links.append((iri, other, match))
    summary.links = len(links)
    summary.timings["decide"] = time.perf_counter() - start
    # 4. Clusters: stored memberships of the claims linked, stale claims' clusters re-decided.
    # (and new claims already in a cluster: the index did not know them, an index file
    # lost with its last edit, a store loaded from an export that leaves the index out)
    members = _memberships(store, claims=sorted({other for _, other, _ in links} | set(new)))
    touched |= {member.cluster for member in members.values()}
    stored = _memberships(store, clusters=sorted(touched))
    for claim in stale:
        stored.pop(claim, None)
    clusters = _clusters(stored, lost, links, new, others, store, index)
    touched |= set(clusters)
    # Without the index in the store, the clusters carry their members' matching order.
    member_orders = not index.in_store
    before = _cluster_quads(store, sorted(touched), member_orders=member_orders)
    after = _cluster_statements(store, index, clusters, known, member_orders=member_orders)
    removed |= before - after
    added |= after - before
    unindexed, indexed = index.quads(edit)
    removed |= unindexed
    added |= indexed
    summary.clusters = len(touched)
    to_add, to_remove = sorted(added - removed, key=str), sorted(removed - added, key=str)
    sparql = shared_graphs_update(to_add, to_remove)
    summary.seconds = time.perf_counter() - start
    return SpreadChanges(sparql, summary, start, to_add, to_remove, index, edit)


def unmatched_articles(store: Store, index: ClaimIndex | None = None) -> list[str]:
    """Return the articles (IRIs, sorted) that hold claims and that the matching index has
    not matched: those stored without matching, as a bulk load stores them."""
    articles = sorted(row["article"].value for row in select_rows(store, """SELECT DISTINCT ?article
        WHERE { GRAPH ?article { ?claim schema:appearance ?article } }"""))
    opened = index or claim_index(store)
    try:
        matched = opened.matched(articles)
    finally:
        if index is None:
            opened.close()
    return [article for article in articles if article not in matched]


def _candidates(index: ClaimIndex, keys: Mapping[str, list[str]], exclude: set[str]
                ) -> dict[str, set[str]]:
    """Return, for each new claim, the other claims that share a band key with it: the
    indexed ones (but ``exclude``) and the new ones."""
    by_key: dict[str, set[str]] = defaultdict(set)
    for iri, claim_keys in keys.items():
        for key in claim_keys:
            by_key[key].add(iri)
    for key, claims in index.lookup(sorted(by_key)).items():
        by_key[key] |= claims - exclude
    found: dict[str, set[str]] = {iri: set() for iri in keys}
    for claims in by_key.values():
        for iri in claims & keys.keys():
            found[iri] |= claims - {iri}
    return found


class _Components:
    """Union-find over claim and cluster IRIs."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        self.parent.setdefault(item, item)
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def union(self, one: str, other: str) -> None:
        self.parent[self.find(one)] = self.find(other)

    def groups(self) -> list[list[str]]:
        grouped: dict[str, list[str]] = defaultdict(list)
        for item in self.parent:
            grouped[self.find(item)].append(item)
        return list(grouped.values())


def _clusters(stored: dict[str, _Member], lost: set[str], links: list[tuple[str, str, Match]],
              new: Mapping[str, ClaimRecord], others: Mapping[str, ClaimRecord],
              store: Store, index: ClaimIndex) -> dict[str, dict[str, _Member]]:
    """Return the members of every cluster that changes, by cluster IRI (an empty dict
    for a cluster that goes).

    ``stored`` are the memberships of the clusters involved (stale claims left out);
    ``lost`` the clusters that lost members; ``links`` the new pairs. Stored memberships
    are kept; a cluster that lost members is decided again among the rest (it may split).
    """
    by_cluster: dict[str, dict[str, _Member]] = defaultdict(dict)
    for member in stored.values():
        by_cluster[member.cluster][member.claim] = member
    result: dict[str, dict[str, _Member]] = {}
    # A cluster that lost a member is decided again among the others: it may split.
    for cluster in sorted(lost & by_cluster.keys()):
        members = by_cluster.pop(cluster)
        result[cluster] = {}
        for number, split in enumerate(_redecide(store, index, sorted(members))):
            name = cluster if number == 0 else str(cluster_iri(min(split)))
            for member in split.values():
                member.cluster = name
            result[name] = by_cluster[name] = split
    for cluster in lost - by_cluster.keys():
        result.setdefault(cluster, {})
    cluster_of = {claim: name for name, members in by_cluster.items() for claim in members}
    # New links: new claims and the claims or clusters they link.
    components = _Components()
    best: dict[str, tuple[float, str, Match]] = {}
    for one, other, match in links:
        for claim, partner in ((one, other), (other, one)):
            if claim not in cluster_of:
                current = best.get(claim)
                if current is None or (match.similarity, partner) > current[:2]:
                    best[claim] = (match.similarity, partner, match)
        components.union(cluster_of.get(one, one), cluster_of.get(other, other))
    orders = {**{iri: record.order or 0 for iri, record in others.items()},
              **{iri: record.order or 0 for iri, record in new.items()}}
    for group in components.groups():
        existing = sorted((cluster for cluster in group if cluster in by_cluster),
                          key=lambda cluster: (-len(by_cluster[cluster]), cluster))
        claims = sorted((item for item in group if item not in by_cluster),
                        key=lambda claim: (orders.get(claim, 0), claim))
        name = existing[0] if existing else str(cluster_iri(claims[0]))
        members: dict[str, _Member] = {}
        for cluster in existing:
            for member in by_cluster[cluster].values():
                members[member.claim] = _Member(member.claim, name, member.matched,
                                                member.similarity, member.method)
            if cluster != name:
                result[cluster] = {}
        for claim in claims:
            similarity, partner, match = best[claim]
            members[claim] = _Member(claim, name, partner, similarity, match.method)
        result[name] = members
    return result


def _redecide(store: Store, index: ClaimIndex, claims: list[str]) -> list[dict[str, _Member]]:
    """Return the clusters ``claims`` (the remaining members of one cluster) form when
    decided again pair by pair, with at least two members each."""
    records = claim_records(store, claims=claims, index=index)
    components = _Components()
    best: dict[str, tuple[float, str, Match]] = {}
    ordered = sorted(records)
    for index, one in enumerate(ordered):
        for other in ordered[index + 1:]:
            match = same_claim(records[one], records[other])
            if match is None:
                continue
            components.union(one, other)
            for claim, partner in ((one, other), (other, one)):
                current = best.get(claim)
                if current is None or (match.similarity, partner) > current[:2]:
                    best[claim] = (match.similarity, partner, match)
    groups = [group for group in components.groups() if len(group) >= 2]
    groups.sort(key=lambda group: (-len(group), min(group)))
    return [{claim: _Member(claim, "", best[claim][1], best[claim][0], best[claim][2].method)
             for claim in group} for group in groups]


def _cluster_statements(store: Store, index: ClaimIndex,
                        clusters: Mapping[str, Mapping[str, _Member]],
                        known: Mapping[str, ClaimRecord], *, member_orders: bool = False
                        ) -> set[ox.Quad]:
    """Return the statements ``clusters`` should have: each cluster, its first appearance
    and article count, and its memberships (with whether each credits the first source),
    and with ``member_orders`` each member's matching order. ``known`` are records at
    hand (the new claims, not in the index yet)."""
    claims = sorted({claim for members in clusters.values() for claim in members})
    records = {**claim_records(store, claims=[claim for claim in claims if claim not in known],
                               index=index),
               **{claim: known[claim] for claim in claims if claim in known}}
    quads: set[ox.Quad] = set()
    for cluster, members in clusters.items():
        present = [records[claim] for claim in members if claim in records]
        if len(present) < 2:
            continue
        node = ox.NamedNode(cluster)
        first = min(present, key=first_appearance_key)
        quads |= {ox.Quad(node, _RDF_TYPE, _CG.ClaimCluster, _GRAPH),
                  ox.Quad(node, _CG.firstClaim, ox.NamedNode(first.iri), _GRAPH),
                  ox.Quad(node, _CG.articleCount, ox.Literal(
                      str(len({record.article for record in present})), datatype=_INTEGER),
                      _GRAPH)}
        if first.date:
            quads.add(ox.Quad(node, _CG.firstAppearance, ox.Literal(first.date,
                                                                    datatype=_DATE), _GRAPH))
        for record in present:
            member = members[record.iri]
            membership = ox.NamedNode(f"{record.iri}#cluster")
            quads |= {ox.Quad(membership, _RDF_TYPE, _CG.ClusterMembership, _GRAPH),
                      ox.Quad(membership, _CG.memberClaim, ox.NamedNode(record.iri), _GRAPH),
                      ox.Quad(membership, _CG.inCluster, node, _GRAPH),
                      ox.Quad(membership, _CG.similarity, ox.Literal(
                          str(float(member.similarity)), datatype=_DOUBLE), _GRAPH),
                      ox.Quad(membership, _CG.matchMethod, ox.Literal(member.method), _GRAPH)}
            if member.matched is not None:
                quads.add(ox.Quad(membership, _CG.matchedClaim, ox.NamedNode(member.matched),
                                  _GRAPH))
            if member_orders and record.order is not None:
                quads.add(order_quad(record.iri, record.order))
            if record.iri != first.iri:
                credits = same_source(record, first)
                quads.add(ox.Quad(membership, _CG.creditsFirstSource, ox.Literal(
                    "true" if credits else "false", datatype=ox.NamedNode(str(XSD.boolean))),
                    _GRAPH))
    return quads


def first_appearance_key(record: ClaimRecord) -> tuple[bool, str, int, str]:
    """Order claims by first appearance: dated articles by date, then matching order
    (ingest order), then IRI."""
    return (record.date is None, record.date or "", record.order or 0, record.iri)


# ---------------------------------------------------------------- spread, for reading


@dataclass(frozen=True, slots=True)
class Appearance:
    """One claim of a cluster where it appeared: article, outlet, date, source."""

    claim: str
    text: str
    article: str
    headline: str | None
    date: str | None
    publisher: str | None
    source: str | None  # the source entity's IRI
    source_label: str | None  # its preferred label, else the source as written
    credits_first_source: bool | None  # None for the first appearance itself
    similarity: float
    method: str
    order: int | None


@dataclass(frozen=True, slots=True)
class ClusterSpread:
    """How one claim spread: its first appearance, then every repeat in order."""

    iri: str
    appearances: tuple[Appearance, ...]  # the first appearance first

    @property
    def first(self) -> Appearance:
        """The first appearance (earliest article date, else matched first)."""
        return self.appearances[0]

    @property
    def repeats(self) -> tuple[Appearance, ...]:
        """The appearances after the first, in order."""
        return self.appearances[1:]

    @property
    def articles(self) -> int:
        """The number of articles the claim appears in."""
        return len({appearance.article for appearance in self.appearances})

    @property
    def outlets(self) -> list[str]:
        """The outlets (publishers) it appeared in, in order of first appearance."""
        return list(dict.fromkeys(appearance.publisher for appearance in self.appearances
                                  if appearance.publisher))

    @property
    def sources(self) -> list[str]:
        """The sources (labels) it was attributed to, in order of first appearance."""
        return list(dict.fromkeys(appearance.source_label for appearance in self.appearances
                                  if appearance.source_label))


SPREAD_QUERY = f"""
SELECT ?cluster ?claim ?similarity ?method ?credits ?order ?article ?text ?date ?publisher
       ?headline ?source ?sourceLabel ?sourceText WHERE {{
  GRAPH {_G} {{ ?cluster a cg:ClaimCluster ; cg:articleCount ?articles .
    ?membership cg:inCluster ?cluster ; cg:memberClaim ?claim ; cg:similarity ?similarity ;
                cg:matchMethod ?method .
    OPTIONAL {{ ?membership cg:creditsFirstSource ?credits }}
    OPTIONAL {{ ?claim cg:matchOrder ?order }} }}
  FILTER(?articles >= %(min_articles)d)
  GRAPH ?article {{ ?claim schema:appearance ?article ; schema:text ?text .
    OPTIONAL {{ ?article schema:datePublished ?date }}
    OPTIONAL {{ ?article dcterms:publisher ?publisher }}
    OPTIONAL {{ ?article schema:headline ?headline }}
    OPTIONAL {{ ?claim cg:sourceText ?sourceText }} }}
  OPTIONAL {{ GRAPH ?article {{ ?claim prov:wasAttributedTo ?source }}
    OPTIONAL {{ GRAPH <{ENTITIES_GRAPH}> {{ ?source skos:prefLabel ?sourceLabel }} }} }}
}}"""


def cluster_spreads(store: Store, *, min_articles: int = 2) -> list[ClusterSpread]:
    """Return the spread of every cluster of ``store`` with at least ``min_articles``
    articles, the most articles first (then by first appearance)."""
    appearances: dict[str, list[Appearance]] = defaultdict(list)
    for row in select_rows(store, SPREAD_QUERY % {"min_articles": min_articles}):
        credits = row["credits"]
        appearances[row["cluster"].value].append(Appearance(
            claim=row["claim"].value, text=row["text"].value, article=row["article"].value,
            headline=_value(row["headline"]), date=_value(row["date"]),
            publisher=_value(row["publisher"]), source=_value(row["source"]),
            source_label=_value(row["sourceLabel"]) or _value(row["sourceText"]),
            credits_first_source=None if credits is None else credits.value == "true",
            similarity=float(row["similarity"].value), method=row["method"].value,
            order=int(row["order"].value) if row["order"] is not None else None))
    spreads = []
    for cluster, found in appearances.items():
        ordered = sorted(found, key=lambda item: (item.credits_first_source is not None,
                                                  *_appearance_key(item)))
        spreads.append(ClusterSpread(cluster, tuple(ordered)))
    spreads.sort(key=lambda spread: (-spread.articles, _appearance_key(spread.first),
                                     spread.iri))
    return spreads


def _appearance_key(item: Appearance) -> tuple[bool, str, int, str]:
    return (item.date is None, item.date or "", item.order or 0, item.claim)


__all__ = ["Appearance", "ClaimRecord", "ClusterSpread", "Match", "SpreadChanges",
           "SpreadSummary", "spread_changes",
           "band_keys", "claim_records", "cluster_spreads", "normalise", "same_claim",
           "shingles", "update_spread"]
