"""Claim matching on PolNeAR, checked by hand: links sampled from the 924 train + dev
articles (``benchmarks/claim_matching.py --sample 50``), each read and judged "same" (the two
contents state the same claim) or "different".

The fixture (tests/data/polnear_claim_links.tsv) holds offsets, entity slugs and verdicts
only; the texts are read from ../shared/polnear, and the tests skip without it. Sample
``seed16`` was drawn before the rule for short contents (see
:data:`claimgraph.graph.spread.SHORT_WORDS`), sample ``seed17`` after it.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

import pytest
from conftest import SHARED

from claimgraph.graph.spread import SHORT_WORDS, ClaimRecord, same_claim

POLNEAR = SHARED / "polnear"
FIXTURE = Path(__file__).parent / "data" / "polnear_claim_links.tsv"
ENTITY = "https://w3id.org/claimgraph/id/entity/"
#: The precision the README reports for the links of the current rule (sample seed17).
PRECISION = 0.80

pytestmark = pytest.mark.skipif(not POLNEAR.is_dir(), reason="../shared/polnear is absent")


def links() -> list[dict[str, str]]:
    with FIXTURE.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file, delimiter="\t"))


@cache
def text(article: str) -> str:
    for split in ("train", "dev"):
        path = POLNEAR / split / "text" / f"{article}.txt"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise LookupError(article)


def record(row: dict[str, str], prefix: str = "") -> ClaimRecord:
    article, begin, end = row[f"{prefix}article"], int(row[f"{prefix}begin"]), \
        int(row[f"{prefix}end"])
    source = row[f"{prefix}source"]
    return ClaimRecord(f"{article}#{begin}", article, text(article)[begin:end],
                       source=ENTITY + source if source else None,
                       subjects=frozenset(ENTITY + slug for slug in
                                          row[f"{prefix}subjects"].split()))


def decidable(one: ClaimRecord, other: ClaimRecord) -> bool:
    """Whether the fixture holds what the decision used: a short content's sources without
    an entity were compared by their text, which the fixture does not keep."""
    short = min(len(one.normalised.split()), len(other.normalised.split())) < SHORT_WORDS
    return not (short and (one.source is None or other.source is None))


def test_the_fixture_holds_two_samples_of_fifty_judged_links() -> None:
    rows = links()
    assert [sum(row["sample"] == name for row in rows) for name in ("seed16", "seed17")] == [
        50, 50]
    assert {row["verdict"] for row in rows} == {"same", "different"}
    for row in rows:  # the offsets still point at a content in the corpus
        assert record(row).text.strip() and record(row, "other_").text.strip()


def interrupted(text: str) -> bool:
    """Whether a content span is a quotation interrupted by its cue ('"…," he said. "…"'):
    the claim's text joins the quoted parts only, which the fixture's offsets do not give."""
    return len(re.findall(r"[\"“”]|''", text)) >= 3


def test_the_links_of_the_current_rule_are_still_made_and_as_precise() -> None:
    rows = [row for row in links() if row["sample"] == "seed17"]
    relinked = 0
    for row in rows:
        one, other = record(row), record(row, "other_")
        if not decidable(one, other) or same_claim(one, other) is not None:
            relinked += 1
        else:
            assert interrupted(one.text) or interrupted(other.text), (row["article"],
                                                                       row["begin"])
    assert relinked >= 48
    precision = sum(row["verdict"] == "same" for row in rows) / len(rows)
    assert precision == pytest.approx(PRECISION)


def test_the_short_content_rule_removes_the_false_links_of_the_first_sample() -> None:
    rows = [row for row in links() if row["sample"] == "seed16"]
    kept = [row for row in rows if same_claim(record(row), record(row, "other_"))]
    before = sum(row["verdict"] == "same" for row in rows) / len(rows)
    after = sum(row["verdict"] == "same" for row in kept) / len(kept)
    assert (round(before, 2), round(after, 2)) == (0.64, 0.97)
