"""The store at scale: SPARQL on >= 1 million triples, Oxigraph against rdflib, exports.

    python benchmarks/store_queries.py [--min-triples 2000000] [--cache DIR]

1. Builds a store of at least ``--min-triples`` quads from real extracted attributions:
   every PolNeAR train and dev article (extracted once, cached), stored several times
   under distinct ids. Kept in ``--cache`` for the next run.
2. Exports it to N-Quads and to GEXF (both views) with ``claimgraph export``, each in a
   child process: time and peak memory.
3. Loads the N-Quads into the embedded store (pyoxigraph on disk, what claimgraph uses)
   and into rdflib's in-memory Dataset: load time and memory.
4. Runs the README's example query (sources making claims about an entity, for three
   entities) and two more typical ones on both: median time and the ratio.
5. Exports from both to N-Quads: time.

Goal: the README's queries at a median <= 50 ms on the embedded store.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import pyoxigraph as ox
from _common import (
    DEFAULT_CACHE,
    REPOSITORY,
    extracted_corpus,
    measure_command,
    median_ms,
    peak_memory_mib,
    seconds,
)
from rdflib import Dataset

from claimgraph import Document
from claimgraph.graph.store import Store

README_QUERY = (REPOSITORY / "examples" / "queries" / "sources-about.rq").read_text()
PREFIXES = README_QUERY[README_QUERY.index("PREFIX"):README_QUERY.index("SELECT")]
OTHER_QUERIES = {
    "top 10 sources by claims": PREFIXES + """
SELECT ?source (COUNT(?claim) AS ?claims) WHERE {
  ?claim prov:wasAttributedTo/skos:prefLabel ?source .
} GROUP BY ?source ORDER BY DESC(?claims) LIMIT 10""",
    "claims of one article": PREFIXES + """
SELECT ?cue ?text WHERE {
  ?article cg:articleId "ARTICLE" .
  ?claim schema:appearance ?article ; cg:cueText ?cue ; schema:text ?text .
}""",
}


def build_store(path: Path, min_triples: int, cache: Path) -> int:
    """Fill the store at ``path`` with copies of the extracted corpus; return its quads."""
    with Store.open(path) as store:
        if len(store) >= min_triples:
            return len(store)
        extracted, run = extracted_corpus(cache)
        copy = 0
        while len(store) < min_triples:
            elapsed = seconds(lambda copy=copy: [
                store.add_article(_renamed(document, copy), attributions, run)
                for document, attributions in extracted])
            print(f"  copy {copy}: {len(extracted)} articles stored in {elapsed:.1f} s "
                  f"({len(extracted) / elapsed:.0f} articles/s), {len(store):,} quads")
            copy += 1
        return len(store)


def _renamed(document: Document, copy: int) -> Document:
    return Document(id=f"{document.id}#copy{copy}", text=document.text, title=document.title,
                    date=document.date, publisher=document.publisher)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--min-triples", type=int, default=2_000_000)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help=f"where the extraction and the store are kept ({DEFAULT_CACHE})")
    parser.add_argument("--repeat", type=int, default=20, help="runs of each query")
    args = parser.parse_args()
    store_path = args.cache / f"polnear-{args.min_triples}.store"
    work = args.cache / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)

    print(f"1. store of >= {args.min_triples:,} quads ({store_path})")
    quads = build_store(store_path, args.min_triples, args.cache)
    print(f"   {quads:,} quads")

    print("2. claimgraph export, each in its own process: time, peak memory (RSS)")
    nquads = work / "store.nq"
    for label, format_, view in (("N-Quads", "nq", None), ("GEXF claims", "gexf", "claims"),
                                 ("GEXF sources", "gexf", "sources")):
        output = nquads if format_ == "nq" else work / f"{view}.gexf"
        arguments = ["export", "--store", str(store_path), "--format", format_, "-o", str(output)]
        elapsed, peak = measure_command("claimgraph.cli", *arguments,
                                        *(["--view", view] if view else []))
        print(f"   {label:13} {elapsed:6.1f} s  peak {peak:6.0f} MiB  "
              f"{output.stat().st_size / 2**20:6.0f} MiB written")

    print("3. load the N-Quads file")
    before = peak_memory_mib()
    oxigraph_path = work / "oxigraph.store"
    oxigraph = Store.open(oxigraph_path)
    load_ox = seconds(lambda: oxigraph.oxigraph().bulk_load(path=nquads,
                                                                  format=ox.RdfFormat.N_QUADS))
    print(f"   pyoxigraph (on disk) {load_ox:6.1f} s  {len(oxigraph):,} quads")
    rdflib = Dataset(default_union=True)
    load_rdflib = seconds(lambda: rdflib.parse(nquads, format="nquads"))
    rdflib_quads = sum(len(graph) for graph in rdflib.graphs())
    print(f"   rdflib (in memory)   {load_rdflib:6.1f} s  {rdflib_quads:,} quads, "
          f"process peak +{peak_memory_mib() - before:,.0f} MiB")
    print(f"   ratio rdflib / pyoxigraph: {load_rdflib / load_ox:.1f}x")

    print(f"4. queries (median of {args.repeat} on pyoxigraph, of 3 on rdflib)")
    subjects = [str(row["label"]) for row in oxigraph.select(
        "SELECT ?label (COUNT(*) AS ?n) WHERE { ?c schema:about/skos:prefLabel ?label } "
        "GROUP BY ?label ORDER BY DESC(?n) LIMIT 1")]
    article = str(oxigraph.select("SELECT ?id WHERE { ?a cg:articleId ?id } LIMIT 1")[0]["id"])
    queries = {f"README: sources about {label}": README_QUERY.replace('"Germany"', f'"{label}"')
               for label in ("Germany", "Turkey", *subjects)}
    queries.update({name: query.replace("ARTICLE", article)
                    for name, query in OTHER_QUERIES.items()})
    for name, query in queries.items():
        rows = len(list(oxigraph.query(query)))
        ox_ms = median_ms(lambda query=query: list(oxigraph.query(query)), args.repeat)
        rdflib_rows = len(list(rdflib.query(query)))
        rdflib_ms = median_ms(lambda query=query: list(rdflib.query(query)), 3)
        assert rows == rdflib_rows, (name, rows, rdflib_rows)
        print(f"   {name:42} {rows:5} rows  pyoxigraph {ox_ms:8.1f} ms  rdflib "
              f"{rdflib_ms:9.1f} ms  ratio {rdflib_ms / ox_ms:6.0f}x")

    print("5. export to N-Quads")
    export_ox = seconds(lambda: oxigraph.export(work / "again.nq"))
    dump_ox = seconds(lambda: oxigraph.oxigraph().dump(work / "dump.nq", ox.RdfFormat.N_QUADS))
    export_rdflib = seconds(lambda: rdflib.serialize(work / "rdflib.nq", format="nquads"))
    print(f"   claimgraph export (sorted graph by graph) {export_ox:6.1f} s")
    print(f"   pyoxigraph dump (store order)             {dump_ox:6.1f} s")
    print(f"   rdflib serialize (unsorted)               {export_rdflib:6.1f} s   "
          f"ratio rdflib / pyoxigraph dump {export_rdflib / dump_ox:.1f}x")
    oxigraph.close()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
