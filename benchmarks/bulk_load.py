"""The bulk path against a normal ingest, into Oxigraph and Virtuoso, side by side.

    nice python benchmarks/bulk_load.py            # the 924 PolNeAR train + dev articles
    nice python benchmarks/bulk_load.py --dev      # the 84 dev articles (a quick check)

The articles go in as JSON Lines made from ../shared/polnear (as report_speed.py makes
them), in a temporary folder. Each command runs in a child process, all with --workers 2:

1. normal ingest into an embedded store (``claimgraph ingest --store``);
2. the bulk path: ``claimgraph ingest --to-nquads`` (extraction, one shard per worker),
   ``oxigraph load`` of the shards (in parallel), ``claimgraph merge --store``;
3. the same shards into Virtuoso (where ``virtuoso-opensource`` is installed): its bulk
   loader (``ld_dir`` + two ``rdf_loader_run``), then ``claimgraph merge --endpoint``;
   and a normal ingest over HTTP into a second, empty Virtuoso (``--remote-ingest``);
4. the stores' N-Quads exports must be identical (exit 1 otherwise);
5. the README's queries (examples/queries/, the Germany query for three entities) on
   the embedded store and on Virtuoso: median of ``--repeat`` runs each, and the ratio.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import POLNEAR, POLNEAR_TEXTS, REPOSITORY, measure_command, median_ms, seconds
from endpoint_load import free_port
from report_speed import write_articles

from claimgraph.bulk import SHARD_SUFFIX
from claimgraph.graph import virtuoso
from claimgraph.graph.remote import RemoteStore
from claimgraph.graph.store import BaseStore, Store
from claimgraph.pipeline import open_store

QUERIES = REPOSITORY / "examples" / "queries"
OXIGRAPH = Path(sys.executable).with_name("oxigraph")


def timed_command(*command: str) -> float:
    """Run a command (not Python) and return its wall time; exit when it fails."""
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
    return time.perf_counter() - start


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
    args = parser.parse_args()
    folders = [POLNEAR / "dev" / "text"] if args.dev else POLNEAR_TEXTS
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        jsonl = work / "articles.jsonl"
        count = write_articles(folders, jsonl)
        print(f"{count} articles, --workers 2 throughout")
        times: dict[str, float] = {}

        print("1. normal ingest into an embedded store")
        times["ingest"], peak = measure_command(
            "claimgraph.cli", "ingest", str(jsonl), "--store", str(work / "ingested"),
            "--workers", "2", "--quiet")
        print(f"   claimgraph ingest --store      {times['ingest']:7.1f} s  peak {peak:.0f} MiB")

        print("2. bulk path into Oxigraph")
        shards = work / "shards"
        times["shards"], peak = measure_command(
            "claimgraph.cli", "ingest", str(jsonl), "--to-nquads", str(shards),
            "--workers", "2", "--quiet")
        files = sorted(shards.glob(f"*{SHARD_SUFFIX}"))
        size = sum(path.stat().st_size for path in files) / 2**20
        print(f"   ingest --to-nquads             {times['shards']:7.1f} s  peak {peak:.0f} MiB"
              f"  ({len(files)} shards, {size:.0f} MiB)")
        loaded = work / "loaded"
        times["oxigraph load"] = timed_command(str(OXIGRAPH), "load", "--location", str(loaded),
                                               "--file", *map(str, files))
        print(f"   oxigraph load                  {times['oxigraph load']:7.1f} s")
        times["merge"], _ = measure_command("claimgraph.cli", "merge", "--store", str(loaded))
        print(f"   claimgraph merge --store       {times['merge']:7.1f} s")
        bulk = times["shards"] + times["oxigraph load"] + times["merge"]
        print(f"   bulk path in all               {bulk:7.1f} s  ratio ingest / bulk "
              f"{times['ingest'] / bulk:.2f}x; load + merge alone: "
              f"{times['oxigraph load'] + times['merge']:.1f} s")

        exports = {}
        for name, path in (("ingest", work / "ingested"), ("oxigraph load", loaded)):
            with Store.open(path, read_only=True) as store:
                exports[name] = work / f"{name.replace(' ', '-')}.nq"
                store.export(exports[name])
                if name == "ingest":
                    quads = len(store)
                    articles = store.article_count()
        print(f"   {articles} articles, {quads:,} quads in each store")

        instance = None
        if virtuoso.available():
            print("3. the same shards into Virtuoso (bulk loader), then merge over HTTP")
            instance = virtuoso.VirtuosoInstance.start(
                work / "virtuoso", free_port(), free_port(), buffers=170_000,
                dirs_allowed=(shards,))
            times["virtuoso load"] = seconds(lambda: virtuoso.bulk_load(instance, shards))
            print(f"   ld_dir + rdf_loader_run x2     {times['virtuoso load']:7.1f} s")
            times["virtuoso merge"], _ = measure_command(
                "claimgraph.cli", "merge", "--endpoint", instance.sparql_url)
            print(f"   claimgraph merge --endpoint    {times['virtuoso merge']:7.1f} s")
            exports["virtuoso"] = work / "virtuoso.nq"
            with RemoteStore(instance.sparql_url) as remote:
                remote.export(exports["virtuoso"])
            if args.remote_ingest:
                second = virtuoso.VirtuosoInstance.start(
                    work / "virtuoso-ingest", free_port(), free_port(), buffers=170_000)
                try:
                    times["virtuoso ingest"], _ = measure_command(
                        "claimgraph.cli", "ingest", str(jsonl), "--endpoint", second.sparql_url,
                        "--workers", "2", "--quiet")
                    print(f"   claimgraph ingest --endpoint   {times['virtuoso ingest']:7.1f} s"
                          f"  (normal ingest over HTTP)")
                    exports["virtuoso ingest"] = work / "virtuoso-ingest.nq"
                    with RemoteStore(second.sparql_url) as remote:
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
                with open_store(loaded, read_only=True) as local, \
                        RemoteStore(instance.sparql_url) as remote:
                    for name, query in readme_queries(local).items():
                        rows = len(local.select(query))
                        remote_rows = len(remote.select(query))
                        local_ms = median_ms(lambda q=query: local.select(q), args.repeat)
                        remote_ms = median_ms(lambda q=query: remote.select(q), args.repeat)
                        print(f"   {name:40} {rows:4} rows {local_ms:8.1f} ms | "
                              f"{remote_rows:4} rows {remote_ms:8.1f} ms  "
                              f"ratio {remote_ms / local_ms:5.1f}x")
                        same &= rows == remote_rows
            finally:
                instance.stop()
        print("times (s): " + ", ".join(f"{name} {value:.1f}" for name, value in times.items()))
        sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
