"""Convert RDF terms between rdflib (what claimgraph returns to its callers) and pyoxigraph
(what its RDF builder makes and the store keeps), and name vocabulary terms in pyoxigraph.

Only the terms claimgraph's data uses are converted: IRIs, literals and, for results of
user queries, blank nodes. Simple literals are ``xsd:string`` in pyoxigraph and carry no
datatype in rdflib, so ``Literal("x")`` compares equal after a round trip.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD, DefinedNamespace, Namespace
from rdflib.term import Node

from claimgraph.errors import StoreError

#: The rdflib terms a quad or a query result can hold.
RdflibTerm = URIRef | BNode | Literal
#: The pyoxigraph terms a quad or a query result can hold.
OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
#: One RDF statement as pyoxigraph terms: subject, predicate, object.
OxTriple = tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]


class OxigraphNamespace:
    """An rdflib namespace whose attributes are pyoxigraph IRIs: ``OxigraphNamespace(CG).cueText``
    is ``ox.NamedNode(str(CG.cueText))``.

    Each term is converted on first use and kept as a plain attribute: the RDF builder
    writes thousands of terms per article, and an rdflib namespace lookup plus a
    conversion each time would cost more than building the triples.
    """

    def __init__(self, namespace: type[DefinedNamespace] | Namespace) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> ox.NamedNode:
        if name.startswith("__"):  # copy and pickle probe for special methods
            raise AttributeError(name)
        node = ox.NamedNode(str(getattr(self._namespace, name)))
        setattr(self, name, node)
        return node


def to_oxigraph(term: Node) -> OxTerm:
    """Return the pyoxigraph term for an rdflib IRI, blank node or literal."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise StoreError(f"cannot store the RDF term {term!r} (only IRIs and literals)")


def to_rdflib(term: object) -> RdflibTerm:
    """Return the rdflib term for a pyoxigraph named node, blank node or literal."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == str(XSD.string):
            return Literal(term.value)
        if datatype == str(RDF.langString):  # cannot happen without a language; be safe
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise StoreError(f"claimgraph cannot convert the RDF term {term!r} (RDF-star is not supported)")

