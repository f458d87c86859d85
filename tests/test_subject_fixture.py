"""Regression guard: claim subjects and cue classes on hand-checked PolNeAR dev attributions.

``tests/data/subject_fixture.tsv`` and ``tests/data/cue_class_fixture.tsv`` hold gold
attributions of the dev split sampled as ``benchmarks/subjects_dev.py --dump FILE --sample
N`` does (a stable pseudo-random order, at most four per article). Each attribution was
given its subjects and cue class by the pipeline (subjects from the annotators' content span
as extraction finds them, then resolution), and every subject and class was checked by hand
against the article around it. The files hold offsets and verdicts only: an attribution is
named by its article and the offsets of its gold cue (``cue_start``, ``cue_end``).

``subject_fixture.tsv`` has two kinds of row:

* ``subject``: a subject mention (``start``, ``end``) the pipeline gave when the row was
  checked; ``expected_key`` is the entity key it should have (empty: it should be no
  subject at all: a pronoun with no referent, a headline's word, a title word, the
  addressee), ``verdict`` whether the pipeline gave that key then, ``note`` why not;
* ``main``: what the claim is mainly about: an entity key, or ``topic: WORD`` when the
  claim is about a thing no entity names (the topic's head noun, as
  :func:`claimgraph.resolve.topics.content_topic` should give it).

``cue_class_fixture.tsv`` gives each attribution's expected cue class and negation.
``negation_fixture.tsv`` gives whether the cue is negated for every dev attribution with a
negation word in or just before its cue ("did not say", "has no illusions about", "no one
expected", "could not resist pointing out": not negated), or that the pipeline read as
negated: real negated cues are rare in a random sample.

The figures, measured now: subject precision (the subjects given whose key is the
expected one; a subject the fixture does not hold is counted apart as unjudged, and there
may be only a few), the same for pronoun subjects, the share of attributions whose main
subject is missing (no subject with its key; for a topic, no such topic), cue-class
accuracy (class and negation) and the share of ``other``. The floors are the figures
measured when they were set, less a little; raise them when the pipeline improves.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from claimgraph.extract.subjects import subject_mentions
from claimgraph.loaders.brat import load_brat_corpus
from claimgraph.records import Attribution, Document
from claimgraph.resolve import resolve_attributions
from claimgraph.resolve.cues import UNKNOWN_CLASS

DATA = Path(__file__).resolve().parent / "data"
SUBJECTS = DATA / "subject_fixture.tsv"
CUE_CLASSES = DATA / "cue_class_fixture.tsv"
NEGATIONS = DATA / "negation_fixture.tsv"
DEV = Path(__file__).resolve().parents[1].parent / "shared" / "polnear" / "dev"
TOPIC = "topic: "
# Measured when set: subject precision 0.913 (283/310), pronoun subjects 0.934 (113/121),
# main subject missing 13.9% (34/245), cue classes 0.959 (235/245), other 4.9% (12/245),
# negation 0.978 (88/90).
# The targets are 0.90, 0.80, 10%, 0.90 and 5%: all but the missing share are met.
SUBJECT_PRECISION_FLOOR = 0.89
PRONOUN_PRECISION_FLOOR = 0.88
MAIN_MISSING_CEILING = 0.15
CUE_ACCURACY_FLOOR = 0.94
OTHER_CEILING = 0.055
UNJUDGED_CEILING = 0.05
NEGATION_FLOOR = 0.95


@dataclass(frozen=True, slots=True)
class SubjectRow:
    """One row of subject_fixture.tsv (see the module docstring)."""

    article: str
    cue: tuple[int, int]
    kind: str
    span: tuple[int, int] | None
    expected_key: str
    verdict: str
    note: str


@dataclass(frozen=True, slots=True)
class CueRow:
    """One row of cue_class_fixture.tsv."""

    article: str
    cue: tuple[int, int]
    expected_class: str
    negated: bool
    verdict: str
    note: str


def read_subjects(path: Path = SUBJECTS) -> list[SubjectRow]:
    """Return the rows of the subject fixture, in file order."""
    with path.open(encoding="utf-8", newline="") as lines:
        return [SubjectRow(row["article"], (int(row["cue_start"]), int(row["cue_end"])),
                           row["kind"],
                           (int(row["start"]), int(row["end"])) if row["start"] else None,
                           row["expected_key"], row["verdict"], row["note"])
                for row in csv.DictReader(lines, delimiter="\t")]


def read_negations(path: Path = NEGATIONS) -> dict[tuple[str, tuple[int, int]], bool]:
    """Return the negation fixture: (article, cue offsets) -> whether the cue is negated."""
    with path.open(encoding="utf-8", newline="") as lines:
        return {(row["article"], (int(row["cue_start"]), int(row["cue_end"]))):
                row["negated"] == "true" for row in csv.DictReader(lines, delimiter="\t")}


def read_cue_classes(path: Path = CUE_CLASSES) -> list[CueRow]:
    """Return the rows of the cue class fixture, in file order."""
    with path.open(encoding="utf-8", newline="") as lines:
        return [CueRow(row["article"], (int(row["cue_start"]), int(row["cue_end"])),
                       row["expected_class"], row["negated"] == "true", row["verdict"],
                       row["note"])
                for row in csv.DictReader(lines, delimiter="\t")]


@dataclass(frozen=True, slots=True)
class Figures:
    """The figures on the fixture (see the module docstring)."""

    right: int
    judged: int
    unjudged: list[tuple[str, int, int, str, str]]
    pronoun_right: int
    pronoun_judged: int
    main_missing: list[tuple[str, int, str]]
    main_total: int
    cue_right: int
    cue_total: int
    other: int
    wrong: list[tuple[str, int, str, str]]
    cue_wrong: list[tuple[str, int, str, bool, str, bool]]
    negation_right: int
    negation_wrong: list[tuple[str, int, bool]]

    @property
    def precision(self) -> float:
        return self.right / self.judged

    @property
    def pronoun_precision(self) -> float:
        return self.pronoun_right / self.pronoun_judged

    @property
    def missing_share(self) -> float:
        return len(self.main_missing) / self.main_total

    @property
    def cue_accuracy(self) -> float:
        return self.cue_right / self.cue_total

    @property
    def other_share(self) -> float:
        return self.other / self.cue_total

    @property
    def negation_accuracy(self) -> float:
        return self.negation_right / (self.negation_right + len(self.negation_wrong))

    def lines(self) -> list[str]:
        """Return the figures as printable lines."""
        return [
            f"subject precision {self.precision:.3f} ({self.right}/{self.judged}; "
            f"{len(self.unjudged)} subjects not in the fixture)",
            f"pronoun subject precision {self.pronoun_precision:.3f} "
            f"({self.pronoun_right}/{self.pronoun_judged})",
            f"main subject missing {self.missing_share:.1%} "
            f"({len(self.main_missing)}/{self.main_total})",
            f"cue class accuracy {self.cue_accuracy:.3f} ({self.cue_right}/{self.cue_total}), "
            f"other {self.other_share:.1%} ({self.other})",
            f"negation on cues with a negation word {self.negation_accuracy:.3f} "
            f"({self.negation_right}/{self.negation_right + len(self.negation_wrong)})",
        ]


def score(pairs: Iterable[tuple[Document, Attribution]]) -> Figures:
    """Score resolved gold attributions ((document, attribution) pairs, as
    ``benchmarks/subjects_dev.py`` makes them) against the two fixtures."""
    subjects, cues = read_subjects(), read_cue_classes()
    checked = {(row.article, row.cue) for row in subjects}
    expected = {(row.article, row.cue, row.span): row for row in subjects
                if row.kind == "subject"}
    mains = {(row.article, row.cue): row.expected_key for row in subjects if row.kind == "main"}
    cue_rows = {(row.article, row.cue): row for row in cues}
    negations = read_negations()
    negation_right, negation_wrong = 0, []
    right = judged = pronoun_right = pronoun_judged = cue_right = cue_total = other = 0
    unjudged, wrong, missing, cue_wrong = [], [], [], []
    for document, attribution in pairs:
        at = (document.id, (attribution.cue.start, attribution.cue.end))
        if at in checked:
            keys = set()
            for subject in attribution.subjects:
                key = subject.entity.key if subject.entity is not None else ""
                keys.add(key)
                row = expected.get((*at, (subject.start, subject.end)))
                if row is None:
                    unjudged.append((*at[:1], subject.start, subject.end, subject.text, key))
                    continue
                hit = bool(row.expected_key) and key == row.expected_key
                judged += 1
                right += hit
                if subject.label == "PRONOUN":
                    pronoun_judged += 1
                    pronoun_right += hit
                if not hit:
                    wrong.append((document.id, subject.start, subject.text, key))
            main = mains[at]
            topic = attribution.extra.get("topic", "")
            found = (main.removeprefix(TOPIC) == topic) if main.startswith(TOPIC) \
                else main in keys
            if not found:
                missing.append((document.id, attribution.cue.start, main))
        if at in negations:
            if attribution.negated == negations[at]:
                negation_right += 1
            else:
                negation_wrong.append((document.id, attribution.cue.start, negations[at]))
        cue_row = cue_rows.get(at)
        if cue_row is not None:
            cue_total += 1
            other += attribution.cue_class == UNKNOWN_CLASS
            if (attribution.cue_class, attribution.negated) == (cue_row.expected_class,
                                                                cue_row.negated):
                cue_right += 1
            else:
                cue_wrong.append((document.id, attribution.cue.start, attribution.cue_class,
                                  attribution.negated, cue_row.expected_class,
                                  cue_row.negated))
    return Figures(right, judged, unjudged, pronoun_right, pronoun_judged, missing,
                   len(mains), cue_right, cue_total, other, wrong, cue_wrong,
                   negation_right, negation_wrong)


def figures(pairs: Iterable[tuple[Document, Attribution]]) -> list[str]:
    """Return the printable figures of :func:`score` (used by the benchmark)."""
    result = score(pairs)
    return [*result.lines(),
            *(f"  unjudged: {item}" for item in result.unjudged),
            *(f"  wrong: {item}" for item in result.wrong),
            *(f"  wrong cue class: {item}" for item in result.cue_wrong),
            *(f"  wrong negation: {item}" for item in result.negation_wrong),
            *(f"  missing main: {item}" for item in result.main_missing)]


@pytest.fixture(scope="module")
def scored(nlp) -> Figures:
    """Parse the fixture's articles (only those), resolve their gold attributions as the
    benchmark does and score them."""
    if not DEV.is_dir():
        pytest.skip(f"{DEV} is absent")
    articles = {row.article for row in read_subjects()} | {
        row.article for row in read_cue_classes()} | {article for article, _ in read_negations()}
    corpus = [(document, gold)
              for document, gold in load_brat_corpus(DEV, on_error=lambda error: None)
              if document.id in articles]
    pairs = []
    with nlp.select_pipes(disable=["claim_attribution", "claim_resolution"]):
        docs = nlp.pipe(document.text for document, _ in corpus)
        for (document, gold), doc in zip(corpus, docs, strict=True):
            entities = tuple(doc.ents)
            with_subjects = [replace(attribution, subjects=tuple(
                subject_mentions(doc, attribution.content, entities))) for attribution in gold]
            pairs += [(document, attribution)
                      for attribution in resolve_attributions(doc, with_subjects)]
    return score(pairs)


def test_the_fixtures_are_broad_and_hand_checked() -> None:
    subjects, cues = read_subjects(), read_cue_classes()
    rows = [row for row in subjects if row.kind == "subject"]
    assert len(rows) >= 300
    assert len({(row.article, row.cue, row.span) for row in rows}) == len(rows)
    assert {row.verdict for row in rows} <= {"right", "wrong"}
    # A wrong verdict says why.
    assert all(row.note for row in rows if row.verdict == "wrong")
    assert len(cues) >= 150
    assert len({row.article for row in cues}) >= 60
    mains = [row for row in subjects if row.kind == "main"]
    assert len(mains) == len({(row.article, row.cue) for row in mains}) >= 150
    assert all(row.expected_key for row in mains)


def test_subject_precision_on_the_fixture(scored: Figures) -> None:
    assert scored.precision >= SUBJECT_PRECISION_FLOOR, (scored.lines(), scored.wrong)
    assert len(scored.unjudged) <= UNJUDGED_CEILING * scored.judged, scored.unjudged


def test_pronoun_subject_precision_on_the_fixture(scored: Figures) -> None:
    assert scored.pronoun_judged >= 40
    assert scored.pronoun_precision >= PRONOUN_PRECISION_FLOOR, scored.lines()


def test_few_main_subjects_are_missing(scored: Figures) -> None:
    assert scored.missing_share <= MAIN_MISSING_CEILING, (scored.lines(), scored.main_missing)


def test_negation_on_real_negated_cues(scored: Figures) -> None:
    negations = read_negations()
    assert len(negations) >= 80 and sum(negations.values()) >= 40
    assert scored.negation_right + len(scored.negation_wrong) == len(negations)
    assert scored.negation_accuracy >= NEGATION_FLOOR, (scored.lines(), scored.negation_wrong)


def test_cue_classes_on_the_fixture(scored: Figures) -> None:
    assert scored.cue_accuracy >= CUE_ACCURACY_FLOOR, scored.lines()
    assert scored.other_share <= OTHER_CEILING, scored.lines()
