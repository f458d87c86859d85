"""The ``claim_resolution`` spaCy component: resolves ``doc._.attributions`` in place.

It runs after ``claim_attribution`` and replaces each attribution with its resolved copy
(see :func:`claimgraph.resolve.resolver.resolve_attributions`).
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from claimgraph.extract.doc_attributions import register_extensions
from claimgraph.resolve.cues import CueClasses
from claimgraph.resolve.gazetteer import load_gazetteer
from claimgraph.resolve.resolver import resolve_attributions

register_extensions()


class ClaimResolution:
    """Give sources and subjects their canonical entities, subjects their roles and cues
    their meaning.

    Settings (in the pipeline config): ``pronoun_window``, how many sentences back a
    pronoun looks first for its antecedent; ``cue_classes_path``, a cue meaning TSV to use
    instead of the shipped one.
    """

    def __init__(self, name: str = "claim_resolution", *, pronoun_window: int = 2,
                 cue_classes_path: str | None = None) -> None:
        self.name = name
        self.pronoun_window = pronoun_window
        self.cue_classes = CueClasses.load(cue_classes_path)
        self.gazetteer = load_gazetteer()

    def __call__(self, doc: Doc) -> Doc:
        doc._.attributions = resolve_attributions(
            doc, list(doc._.attributions or []), cue_classes=self.cue_classes,
            gazetteer=self.gazetteer, pronoun_window=self.pronoun_window,
        )
        return doc


@Language.factory(
    "claim_resolution",
    requires=["doc._.attributions", "token.dep", "token.head", "token.lemma", "token.pos",
              "doc.ents"],
    assigns=["doc._.attributions", "doc.spans"],
    default_config={"pronoun_window": 2, "cue_classes_path": None},
)
def make_claim_resolution(nlp: Language, name: str, pronoun_window: int,
                          cue_classes_path: str | None) -> ClaimResolution:
    """Build the component; its settings come from the pipeline config."""
    return ClaimResolution(name, pronoun_window=pronoun_window,
                           cue_classes_path=cue_classes_path)
