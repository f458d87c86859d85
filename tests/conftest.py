"""Shared fixtures: the spaCy pipeline (loaded once) and the paths of ../shared."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
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


@pytest.fixture(scope="module")
def virtuoso_instance(tmp_path_factory) -> Iterator:
    """A Virtuoso Open Source 7 server of the module's own (Debian's package) on free
    loopback ports, with its database in a temporary folder; its bulk loader may read
    the test run's temporary folders."""
    from claimgraph.graph import virtuoso

    if not virtuoso.available():
        pytest.skip("Virtuoso is not installed (apt-get install virtuoso-opensource)")
    instance = virtuoso.VirtuosoInstance.start(
        tmp_path_factory.mktemp("virtuoso"), free_port(), free_port(),
        dirs_allowed=(tmp_path_factory.getbasetemp(),))
    try:
        yield instance
    finally:
        instance.stop()


@pytest.fixture
def virtuoso_server(virtuoso_instance) -> str:
    """The URL of the module's Virtuoso SPARQL endpoint, emptied of claimgraph's graphs."""
    from claimgraph.graph.remote import RemoteStore

    with RemoteStore(virtuoso_instance.sparql_url) as store:
        for graph in store._graph_names():
            store.update(f"DROP SILENT GRAPH {graph}")
    return virtuoso_instance.sparql_url


def assert_changed_article_replaces_its_graph(store, nlp) -> None:
    """Ingest an article, then a changed text under the same id, into ``store``: the
    second replaces the first whole (its claim gone), in any kind of store."""
    from claimgraph import Document, ingest

    first = Document(id="statement", text="The minister said that the bridge would reopen.")
    second = Document(id="statement", text="The mayor denied that the bridge was unsafe.")
    assert str(ingest([first], store, nlp)).startswith("1 articles (1 added")
    assert str(ingest([second], store, nlp)).startswith("1 articles (0 added, 1 replaced")
    rows = store.select("SELECT ?cue ?text WHERE { ?c cg:cueText ?cue ; schema:text ?text }")
    assert [(str(row["cue"]), str(row["text"])) for row in rows] == [
        ("denied", "that the bridge was unsafe")]
    assert store.article_count() == 1
    assert not store.query('ASK { ?c schema:text ?t FILTER(CONTAINS(?t, "reopen")) }')


# --- a dated store, for the network views and exports ----------------------------------

EXAMPLE_DATE = "2024-03-05"
SEED_DATE = "2020-10-07"


@pytest.fixture(scope="session")
def dated_store(nlp, tmp_path_factory):
    """A store of the example article dated EXAMPLE_DATE and, where ../shared holds it,
    the seed article dated SEED_DATE (given as ``ingest --date`` gives them)."""
    from claimgraph import ingest, open_store

    store = open_store(tmp_path_factory.mktemp("dated") / "store")
    ingest([EXAMPLE_ARTICLE], store, nlp, default_date=EXAMPLE_DATE)
    if SEED_ARTICLE.is_file():
        ingest([SEED_ARTICLE], store, nlp, default_date=SEED_DATE)
    yield store
    store.close()


# --- the schemas and readers the exports are checked with ------------------------------

# The upstream GEXF 1.3 grammar and GraphML XML Schema are third-party files the project does
# not ship: the tests read them from ../shared/schemas (gexf-1.3/gexf.rng with dynamics.rng
# and viz.rng; graphml-1.0/graphml.xsd with graphml-structure.xsd and xlink.xsd) and skip
# the validation where they are absent. CLAIMGRAPH_SCHEMAS names another folder.
SCHEMAS = Path(os.environ.get("CLAIMGRAPH_SCHEMAS") or SHARED / "schemas")
JS_READERS = Path(__file__).resolve().parent / "js"


def assert_valid_gexf(gexf: bytes, *, required: bool = False) -> None:
    """Fail unless ``gexf`` is valid against the upstream GEXF 1.3 grammar (RELAX NG).

    Without the grammar (see :data:`SCHEMAS`) the check is skipped with a warning, or the
    whole test when ``required``: the rest of a test's assertions still run.
    """
    from lxml import etree

    grammar_path = SCHEMAS / "gexf-1.3" / "gexf.rng"
    if not _schema_present(grammar_path, required):
        return
    grammar = etree.RelaxNG(etree.parse(str(grammar_path)))
    if not grammar.validate(etree.fromstring(gexf)):
        raise AssertionError(f"not valid GEXF 1.3: {grammar.error_log.last_error}")


def _schema_present(path: Path, required: bool) -> bool:
    if path.is_file():
        return True
    reason = f"{path} is absent: not validated against it"
    if required:
        pytest.skip(reason)
    warnings.warn(reason, stacklevel=3)
    return False


def read_with_graphology(path: Path) -> dict:
    """Read a GEXF file with graphology-gexf, Gephi Lite's parser, in Node; return what
    tests/js/read_gexf.mjs prints. Skips where node or the npm packages are absent."""
    import json

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (graphology-gexf runs in Node)")
    if not (JS_READERS / "node_modules" / "graphology-gexf").is_dir():
        pytest.skip("graphology-gexf is not installed: npm ci --prefix tests/js")
    result = subprocess.run([node, str(JS_READERS / "read_gexf.mjs"), str(path)],
                            capture_output=True, text=True, timeout=120, check=True)
    return json.loads(result.stdout)


def assert_valid_graphml(path: Path, *, required: bool = False) -> None:
    """Fail unless the file is valid against the GraphML XML Schema (as for GEXF without it)."""
    from lxml import etree

    schema_path = SCHEMAS / "graphml-1.0" / "graphml.xsd"
    if not _schema_present(schema_path, required):
        return
    schema = etree.XMLSchema(etree.parse(str(schema_path)))
    if not schema.validate(etree.parse(str(path))):
        raise AssertionError(f"not valid GraphML: {schema.error_log[0].message}")


def claim_clusters(store) -> set[frozenset[str]]:
    """The claim clusters of ``store`` as sets of member claims (their names and matching
    order follow the order articles came in; what they hold does not)."""
    members: dict[str, set[str]] = {}
    for row in store.select("SELECT ?cluster ?claim WHERE { ?m cg:inCluster ?cluster ; "
                            "cg:memberClaim ?claim }"):
        members.setdefault(str(row["cluster"]), set()).add(str(row["claim"]))
    return {frozenset(claims) for claims in members.values()}
