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
"""

from claimgraph.errors import ClaimgraphError, InputError, ModelError, StoreError
from claimgraph.loaders import LoadOptions, iter_documents
from claimgraph.pipeline import (
    IngestSummary,
    export_network,
    extract,
    ingest,
    load_pipeline,
    open_store,
)
from claimgraph.records import Attribution, Document, Entity, Mention

__all__ = [
    "Attribution", "ClaimgraphError", "Document", "Entity", "IngestSummary", "InputError",
    "LoadOptions", "Mention", "ModelError", "StoreError", "export_network", "extract", "ingest",
    "iter_documents", "load_pipeline", "open_store",
]
