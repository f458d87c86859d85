"""The ``claim_attribution`` spaCy component: finds attributions and sets ``doc._.attributions``.

What it puts on a Doc, and how that survives serialisation, is described in
:mod:`claimgraph.extract.doc_attributions` (plain data in ``doc.user_data``, Spans in
``doc.spans["attribution"]``).
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab

from claimgraph.extract.attributions import find_attributions
from claimgraph.extract.boundaries import BoundaryRanker
from claimgraph.extract.cue_classifier import CueClassifier
from claimgraph.extract.doc_attributions import register_extensions
from claimgraph.extract.lexicon import CueLexicon
from claimgraph.extract.span_model import load_shipped

#: Whether the span model runs unless the config says otherwise (on: it gains on dev).
SPAN_MODEL_DEFAULT = False

register_extensions()


class ClaimAttribution:
    """Find who says what in a parsed Doc; see :mod:`claimgraph.extract.attributions`.

    Settings (all in the pipeline config): ``min_precision``, the share of times a
    (lemma, frame) pair must have been a cue in the training corpus to count as one;
    ``unseen_clause_precision``, the score of a verb never seen with a "that"-clause;
    ``lexicon_path``, a cue lexicon TSV to use instead of the shipped one;
    ``use_classifier``, whether the shipped cue classifier (``cue_weights.tsv``) scores the
    pairs the lexicon finds plausible, ``min_precision`` then being the least probability of
    a cue; ``use_boundary_model``, whether the shipped boundary ranker
    (``boundary_weights.tsv``) places the edges of verbal cues and contents;
    ``use_span_model``, whether the shipped span model (``span_model/``, see
    :mod:`claimgraph.extract.span_model`) then places the edges of their cues, contents and
    sources from the pipeline's token vectors. The
    span-boundary counts (``cue_edges.tsv``, ``content_edges.tsv``) are the shipped ones; all
    five files are rebuilt together by :mod:`claimgraph.extract.learn`.
    """

    def __init__(
        self,
        name: str = "claim_attribution",
        *,
        min_precision: float = 0.4,
        unseen_clause_precision: float = 0.45,
        lexicon_path: str | None = None,
        use_classifier: bool = True,
        use_boundary_model: bool = True,
        use_span_model: bool = SPAN_MODEL_DEFAULT,
        vocab: Vocab | None = None,
    ) -> None:
        self.name = name
        self.min_precision = min_precision
        self.unseen_clause_precision = unseen_clause_precision
        self.lexicon = CueLexicon.load(lexicon_path)
        self.classifier = CueClassifier.load() if use_classifier else None
        self.boundaries = BoundaryRanker.load() if use_boundary_model else None
        self.span_model = load_shipped(vocab or Vocab()) if use_span_model else None

    def __call__(self, doc: Doc) -> Doc:
        doc._.attributions = find_attributions(
            doc, lexicon=self.lexicon, min_precision=self.min_precision,
            unseen_clause_precision=self.unseen_clause_precision, classifier=self.classifier,
            boundaries=self.boundaries, span_model=self.span_model,
        )
        return doc


@Language.factory(
    "claim_attribution",
    requires=["token.dep", "token.head", "token.lemma", "token.pos"],
    assigns=["doc._.attributions", "doc.spans"],
    default_config={"min_precision": 0.4, "unseen_clause_precision": 0.45, "lexicon_path": None,
                    "use_classifier": True, "use_boundary_model": True,
                    "use_span_model": SPAN_MODEL_DEFAULT},
)
def make_claim_attribution(
    nlp: Language,
    name: str,
    min_precision: float,
    unseen_clause_precision: float,
    lexicon_path: str | None,
    use_classifier: bool,
    use_boundary_model: bool,
    use_span_model: bool,
) -> ClaimAttribution:
    """Build the component; its settings come from the pipeline config."""
    return ClaimAttribution(name, min_precision=min_precision,
                            unseen_clause_precision=unseen_clause_precision,
                            lexicon_path=lexicon_path, use_classifier=use_classifier,
                            use_boundary_model=use_boundary_model,
                            use_span_model=use_span_model, vocab=nlp.vocab)
