"""Share of the cue class ``other`` on PolNeAR's dev split, as the pipeline reads it.

Prints the class counts of every attribution found, and the share of ``other`` among the
attributions whose cue overlaps a gold cue (real attributions) and among the rest (mostly
no attributions at all, where "other" is the right answer). Reads ../shared/polnear/dev.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from claimgraph import load_pipeline
from claimgraph.loaders.brat import load_brat_corpus
from claimgraph.resolve.cues import UNKNOWN_CLASS

DEV = Path(__file__).resolve().parents[1].parent / "shared" / "polnear" / "dev"


def main() -> int:
    if not DEV.is_dir():
        print(f"{DEV} is absent", file=sys.stderr)
        return 1
    corpus = list(load_brat_corpus(DEV, on_error=lambda error: None))
    nlp = load_pipeline()
    matching, other = Counter(), Counter()
    docs = nlp.pipe(document.text for document, _ in corpus)
    for (_, gold), doc in zip(corpus, docs, strict=True):
        cues = [(attribution.cue.start, attribution.cue.end) for attribution in gold]
        for attribution in doc._.attributions:
            found = attribution.cue
            hit = any(found.start < end and start < found.end for start, end in cues)
            (matching if hit else other)[attribution.cue_class] += 1
    everything = matching + other
    print("classes:", dict(everything.most_common()))
    for name, counts in (("all attributions", everything), ("matching a gold cue", matching),
                         ("matching none", other)):
        total = sum(counts.values())
        print(f"{name}: {total}, other {counts[UNKNOWN_CLASS]} "
              f"({counts[UNKNOWN_CLASS] / total:.1%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
