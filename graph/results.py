"""Write SPARQL query results: as an aligned text table, CSV, TSV, JSON or XML.

SELECT results use the W3C result formats (SPARQL 1.1 Query Results JSON, XML, CSV and
TSV, written by pyoxigraph) or a table for reading in a terminal. ASK results are
``true`` or ``false`` (as a line in the table). CONSTRUCT and DESCRIBE results are RDF:
Turtle for ``table``, JSON-LD for ``json`` and RDF/XML for ``xml``; ``csv`` and ``tsv``,
formats of solutions, refuse them. Every output ends with a newline, and a table shows
control characters escaped (``\\x1b``), never raw: a text cannot drive the terminal.
"""

from __future__ import annotations

import io
import re
import threading
import unicodedata
from collections.abc import Callable
from typing import IO

import pyoxigraph as ox

from claimgraph.errors import ClaimgraphError
from claimgraph.graph.rdf import PREFIXES
from claimgraph.graph.serialize import statement_sort_key
from claimgraph.ontology import CGD

#: Unicode categories a table shows escaped: controls, formats, surrogates, private use,
#: line and paragraph separators.
_UNPRINTABLE = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})

#: What a SPARQL query on the store returns: solutions, a boolean or triples.
QueryResults = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples

#: The output formats :func:`write_results` accepts.
RESULT_FORMATS = ("table", "csv", "tsv", "json", "xml")

_SOLUTION_FORMATS = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}
_GRAPH_FORMATS = {
    "table": ox.RdfFormat.TURTLE,
    "json": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}
# Tables also shorten article, span and claim IRIs: a table need not be valid Turtle, and
# "claim:6939831b560527a5/4a8570d1ccdfa975" fits a column where the full IRI does not.
_TABLE_PREFIXES = {**PREFIXES, "article": str(CGD["article/"]), "claim": str(CGD["claim/"])}
# Longest namespace first, so that entity: wins over a shorter namespace it starts with.
_NAMESPACES = sorted(((namespace, prefix) for prefix, namespace in _TABLE_PREFIXES.items()),
                     key=lambda pair: -len(pair[0]))


def write_results(results: QueryResults, output_format: str, stream: IO[bytes] | IO[str],
                  *, max_width: int = 60) -> None:
    """Write query results to a binary or text stream in one of :data:`RESULT_FORMATS`.

    ``max_width`` caps the width of a table column (longer values are cut with "…").
    Raises :class:`ClaimgraphError` for an unknown format.
    """
    if output_format not in RESULT_FORMATS:
        raise ClaimgraphError(f"unknown result format {output_format!r}; use one of "
                              f"{', '.join(RESULT_FORMATS)}")
    if isinstance(results, ox.QueryTriples):
        if output_format not in _GRAPH_FORMATS:
            raise ClaimgraphError(f"--format {output_format} is for SELECT results; a CONSTRUCT "
                                  "or DESCRIBE query gives RDF: use table (Turtle), json "
                                  "(JSON-LD) or xml (RDF/XML)")
        triples = sorted(results, key=statement_sort_key)
        data = ox.serialize(triples, None, _GRAPH_FORMATS[output_format], prefixes=PREFIXES)
    elif output_format != "table":
        data = results.serialize(None, _SOLUTION_FORMATS[output_format])
    elif isinstance(results, ox.QueryBoolean):
        data = b"true\n" if bool(results) else b"false\n"
    else:
        data = format_table(results, max_width=max_width).encode()
    if not data.endswith(b"\n"):
        data += b"\n"
    if isinstance(stream, io.TextIOBase):
        stream.write(data.decode("utf-8"))
    else:
        stream.write(data)


_QUERY_THREAD = "claimgraph-query"


def render_results(run_query: Callable[[], QueryResults], output_format: str, *,
                   timeout: float | None = None, max_width: int = 60) -> bytes:
    """Run a query and return its results written in ``output_format``, within ``timeout`` s.

    ``run_query`` runs the query (e.g. ``lambda: store.query(sparql)``). It runs on a daemon
    thread, since pyoxigraph releases the interpreter while it evaluates: the caller stays
    responsive to Ctrl-C (KeyboardInterrupt) and gets :class:`ClaimgraphError` past the
    timeout. The query thread cannot be stopped; the process that gives up on it should end.
    """
    outcome: list[bytes | BaseException] = []

    def work() -> None:
        try:
            buffer = io.BytesIO()
            write_results(run_query(), output_format, buffer, max_width=max_width)
            outcome.append(buffer.getvalue())
        except BaseException as error:
            # handed to the caller's thread without its frames: pyoxigraph's results must
            # be freed on the thread that made them
            outcome.append(error.with_traceback(None))

    thread = threading.Thread(target=work, name=_QUERY_THREAD, daemon=True)
    thread.start()
    thread.join(timeout)
    if not outcome:
        raise ClaimgraphError(f"the query ran longer than {timeout:g} s and was stopped "
                              "(raise --timeout to wait longer)")
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def query_running() -> bool:
    """Return whether a query that :func:`render_results` gave up on is still running."""
    return any(thread.name == _QUERY_THREAD and thread.is_alive()
               for thread in threading.enumerate())


def format_table(solutions: ox.QuerySolutions, *, max_width: int = 60) -> str:
    """Return SELECT results as a plain-text table with aligned columns and a row count.

    IRIs in claimgraph's namespaces are shortened to prefixed names (``schema:Person``,
    ``entity:nikol-pashinyan``), literals shown as their text, unbound values left blank.
    """
    header = [variable.value for variable in solutions.variables]
    rows = [[_cell(solution[name], max_width) for name in header] for solution in solutions]
    widths = [max([len(name), *(len(row[column]) for row in rows)])
              for column, name in enumerate(header)]

    def line(cells: list[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths,
                                                                   strict=True)).rstrip()

    lines = [line(header), line(["-" * width for width in widths])]
    lines.extend(line(row) for row in rows)
    lines.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
    return "\n".join(lines) + "\n"


def _cell(term: object | None, max_width: int) -> str:
    """Return a term as table text: short, on one line, at most ``max_width`` characters."""
    if term is None:
        text = ""
    elif isinstance(term, ox.NamedNode):
        text = _short_iri(term.value)
    elif isinstance(term, ox.BlankNode):
        text = f"_:{term.value}"
    elif isinstance(term, ox.Literal):
        text = re.sub(r"\s+", " ", term.value).strip()
    else:  # an RDF-star triple
        text = str(term)
    text = escape_controls(text)
    return text if len(text) <= max_width else text[:max_width - 1] + "…"


def escape_controls(text: str) -> str:
    """Return ``text`` with control and format characters (ESC, BEL, bidi overrides...)
    written as Python escapes (``\\x1b``, ``\\u202e``), so a terminal prints them as text."""
    if all(unicodedata.category(character) not in _UNPRINTABLE for character in text):
        return text
    return "".join(character.encode("unicode_escape").decode("ascii")
                   if unicodedata.category(character) in _UNPRINTABLE else character
                   for character in text)


def _short_iri(iri: str) -> str:
    for namespace, prefix in _NAMESPACES:
        if iri.startswith(namespace) and iri != namespace:
            return f"{prefix}:{iri[len(namespace):]}"
    return f"<{iri}>"
