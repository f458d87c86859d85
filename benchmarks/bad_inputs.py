"""The bad-input matrix: run the command line on bad inputs and misuse; print one row per case.

    python benchmarks/bad_inputs.py

Not a speed benchmark: for each case it prints the exit status, whether a traceback or
crash happened, whether the good article given alongside a bad input was still stored, and
the first error line. Cases run in one process (one spaCy pipeline, loaded once); the
pipe, signal and read-only-media cases run the real command in a child process.
Ends with the count of cases and of crashes (goal: 0).
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

import claimgraph.cli
from claimgraph.cli import main
from claimgraph.graph.store import Store

REPOSITORY = Path(__file__).resolve().parents[1]
EXAMPLE = REPOSITORY / "examples" / "harbour-strike.txt"
GOOD = "The mayor said that the bridge would reopen in May."


def run(args: list[str]) -> tuple[int, str, str, bool]:
    """Run ``claimgraph args`` in this process: (status, stdout, stderr, crashed)."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    err = io.StringIO()
    crashed = False
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(args)
        except SystemExit as stop:
            status = stop.code if isinstance(stop.code, int) else 2
        except BaseException:  # noqa: BLE001 - what the matrix is looking for
            traceback.print_exc()
            status, crashed = -1, True
    out.flush()
    stdout = out.buffer.getvalue().decode("utf-8", errors="replace")
    return status, stdout, err.getvalue(), crashed or "Traceback" in err.getvalue()


def first_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("claimgraph")]
    preferred = [line for line in lines if ": error:" in line or "skipped" in line
                 or "interrupted" in line]
    return (preferred or lines or [stderr.strip().splitlines()[-1] if stderr.strip() else ""]
            )[0]


def articles(store: Path) -> int:
    try:
        with Store.open(store, read_only=True) as opened:
            return opened.article_count()
    except Exception:  # noqa: BLE001
        return -1


def main_matrix() -> None:
    # One pipeline for every in-process case.
    claimgraph.cli.load_pipeline = functools.lru_cache(maxsize=None)(claimgraph.cli.load_pipeline)
    rows: list[tuple[str, int, bool, str, str]] = []
    root = Path(tempfile.mkdtemp(prefix="claimgraph-bad-"))
    good = root / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    counter = iter(range(10_000))

    def ingest_case(name: str, path: Path, expect_good: bool = True) -> None:
        store = root / f"s{next(counter)}.store"
        status, _out, err, crashed = run(["ingest", str(path), str(good), "--store", str(store),
                                          "--quiet"])
        kept = "good stored" if articles(store) >= 1 else "GOOD LOST"
        rows.append((name, status, crashed, kept if expect_good else "", first_line(err)))

    def file(name: str, data: bytes | str) -> Path:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
        return path

    def jsonl(name: str, *lines: str | bytes) -> Path:
        return file(name, b"\n".join(line if isinstance(line, bytes) else line.encode()
                                      for line in lines) + b"\n")

    # ---- input files
    ingest_case("missing file", root / "nope.txt")
    ingest_case("missing folder", root / "nope/")
    ingest_case("empty .txt", file("empty.txt", ""))
    ingest_case("whitespace-only .txt", file("blank.txt", " \n\t\n"))
    ingest_case("binary .txt (NUL bytes)", file("binary.txt", b"\x00\x01PK\x03"))
    ingest_case("Latin-1 .txt", file("latin1.txt", "Le maire a déclaré".encode("latin-1")))
    ingest_case("UTF-16 .txt", file("utf16.txt", "The mayor said so.".encode("utf-16")))
    ingest_case("folder without articles", (root / "nothing").mkdir() or root / "nothing")
    ingest_case("PDF named on the command line", file("report.pdf", b"%PDF-1.4\x00\x00"))
    ingest_case("ESC/BEL control characters in text",
                file("ctl.txt", "The mayor said \x1b[31mthe bridge\x07 would reopen."))
    ingest_case("byte-order mark", file("bom.txt", "\ufeff" + GOOD))
    ingest_case("CRLF line ends", file("crlf.txt", GOOD.replace(". ", ".\r\n") + "\r\n"))
    ingest_case("200,000 characters, no space", file("xs.txt", "x" * 200_000))
    ingest_case("unbalanced quotation marks", file("quotes.txt",
                "“We will strike, the union said. \"Never, he said. « Fine."))
    ingest_case("duplicate id (same stem in two places)", file("a/good.txt", GOOD))
    ingest_case("empty .jsonl", file("empty.jsonl", ""))
    ingest_case("binary .jsonl", file("binary.jsonl", b'{"text": "x"}\x00'))
    ingest_case("malformed JSON line", jsonl("malformed.jsonl", '{"text": "x"'))
    ingest_case("JSON array line", jsonl("array.jsonl", '["a", "b"]'))
    ingest_case("JSON string line", jsonl("string.jsonl", '"just text"'))
    ingest_case("JSON number line", jsonl("number.jsonl", "42"))
    ingest_case("JSON null line", jsonl("null.jsonl", "null"))
    ingest_case("JSON nested 100,000 deep", jsonl("deep.jsonl", "[" * 100_000))
    ingest_case("record without text", jsonl("notext.jsonl", '{"id": "x"}'))
    ingest_case('"text": ""', jsonl("emptytext.jsonl", '{"text": ""}'))
    ingest_case('"text": "   "', jsonl("blanktext.jsonl", '{"text": "   "}'))
    ingest_case('"text": 42', jsonl("text42.jsonl", '{"text": 42}'))
    ingest_case('"text": 1e999', jsonl("textinf.jsonl", '{"text": 1e999}'))
    ingest_case('"text": [..]', jsonl("textlist.jsonl", '{"text": ["a"]}'))
    ingest_case('"text": null', jsonl("textnull.jsonl", '{"text": null}'))
    ingest_case('"text" with a lone surrogate \\ud800',
                jsonl("surrogate.jsonl", '{"text": "Police said \\ud800 it was closed."}'))
    ingest_case('"title" with a lone surrogate \\udfff',
                jsonl("surrogate-title.jsonl", '{"text": "Police said so.", "title": "\\udfff"}'))
    ingest_case("not UTF-8 in one line", jsonl("latin.jsonl", b'{"text": "caf\xe9"}'))
    ingest_case('"id": true', jsonl("idbool.jsonl", '{"id": true, "text": "Police said so."}'))
    ingest_case('"id": {}', jsonl("idobj.jsonl", '{"id": {}, "text": "Police said so."}'))
    ingest_case('"id": 1.5', jsonl("idfloat.jsonl", '{"id": 1.5, "text": "Police said so."}'))
    ingest_case('"date": "last Tuesday"',
                jsonl("date.jsonl", '{"text": "Police said so.", "date": "last Tuesday"}'))
    ingest_case('"date": 20201007', jsonl("datenum.jsonl", '{"text": "Police said so.", '
                                                           '"date": 20201007}'))
    for label, url in [("javascript:", "javascript:alert(1)"), ("not a url", "not a url"),
                       ("relative", "/news/a"), ("ftp:", "ftp://example.org/a"),
                       ("http: without host", "http://"), ("with spaces",
                                                           "https://example.org/a b")]:
        ingest_case(f'"url": {label}', jsonl(f"url-{next(counter)}.jsonl", json.dumps(
            {"text": "Police said so.", "url": url})))
    ingest_case('"url": 42', jsonl("urlnum.jsonl", '{"text": "Police said so.", "url": 42}'))
    ingest_case('"publisher": []', jsonl("pub.jsonl", '{"text": "Police said so.", '
                                                      '"publisher": []}'))
    ingest_case("duplicate id within a .jsonl", jsonl("dup.jsonl", '{"id": "d", "text": "A."}',
                                                      '{"id": "d", "text": "B said so."}'))
    three = jsonl("three.jsonl", '{"id": "one", "text": "The mayor said so."}',
                  '{"id": "two", "text": "Police said \\ud800 so."}',
                  '{"id": "three", "text": "The council denied it."}')
    store = root / "three.store"
    status, _, err, crashed = run(["ingest", str(three), "--store", str(store), "--quiet"])
    rows.append(("surrogate between two good records", status, crashed,
                 f"{articles(store)} of 3 stored", first_line(err)))

    # ---- stores and options
    store = root / "example.store"
    run(["ingest", str(EXAMPLE), "--store", str(store), "--quiet"])
    afile = file("afile", "x")
    other = root / "other"
    other.mkdir()
    (other / "notes.md").write_text("x")
    query = "SELECT ?id WHERE { ?a cg:articleId ?id }"
    cases = [
        ("ingest --store is a file", ["ingest", str(good), "--store", str(afile)]),
        ("ingest --store is a folder of other files", ["ingest", str(good), "--store",
                                                        str(other)]),
        ("query, mistyped --store", ["query", query, "--store", str(root / "exmaple.store")]),
        ("export, mistyped --store", ["export", "--format", "nq", "-o", str(root / "o.nq"),
                                      "--store", str(root / "exmaple.store")]),
        ("check, mistyped --store", ["check", "--store", str(root / "exmaple.store")]),
        ("remove, mistyped --store", ["remove", "x", "--store", str(root / "exmaple.store")]),
        ("query, --store is a file", ["query", query, "--store", str(afile)]),
        ("bad SPARQL", ["query", "SELECT WHERE {", "--store", str(store)]),
        ("query file missing (.rq)", ["query", str(root / "nope.rq"), "--store", str(store)]),
        ("query file not UTF-8", ["query", str(file("latin.rq", b"SELECT \xe9")),
                                  "--store", str(store)]),
        ("query string of 300+ chars, no /", ["query", "ASK { ?c cg:cueText 'denied' "
                                              + " " * 300 + "}", "--store", str(store)]),
        ("an update given to query", ["query", "INSERT DATA { <x:a> <x:b> <x:c> }",
                                      "--store", str(store)]),
        ("--format csv on CONSTRUCT", ["query", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
                                       "--format", "csv", "--store", str(store)]),
        ("--format tsv on DESCRIBE", ["query", "DESCRIBE entity:antwerp-belgium", "--format",
                                      "tsv", "--store", str(store)]),
        ("--view with an RDF export", ["export", "--format", "ttl", "--view", "sources",
                                       "-o", str(root / "x.ttl"), "--store", str(store)]),
        ("export gexf to a missing folder", ["export", "--format", "gexf", "-o",
                                             str(root / "no/dir/x.gexf"), "--store", str(store)]),
        ("export graphml to a missing folder", ["export", "--format", "graphml", "-o",
                                                str(root / "no/dir/x.graphml"),
                                                "--store", str(store)]),
        ("export to a folder", ["export", "--format", "nq", "-o", str(root),
                                "--store", str(store)]),
        ("export to /dev/full (disk full)", ["export", "--format", "nq", "-o", "/dev/full",
                                             "--store", str(store)]),
        ("export --format yaml", ["export", "--format", "yaml", "-o", "x", "--store",
                                  str(store)]),
        ("ingest --workers 0", ["ingest", str(good), "--store", str(store), "--workers", "0"]),
        ("ingest --workers abc", ["ingest", str(good), "--store", str(store), "--workers",
                                  "abc"]),
        ("ingest --model that is not installed", ["ingest", str(good), "--store", str(store),
                                                  "--model", "xx_no_such_model"]),
        ("unknown command", ["frobnicate"]),
        ("no command", []),
        ("--version", ["--version"]),
        ("remove an id that is not stored", ["remove", "no-such-id", "--store", str(store)]),
        ("check a consistent store", ["check", "--store", str(store)]),
        ("evaluate a missing folder", ["evaluate", str(root / "nogold")]),
        ("query --endpoint on a closed port", ["query", query, "--endpoint",
                                               "http://127.0.0.1:9"]),
    ]
    for name, args in cases:
        status, _out, err, crashed = run(args)
        rows.append((name, status, crashed, "", first_line(err)))
    with Store.open(store):  # a running ingest holds the writer's lock
        status, out, err, crashed = run(["query", query, "--store", str(store)])
        rows.append(("query while an ingest holds the store", status, crashed,
                     out.splitlines()[2].strip() if status == 0 else "", first_line(err)))
        status, out, err, crashed = run(["ingest", str(good), "--store", str(store)])
        rows.append(("a second ingest into a store in use", status, crashed, "",
                     first_line(err)))
    status, out, err, crashed = run(["query", "SELECT ?t WHERE { ?a nif:isString ?t "
                                     "FILTER(CONTAINS(?t, 'mayor said')) }", "--store",
                                     str(root / "s9.store")])
    rows.append(("table output of ESC/BEL text", status, crashed,
                 "escaped" if "\x1b" not in out and "\\x1b" in out else "RAW", first_line(err)))

    # ---- child processes: pipes, signals, read-only media
    command = [sys.executable, "-m", "claimgraph.cli"]
    extract = subprocess.Popen([*command, "extract", str(EXAMPLE), str(root / "quotes.txt"),
                                str(good)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    extract.stdout.read(10)
    extract.stdout.close()
    _, err = extract.communicate()
    rows.append(("extract | head -c 10", extract.returncode, b"Traceback" in err, "",
                 first_line(err.decode())))
    corpus = root / "corpus"
    corpus.mkdir()
    for number in range(40):
        (corpus / f"a{number:02d}.txt").write_text(
            EXAMPLE.read_text(encoding="utf-8").replace("Rotterdam", f"Port {number}"),
            encoding="utf-8")
    interrupted_store = root / "interrupted.store"
    # As from a terminal: a shell's background job would inherit SIGINT ignored.
    ingest = subprocess.Popen([*command, "ingest", str(corpus), "--store",
                               str(interrupted_store), "--quiet"], stderr=subprocess.PIPE,
                              preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    while articles(interrupted_store) < 1:
        time.sleep(0.1)
    ingest.send_signal(signal.SIGINT)
    _, err = ingest.communicate()
    rows.append(("Ctrl-C (SIGINT) during ingest", ingest.returncode, b"Traceback" in err,
                 f"{articles(interrupted_store)} of 40 stored", first_line(err.decode())))
    mounted = root / "readonly"
    mounted.mkdir()
    if subprocess.run(["mount", "--bind", str(store), str(mounted)],
                      capture_output=True).returncode == 0:
        try:
            subprocess.run(["mount", "-o", "remount,bind,ro", str(mounted)], check=True)
            result = subprocess.run([*command, "query", query, "--store", str(mounted)],
                                    capture_output=True, text=True)
            rows.append(("query a store on read-only media", result.returncode,
                         "Traceback" in result.stderr, "", first_line(result.stderr)))
            result = subprocess.run([*command, "ingest", str(good), "--store", str(mounted),
                                     "--quiet"], capture_output=True, text=True)
            rows.append(("ingest into a store on read-only media", result.returncode,
                         "Traceback" in result.stderr, "", first_line(result.stderr)))
        finally:
            subprocess.run(["umount", str(mounted)], check=False)

    print("| # | case | exit | crash | batch | message |")
    print("| --- | --- | --- | --- | --- | --- |")
    for number, (name, status, crashed, kept, message) in enumerate(rows, start=1):
        message = message.replace(str(root) + os.sep, "").replace("|", "\\|")
        print(f"| {number} | {name} | {status} | {'CRASH' if crashed else 'no'} | {kept} | "
              f"{message[:150]} |")
    crashes = sum(crashed for _, _, crashed, _, _ in rows)
    lost = sum("LOST" in kept for _, _, _, kept, _ in rows)
    print(f"\n{len(rows)} cases, {crashes} crashes, {lost} good articles lost")


if __name__ == "__main__":
    main_matrix()
