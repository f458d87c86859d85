"""Shared fixtures: the spaCy pipeline (loaded once) and the paths of ../shared."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED_ARTICLE = SHARED / "seed" / "karabakh-2020.txt"
EXAMPLE_ARTICLE = Path(__file__).resolve().parents[1] / "examples" / "harbour-strike.txt"


@pytest.fixture(scope="session")
def nlp():
    """The default spaCy pipeline with claimgraph's components, loaded once per test run."""
    from claimgraph import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def dev_store(nlp, tmp_path_factory):
    """A store holding the 84 articles of PolNeAR's dev split (read from ../shared, never
    copied; the tests that use it skip without it), ingested once per test run."""
    from claimgraph import ingest, open_store

    texts = SHARED / "polnear" / "dev" / "text"
    if not texts.is_dir():
        pytest.skip(f"{texts} is absent")
    paths = sorted(texts.glob("*.txt"))
    with open_store(tmp_path_factory.mktemp("dev") / "dev.store") as store:
        assert ingest(paths, store, nlp).added == len(paths)
        yield store


@pytest.fixture(scope="session")
def seed_text() -> str:
    """The user's example article, read from ../shared (tests skip without it)."""
    if not SEED_ARTICLE.is_file():
        pytest.skip(f"{SEED_ARTICLE} is absent")
    return SEED_ARTICLE.read_text(encoding="utf-8")


# --- SPARQL servers on loopback, for the remote-store and server tests ---------------

OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))


def free_port() -> int:
    """Return a TCP port free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_listening(url: str, process: subprocess.Popen, seconds: float = 20) -> None:
    """Wait until the SPARQL server at ``url`` answers; fail if ``process`` stops first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped: {process.stderr.read().decode()}")
        try:
            urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=1).close()
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.05)
    raise RuntimeError(f"no server at {url} after {seconds} s")


@pytest.fixture
def oxigraph_server(tmp_path: Path) -> Iterator[str]:
    """An Oxigraph server on a free loopback port with an empty database; its URL."""
    if not Path(OXIGRAPH).is_file():
        pytest.skip("the oxigraph server is not installed (pip install oxigraph)")
    url = f"http://127.0.0.1:{free_port()}"
    process = subprocess.Popen(
        [OXIGRAPH, "serve", "--location", str(tmp_path / "oxigraph"), "--bind", url[7:]],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until_listening(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
