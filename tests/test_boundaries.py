"""The boundary ranker: the parse index, the places an edge may move to, training and
placing (see claimgraph.extract.boundaries)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from claimgraph.extract.boundaries import (
    BoundaryRanker,
    ParseIndex,
    edge_examples,
    edge_places,
    place_edges,
    ranked_spans,
)
from claimgraph.extract.spans import char_mention, pieces_mention, token_mention
from claimgraph.records import Attribution

TEXT = "The mayor said in an interview that the old bridge would reopen in May.\n\nNext line."


@pytest.fixture(scope="module")
def doc(nlp):
    return nlp(TEXT)


def attribution(doc, cue: tuple[int, int], content: tuple[int, int],
                rule: str = "verb:ccomp") -> Attribution:
    return Attribution(cue=token_mention(doc, *cue), content=token_mention(doc, *content),
                       source=token_mention(doc, 0, 2), rule=rule)


def span_of(doc, item: Attribution, role: str):
    return next(span for span in ranked_spans(doc, item) if span.role == role)


def test_parse_index_agrees_with_the_parse(doc) -> None:
    index = ParseIndex.of(doc)
    assert index.heads == [token.head.i for token in doc]
    assert index.left_edges == [token.left_edge.i for token in doc]
    assert index.right_edges == [token.right_edge.i for token in doc]
    assert index.depths == [sum(1 for _ in token.ancestors) for token in doc]
    assert index.words[2] == "said" and index.deps[2] == "ROOT"
    assert len(set(index.sentences)) == len(list(doc.sents))


def test_places_keep_the_head_word_and_the_paragraph(doc) -> None:
    said = attribution(doc, (2, 3), (6, 14))  # content "that the old bridge would reopen in May"
    content = span_of(doc, said, "content")
    reopen = next(token.i for token in doc if token.text == "reopen")
    starts = edge_places(content, "start")
    assert 6 in starts and max(starts) <= reopen  # never past the content's head
    # A content starts only where a phrase does: "bridge" is inside "the old bridge".
    assert 9 not in starts
    cue = span_of(doc, said, "cue")
    ends = edge_places(cue, "end")
    assert 3 in ends and 6 in ends  # "said" alone, "said in an interview"
    line_break = next(token.i for token in doc if "\n" in token.text)
    assert all(place <= line_break for place in edge_places(content, "end"))


def test_training_learns_to_take_in_a_phrase_and_survives_a_round_trip(doc, tmp_path) -> None:
    said = attribution(doc, (2, 3), (6, 14))
    examples = edge_examples(span_of(doc, said, "cue"), (2, 6))  # gold: "said in an interview"
    assert [sum(labels) for _, labels in examples] == [1, 1]
    ranker = BoundaryRanker.train(examples * 20)
    assert ranker.place(span_of(doc, said, "cue")) == (2, 6)
    placed = place_edges(doc, [said], ranker)[0]
    assert placed.cue.text == "said in an interview"
    assert placed.content == said.content  # nothing learned about contents: they stay
    ranker.save(tmp_path / "boundaries.tsv")
    loaded = BoundaryRanker.load(tmp_path / "boundaries.tsv")
    assert loaded.place(span_of(doc, said, "cue")) == (2, 6)


def test_placing_stops_at_other_mentions_and_leaves_other_rules(doc) -> None:
    # Weights that push cue ends outwards, the further the better.
    eager = BoundaryRanker({"cue:end:moved=out": 5.0, "cue:end:distance=out|3": 1.0,
                            "cue:end:distance=out|4": 2.0, "cue:end:distance=out|5": 3.0})
    said = attribution(doc, (2, 3), (6, 14))
    placed = place_edges(doc, [said], eager)[0]
    assert placed.cue.text == "said in an interview"  # as far as it goes: the content
    assert placed.cue.end <= said.content.start
    quoted = replace(said, rule="quotation")
    assert place_edges(doc, [quoted], eager)[0] == quoted


def test_an_edge_moved_only_over_punctuation_stays(nlp) -> None:
    doc = nlp("The bridge will reopen, the mayor said, and the ferry will stop.")
    said = next(token.i for token in doc if token.text == "said")
    item = attribution(doc, (said, said + 1), (0, 4), rule="verb:head:ccomp")
    outwards = BoundaryRanker({"cue:end:inner.word=,": 5.0})  # end after the comma
    assert place_edges(doc, [item], outwards)[0].cue.text == "said"  # not "said,"


def test_the_component_takes_the_model_from_its_config(nlp) -> None:
    from spacy.lang.en import English

    assert nlp.get_pipe("claim_attribution").boundaries is not None
    blank = English()
    blank.add_pipe("claim_attribution", config={"use_boundary_model": False})
    assert blank.get_pipe("claim_attribution").boundaries is None


def test_an_empty_doc_has_nothing_to_place(nlp) -> None:
    assert nlp("")._.attributions == []
    assert place_edges(nlp.make_doc(""), [], BoundaryRanker()) == []


def test_the_content_stays_clear_of_the_placed_cue(doc) -> None:
    both_out = BoundaryRanker({"cue:end:distance=out|3": 5.0,
                               "content:start:distance=out|3": 5.0})
    placed = place_edges(doc, [attribution(doc, (2, 3), (6, 14))], both_out)[0]
    assert placed.cue.text == "said in an interview"
    assert placed.content.start >= placed.cue.end


def test_a_cue_between_two_quoted_pieces_stays_between_them(nlp) -> None:
    text = "“We will rebuild the bridge,” the mayor said, “and we will do it this year.”"
    doc = nlp(text)
    said = next(token.i for token in doc if token.text == "said")
    second = text.index("“and")
    item = Attribution(cue=token_mention(doc, said, said + 1),
                       content=pieces_mention(doc, [(0, text.index(" the mayor")),
                                                    (second, len(text))]),
                       source=token_mention(doc, said - 2, said), rule="verb:ccomp")
    outwards = BoundaryRanker({"cue:end:moved=out": 5.0, "cue:start:moved=out": 5.0})
    placed = place_edges(doc, [item], outwards)[0]
    assert placed.cue.end <= second and placed.cue.start >= item.source.end
    assert placed.content == item.content


def test_a_moved_content_has_its_quote_type_again(nlp) -> None:
    text = "She described the plan as “a disaster.”"
    doc = nlp(text)
    quote = text.index("“")
    item = Attribution(cue=token_mention(doc, 1, 2), content=char_mention(doc, quote, len(text)),
                       source=token_mention(doc, 0, 1), rule="verb:prep:as",
                       quote_type="direct")
    placed = place_edges(doc, [item], BoundaryRanker({"content:start:moved=out": 5.0}))[0]
    assert placed.content.text.startswith("as “a disaster")
    assert placed.quote_type == "mixed"
