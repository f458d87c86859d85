"""Tests for claimgraph.extract.scoring on small hand-made cases with known answers."""

from __future__ import annotations

import json

import pytest

from claimgraph.extract.scoring import (
    Counts,
    evaluate_corpus,
    format_errors,
    format_report,
    maximum_matching,
    score_document,
    sentence_context,
    trimmed_pieces,
)
from claimgraph.records import Attribution, Document, Mention

TEXT = ("Trump said: “We will win, believe me.” Clinton replied that the polls were wrong. "
        "Aides insisted the rally went well.")
DOCUMENT = Document(id="doc", text=TEXT)


def mention(phrase: str, text: str = TEXT, after: int = 0) -> Mention:
    """A mention of the first ``phrase`` in ``text`` at or after offset ``after``."""
    start = text.index(phrase, after)
    return Mention(start=start, end=start + len(phrase), text=phrase)


def attribution(cue: str, content: str, source: str | None = None) -> Attribution:
    return Attribution(cue=mention(cue), content=mention(content),
                       source=mention(source) if source else None)


GOLD = [
    attribution("said", "“We will win, believe me.”", "Trump"),
    attribution("replied", "that the polls were wrong", "Clinton"),
    attribution("insisted", "the rally went well"),  # no source annotated
]


def test_perfect_prediction_scores_one_everywhere() -> None:
    score = score_document(DOCUMENT, GOLD, GOLD)

    for role, modes in score.spans.items():
        for mode, counts in modes.items():
            assert (counts.precision, counts.recall, counts.f1) == (1.0, 1.0, 1.0), (role, mode)
    assert score.spans["source"]["exact"].gold == 2  # the third attribution has no source
    assert score.attributions == Counts(gold=3, predicted=3, matched=3)
    assert score.missed == [] and score.spurious == []


def test_exact_match_trims_quotes_and_punctuation_overlap_does_not_need_it() -> None:
    predicted = [
        # same words without the curly quotation marks: an exact match
        attribution("said", "We will win, believe me", "Trump"),
        # "the polls" is only part of the gold content: overlap, not exact
        attribution("replied", "the polls", "Clinton"),
    ]

    score = score_document(DOCUMENT, GOLD, predicted)

    assert score.spans["content"]["exact"] == Counts(gold=3, predicted=2, matched=1)
    assert score.spans["content"]["overlap"] == Counts(gold=3, predicted=2, matched=2)
    assert score.spans["content"]["overlap"].precision == 1.0
    assert score.spans["content"]["overlap"].recall == pytest.approx(2 / 3)
    assert score.spans["content"]["overlap"].f1 == pytest.approx(0.8)


def test_straight_quotes_and_trailing_comma_are_trimmed_for_exact_match() -> None:
    text = 'He said "No deal," and left.'
    document = Document(id="straight", text=text)
    gold = [Attribution(cue=mention("said", text), content=mention('"No deal,"', text))]
    predicted = [Attribution(cue=mention("said", text), content=mention("No deal", text))]

    score = score_document(document, gold, predicted)

    assert score.spans["content"]["exact"].matched == 1
    assert trimmed_pieces(mention('"No deal,"', text), text) == ((9, 16),)


def test_pieces_separated_only_by_punctuation_equal_the_whole_span() -> None:
    text = "“We will win,” “we will.” he said."
    document = Document(id="pieces", text=text)
    first, second = mention("“We will win,”", text), mention("“we will.”", text)
    gold_content = Mention(start=first.start, end=second.end, text=text[:second.end],
                           parts=((first.start, first.end), (second.start, second.end)))
    predicted_content = Mention(start=1, end=second.end - 2, text=text[1:second.end - 2])
    cue = mention("said", text)

    score = score_document(document, [Attribution(cue=cue, content=gold_content)],
                           [Attribution(cue=cue, content=predicted_content)])

    assert score.spans["content"]["exact"].matched == 1


def test_two_predictions_on_one_gold_give_one_match_and_one_false_positive() -> None:
    predicted = [
        attribution("said", "We will win", "Trump"),
        attribution("said", "believe me", "Trump"),
    ]

    score = score_document(DOCUMENT, GOLD[:1], predicted)

    content = score.spans["content"]["overlap"]
    assert content == Counts(gold=1, predicted=2, matched=1)
    assert (content.false_positives, content.false_negatives) == (1, 0)
    assert (content.precision, content.recall) == (0.5, 1.0)
    # The same cue and source span used twice is one predicted span.
    assert score.spans["cue"]["exact"] == Counts(gold=1, predicted=1, matched=1)
    # One attribution matches; the other is spurious. The larger overlap wins the pair.
    assert score.attributions == Counts(gold=1, predicted=2, matched=1)
    assert [item.content.text for item in score.spurious] == ["believe me"]


def test_matching_is_maximum_not_greedy() -> None:
    # Prediction 0 overlaps gold 0 most (10) and gold 1 a little (5); prediction 1 overlaps
    # only gold 0. Greedy by overlap would pair (0, 0) and leave prediction 1 alone.
    overlaps = {(0, 0): 10, (1, 0): 5, (0, 1): 1}
    pairs = maximum_matching(2, 2, lambda gold, predicted: overlaps.get((gold, predicted), 0))
    assert pairs == [(0, 1), (1, 0)]


def test_missing_sources() -> None:
    predicted = [
        # gold has a source (Trump) and this prediction has none: no attribution match
        attribution("said", "We will win, believe me"),
        # gold has no source: a predicted source does not matter for the attribution
        attribution("insisted", "the rally went well", "Aides"),
    ]

    score = score_document(DOCUMENT, GOLD, predicted)

    assert score.attributions == Counts(gold=3, predicted=2, matched=1)
    assert [item.cue.text for item in score.missed] == ["said", "replied"]
    assert [item.cue.text for item in score.spurious] == ["said"]
    assert score.spans["source"]["overlap"] == Counts(gold=2, predicted=1, matched=0)


def test_source_must_overlap_when_gold_has_one() -> None:
    predicted = [attribution("replied", "that the polls were wrong", "Trump")]

    score = score_document(DOCUMENT, GOLD, predicted)

    assert score.attributions.matched == 0
    assert score.spans["content"]["exact"].matched == 1


def test_empty_prediction_gives_zero_without_dividing_by_zero() -> None:
    score = score_document(DOCUMENT, GOLD, [])

    for modes in score.spans.values():
        for counts in modes.values():
            assert (counts.precision, counts.recall, counts.f1) == (0.0, 0.0, 0.0)
    assert score.attributions == Counts(gold=3, predicted=0, matched=0)
    assert len(score.missed) == 3
    nothing = score_document(DOCUMENT, [], [])
    assert nothing.attributions.f1 == 0.0


def test_evaluate_corpus_sums_documents_and_reports() -> None:
    other_text = "Aliyev said the town was taken."
    other = Document(id="other", text=other_text)
    other_gold = [Attribution(cue=mention("said", other_text),
                              content=mention("the town was taken", other_text),
                              source=mention("Aliyev", other_text))]
    predictions = {"doc": GOLD[:2], "other": []}
    calls: list[list[str]] = []

    def predict(documents: list[Document]) -> list[list[Attribution]]:
        calls.append([document.id for document in documents])
        return [predictions[document.id] for document in documents]

    score = evaluate_corpus([(DOCUMENT, GOLD), (other, other_gold)], predict, batch_size=1)

    assert calls == [["doc"], ["other"]]
    assert score.attributions == Counts(gold=4, predicted=2, matched=2)
    assert score.spans["source"]["exact"] == Counts(gold=3, predicted=2, matched=2)
    assert [document.document.id for document in score.documents] == ["doc", "other"]

    as_json = json.loads(json.dumps(score.to_dict(errors=True)))
    assert as_json["attribution"] == {"gold": 4, "predicted": 2, "matched": 2,
                                      "precision": 1.0, "recall": 0.5, "f1": 0.6667}
    assert as_json["per_document"][1]["missed"][0]["source"]["text"] == "Aliyev"
    assert as_json["per_document"][1]["missed"][0]["sentence"] == other_text

    report = format_report(score)
    assert report.splitlines()[0] == "2 documents"
    assert "attribution  overlap       4      2      2  1.000  0.500  0.667" in report

    errors = format_errors(score.documents)
    assert "== other\nmissed   Aliyev | said | the town was taken\n" in errors
    assert "== doc\nmissed   - | insisted | the rally went well" in errors


def test_evaluate_corpus_refuses_a_short_prediction_list() -> None:
    with pytest.raises(ValueError, match="1 documents"):
        evaluate_corpus([(DOCUMENT, GOLD)], lambda documents: [])


def test_sentence_context_is_bounded_by_sentence_ends_and_newlines() -> None:
    clinton = TEXT.index("Clinton")
    assert sentence_context(TEXT, clinton, clinton + 7) == (
        "Clinton replied that the polls were wrong.")
    # The quotation's own full stop is inside the span: the sentence runs on past it.
    assert sentence_context(TEXT, 0, 5) == "Trump said: “We will win, believe me.”"
    text = "Headline\nThe minister said\nso. Then more."
    said = text.index("said")
    assert sentence_context(text, said, said + 4) == "The minister said"
