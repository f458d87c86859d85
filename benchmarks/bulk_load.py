"""The bulk path against a normal ingest, into Oxigraph and Virtuoso, side by side.

    nice python benchmarks/bulk_load.py            # the 924 PolNeAR train + dev articles
    nice python benchmarks/bulk_load.py --dev      # the 84 dev articles (a quick check)

Extraction (spaCy) is the same work on both paths, so it is done once and cached (see
``_common.extracted_corpus``) and each article's RDF built once (timed apart); what is
measured is what each path does with it:

1. normal ingest into an embedded store: ``put_article`` for each article, then the
   store-wide merge (what ``claimgraph ingest`` does after extraction);
2. the bulk path: the articles' N-Quads written to two shards (as two workers would),
   ``oxigraph load`` of the shards (it parses files in parallel), ``claimgraph merge``;
3. the same shards into Virtuoso (where ``virtuoso-opensource`` is installed): its bulk
   loader (``ld_dir`` + two ``rdf_loader_run``), then ``claimgraph merge --endpoint``;
   with ``--remote-ingest``, a normal ingest over HTTP into a second, empty Virtuoso;
4. every store's N-Quads export must be identical (exit status 1 otherwise);
5. the README's queries (examples/queries/; the Germany query also for the two entities
   most claims are about) on the embedded store and on Virtuoso: medians and ratio.
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import (
    DEFAULT_CACHE,
    REPOSITORY,
    extracted_corpus,
    measure_command,
    median_ms,
    seconds,
)
from endpoint_load import free_port

from claimgraph.bulk import article_nquads
from claimgraph.graph import virtuoso
from claimgraph.graph.rdf import ArticleRdf, entity_iris, prepare_article
from claimgraph.graph.remote import RemoteStore
from claimgraph.graph.store import BaseStore, Store

QUERIES = REPOSITORY / "examples" / "queries"
OXIGRAPH = Path(sys.executable).with_name("oxigraph")


def timed_command(*command: str) -> float:
    """Run a command and return its wall time; exit when it fails."""
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
    return time.perf_counter() - start


def store_articles(store: BaseStore, articles: list[ArticleRdf]) -> None:
    """Store articles as ingest does once they are extracted: one by one, then the
    store-wide merge of the entities they refer to."""
    touched: set[str] = set()
    for article in articles:
        store.put_article(article)
        touched.update(iri.value for iri in entity_iris(article.entities))
    store.merge_across_store(touched)


def readme_queries(store: BaseStore) -> dict[str, str]:
    """Return the README's queries: stories.rq, and sources-about.rq for Germany and the
    two entities most claims are about."""
    about = (QUERIES / "sources-about.rq").read_text(encoding="utf-8")
    labels = [str(row["label"]) for row in store.select(
        "SELECT ?label (COUNT(*) AS ?n) WHERE { ?c schema:about/skos:prefLabel ?label } "
        "GROUP BY ?label ORDER BY DESC(?n) LIMIT 2")]
    queries = {f"sources about {label}": about.replace('"Germany"', f'"{label}"')
               for label in ("Germany", *labels)}
    queries["stories (copies)"] = (QUERIES / "stories.rq").read_text(encoding="utf-8")
    return queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dev", action="store_true", help="only the 84 dev articles")
    parser.add_argument("--repeat", type=int, default=20, help="runs of each query")
    parser.add_argument("--remote-ingest", action="store_true",
                        help="also a normal ingest into Virtuoso over HTTP")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help=f"where the extraction is cached ({DEFAULT_CACHE})")
    args = parser.parse_args()
    extracted, run = extracted_corpus(args.cache)
    if args.dev:
        extracted = [(document, found) for document, found in extracted
                     if "/dev/" in str(document.path)]
    with tempfile.TemporaryDirectory() as folder, contextlib.ExitStack() as servers:
        work = Path(folder)
        times: dict[str, float] = {}
        articles: list[ArticleRdf] = []
        times["build RDF"] = seconds(lambda: articles.extend(
            prepare_article(document, found, run) for document, found in extracted))
        print(f"{len(articles)} articles, {sum(a.attributions for a in articles)} "
              f"attributions (extracted once, cached); RDF built in {times['build RDF']:.1f} s")

        print("1. normal ingest into an embedded store (put_article each, then merge)")
        ingested = work / "ingested"
        with Store.open(ingested) as store:
            times["ingest"] = seconds(lambda: store_articles(store, articles))
            quads = len(store)
        print(f"   put_article + merge            {times['ingest']:7.1f} s  {quads:,} quads")

        print("2. bulk path into Oxigraph")
        shards = work / "shards"
        shards.mkdir()
        files = [shards / f"part-{number}.nq" for number in range(2)]

        def write_shards() -> None:
            for number, path in enumerate(files):
                path.write_bytes(b"".join(map(article_nquads, articles[number::2])))

        times["shards"] = seconds(write_shards)
        size = sum(path.stat().st_size for path in files) / 2**20
        print(f"   N-Quads shards written         {times['shards']:7.1f} s  (2 shards, "
              f"{size:.0f} MiB)")
        loaded = work / "loaded"
        times["oxigraph load"] = timed_command(str(OXIGRAPH), "load", "--location", str(loaded),
                                               "--file", *map(str, files))
        print(f"   oxigraph load                  {times['oxigraph load']:7.1f} s")
        times["merge"], _ = measure_command("claimgraph.cli", "merge", "--store", str(loaded))
        print(f"   claimgraph merge --store       {times['merge']:7.1f} s")
        bulk = times["shards"] + times["oxigraph load"] + times["merge"]
        print(f"   bulk path in all               {bulk:7.1f} s  ingest / bulk "
              f"{times['ingest'] / bulk:.2f}x")

        exports = {}
        for name, path in (("ingest", ingested), ("oxigraph load", loaded)):
            with Store.open(path, read_only=True) as store:
                exports[name] = work / f"{name.replace(' ', '-')}.nq"
                store.export(exports[name])

        instance = None
        if virtuoso.available():
            print("3. the same shards into Virtuoso (bulk loader), then merge over HTTP")
            instance = virtuoso.VirtuosoInstance.start(
                work / "virtuoso", free_port(), free_port(), buffers=170_000,
                dirs_allowed=(shards,))
            servers.callback(instance.stop)  # whatever fails below (stopping twice is harmless)
            times["virtuoso load"] = seconds(lambda: virtuoso.bulk_load(instance, shards))
            print(f"   ld_dir + rdf_loader_run x2     {times['virtuoso load']:7.1f} s")
            times["virtuoso merge"], _ = measure_command(
                "claimgraph.cli", "merge", "--endpoint", instance.sparql_url)
            print(f"   claimgraph merge --endpoint    {times['virtuoso merge']:7.1f} s")
            virtuoso_bulk = times["shards"] + times["virtuoso load"] + times["virtuoso merge"]
            print(f"   bulk path in all               {virtuoso_bulk:7.1f} s  ingest / bulk "
                  f"{times['ingest'] / virtuoso_bulk:.2f}x")
            exports["virtuoso"] = work / "virtuoso.nq"
            with RemoteStore(instance.sparql_url) as remote:
                remote.export(exports["virtuoso"])
            if args.remote_ingest:
                second = virtuoso.VirtuosoInstance.start(
                    work / "virtuoso-ingest", free_port(), free_port(), buffers=170_000)
                servers.callback(second.stop)
                try:
                    with RemoteStore(second.sparql_url) as remote:
                        times["virtuoso ingest"] = seconds(
                            lambda: store_articles(remote, articles))
                        print(f"   normal ingest over HTTP        "
                              f"{times['virtuoso ingest']:7.1f} s  (put_article each, merge)")
                        exports["virtuoso ingest"] = work / "virtuoso-ingest.nq"
                        remote.export(exports["virtuoso ingest"])
                finally:
                    second.stop()
        else:
            print("3. Virtuoso is not installed (apt-get install virtuoso-opensource): skipped")

        print("4. the stores hold the same quads")
        reference = exports["ingest"].read_bytes()
        same = True
        for name, path in exports.items():
            equal = path.read_bytes() == reference
            same &= equal
            print(f"   {name:15} {'identical to' if equal else 'DIFFERS from'} the ingested store")

        if instance is not None:
            print(f"5. README queries, median of {args.repeat}: embedded Oxigraph | Virtuoso")
            try:
                with Store.open(loaded, read_only=True) as local, \
                        RemoteStore(instance.sparql_url) as remote:
                    for name, query in readme_queries(local).items():
                        rows = len(local.select(query))
                        remote_rows = len(remote.select(query))
                        local_ms = median_ms(lambda q=query: local.select(q), args.repeat)
                        remote_ms = median_ms(lambda q=query: remote.select(q), args.repeat)
                        print(f"   {name:34} {rows:4} rows {local_ms:8.1f} ms | "
                              f"{remote_rows:4} rows {remote_ms:8.1f} ms  "
                              f"ratio {remote_ms / local_ms:5.1f}x")
                        same &= rows == remote_rows
            finally:
                instance.stop()
        print("times (s): " + ", ".join(f"{name} {value:.1f}" for name, value in times.items()))
        sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
