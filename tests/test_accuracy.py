"""Regression guard: exact-match F1 per role on the PolNeAR dev split stays where it got to.

Runs the whole pipeline (parse + claim_attribution) over the 84 dev articles (about half a
minute) and scores with :mod:`claimgraph.extract.scoring`. The floors are the figures reached
when they were set, minus about 0.01; raise them when the extractor improves.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from claimgraph.extract.scoring import evaluate_corpus
from claimgraph.loaders.brat import load_brat_corpus

DEV = Path(__file__).resolve().parents[1].parent / "shared" / "polnear" / "dev"
EXACT_F1_FLOORS = {"source": 0.758, "cue": 0.701, "content": 0.582}
ATTRIBUTION_F1_FLOOR = 0.731


@pytest.fixture(scope="module")
def dev_score(nlp):
    if not DEV.is_dir():
        pytest.skip(f"{DEV} is absent")
    corpus = list(load_brat_corpus(DEV, on_error=lambda error: None))

    def predict(documents):
        return [doc._.attributions for doc in nlp.pipe(document.text for document in documents)]

    return evaluate_corpus(corpus, predict)


@pytest.mark.parametrize("role", sorted(EXACT_F1_FLOORS))
def test_exact_f1_per_role_on_dev(dev_score, role: str) -> None:
    assert dev_score.spans[role]["exact"].f1 >= EXACT_F1_FLOORS[role]


def test_attribution_f1_on_dev(dev_score) -> None:
    assert len(dev_score.documents) == 84
    assert dev_score.attributions.f1 >= ATTRIBUTION_F1_FLOOR
