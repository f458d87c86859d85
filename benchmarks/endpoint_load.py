"""Load on the SPARQL endpoint: claimgraph serve against Oxigraph's own server, side by side.

Both serve one store (the 84 PolNeAR dev articles, ingested once and cached) read-only on
loopback. For each of keep-alive and new-connection clients, with 1 and 8 threads, both are
sent the same label queries (``SELECT ?label WHERE { <entity> skos:prefLabel ?label }``,
declared prefixes, JSON results), the two servers taking turns; the script prints p50, p95,
p99 and max latency, throughput and the claimgraph/Oxigraph ratio of each.

Then the runaway check: ten cartesian-product queries at once with a 2 s timeout, and the
latency of a label query and the endpoint's CPU use in the seconds after their 503s.

    python benchmarks/endpoint_load.py [--queries 2000] [--store DIR]
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import POLNEAR  # noqa: E402

from claimgraph import ingest, load_pipeline, open_store  # noqa: E402

OXIGRAPH = Path(sys.executable).with_name("oxigraph")
LABEL_QUERY = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
               "SELECT ?label WHERE {{ <{entity}> skos:prefLabel ?label }}")
RUNAWAY_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def build_store(path: Path) -> Path:
    """Ingest the PolNeAR dev articles into ``path`` once; return it."""
    if (path / "CURRENT").is_file():
        return path
    if not POLNEAR.is_dir():
        sys.exit(f"the PolNeAR corpus is not at {POLNEAR}")
    print(f"ingesting the dev articles into {path} (once) …", file=sys.stderr)
    with open_store(path) as store:
        ingest([POLNEAR / "dev" / "text"], store, load_pipeline(), progress=False)
    return path


def entity_iris(path: Path) -> list[str]:
    with open_store(path) as store:
        rows = store.select("SELECT ?e WHERE { ?e a cg:Entity }")
    return [str(row["e"]) for row in rows]


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(command: list[str], port: int) -> subprocess.Popen:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/query?query=ASK%7B%7D",
                               headers={"Accept": "application/sparql-results+json"})
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    sys.exit(f"{command[0]} did not start")


def run_load(port: int, paths: list[str], threads: int, keep_alive: bool) -> dict[str, float]:
    """Send every path with ``threads`` clients; return latency percentiles and throughput."""
    latencies: list[float] = []
    failures = [0]
    share = [paths[index::threads] for index in range(threads)]
    lock = threading.Lock()

    def client(mine: list[str]) -> None:
        connection = None
        own: list[float] = []
        for path in mine:
            started = time.perf_counter()
            try:
                if connection is None:
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                connection.request("GET", path,
                                   headers={"Accept": "application/sparql-results+json"})
                response = connection.getresponse()
                body = response.read()
                if response.status != 200 or b"bindings" not in body:
                    failures[0] += 1
            except OSError:
                failures[0] += 1
                connection = None
            own.append(time.perf_counter() - started)
            if not keep_alive and connection is not None:
                connection.close()
                connection = None
        with lock:
            latencies.extend(own)

    started = time.perf_counter()
    workers = [threading.Thread(target=client, args=(part,)) for part in share]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    cut = statistics.quantiles(latencies, n=100)
    return {"p50": cut[49] * 1000, "p95": cut[94] * 1000, "p99": cut[98] * 1000,
            "max": max(latencies) * 1000, "per_s": len(latencies) / elapsed,
            "failed": failures[0]}


def cpu_seconds(pids: list[int]) -> float:
    """Return the CPU time used so far by processes ``pids`` and their children (Linux)."""
    total = 0.0
    tick = 100.0
    for pid in pids:
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            children = []
        for process in [str(pid), *children]:
            try:
                fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def runaway(port: int, pid: int, label_path: str) -> str:
    """Ten runaway queries, then a label query's latency and the endpoint's CPU after."""
    path = "/query?" + urllib.parse.urlencode({"query": RUNAWAY_QUERY})
    statuses: list[int] = []

    def slow() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", path, headers={"Accept": "application/sparql-results+json"})
        response = connection.getresponse()
        response.read()
        statuses.append(response.status)

    started = time.perf_counter()
    clients = [threading.Thread(target=slow) for _ in range(10)]
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    answered = time.perf_counter() - started
    before = cpu_seconds([pid])
    time.sleep(2)
    cpu_share = (cpu_seconds([pid]) - before) / 2
    latency = run_load(port, [label_path] * 50, 1, True)["p50"]
    return (f"10 runaway queries answered {sorted(statuses)} within {answered:.1f} s; "
            f"CPU in the 2 s after: {cpu_share:.0%} of a core; a label query then: "
            f"p50 {latency:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--store", type=Path,
                        default=Path(tempfile.gettempdir()) / "claimgraph-endpoint-bench.store")
    arguments = parser.parse_args()
    if not OXIGRAPH.is_file():
        sys.exit("Oxigraph's server is not installed (pip install oxigraph)")
    store = build_store(arguments.store)
    entities = entity_iris(store)
    random.seed(7)
    paths = ["/query?" + urllib.parse.urlencode(
        {"query": LABEL_QUERY.format(entity=random.choice(entities))})
        for _ in range(arguments.queries)]
    ports = {"claimgraph": free_port(), "oxigraph": free_port()}
    claimgraph_bin = shutil.which("claimgraph") or sys.exit("claimgraph is not installed")
    servers = {
        "claimgraph": start([claimgraph_bin, "serve", "--store", str(store), "--port",
                             str(ports["claimgraph"]), "--quiet", "--timeout", "2"],
                            ports["claimgraph"]),
        "oxigraph": start([str(OXIGRAPH), "serve-read-only", "--location", str(store),
                           "--bind", f"127.0.0.1:{ports['oxigraph']}", "--union-default-graph",
                           "--timeout-s", "2"], ports["oxigraph"]),
    }
    print(f"store: {store}, {len(entities)} entities; {arguments.queries} label queries a run")
    header = f"{'clients':<24}{'server':<12}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}" \
             f"{'max ms':>9}{'req/s':>8}{'failed':>7}"
    print(header)
    summary = []
    try:
        for keep_alive in (True, False):
            for threads in (1, 8):
                label = f"{'keep-alive' if keep_alive else 'new conn.'}, {threads} thread" + (
                    "s" if threads > 1 else "")
                results = {}
                for name in ("oxigraph", "claimgraph"):
                    run_load(ports[name], paths[:100], threads, keep_alive)  # warm up
                    results[name] = run_load(ports[name], paths, threads, keep_alive)
                    row = results[name]
                    print(f"{label:<24}{name:<12}{row['p50']:8.1f}{row['p95']:8.1f}"
                          f"{row['p99']:8.1f}{row['max']:9.1f}{row['per_s']:8.0f}"
                          f"{row['failed']:7d}")
                ratio = results["claimgraph"]["p50"] / results["oxigraph"]["p50"]
                summary.append(f"{label}: p50 ratio claimgraph/oxigraph {ratio:.2f}, "
                               f"claimgraph max {results['claimgraph']['max']:.0f} ms")
        print()
        print("\n".join(summary))
        print()
        for name in ("claimgraph", "oxigraph"):
            print(f"{name}: {runaway(ports[name], servers[name].pid, paths[0])}")
        print(json.dumps({"entities": len(entities), "queries": arguments.queries}))
    finally:
        for process in servers.values():
            process.terminate()
            process.wait(timeout=10)


if __name__ == "__main__":
    main()
