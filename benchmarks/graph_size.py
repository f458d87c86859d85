"""What the graph costs: quads per attribution by kind, bytes on disk, README query times,
for each detail of the RDF model, measured side by side on the same articles.

    python benchmarks/graph_size.py [--repeat 20] [--cache DIR] [--sizes-only]

1. Extracts the 84 PolNeAR dev articles once (cached in ``--cache``).
2. Stores them (``put_article``, the store-wide merge step, then claim matching, as
   ``ingest`` does) in a new store per variant: detail ``full`` (every derivable triple:
   the model before the lean graph) or ``lean`` (the default), each with the matching
   index in the store's index file (the default for a store on disk) and in the store (as
   a SPARQL server keeps it, and as every store did before the index file).
3. Prints the quads of each kind (claim, spans, subject roles, resolution links,
   entities, runs and provenance, the article, claim matching) per attribution, the quads
   of the claims-clusters graph per matched claim, the bytes on disk (the store's data
   files as ingest leaves them and compacted, the index file, the N-Quads export) per
   1,000 articles, and (without ``--sizes-only``) each README query's median time on the
   full and lean stores, after checking that the two give the same rows.

Goal: the store as ingest writes it (matching on, its index file included) at most half
the quads per attribution and half the bytes on disk of the model before (64.8 quads per
attribution, 540 MB per 1,000 articles), its README queries as fast or faster.
"""

from __future__ import annotations

import argparse
import io
import re
import shutil
import sqlite3
import tempfile
from collections import Counter
from contextlib import closing
from pathlib import Path

import pyoxigraph as ox
from _common import DEFAULT_CACHE, REPOSITORY, extracted_dev, median_ms, store_batch

from claimgraph.graph.claim_index import INDEX_FILE
from claimgraph.graph.rdf import CLUSTERS_GRAPH, DETAILS, ENTITIES_GRAPH, RUNS_GRAPH
from claimgraph.graph.store import Store
from claimgraph.ontology import CG

KINDS = ("claim", "spans", "subject roles", "resolution links", "entities",
         "runs, provenance", "article", "claim matching")
_SPAN_LINKS = {str(CG.cueSpan), str(CG.contentSpan), str(CG.sourceSpan), str(CG.subjectSpan)}
_RESOLUTION = {str(CG.refersTo), str(CG.resolutionRule)}
_ROLE_LINKS = {"https://schema.org/about", str(CG.qualifiedSubject)}
_PROVENANCE = {"http://www.w3.org/ns/prov#wasGeneratedBy"}
_ENTITY_SUPPORT = {"https://schema.org/mentions", str(CG.entityStatements)}


def quad_kind(quad: ox.Quad) -> str:
    """Return which part of the model a quad belongs to (one of :data:`KINDS`)."""
    graph = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
    if graph == str(RUNS_GRAPH):
        return "runs, provenance"
    if graph == str(ENTITIES_GRAPH):
        return "entities"
    if graph == str(CLUSTERS_GRAPH):
        return "claim matching"  # the matching index (band keys) and the claim clusters
    subject, predicate = quad.subject.value, quad.predicate.value
    if predicate in _RESOLUTION:
        return "resolution links"
    if "#char=" in subject:
        return "spans"
    if "#subject-" in subject or predicate in _ROLE_LINKS:
        return "subject roles"
    if predicate in _SPAN_LINKS:
        return "spans"  # a claim's link to its cue, content, source or subject span
    if predicate in _PROVENANCE:
        return "runs, provenance"
    if predicate in _ENTITY_SUPPORT:
        return "entities"  # what the article says of its entities (for remove/replace)
    if "/claim/" in subject:
        return "claim"
    return "article"


def readme_queries() -> dict[str, str]:
    """Return the README's SPARQL examples and the example query files, by name."""
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```sparql\n(.*?)^```", readme, flags=re.MULTILINE | re.DOTALL)
    queries = {f"README query {number}": block for number, block in enumerate(blocks, 1)}
    for path in sorted((REPOSITORY / "examples" / "queries").glob("*.rq")):
        if path.read_text(encoding="utf-8") not in queries.values():
            queries[path.name] = path.read_text(encoding="utf-8")
    return queries


def dev_labels(store: Store) -> dict[str, str]:
    """Return labels that the README's examples name, replaced by ones the dev split has:
    the most-quoted subject for "Germany", the source of most claims for "Turkey", that
    source's most frequent subject for "Azerbaijan", the organization with most unnamed
    sources for "AFP"."""
    def top(query: str) -> str:
        rows = store.select(query)
        return str(rows[0]["label"]) if rows else ""
    source = top("SELECT ?label (COUNT(?c) AS ?n) WHERE { ?c prov:wasAttributedTo/skos:prefLabel"
                 " ?label } GROUP BY ?label ORDER BY DESC(?n) LIMIT 1")
    return {
        "Germany": top("SELECT ?label (COUNT(?c) AS ?n) WHERE { ?c schema:about/skos:prefLabel"
                       " ?label } GROUP BY ?label ORDER BY DESC(?n) LIMIT 1"),
        "Turkey": source,
        "Azerbaijan": top(f'SELECT ?label (COUNT(?c) AS ?n) WHERE {{ ?c prov:wasAttributedTo/'
                          f'skos:prefLabel "{source}"@en ; cg:qualifiedSubject/cg:subject/'
                          f'skos:prefLabel ?label }} GROUP BY ?label ORDER BY DESC(?n) LIMIT 1'),
        "AFP": top("SELECT ?label (COUNT(?c) AS ?n) WHERE { ?c prov:wasAttributedTo/"
                   "schema:affiliation/skos:prefLabel ?label } GROUP BY ?label "
                   "ORDER BY DESC(?n) LIMIT 1"),
    }


def on_dev(query: str, labels: dict[str, str]) -> str:
    """Return ``query`` with the README's entity labels replaced by the dev split's."""
    for readme_label, label in labels.items():
        query = query.replace(f'"{readme_label}"@en', f'"{label}"@en')
    return query


def rows_of(store: Store, query: str) -> list[tuple[str, ...]]:
    """Return a SELECT's rows as tuples of strings, in the order the query gives them."""
    return [tuple("" if term is None else str(term) for term in row.values())
            for row in store.select(query)]


def data_bytes(path: Path) -> int:
    """Return the bytes of a closed store's data files (RocksDB's SST files)."""
    return sum(file.stat().st_size for file in path.glob("*.sst"))


def compacted_bytes(store: Store, path: Path) -> int:
    """Return the bytes of the data files of a copy of ``store`` bulk-loaded into ``path``.

    Ingest leaves RocksDB's first-level files as written (uncompressed; ``optimize`` only
    moves them down, unrewritten); RocksDB rewrites them, compressed, as compactions reach
    them in a growing store, and a bulk load writes them so at once: this is the size the
    data settles at.
    """
    copy = ox.Store(str(path))
    copy.bulk_extend(store.oxigraph())
    copy.flush()
    del copy  # closes RocksDB
    return data_bytes(path)


#: The stores measured, by name: their detail, and whether claim matching keeps its index
#: in the store (as a SPARQL server keeps it, and as every store kept it before the index
#: file) rather than in the store's index file.
VARIANTS = {"full": ("full", False), "lean": ("lean", False),
            "full, index in store": ("full", True), "lean, index in store": ("lean", True)}
#: What the issue measured before the lean graph and the index file: the full model's
#: quads per attribution without claim matching, and its MB per 1,000 articles on disk.
BEFORE_QUADS, BEFORE_MB = 64.8, 540


def matched_claims(store: Store, path: Path, in_store: bool) -> int:
    """Return the number of claims the matching index holds."""
    if in_store:
        return int(store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{CLUSTERS_GRAPH}> "
                                "{ ?claim cg:indexedArticle ?article } }")[0]["n"])
    with closing(sqlite3.connect(path / INDEX_FILE)) as db:
        return db.execute("SELECT COUNT(*) FROM claim").fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="runs per query (median)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--sizes-only", action="store_true", help="no README query times")
    args = parser.parse_args()
    extracted, run = extracted_dev(args.cache)
    articles = len(extracted)
    attributions = sum(len(found) for _, found in extracted)
    work = Path(tempfile.mkdtemp(prefix="claimgraph-graph-size-"))
    counts: dict[str, Counter[str]] = {}
    sizes: dict[str, tuple[int, int, int, int]] = {}
    matched: dict[str, int] = {}
    try:
        for name, (detail, in_store) in VARIANTS.items():
            path = work / name
            with Store.open(path) as store:
                store_batch(store, extracted, run, detail=detail, match_claims=True,
                            index_in_store=in_store)
                counts[name] = Counter(quad_kind(quad) for quad in store.oxigraph())
                matched[name] = matched_claims(store, path, in_store)
                export = io.BytesIO()
                store.export(export, "nq")
                compacted = compacted_bytes(store, work / f"{name}-compacted")
            index = path / INDEX_FILE
            sizes[name] = (data_bytes(path), index.stat().st_size if index.is_file() else 0,
                           compacted, len(export.getvalue()))
        names = list(VARIANTS)
        print(f"{articles} PolNeAR dev articles, {attributions:,} attributions, claim matching"
              " on (as ingest runs it)\n")
        print("| quads per attribution | " + " | ".join(names) + " |")
        print("| --- |" + " --- |" * len(names))
        for kind in KINDS:
            print(f"| {kind} | " + " | ".join(f"{counts[n][kind] / attributions:.1f}"
                                             for n in names) + " |")
        total = {n: sum(counts[n].values()) for n in names}
        model = {n: total[n] - counts[n]["claim matching"] for n in names}
        print("| **all** | " + " | ".join(f"**{total[n] / attributions:.1f}** ({total[n]:,} "
                                         "quads)" for n in names) + " |")
        print("| all but claim matching | " + " | ".join(
            f"{model[n] / attributions:.1f}" for n in names) + " |")
        print("| claims-clusters graph quads per matched claim | " + " | ".join(
            f"{counts[n]['claim matching'] / matched[n]:.2f} ({matched[n]:,} claims)"
            for n in names) + " |")
        for index, what in enumerate(("MB on disk per 1,000 articles, store as ingest writes",
                                      "MB of the matching index file per 1,000 articles",
                                      "MB on disk per 1,000 articles, compacted",
                                      "MB of N-Quads per 1,000 articles")):
            print(f"| {what} | " + " | ".join(
                f"{sizes[n][index] / articles * 1000 / 1e6:.1f}" for n in names) + " |")
        lean, full = "lean", "full"
        print(f"\nlean / full (index file in both): quads per attribution "
              f"{total[lean] / total[full]:.2f} ({model[lean] / model[full]:.2f} without "
              f"matching), bytes on disk {sizes[lean][0] / sizes[full][0]:.2f} as written, "
              f"{sizes[lean][2] / sizes[full][2]:.2f} compacted, "
              f"N-Quads {sizes[lean][3] / sizes[full][3]:.2f}")
        for name in ("lean", "lean, index in store"):
            quads = total[name] / attributions
            written = (sizes[name][0] + sizes[name][1]) / articles * 1000 / 1e6
            print(f"{name}, the store as ingest writes it (index file included) against the "
                  f"model before ({BEFORE_QUADS} quads per attribution, {BEFORE_MB} MB per "
                  f"1,000 articles): quads {quads:.1f}, {quads / BEFORE_QUADS:.2f}; "
                  f"MB {written:.0f}, {written / BEFORE_MB:.2f}")
        print()
        if args.sizes_only:
            return
        stores = {detail: Store.open(work / detail, read_only=True) for detail in DETAILS}
        labels = dev_labels(stores[full])
        print(f"README queries (labels on dev: {labels}), median of {args.repeat} runs:\n")
        print("| query | rows | " + " | ".join(f"{d} ms" for d in DETAILS) + " | lean / full |")
        print("| --- | --- |" + " --- |" * (len(DETAILS) + 1))
        for name, query in readme_queries().items():
            query = on_dev(query, labels)
            # Rows in order where the query orders them all, else as a multiset.
            results = {d: sorted(rows_of(stores[d], query)) for d in DETAILS}
            if results[lean] != results[full]:
                raise SystemExit(f"{name}: the lean store gives other rows than the full one")
            times = {d: median_ms(lambda d=d, q=query: rows_of(stores[d], q), args.repeat)
                     for d in DETAILS}
            print(f"| {name} | {len(results[lean])} | "
                  + " | ".join(f"{times[d]:.1f}" for d in DETAILS)
                  + f" | {times[lean] / times[full]:.2f} |")
        for store in stores.values():
            store.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
