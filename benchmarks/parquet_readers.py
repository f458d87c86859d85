"""Reading a Parquet export row by row: pyarrow (what claimgraph uses) against polars.

    python benchmarks/parquet_readers.py [--rows 20000]

Writes a Parquet file of article rows (id, title, url, date, publisher and a text of about
3,000 characters, the shape of a media-monitoring export), then reads it into Python dicts
a batch at a time, as the loader does, with each library; prints the time and peak memory
of each, measured side by side in one run (each in a child process, so one's memory does
not count for the other). polars is not a claimgraph dependency: install it to compare.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from _common import measure_command

PYARROW_READ = """
import sys
import pyarrow.parquet as pq
rows = 0
for batch in pq.ParquetFile(sys.argv[1]).iter_batches(batch_size=256):
    for row in batch.to_pylist():
        rows += len(row["text"])
assert rows > 0
"""

POLARS_READ = """
import sys
import polars as pl
rows = 0
for frame in pl.scan_parquet(sys.argv[1]).collect_batches(chunk_size=256):
    for row in frame.iter_rows(named=True):
        rows += len(row["text"])
assert rows > 0
"""


def write_export(path: Path, rows: int) -> None:
    import datetime

    import pyarrow as pa
    import pyarrow.parquet as pq

    sentence = ("The minister said on Tuesday that the new port would open next spring, "
                "while the union warned that jobs were at risk. ")
    table = pa.table({
        "id": [f"row-{number}" for number in range(rows)],
        "title": [f"Story number {number}" for number in range(rows)],
        "url": [f"https://news.example.org/{number}" for number in range(rows)],
        "date": [datetime.date(2024, 1, 1) + datetime.timedelta(days=number % 365)
                 for number in range(rows)],
        "publisher": ["Harbour Times"] * rows,
        "text": [f"{number}. " + sentence * 25 for number in range(rows)],
    })
    pq.write_table(table, path, row_group_size=4096)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=20000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.parquet"
        write_export(path, args.rows)
        print(f"{args.rows} rows, {path.stat().st_size:,} bytes of Parquet")
        for name, code in (("pyarrow", PYARROW_READ), ("polars", POLARS_READ)):
            script = Path(folder) / f"read_{name}.py"
            script.write_text(code)
            try:
                __import__(name)
            except ImportError:
                print(f"{name:8} not installed")
                continue
            elapsed, peak = measure_command_script(script, path)
            print(f"{name:8} {elapsed:6.2f} s  peak {peak:6.1f} MiB  "
                  f"({args.rows / elapsed:,.0f} rows/s)")


def measure_command_script(script: Path, data: Path) -> tuple[float, float]:
    """Run one reader script in a child process; return (seconds, peak MiB)."""
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(script.parent), os.environ.get("PYTHONPATH")]))
    return measure_command(script.stem, str(data))


if __name__ == "__main__":
    main()
