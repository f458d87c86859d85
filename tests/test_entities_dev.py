"""Canonical entities across articles: one key for every way a person is written, and
no merge of two people who share a surname.

The cross-article tests read PolNeAR dev articles from ../shared/polnear (never copied
here) and skip without them; they name articles and entity keys only, no article text.
"""

from __future__ import annotations

from claimgraph.resolve import read_article


def test_a_plural_group_and_its_singular_share_one_key(nlp) -> None:
    doc = nlp("Republicans said the bill was bad. One Republican disagreed. "
              "Many African-Americans voted early, and Americans abroad voted by mail.")
    keys = {doc[m.start:m.end].text: m.entity.key for m in read_article(doc).mentions}
    assert keys["Republicans"] == keys["Republican"] == "republican"
    # A hyphenated group keeps its whole name: it is not the country's people.
    assert keys["African-Americans"] == "african-american"
    assert keys["Americans"] == "united states"
