"""Time and peak memory of ``claimgraph report`` against ``claimgraph ingest``, side by side.

    python benchmarks/report_speed.py            # the 84 PolNeAR dev articles
    python benchmarks/report_speed.py --all      # all 924 train + dev articles

The articles go in as JSON Lines made from ../shared/polnear (text, and the title,
publisher and date of ``metadata.tsv``, so that the report draws its weekly charts), written
to a temporary folder. Both commands run in child processes (peak = their VmHWM). The
vega-embed bundle is made (~9 s, once per machine) before the timing starts. Prints both
times, the ratio report/ingest, the peaks, and the pages written.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from _common import POLNEAR, POLNEAR_TEXTS, measure_command

from claimgraph.graph.report import vega_bundle
from claimgraph.loaders.brat import read_metadata


def write_articles(folders: list[Path], target: Path) -> int:
    """Write the .txt articles of ``folders`` as one JSON Lines file; return how many."""
    metadata = read_metadata(POLNEAR / "metadata.tsv")
    count = 0
    with target.open("w", encoding="utf-8") as out:
        for folder in folders:
            for path in sorted(folder.glob("*.txt")):
                about = metadata.get(path.stem)
                record = {"id": path.stem, "text": path.read_text(encoding="utf-8")}
                if about is not None:
                    record |= {key: value for key, value in (
                        ("title", about.title), ("publisher", about.publisher),
                        ("date", about.date)) if value}
                out.write(json.dumps(record) + "\n")
                count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--all", action="store_true", help="train + dev (924 articles)")
    parser.add_argument("--min-claims", type=int, default=1)
    args = parser.parse_args()
    folders = POLNEAR_TEXTS if args.all else [POLNEAR / "dev" / "text"]
    vega_bundle()  # a one-off per machine, not part of the report's cost
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        articles = write_articles(folders, work / "articles.jsonl")
        store = str(work / "store")
        ingest_s, ingest_mib = measure_command(
            "claimgraph.cli", "ingest", str(work / "articles.jsonl"), "--store", store,
            "--quiet")
        report = ["claimgraph.cli", "report", "--store", store, "--min-claims",
                  str(args.min_claims)]
        report_s, report_mib = measure_command(*report, "-o", str(work / "site"))
        site = work / "site"
        pages = {name: len(list((site / name).glob("*.html"))) for name in
                 ("articles", "entities")}
        size = sum(path.stat().st_size for path in site.rglob("*") if path.is_file())
    print(f"{articles} articles: ingest {ingest_s:.1f} s (peak {ingest_mib:,.0f} MiB); "
          f"report {report_s:.1f} s (peak {report_mib:,.0f} MiB)")
    print(f"report / ingest time: {report_s / ingest_s:.2f}; "
          f"peak memory report / ingest: {report_mib / ingest_mib:.2f}")
    print(f"pages: {pages['articles']} articles, {pages['entities']} entities "
          f"(--min-claims {args.min_claims}), site {size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
