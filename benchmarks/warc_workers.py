"""A WARC of a few hundred pages ingested with 1 process and with 2 workers, side by side.

    nice python benchmarks/warc_workers.py [--pages 300] [--shards 3] [--dask]

The pages are written from the project's own fixture pages (tests/data/web: a port strike,
a reservoir with a quotation in a ``<blockquote>``, an election live blog): each page's
article is four passes over the fixtures' paragraphs with other people, places and numbers,
laid out as a news page (navigation, sidebar, advertisement, comments) as in
``web_inputs.py``, so every page has its own text (no copies) and attributions to find.
The archive holds a request and a response record per page.

Each run ingests into a fresh store: the WARC file with 1 process and with ``--workers 2``
(the workers then read the archive too: one file in slices of 64 pages per task), and the
same pages as ``--shards`` WARC files in a folder. Printed: wall seconds, CPU seconds of the
ingest and every process it started (workers, fork server, Dask), and the ratios. The machine
may be shared: the wall ratio is noisy (other processes take the CPUs); the CPU seconds say
what the work cost, whatever the load.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psutil
from web_inputs import news_page, write_warc

from claimgraph import ingest, load_pipeline, open_store
from claimgraph.loaders.html import read_html_document
from claimgraph.records import Document

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "data" / "web"
#: Each fixture page, and the words of it that vary from page to page.
TEMPLATES = {
    "port-strike.html": ("Tomas Berg", "Eastmouth", "nine days", "dozens of"),
    "reservoir-blockquote.html": ("Priya Lund", "Greystone", "four decades", "a fifth"),
    "election-liveblog.html": ("Hanna Voss", "twelve", "64 percent", "twenty years"),
}
FIRST = ["Alma", "Bruno", "Carla", "Dmitri", "Elin", "Farid", "Greta", "Hugo", "Ines", "Jonas",
         "Kaia", "Luca", "Mira", "Nils", "Olga", "Pavel", "Rosa", "Sami", "Tove", "Viktor"]
LAST = ["Andersen", "Brandt", "Costa", "Dahl", "Eriksen", "Fischer", "Horvat", "Ivanova",
        "Janssen", "Kowalski", "Lindqvist", "Moreau", "Novak", "Olsen", "Petrov", "Quist"]
PLACES = ["Northfield", "Saltbridge", "Oakhaven", "Westerby", "Redmoor", "Cliffport",
          "Ashby", "Kingsmere", "Lowtown", "Stonebay", "Fairholm"]


def fixture_articles() -> list[tuple[list[str], tuple[str, ...]]]:
    """Return each fixture page's paragraphs (title first) and its varying words."""
    articles = []
    for name, words in TEMPLATES.items():
        text = read_html_document(FIXTURES / name, name).text
        articles.append((text.split("\n"), words))
    return articles


def varied_article(number: int, articles: list[tuple[list[str], tuple[str, ...]]]
                   ) -> Document:
    """Return article ``number``: four passes over the fixtures' paragraphs, each with
    another person, place and numbers (the page number among them: no two texts alike)."""
    paragraphs: list[str] = []
    title = ""
    for turn in range(4):
        lines, (person, place, amount, share) = articles[(number + turn) % len(articles)]
        index = number * 4 + turn
        name = f"{FIRST[index % len(FIRST)]} {LAST[(index // len(FIRST)) % len(LAST)]}"
        changes = {person: name, person.split()[-1]: name.split()[-1],
                   place: PLACES[index % len(PLACES)], amount: f"{number % 40 + 3} days"
                   if "days" in amount else f"{number % 60 + 10} percent"
                   if "percent" in amount else f"{number % 9 + 2} decades",
                   share: f"{number + 12}" if share == "dozens of" else f"{turn + 2} in ten"}
        varied = []
        for line in lines:
            for old, new in changes.items():
                line = line.replace(old, new)
            varied.append(line)
        title = title or varied[0]
        paragraphs += varied[1:]
    return Document(id=f"story-{number}", text="\n".join([title, *paragraphs]))


class ProcessTreeCpu:
    """CPU seconds (user + system) of this process and of every process it starts while
    the block runs (``seconds``), and of this process alone (``own``); sampled every 0.1 s
    (a process that ends counts to its last sample)."""

    def __init__(self) -> None:
        self.seconds = self.own = 0.0
        self._last: dict[int, float] = {}
        self._start: dict[int, float] = {}
        self._stop = threading.Event()

    def __enter__(self) -> ProcessTreeCpu:
        self._start = self._sample()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._last.update(self._sample())
        self.seconds = sum(value - self._start.get(pid, 0.0)
                           for pid, value in self._last.items())
        self.own = self._last[os.getpid()] - self._start[os.getpid()]

    def _watch(self) -> None:
        while not self._stop.wait(0.1):
            self._last.update(self._sample())

    @staticmethod
    def _sample() -> dict[int, float]:
        me = psutil.Process()
        found = {}
        for process in [me, *me.children(recursive=True)]:
            try:
                times = process.cpu_times()
            except psutil.Error:
                continue
            found[process.pid] = times.user + times.system
        return found


def measured(function: Callable[[], object]) -> tuple[float, float, float]:
    """Return (wall seconds, CPU seconds of the process tree, CPU seconds of this process)
    of one call of ``function``."""
    with ProcessTreeCpu() as cpu:
        start = time.perf_counter()
        function()
        wall = time.perf_counter() - start
    return wall, cpu.seconds, cpu.own


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=300, help="pages in the archive")
    parser.add_argument("--shards", type=int, default=3,
                        help="WARC files of the folder run (0: no folder run)")
    parser.add_argument("--dask", action="store_true", help="also 2 workers on Dask")
    args = parser.parse_args()

    fixtures = fixture_articles()
    articles = [varied_article(number, fixtures) for number in range(args.pages)]
    pages = [news_page(article, number) for number, article in enumerate(articles)]
    nlp = load_pipeline()
    with tempfile.TemporaryDirectory() as folder:
        archive = Path(folder) / "pages.warc.gz"
        write_warc(archive, pages)
        shards = Path(folder) / "shards"
        shards.mkdir()
        for shard in range(args.shards):
            write_warc(shards / f"shard-{shard}.warc.gz", pages[shard::args.shards])
        print(f"{args.pages} pages from the fixtures, {sum(map(len, (a.text for a in articles))):,}"
              f" characters of article text; one WARC of {2 * args.pages} records, "
              f"{archive.stat().st_size:,} bytes gzipped; {os.cpu_count()} CPUs, load average "
              f"{os.getloadavg()[0]:.1f} before", flush=True)

        def run(name: str, source: Path, **options: object) -> tuple[float, float]:
            def ingest_it() -> None:
                with open_store(Path(folder) / name) as store:
                    summary = ingest([source], store, nlp, **options)
                assert summary.added == args.pages and not summary.errors, summary
            wall, cpu, own = measured(ingest_it)
            # The ingesting process's own CPU is what stays serial (with workers: storing,
            # the store's checks), so it bounds the speed-up on an idle machine.
            print(f"  {name:28} wall {wall:6.1f} s   CPU {cpu:6.1f} s (ingesting process "
                  f"{own:5.1f} s)   {args.pages / wall:5.2f} pages/s", flush=True)
            return wall, cpu

        runs = [("one WARC, 1 process", archive, {}),
                ("one WARC, 2 workers", archive, {"workers": 2})]
        if args.shards:
            runs += [(f"{args.shards} shards, 1 process", shards, {}),
                     (f"{args.shards} shards, 2 workers", shards, {"workers": 2})]
        if args.dask:
            runs.append(("one WARC, Dask 2 workers", archive, {"workers": 2, "dask": True}))
        results = {name: run(name.replace(" ", "-").replace(",", ""), source, **options)
                   for name, source, options in runs}
    for what in ["one WARC", f"{args.shards} shards"] if args.shards else ["one WARC"]:
        (wall_1, cpu_1), (wall_2, cpu_2) = (results[f"{what}, 1 process"],
                                            results[f"{what}, 2 workers"])
        print(f"{what}: 2 workers / 1 process: {wall_1 / wall_2:.2f}x faster (wall, noisy on "
              f"a shared machine); CPU {cpu_2:.1f} / {cpu_1:.1f} s = {cpu_2 / cpu_1:.2f}")
    if args.dask:
        wall_1 = results["one WARC, 1 process"][0]
        print(f"one WARC: Dask 2 workers / 1 process: "
              f"{wall_1 / results['one WARC, Dask 2 workers'][0]:.2f}x faster (wall)")
    print(f"load average {os.getloadavg()[0]:.1f} after (other processes compete for the CPUs)")


if __name__ == "__main__":
    sys.exit(main())
