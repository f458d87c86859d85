"""Write claimgraph's RDF as Turtle, TriG, N-Quads, N-Triples or JSON-LD (with pyoxigraph).

TriG, N-Quads and JSON-LD keep the named graphs (one per article, plus the entities and
runs graphs); Turtle and N-Triples hold one graph, so they get the union of all graphs.

JSON-LD is compacted with :data:`JSONLD_CONTEXT`: the prefixes claimgraph binds everywhere
(cg, schema, prov, nif, skos, dcterms, owl, xsd, rdf and the data namespaces entity, run,
graph), ``@base`` for the article and claim IRIs, and ``@type`` for ``rdf:type``, so keys
read ``schema:text`` rather than full IRIs. pyoxigraph writes the expanded form (rather than
rdflib, which writes an ``xsd:double`` such as 1.0 as the JSON number ``1.0``, which JSON-LD
reads back as an ``xsd:integer``) and PyLD, the JSON-LD API's reference implementation for
Python, compacts it; expanding the file gives back exactly the quads of the N-Quads export.
The compaction holds the whole document in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox
from pyld import jsonld
from rdflib.namespace import RDF

from claimgraph.errors import StoreError
from claimgraph.graph.rdf import PREFIXES
from claimgraph.ontology import CGD

#: The context of claimgraph's JSON-LD: its prefixes, and data IRIs relative to ``@base``.
JSONLD_CONTEXT: dict[str, str] = {"@base": str(CGD), **PREFIXES}

#: Export format names and the pyoxigraph format each one writes.
EXPORT_FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nq": ox.RdfFormat.N_QUADS,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}
# Other names and file extensions people use for the same formats.
_ALIASES = {"turtle": "ttl", "nquads": "nq", "ntriples": "nt", "json-ld": "jsonld",
            "json": "jsonld"}


def export_format(name: str | None, destination: str | Path | BinaryIO) -> ox.RdfFormat:
    """Return the RDF format called ``name``, or the one a destination's extension names.

    Raises :class:`StoreError` for an unknown name or extension.
    """
    if name is None:
        if not isinstance(destination, str | Path):
            raise StoreError("say which format to export to a stream "
                             f"({', '.join(EXPORT_FORMATS)})")
        name = Path(destination).suffix.lstrip(".")
    key = _ALIASES.get(name.lower(), name.lower())
    if key not in EXPORT_FORMATS:
        raise StoreError(f"unknown export format {name!r}; use one of "
                         f"{', '.join(EXPORT_FORMATS)}")
    return EXPORT_FORMATS[key]


def statement_sort_key(statement: ox.Quad | ox.Triple) -> tuple[str, str, str]:
    """Return the key that sorts quads or triples by subject, predicate and object."""
    return (str(statement.subject), str(statement.predicate), str(statement.object))


def write_quads(quads: Iterable[ox.Quad], destination: str | Path | BinaryIO,
                rdf_format: ox.RdfFormat) -> None:
    """Write quads to a file path or binary stream in ``rdf_format``.

    A format without named graphs gets each distinct triple once, whatever graphs hold it.
    """
    if rdf_format.supports_datasets:
        statements: Iterable[ox.Quad] | Iterable[ox.Triple] = quads
    else:
        # dict keeps the store's order, so the same store always gives the same file.
        statements = dict.fromkeys(ox.Triple(quad.subject, quad.predicate, quad.object)
                                   for quad in quads)
    output = str(destination) if isinstance(destination, Path) else destination
    try:
        if rdf_format == ox.RdfFormat.JSON_LD:
            _write_json(compact_jsonld(statements), output)
        else:
            ox.serialize(statements, output, rdf_format, prefixes=PREFIXES)
    except OSError as error:
        raise StoreError(f"cannot write {destination}: {error}") from error


def compact_jsonld(quads: Iterable[ox.Quad]) -> dict[str, Any]:
    """Return quads as a JSON-LD document compacted with :data:`JSONLD_CONTEXT`."""
    expanded = json.loads(ox.serialize(quads, None, ox.RdfFormat.JSON_LD))
    return jsonld.compact(_with_type_keyword(expanded), {"@context": JSONLD_CONTEXT})


def _with_type_keyword(node: Any) -> Any:
    """Return expanded JSON-LD with ``rdf:type`` statements as ``@type`` (as JSON-LD's own
    RDF reader gives them; pyoxigraph keeps ``rdf:type`` as a property)."""
    if isinstance(node, list):
        return [_with_type_keyword(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: _with_type_keyword(value) for key, value in node.items()}
    types = result.pop(str(RDF.type), None)
    if types is not None:
        result["@type"] = [value["@id"] for value in types]
    return result


def _write_json(document: dict[str, Any], output: str | BinaryIO) -> None:
    text = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
    if isinstance(output, str):
        with open(output, "w", encoding="utf-8") as file:
            file.write(text)
    else:
        output.write(text.encode("utf-8"))
