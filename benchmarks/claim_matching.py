"""Claims repeated across the 924 PolNeAR train + dev articles: clusters, and the time
claim matching adds to ingest, side by side.

    python benchmarks/claim_matching.py                     # ingest in 10 batches, match each
    python benchmarks/claim_matching.py --batches 20
    python benchmarks/claim_matching.py --store S --sample 50 --links links.tsv
    python benchmarks/claim_matching.py --store S --index-in-store   # as on a SPARQL server

The articles go in as JSON Lines made from ../shared/polnear (text, title, publisher, date;
see report_speed.py) and are ingested into a new store in ``--batches`` batches, each batch
as ``claimgraph ingest`` does it (extraction, storing, store-wide entity merging) but with
matching left out and then timed on its own, right after: the time matching adds per
article against the ingest time per article, per batch (a batch's matching should not
grow with the store) and overall. Then the clusters with at least 2 and 3 articles, the
links, and what the index costs: quads in the store, bytes of the store's index file.

``--store S`` keeps the store (an existing one is matched again from scratch, in batches
of its articles, with no ingest: its clusters graph and index file are dropped first).
``--sample N --links FILE`` writes N links drawn with a
fixed seed (article ids, content offsets, entities, similarity, method; and, to read
them by hand, the two texts: keep the file out of the repository).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sqlite3
import tempfile
import time
from contextlib import closing
from pathlib import Path

from _common import POLNEAR_TEXTS
from report_speed import write_articles

from claimgraph import ingest, load_pipeline, open_store
from claimgraph.graph.claim_index import INDEX_FILE
from claimgraph.graph.rdf import CLUSTERS_GRAPH, article_graph_iri
from claimgraph.graph.spread import BANDS, ROWS, claim_records, update_spread
from claimgraph.loaders import iter_documents
from claimgraph.records import Document


def batches_of(items: list, count: int) -> list[list]:
    size = -(-len(items) // count)
    return [items[start:start + size] for start in range(0, len(items), size)]


def count(store, sparql: str) -> int:
    (row,) = store.select(sparql)
    return int(row["n"]) if row["n"] is not None else 0


def cluster_counts(store) -> dict[int, int]:
    """Return the number of clusters with at least 2, 3, 5 and 10 articles."""
    sizes = [int(row["n"]) for row in store.select(f"""SELECT ?cluster ?n WHERE {{
        GRAPH <{CLUSTERS_GRAPH}> {{ ?cluster cg:articleCount ?n }} }}""")]
    return {least: sum(size >= least for size in sizes) for least in (2, 3, 5, 10)}


LINKS_QUERY = f"""SELECT ?claim ?matched ?similarity ?method WHERE {{
  GRAPH <{CLUSTERS_GRAPH}> {{ ?m cg:memberClaim ?claim ; cg:matchedClaim ?matched ;
                              cg:similarity ?similarity ; cg:matchMethod ?method }} }}"""


def write_sample(store, size: int, seed: int, path: Path) -> int:
    """Write ``size`` links (a member and the claim it matched; each pair once) drawn with
    ``seed`` to ``path`` (TSV); return how many links there are."""
    links: dict[frozenset[str], dict] = {}
    for row in store.select(LINKS_QUERY):
        links.setdefault(frozenset((str(row["claim"]), str(row["matched"]))), row)
    ordered = [links[pair] for pair in sorted(links, key=sorted)]
    sample = random.Random(seed).sample(ordered, min(size, len(ordered)))
    claims = sorted({str(row[key]) for row in sample for key in ("claim", "matched")})
    records = claim_records(store, claims=claims)
    articles = sorted({records[claim].article for claim in claims})
    values = " ".join(f"<{article}>" for article in articles)
    spans = {str(row["claim"]): (int(row["begin"]), int(row["end"])) for row in store.select(
        f"""SELECT ?claim ?begin ?end WHERE {{ VALUES ?article {{ {values} }}
            GRAPH ?article {{ ?claim cg:contentSpan ?span .
              ?span nif:beginIndex ?begin ; nif:endIndex ?end }} }}""")}
    ids = {str(row["article"]): str(row["id"]) for row in store.select(
        f"""SELECT ?article ?id WHERE {{ VALUES ?article {{ {values} }}
            GRAPH ?article {{ ?article cg:articleId ?id }} }}""")}
    entity = "https://w3id.org/claimgraph/id/entity/"

    def columns(claim: str) -> list[str]:
        record = records[claim]
        return [ids[record.article], *map(str, spans[claim]),
                (record.source or "").removeprefix(entity),
                " ".join(sorted(subject.removeprefix(entity) for subject in record.subjects))]

    with path.open("w", encoding="utf-8", newline="") as file:
        out = csv.writer(file, delimiter="\t", lineterminator="\n")
        out.writerow(["article", "begin", "end", "source", "subjects", "other_article",
                      "other_begin", "other_end", "other_source", "other_subjects",
                      "similarity", "method", "text", "other_text"])
        for row in sample:
            one, other = str(row["claim"]), str(row["matched"])
            out.writerow([*columns(one), *columns(other), row["similarity"], row["method"],
                          " ".join(records[one].text.split()),
                          " ".join(records[other].text.split())])
    return len(links)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--store", type=Path, help="keep (or reuse) the store here")
    parser.add_argument("--sample", type=int, default=0, help="links to sample")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--links", type=Path, help="where the sampled links go (TSV)")
    parser.add_argument("--index-in-store", action="store_true",
                        help="keep the matching index in the store (as a SPARQL server "
                             "does), not in the store's index file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        articles = work / "articles.jsonl"
        write_articles(POLNEAR_TEXTS, articles)
        documents = [item for item in iter_documents([articles])
                     if isinstance(item, Document)]
        path = args.store or work / "store"
        reuse = path.is_dir() and any(path.iterdir())
        nlp = None if reuse else load_pipeline()
        ingest_s = match_s = 0.0
        with open_store(path) as store:
            if reuse:  # match the stored articles again, from scratch
                store.update(f"DROP SILENT GRAPH <{CLUSTERS_GRAPH}>")
                (path / INDEX_FILE).unlink(missing_ok=True)
            print(f"{len(documents)} articles in {args.batches} batches"
                  f"{' (stored already: matching only)' if reuse else ''}")
            for number, batch in enumerate(batches_of(documents, args.batches), start=1):
                start = time.perf_counter()
                if not reuse:
                    ingest(batch, store, nlp, match_claims=False)
                middle = time.perf_counter()
                summary = update_spread(store, [str(article_graph_iri(document.id))
                                                for document in batch],
                                        index_in_store=args.index_in_store or None)
                end = time.perf_counter()
                ingest_s += middle - start
                match_s += end - middle
                print(f"  batch {number:2d}: {len(batch)} articles, ingest "
                      f"{(middle - start) * 1000 / len(batch):6.0f} ms/article, matching "
                      f"{(end - middle) * 1000 / len(batch):5.1f} ms/article "
                      f"({summary.indexed} claims, {summary.candidates} candidate pairs, "
                      f"{summary.links} links)")
            counts = cluster_counts(store)
            links = count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?m a cg:ClusterMembership }")
            index = count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{CLUSTERS_GRAPH}> "
                                 "{ ?s ?p ?o } }")
            bands = count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{CLUSTERS_GRAPH}> "
                                 "{ ?s cg:lshBand ?o } }")
            claims = count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?c a cg:Attribution }")
            total = len(store)
            if args.sample and args.links:
                found = write_sample(store, args.sample, args.seed, args.links)
                print(f"sampled {min(args.sample, found)} of {found} links (seed {args.seed})"
                      f" into {args.links}")
        index_file = path / INDEX_FILE  # as the closed store leaves it
        file_bytes = index_file.stat().st_size if index_file.is_file() else 0
        if args.index_in_store:
            indexed = bands // BANDS
        else:
            with closing(sqlite3.connect(index_file)) as db:
                indexed = db.execute("SELECT COUNT(*) FROM claim").fetchone()[0]
    articles_n = len(documents)
    print(f"clusters: {counts[2]} with >= 2 articles, {counts[3]} with >= 3, "
          f"{counts[5]} with >= 5, {counts[10]} with >= 10; {links} claims in clusters "
          f"(of {claims})")
    if not reuse:
        print(f"ingest {ingest_s:.1f} s ({ingest_s * 1000 / articles_n:.0f} ms/article); "
              f"matching {match_s:.1f} s ({match_s * 1000 / articles_n:.1f} ms/article); "
              f"matching / ingest time: {match_s / ingest_s:.3f}")
    else:
        print(f"matching {match_s:.1f} s ({match_s * 1000 / articles_n:.1f} ms/article)")
    print(f"index: {BANDS} bands x {ROWS} rows, {indexed:,} claims matched; the clusters graph"
          f" holds {index:,} quads ({bands:,} band keys) of the store's {total:,} "
          f"({index / total:.1%}); the index file {file_bytes / 1e6:.1f} MB "
          f"({file_bytes / max(indexed, 1):.0f} bytes per claim matched)")
    print(json.dumps({"clusters_2": counts[2], "clusters_3": counts[3],
                      "match_ms_per_article": round(match_s * 1000 / articles_n, 2)}))


if __name__ == "__main__":
    main()
