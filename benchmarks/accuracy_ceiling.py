"""How far better cue decisions could take the rules: the dev scores with the shipped cue
classifier next to the scores with a gold-informed one (not a test).

    python benchmarks/accuracy_ceiling.py [GOLD_DIR] [--model NAME]

The rules propose (word, frame) candidates and the cue classifier keeps some of them. Here a
second run replaces the classifier with one that knows the gold annotation: it keeps exactly
the candidates that are gold cues (as :func:`claimgraph.extract.learn.is_gold_cue` labels the
classifier's training examples). Everything else (candidates, content and source rules, span
boundaries and their ranker, quotations) is the shipped extractor. The second table is
therefore the ceiling of any cue classifier over these candidates; the gap to the issue's
targets that remains above it is in the candidates and the span rules, not in the classifier.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from _common import gold_split_arguments, parsed_gold_split
from spacy.tokens import Token

from claimgraph import load_pipeline
from claimgraph.extract.attributions import find_attributions
from claimgraph.extract.learn import is_gold_cue
from claimgraph.extract.scoring import aggregate, format_report, score_document
from claimgraph.records import Attribution

DEFAULT_GOLD = Path(__file__).resolve().parents[1].parent / "shared" / "polnear" / "dev"
COMPONENT = "claim_attribution"


@dataclass(slots=True)
class GoldCueScorer:
    """A cue scorer that knows the answer: 1 for a gold cue, 0 otherwise."""

    gold: list[Attribution]

    def score(self, cue: Token, frame: str, content_head: Token, *,
              in_quotation: bool) -> float:
        """Return 1.0 when a gold attribution has this cue and content, else 0.0."""
        return 1.0 if is_gold_cue(cue, frame, content_head, self.gold) else 0.0


def main() -> None:
    args = gold_split_arguments(__doc__.splitlines()[0], DEFAULT_GOLD)
    nlp = load_pipeline(args.model)
    component = nlp.get_pipe(COMPONENT)
    corpus, parsed = parsed_gold_split(nlp, args.gold_dir)

    def scores(classifier_for) -> str:
        return format_report(aggregate(
            score_document(document, gold, find_attributions(
                doc, lexicon=component.lexicon, min_precision=component.min_precision,
                unseen_clause_precision=component.unseen_clause_precision,
                classifier=classifier_for(gold), boundaries=component.boundaries))
            for doc, (document, gold) in zip(parsed, corpus, strict=True)))

    print("shipped cue classifier")
    print(scores(lambda gold: component.classifier))
    print()
    print("gold-informed cue decisions (the ceiling of any classifier over these candidates)")
    print(scores(GoldCueScorer))


if __name__ == "__main__":
    main()
