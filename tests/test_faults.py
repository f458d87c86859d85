"""kill -9 of an ingest, with one process and with two workers, at several points: no
process is left behind, and a re-run gives exactly the store a clean ingest gives."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import EXAMPLE_ARTICLE, claim_clusters
from spacy.language import Language

from claimgraph import ingest
from claimgraph.errors import StoreError
from claimgraph.graph.rdf import CLUSTERS_GRAPH
from claimgraph.graph.store import Store

ARTICLE = EXAMPLE_ARTICLE.read_text(encoding="utf-8")
PORTS = ["Rotterdam", "Hamburg", "Genoa", "Gdansk", "Lisbon", "Valencia", "Piraeus", "Riga",
         "Bremen", "Trieste", "Marseille", "Bilbao"]
MINISTERS = ["Robert Weber", "Anna Schmidt"]
#: Articles in the corpus: more than one batch of 16 (one process) or 8 (a worker's).
ARTICLES = len(PORTS) * len(MINISTERS)

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="reads processes from /proc")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("ports")
    for number, (port, minister) in enumerate(
            (port, minister) for port in PORTS for minister in MINISTERS):
        text = (ARTICLE.replace("Rotterdam", port).replace("Robert Weber", minister)
                .replace("Weber", minister.split()[-1]))
        (folder / f"port-{number:02d}.txt").write_text(text, encoding="utf-8")
    return folder


def nquads(path: Path) -> tuple[str, set[frozenset[str]]]:
    """The store as N-Quads without its claim clusters (whose matching order and names
    follow the order articles were matched in), and the clusters as sets of claims."""
    buffer = io.BytesIO()
    with Store.open(path, read_only=True) as store:
        store.export(buffer, "nq")
        clusters = claim_clusters(store)
    lines = buffer.getvalue().decode("utf-8").splitlines(True)
    return "".join(line for line in lines
                   if not line.rstrip().endswith(f"<{CLUSTERS_GRAPH}> .")), clusters


@pytest.fixture(scope="module")
def clean(corpus: Path, nlp: Language, tmp_path_factory) -> tuple[str, set[frozenset[str]]]:
    path = tmp_path_factory.mktemp("clean") / "clean.store"
    with Store.open(path) as store:
        assert ingest([corpus], store, nlp).added == ARTICLES
    return nquads(path)


def stored_articles(path: Path) -> int:
    try:
        with Store.open(path, read_only=True) as store:
            return store.article_count()
    except StoreError:  # not created yet
        return -1


def session_processes(session: int) -> list[tuple[int, str]]:
    """Return (pid, command) of the live (not zombie) processes of a session."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        state, process_session = fields[0], int(fields[3])
        if process_session == session and state != "Z":
            found.append((int(entry.name), command))
    return found


def kill_ingest(corpus: Path, store: Path, workers: int, after: int) -> list[tuple[int, str]]:
    """Start an ingest, kill -9 it once ``after`` articles are stored (once the store
    exists for 0); return the processes of its session still alive 15 s later."""
    process = subprocess.Popen(
        [sys.executable, "-m", "claimgraph.cli", "ingest", str(corpus), "--store", str(store),
         "--workers", str(workers), "--quiet"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while stored_articles(store) < after and process.poll() is None:
            assert time.monotonic() < deadline, "the ingest made no progress"
            time.sleep(0.05)
        assert process.poll() is None, "the ingest ended before it could be killed"
        if workers > 1:  # let the workers start
            while len(session_processes(process.pid)) < 2 + workers:
                assert time.monotonic() < deadline, "the workers did not start"
                time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        deadline = time.monotonic() + 15
        while session_processes(process.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        return session_processes(process.pid)
    finally:
        for pid, _command in session_processes(process.pid):  # never leak them
            os.kill(pid, signal.SIGKILL)


# Kill points: the store just opened (nothing stored), and some batches stored.
@pytest.mark.parametrize(("workers", "after"), [(1, 0), (1, 1), (2, 0), (2, 9)])
def test_kill_9_leaves_no_process_and_a_rerun_equals_a_clean_ingest(
        workers: int, after: int, corpus: Path, clean: str, nlp: Language,
        tmp_path: Path) -> None:
    store = tmp_path / "killed.store"
    left = kill_ingest(corpus, store, workers, after)
    assert left == []
    stored = stored_articles(store)
    print(f"--workers {workers}: killed with {stored} of {ARTICLES} articles stored")
    assert after <= stored <= ARTICLES
    with Store.open(store) as reopened:  # no partial article, nothing locked
        summary = ingest([corpus], reopened, nlp)
    assert (summary.unchanged, summary.added) == (stored, ARTICLES - stored)
    assert nquads(store) == clean


@pytest.mark.parametrize("workers", [1, 2])
def test_ctrl_c_exits_130_with_a_summary_of_exactly_what_is_stored(
        workers: int, corpus: Path, tmp_path: Path) -> None:
    store = tmp_path / "interrupted.store"
    process = subprocess.Popen(
        [sys.executable, "-m", "claimgraph.cli", "ingest", str(corpus), "--store", str(store),
         "--workers", str(workers), "--quiet"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
        # as from a terminal (a test runner may have started us with SIGINT ignored)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 240
        while stored_articles(store) < 1 and process.poll() is None:
            assert time.monotonic() < deadline, "the ingest made no progress"
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
        _, err = process.communicate(timeout=120)
    finally:
        for pid, _command in session_processes(process.pid):
            os.kill(pid, signal.SIGKILL)
    message = err.decode()
    assert process.returncode == 130, message
    assert "Traceback" not in message
    stored = stored_articles(store)
    assert f"claimgraph: interrupted; stored until then: {stored} articles ({stored} added," \
        in message
    assert 1 <= stored < ARTICLES
