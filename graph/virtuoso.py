"""A private Virtuoso Open Source 7 instance, and Virtuoso's bulk loader for N-Quads shards.

Debian's ``virtuoso-opensource`` package ships the server (``virtuoso-t``), its SQL client
(``isql-vt``) and a configuration for the system service. :class:`VirtuosoInstance` runs
one server of one's own from a copy of that configuration with its database in a folder
of one's choosing and its ports on 127.0.0.1 (the tests and benchmarks run one each):

    with VirtuosoInstance.start(Path("virtuoso-db")) as server:
        store = RemoteStore(server.sparql_url, dialect="virtuoso")
        bulk_load(server, Path("shards/"))       # ld_dir + rdf_loader_run + checkpoint

A server started so lets anyone on the machine write (the ``SPARQL`` account gets
``SPARQL_UPDATE``): fine on loopback for a test, never on a server others reach, which
writes through ``/sparql-auth`` with a password instead.
"""

from __future__ import annotations

import configparser
import io
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Self

from claimgraph.errors import StoreError
from claimgraph.ontology import CGD

#: The configuration Debian's package installs, copied for each instance.
DEBIAN_CONFIG = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
SERVER = "virtuoso-t"
ISQL = "isql-vt"
#: Virtuoso's default administrator account, as a new database has it.
DBA = ("dba", "dba")
#: Statements that let the anonymous SPARQL account write (SPARQL Update at ``/sparql``
#: and the Graph Store Protocol at ``/sparql-graph-crud``): a test instance only.
OPEN_WRITES = ('GRANT SPARQL_UPDATE TO "SPARQL";',
               "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);")
#: The rows a SELECT may return (Debian's configuration says 10,000 and cuts the rest
#: silently: an export or a merge over a large store would miss data).
RESULT_ROWS = 100_000_000
#: ``ld_dir``'s graph for triples without one: every line of a shard names its graph.
UNNAMED_GRAPH = str(CGD["graph/unnamed"])


def available() -> bool:
    """Return whether Virtuoso's server, client and Debian configuration are installed."""
    return bool(shutil.which(SERVER) and shutil.which(ISQL) and DEBIAN_CONFIG.is_file())


def instance_config(directory: Path, http_port: int, sql_port: int, *,
                    template: Path = DEBIAN_CONFIG, buffers: int = 10_000,
                    dirs_allowed: tuple[Path, ...] = (), result_rows: int = RESULT_ROWS) -> str:
    """Return a virtuoso.ini for an instance whose files live in ``directory`` and which
    listens on 127.0.0.1 only: HTTP (SPARQL) on ``http_port``, SQL (isql) on ``sql_port``.

    ``buffers`` are Virtuoso's 8 kB page buffers (its cache: the Debian file's comments
    advise 170,000 per 2 GB of memory); ``dirs_allowed`` are folders the bulk loader may
    read; ``result_rows`` the most rows a query answers (:data:`RESULT_ROWS`). Everything
    else is the template's (Debian's configuration).
    """
    config = configparser.ConfigParser(strict=False, interpolation=None,
                                       inline_comment_prefixes=(";",))
    config.optionxform = str  # Virtuoso's keys are CamelCase
    config.read(template)
    database = {"DatabaseFile": "virtuoso.db", "ErrorLogFile": "virtuoso.log",
                "LockFile": "virtuoso.lck", "TransactionFile": "virtuoso.trx",
                "xa_persistent_file": "virtuoso.pxa"}
    for key, name in database.items():
        config["Database"][key] = str(directory / name)
    config["TempDatabase"]["DatabaseFile"] = str(directory / "virtuoso-temp.db")
    config["TempDatabase"]["TransactionFile"] = str(directory / "virtuoso-temp.trx")
    parameters = config["Parameters"]
    parameters["ServerPort"] = f"127.0.0.1:{sql_port}"
    parameters["DirsAllowed"] = ", ".join([".", str(directory), *map(str, dirs_allowed)])
    # Debian's file installs the Conductor (a web admin UI, ~30 s on a new database)
    # from its VAD folder; an empty folder of the instance's own (see start) installs nothing.
    parameters["VADInstallDir"] = str(directory / "vad")
    parameters["NumberOfBuffers"] = str(buffers)
    parameters["MaxDirtyBuffers"] = str(buffers * 3 // 4)
    config["HTTPServer"]["ServerPort"] = f"127.0.0.1:{http_port}"
    config["SPARQL"]["ResultSetMaxRows"] = str(result_rows)
    text = io.StringIO()
    config.write(text)
    return text.getvalue()


@dataclass
class VirtuosoInstance:
    """A running Virtuoso server of one's own (see the module docstring)."""

    directory: Path
    http_port: int
    sql_port: int
    process: subprocess.Popen[bytes] = field(repr=False)

    @classmethod
    def start(cls, directory: Path, http_port: int, sql_port: int, *, buffers: int = 10_000,
              dirs_allowed: tuple[Path, ...] = (), result_rows: int = RESULT_ROWS,
              seconds: float = 120) -> Self:
        """Create the database in ``directory`` (or open the one there), start the server
        and wait until it answers SPARQL; open it to writes (:data:`OPEN_WRITES`). The
        other arguments are :func:`instance_config`'s.

        Raises :class:`StoreError` when the server stops or does not answer in ``seconds``.
        """
        (directory / "vad").mkdir(parents=True, exist_ok=True)
        ini = directory / "virtuoso.ini"
        ini.write_text(instance_config(directory, http_port, sql_port, buffers=buffers,
                                       dirs_allowed=dirs_allowed, result_rows=result_rows),
                       encoding="utf-8")
        # -f: stay in the foreground, a child this process can stop.
        process = subprocess.Popen([SERVER, "-f", "-c", str(ini)], cwd=directory,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        instance = cls(directory, http_port, sql_port, process)
        try:
            instance._wait(seconds)
            instance.isql(*OPEN_WRITES)
        except BaseException:
            instance.stop()
            raise
        return instance

    @property
    def sparql_url(self) -> str:
        """The URL of the server's SPARQL endpoint (query and update)."""
        return f"http://127.0.0.1:{self.http_port}/sparql"

    def isql(self, *statements: str, seconds: float = 3600) -> str:
        """Run SQL statements with ``isql-vt`` as the administrator; return its output.

        Raises :class:`StoreError` with Virtuoso's message when a statement fails.
        """
        script = "\n".join(statements) + "\n"
        result = subprocess.run([ISQL, f"127.0.0.1:{self.sql_port}", *DBA],
                                input=script.encode("utf-8"), capture_output=True,
                                timeout=seconds, check=False)
        output = result.stdout.decode("utf-8", "replace")
        errors = [line for line in output.splitlines() if "*** Error" in line]
        if result.returncode != 0 or errors:
            message = errors[0] if errors else result.stderr.decode("utf-8", "replace")
            raise StoreError(f"Virtuoso refused an SQL statement: {message.strip()}")
        return output

    def stop(self) -> None:
        """Stop the server (a checkpoint first, so the database is complete on disk)."""
        if self.process.poll() is None:
            try:
                self.isql("checkpoint;", "shutdown;", seconds=60)
            except (StoreError, subprocess.TimeoutExpired, OSError):
                self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()

    def _wait(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = self.directory / "virtuoso.log"
                tail = log.read_text(errors="replace").strip().splitlines()[-3:] \
                    if log.is_file() else []
                raise StoreError(f"Virtuoso stopped on start: {' | '.join(tail)}")
            try:
                urllib.request.urlopen(f"{self.sparql_url}?query=ASK%7B%7D", timeout=2).close()
                return
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        raise StoreError(f"Virtuoso did not answer at {self.sparql_url} in {seconds} s")


def bulk_load(instance: VirtuosoInstance, shards: Path, *, loaders: int = 2,
              pattern: str = "*.nq") -> int:
    """Load every N-Quads file of the folder ``shards`` with Virtuoso's bulk loader;
    return the number of files loaded.

    ``ld_dir`` registers the files, ``rdf_loader_run()`` (run by ``loaders`` isql
    sessions at once, as Virtuoso's documentation advises for several cores) loads them
    into the graphs their quads name, and a checkpoint makes the load durable. Loaders
    working at once can deadlock on the graphs every shard shares (entities, runs): a file
    that failed so is loaded again by one loader (loading a quad twice stores it once).
    The folder must be among the instance's ``dirs_allowed``. Raises :class:`StoreError`
    when a file fails to load otherwise, with Virtuoso's message.
    """
    folder = str(shards.resolve()).replace("'", "''")
    mine = f"ll_file LIKE '{folder}/%'"
    instance.isql(f"ld_dir('{folder}', '{pattern}', '{UNNAMED_GRAPH}');")
    _run_loaders(instance, loaders)
    for _retry in range(3):
        deadlocked = f"{mine} AND ll_error LIKE '%deadlock%'"
        if _first_number(instance.isql(
                f"SELECT COUNT(*) FROM DB.DBA.load_list WHERE {deadlocked};")) == 0:
            break
        instance.isql(f"UPDATE DB.DBA.load_list SET ll_state = 0, ll_error = NULL "
                      f"WHERE {deadlocked};")
        _run_loaders(instance, 1)
    instance.isql("checkpoint;")
    failed = instance.isql(f"SELECT ll_file, ll_error FROM DB.DBA.load_list WHERE {mine} "
                           f"AND ll_error IS NOT NULL;")
    if "0 Rows." not in failed:
        raise StoreError(f"Virtuoso's bulk loader failed on some shards: {failed.strip()}")
    return _first_number(instance.isql(
        f"SELECT COUNT(*) FROM DB.DBA.load_list WHERE {mine} AND ll_state = 2;"))


def _run_loaders(instance: VirtuosoInstance, loaders: int) -> None:
    """Run ``rdf_loader_run()`` in ``loaders`` isql sessions at once; wait for them all."""
    sessions = [subprocess.Popen([ISQL, f"127.0.0.1:{instance.sql_port}", *DBA,
                                  "exec=rdf_loader_run();"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                for _ in range(loaders)]
    for session in sessions:
        session.wait()


def _first_number(isql_output: str) -> int:
    """Return the first line of ``isql_output`` that is a number (a one-value SELECT)."""
    for line in isql_output.splitlines():
        if line.strip().isdigit():
            return int(line.strip())
    raise StoreError(f"no number in Virtuoso's answer: {isql_output.strip()[:200]}")
