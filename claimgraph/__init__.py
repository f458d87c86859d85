"""claimgraph: turn news text into a knowledge graph of attributions (who says what about whom).

The public API, in the order of the data flow::

    documents = iter_documents(["news/"])          # loaders: files, folders, pages, feeds, URLs
    for document, attributions in extract(documents):  # spaCy + the claim_attribution component
        ...
    with open_store("news.store") as store:         # the RDF graph, on disk
        ingest(["news/"], store)
        store.select("SELECT ...")                  # SPARQL
        store.dataset()                             # an rdflib Dataset
        export_network(store, "news.gexf")          # Gephi
        graph = network(store, view="sources")      # a networkx graph

``claimgraph.extract`` is the function above, even after the subpackage of the same name
(the spaCy component, rules and scoring) has been imported: import from the subpackage by
name (``from claimgraph.extract.component import ClaimAttribution``).
"""

import sys
import types

from claimgraph.errors import ClaimgraphError, InputError, ModelError, StoreError
from claimgraph.loaders import LoadOptions, iter_documents
from claimgraph.pipeline import (
    IngestSummary,
    export_network,
    extract,
    ingest,
    load_pipeline,
    network,
    open_store,
)
from claimgraph.records import Attribution, Document, Entity, Mention


class _Package(types.ModuleType):
    """The ``claimgraph`` package, whose public functions win over subpackages.

    Importing a subpackage sets it as an attribute of its parent; ``claimgraph.extract``
    (the subpackage) would then replace :func:`claimgraph.extract` (the function) for every
    later ``from claimgraph import extract``.
    """

    def __setattr__(self, name: str, value: object) -> None:
        current = self.__dict__.get(name)
        if isinstance(value, types.ModuleType) and callable(current) \
                and not isinstance(current, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

__all__ = [
    "Attribution", "ClaimgraphError", "Document", "Entity", "IngestSummary", "InputError",
    "LoadOptions", "Mention", "ModelError", "StoreError", "export_network", "extract", "ingest",
    "iter_documents", "load_pipeline", "network", "open_store",
]
