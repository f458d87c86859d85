"""Claim subjects, topics, cue meaning and sources named in their own span, on sentences
written for these tests (the corpus-wide figures are kept by test_subject_fixture.py)."""

from __future__ import annotations

import pytest
import rdflib
from rdflib.namespace import RDF, SKOS

from claimgraph.graph.rdf import RunInfo, build_article, topic_iri
from claimgraph.ontology import CG
from claimgraph.records import Attribution, Document, Mention
from claimgraph.resolve import resolve_attributions
from claimgraph.resolve.topics import content_topic


def mention(text: str, part: str, occurrence: int = 0) -> Mention:
    """Return the mention of the ``occurrence``-th ``part`` of ``text``."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(part, start + 1)
    return Mention(start, start + len(part), part)


def attributions(nlp, text: str) -> list[Attribution]:
    return list(nlp(text)._.attributions)


def resolved_gold(nlp, text: str, gold: Attribution) -> Attribution:
    """Parse ``text`` without the attribution components and resolve one gold attribution."""
    with nlp.select_pipes(disable=["claim_attribution", "claim_resolution"]):
        doc = nlp(text)
    [resolved] = resolve_attributions(doc, [gold])
    return resolved


def span_of(doc, part: str):
    """Return the span of the first ``part`` of a parsed text."""
    start = doc.text.index(part)
    return doc.char_span(start, start + len(part))


def keys(attribution: Attribution) -> list[str | None]:
    return [subject.entity.key if subject.entity else None for subject in attribution.subjects]


def test_no_subject_from_the_addressee_between_the_pieces_of_a_quotation(nlp) -> None:
    text = ('"Mexico will never pay for the wall," Senator Mark Tolley told CNN on Sunday, '
            '"and Canada will not either."')
    first, second = mention(text, '"Mexico will never pay for the wall,"'), mention(
        text, '"and Canada will not either."')
    gold = Attribution(cue=mention(text, "told"), source=mention(text, "Senator Mark Tolley"),
                       content=Mention(first.start, second.end, text[first.start:second.end],
                                       parts=((first.start, first.end),
                                              (second.start, second.end))),
                       quote_type="direct",
                       subjects=(mention(text, "Mexico"), mention(text, "CNN"),
                                 mention(text, "Canada")))
    with nlp.select_pipes(disable=["claim_attribution", "claim_resolution"]):
        doc = nlp(text)
    [resolved] = resolve_attributions(doc, [gold])
    assert keys(resolved) == ["mexico", "canada"]


def test_no_subject_from_the_venue_or_outlet_of_the_cue(nlp) -> None:
    text = "Governor Ann Reyes said in an interview with Fox News that Ohio would sign the deal."
    [found] = attributions(nlp, text)
    assert found.source.entity.key == "ann reyes"
    assert "fox news" not in keys(found)
    assert "ohio, united states" in keys(found)


def test_the_source_is_a_subject_when_the_content_speaks_of_it(nlp) -> None:
    text = "Mark Tolley, the chief executive of Arvex, denied that his firm had broken the law."
    [found] = attributions(nlp, text)
    assert found.cue_class == "denial"
    assert [(s.text, s.entity.key, s.label) for s in found.subjects] == [
        ("his", "mark tolley", "PRONOUN")]
    # In a quotation, "me" is its speaker.
    [_, quoted] = attributions(nlp, 'Mark Tolley said the report was wrong. '
                                    '"It makes me angry," he said.')
    assert [(s.text, s.entity.key) for s in quoted.subjects] == [("me", "mark tolley")]


def test_an_it_far_from_any_name_is_no_subject(nlp) -> None:
    text = ("Senator Mark Tolley visited the Arvex plant in Dayton on Monday. Workers there "
            "were worried. Tolley said it was a problem that nobody wanted to talk about it.")
    found = attributions(nlp, text)[-1]
    assert found.source.entity.key == "mark tolley"
    assert not [subject for subject in found.subjects if subject.text == "it"]


def test_a_source_named_inside_its_own_span(nlp) -> None:
    [bartender] = attributions(nlp, "A local bartender, Jennifer Rodstrom, said the new tax "
                                    "would close her bar.")
    assert bartender.source.entity.key == "jennifer rodstrom"
    assert keys(bartender) == ["jennifer rodstrom"]  # "her" bar: the source's
    hacker = attributions(nlp, "A hacker calling himself Guccifer 2.0 claimed that he had "
                               "broken into the servers of the Democratic National "
                               "Committee.")[-1]
    assert hacker.source.entity.key == "guccifer 2.0"
    assert keys(hacker) == ["guccifer 2.0", "democratic national committee"]


def test_topic_of_a_claim_about_a_thing(nlp) -> None:
    [found] = attributions(nlp, "Mark Tolley claimed that voting fraud is a big problem.")
    assert found.subjects == ()
    assert found.extra["topic"] == "voting fraud"
    doc = nlp("The NAACP called for a moratorium on charter schools. Acts of protest are "
              "acts of patriotism.")
    assert content_topic(doc[4:9]) == "moratorium"
    assert content_topic(doc[10:16]) == "protest"


def test_the_topic_is_in_the_graph(nlp) -> None:
    text = "Mark Tolley claimed that voting fraud is a big problem."
    [found] = attributions(nlp, text)
    graph = build_article(Document(id="topic-sample", text=text), [found],
                          RunInfo("en_core_web_sm", "3.8.0"))
    topic = topic_iri("voting fraud")
    assert len(list(graph.subjects(CG.topic, topic))) == 1
    assert (topic, RDF.type, CG.Topic) in graph
    assert graph.value(topic, SKOS.prefLabel) == rdflib.Literal("voting fraud", lang="en")


@pytest.mark.parametrize(("text", "cue_class", "negated"), [
    ("Mark Tolley voted against the bill.", "criticism", False),
    ("Mark Tolley did not deny the report.", "denial", True),
])
def test_cue_meaning_of_phrasal_and_negated_cues(nlp, text: str, cue_class: str,
                                                 negated: bool) -> None:
    [found] = attributions(nlp, text)
    assert (found.cue_class, found.negated) == (cue_class, negated)


def test_negation_on_the_words_that_govern_the_cue_word(nlp) -> None:
    # An annotated cue ("won't be able to brag about"): the "n't" hangs off "be".
    text = "He won't be able to brag about his polling advantage."
    with nlp.select_pipes(disable=["claim_attribution", "claim_resolution"]):
        doc = nlp(text)
    gold = Attribution(cue=mention(text, "won't be able to brag about"),
                       source=mention(text, "He"), content=mention(text, "his polling advantage"))
    [resolved] = resolve_attributions(doc, [gold])
    assert (resolved.cue_class, resolved.cue_lemma, resolved.negated) == ("assertion", "brag",
                                                                         True)


def test_topic_under_an_empty_noun_or_a_quotation_mark(nlp) -> None:
    # The object of the clause an empty noun or "those" heads.
    doc = nlp('The mayor looked for ways to rebuild bridges with tenants. She vowed to '
              'punish "those who break safety rules."')
    assert content_topic(doc[4:11]) == "bridge"
    punish = doc[13:23]
    assert punish[-1].text == '"' and content_topic(punish) == "safety rule"
    # Counts and outcomes of a thing give the thing.
    doc = nlp("A study found 12 incidents of ballot tampering. The result has been a "
              "movement against the tax.")
    assert content_topic(doc[3:8]) == "ballot tampering"
    assert content_topic(doc[9:17]) == "movement"


def test_a_demonstrative_is_no_part_of_a_name(nlp) -> None:
    text = ('"There is a deep rift between this White House and the generals," '
            "Senator Mark Tolley said.")
    [found] = attributions(nlp, text)
    assert "white house" in keys(found)


def test_this_country_far_from_any_name_is_the_country_of_the_article(nlp) -> None:
    text = ("Portugal held a vote on Sunday. Turnout in Portugal was low, and Spain sent "
            "observers. Lisbon was calm. The weather was mild all day. Voters stayed home. "
            'Maria Costa, a teacher, said: "This country has lost faith in its leaders."')
    found = attributions(nlp, text)[-1]
    assert found.source.entity.key == "maria costa"
    assert "portugal" in keys(found)


def test_topic_of_an_existential_or_of_a_later_sentence(nlp) -> None:
    doc = nlp("She admitted that there are some people who distrust the plan. "
              '"This is what we heard. In the end we care about the pension." '
              "He wanted to know the facts about the outage.")
    assert content_topic(span_of(doc, "there are some people who distrust the plan")) \
        == "people"
    assert content_topic(span_of(doc, '"This is what we heard. In the end we care about the '
                                      'pension."')) == "pension"
    assert content_topic(span_of(doc, "to know the facts about the outage")) == "outage"
    doc = nlp("We need the facts about any incident like this.")
    assert content_topic(doc[1:-1]) == "incident"


def test_you_in_a_quotation_is_its_addressee(nlp) -> None:
    text = ('Senator Ann Reyes questioned Mark Tolley for an hour. "You should resign," '
            "Reyes told Tolley.")
    found = attributions(nlp, text)[-1]
    assert [(s.text, s.entity.key) for s in found.subjects] == [("You", "mark tolley")]


def test_topic_from_the_first_piece_that_gives_one(nlp) -> None:
    text = '"Everyone knew what was coming," Mark Tolley said, "and they sold the mines."'
    first, second = mention(text, '"Everyone knew what was coming,"'), mention(
        text, '"and they sold the mines."')
    gold = Attribution(cue=mention(text, "said"), source=mention(text, "Mark Tolley"),
                       content=Mention(first.start, second.end, text[first.start:second.end],
                                       parts=((first.start, first.end),
                                              (second.start, second.end))),
                       quote_type="direct")
    assert resolved_gold(nlp, text, gold).extra["topic"] == "mine"


def test_it_acting_in_a_content_is_the_country_named_just_before(nlp) -> None:
    text = ("Portugal has long debated its place in the currency union. Prime Minister "
            "Maria Costa said on Friday that it would leave the union next year.")
    found = attributions(nlp, text)[-1]
    assert [(s.text, s.entity.key) for s in found.subjects if s.text == "it"] == [
        ("it", "portugal")]


def test_topic_past_the_role_that_acts_and_in_prepositions(nlp) -> None:
    doc = nlp("She said that officials had agreed to draft a budget plan by May. He sided "
              "with Tolley about the deadline.")
    assert content_topic(span_of(doc, "officials had agreed to draft a budget plan by May")) \
        == "budget plan"
    assert content_topic(span_of(doc, "with Tolley about the deadline")) == "deadline"


def test_topic_of_an_attitude_is_what_it_is_to(nlp) -> None:
    doc = nlp("About 20 people have shown an interest in the seat.")
    assert content_topic(doc[:-1]) == "seat"


def test_topic_named_by_the_cue_itself(nlp) -> None:
    text = "The two rivals spent weeks hurling insults at each other."
    gold = Attribution(cue=mention(text, "spent weeks hurling insults at"),
                       source=mention(text, "The two rivals"),
                       content=mention(text, "each other"), quote_type="indirect")
    assert resolved_gold(nlp, text, gold).extra["topic"] == "insult"


def test_we_of_a_speaker_named_by_an_organization(nlp) -> None:
    text = ('Google Chief Executive Mark Tolley spoke on Monday. "We will not close the plant," '
            "he told reporters.")
    found = attributions(nlp, text)[-1]
    assert found.source.entity.key == "mark tolley"
    assert [(s.text, s.entity.key) for s in found.subjects] == [("We", "google")]


def test_her_is_the_woman_named_before_not_a_nearer_name_of_unknown_gender(nlp) -> None:
    text = ("Mrs. Ann Vance met voters in Dayton on Monday. Oakes told reporters that "
            "nobody would question her judgment.")
    found = attributions(nlp, text)[-1]
    assert found.source.entity.key == "oakes"
    assert [(s.text, s.entity.key) for s in found.subjects] == [("her", "ann vance")]
