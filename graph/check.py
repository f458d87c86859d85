"""Check that a store holds only what its articles say, and holds it whole.

:func:`check_store` looks for three kinds of problem and returns them as one-line texts:

- orphans: an entity described in the entities graph that no article mentions, or a
  named graph that is neither an article's nor a shared one;
- dangling references: a claim or role pointing at an entity, article or run that is
  described nowhere, or at a span that is not characters of its article's text;
- SHACL violations of claimgraph's shapes (``ontology/shapes.ttl``), checked with pyshacl
  over the union of all graphs.

``claimgraph check --store DIR`` prints them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph
from rdflib.namespace import SH

from claimgraph.graph.rdf import CLUSTERS_GRAPH, ENTITIES_GRAPH, RUNS_GRAPH, span_anchor_bindings
from claimgraph.graph.store import BaseStore
from claimgraph.ontology import shapes_path

_GRAPH_ORPHAN = "graph that is no article's"
#: (what is wrong, the query finding its subjects): orphans.
_ORPHAN_QUERIES = (
    ("entity no article mentions", f"""
        SELECT DISTINCT ?node WHERE {{
          GRAPH <{ENTITIES_GRAPH}> {{ ?node a cg:Entity }}
          FILTER NOT EXISTS {{ GRAPH ?article {{ ?article a schema:NewsArticle . ?x ?p ?node }} }}
        }} ORDER BY ?node"""),
    (_GRAPH_ORPHAN, f"""
        SELECT DISTINCT ?node WHERE {{
          GRAPH ?node {{ ?s ?p ?o }}
          FILTER(?node NOT IN (<{ENTITIES_GRAPH}>, <{RUNS_GRAPH}>, <{CLUSTERS_GRAPH}>))
          FILTER NOT EXISTS {{ GRAPH ?node {{ ?node a schema:NewsArticle }} }}
        }} ORDER BY ?node"""),
)

#: (what is wrong, the query finding its subjects): references to nothing.
_DANGLING_QUERIES = (
    ("reference to an undescribed entity", f"""
        SELECT DISTINCT ?node WHERE {{
          GRAPH ?article {{ ?x prov:wasAttributedTo|schema:about|cg:subject|cg:refersTo|
                                 schema:mentions ?node }}
          FILTER NOT EXISTS {{ GRAPH <{ENTITIES_GRAPH}> {{ ?node a cg:Entity }} }}
        }} ORDER BY ?node"""),
    ("group member that is no entity", f"""
        SELECT DISTINCT ?node WHERE {{
          GRAPH <{ENTITIES_GRAPH}> {{ ?group schema:member ?node
            FILTER NOT EXISTS {{ ?node a cg:Entity }} }}
        }} ORDER BY ?node"""),
    ("reference to a role or article missing from its graph", """
        SELECT DISTINCT ?node WHERE {
          GRAPH ?article { ?claim cg:qualifiedSubject|schema:appearance|nif:referenceContext
                                  ?node
                           FILTER NOT EXISTS { ?node ?p ?o } }
        } ORDER BY ?node"""),
    ("claim cluster entry of a claim no article holds", f"""
        SELECT DISTINCT ?node WHERE {{
          GRAPH <{CLUSTERS_GRAPH}> {{ {{ ?x cg:memberClaim|cg:matchedClaim|cg:firstClaim ?node }}
                                     UNION {{ ?node cg:lshBand|cg:matchOrder ?x }} }}
          FILTER NOT EXISTS {{ GRAPH ?article {{ ?node a cg:Attribution }} }}
        }} ORDER BY ?node"""),
    # A span is its IRI: characters BEGIN to END of its own article's text.
    ("span that is no span of its article's text", f"""
        SELECT DISTINCT ?node WHERE {{
          GRAPH ?article {{ ?claim cg:cueSpan|cg:contentSpan|cg:sourceSpan|cg:subjectSpan
                                  ?node
                           OPTIONAL {{ ?article nif:isString ?text }} }}
          {span_anchor_bindings("?node", "?text", "?anchor")}
          FILTER(!STRSTARTS(STR(?node), CONCAT(STR(?article), "#char="))
                 || !BOUND(?anchorEnd) || ?anchorBegin >= ?anchorEnd
                 || !BOUND(?text) || ?anchorEnd > STRLEN(?text))
        }} ORDER BY ?node"""),
    ("claim of an unrecorded run", f"""
        SELECT DISTINCT ?node WHERE {{
          GRAPH ?article {{ ?claim prov:wasGeneratedBy ?node }}
          FILTER NOT EXISTS {{ GRAPH <{RUNS_GRAPH}> {{ ?node a cg:ExtractionRun }} }}
        }} ORDER BY ?node"""),
)


@dataclass(slots=True)
class StoreCheck:
    """What :func:`check_store` found: one line per problem, by kind."""

    orphans: list[str] = field(default_factory=list)
    dangling: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        """Return every problem, orphans first."""
        return [*self.orphans, *self.dangling, *self.violations]

    def __str__(self) -> str:
        return (f"{len(self.orphans)} orphans, {len(self.dangling)} dangling references, "
                f"{len(self.violations)} SHACL violations")


def check_store(store: BaseStore, *, shacl: bool = True) -> StoreCheck:
    """Return the orphans, dangling references and (with ``shacl``) SHACL violations of
    ``store``; an empty :class:`StoreCheck` when it is consistent."""
    check = StoreCheck()
    graphs = store.graph_names()  # a server's graphs of its own are none of the store's
    for found, queries in ((check.orphans, _ORPHAN_QUERIES),
                           (check.dangling, _DANGLING_QUERIES)):
        for problem, query in queries:
            found += [f"{problem}: <{row['node']}>" for row in store.select(query)
                      if problem != _GRAPH_ORPHAN or str(row["node"]) in graphs]
    if shacl:
        check.violations += shacl_violations(store)
    return check


def shacl_violations(store: BaseStore) -> list[str]:
    """Return a line per violation of claimgraph's SHACL shapes by the store's data."""
    import pyshacl  # imported when needed: it takes a second to import

    # Claims refer to entities and runs of the shared graphs: shapes hold over the union.
    union = Graph()
    for triple in store.dataset().triples((None, None, None)):
        union.add(triple)
    _conforms, report, _text = pyshacl.validate(union, shacl_graph=str(shapes_path()))
    lines = []
    for result in report.subjects(SH.resultSeverity, SH.Violation):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        message = report.value(result, SH.resultMessage)
        lines.append(f"SHACL violation: <{focus}> {f'<{path}> ' if path else ''}"
                     f"{f'{value.n3()} ' if value is not None else ''}: {message}")
    return sorted(lines)
