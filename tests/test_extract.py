"""The claim_attribution component on the seed article and on hand-made sentences."""

from __future__ import annotations

import pytest

from claimgraph.extract.attributions import drop_nested
from claimgraph.extract.cue_classifier import CueClassifier, candidate_features
from claimgraph.extract.cue_spans import CueEdges
from claimgraph.records import Attribution, Mention


def attributions_of(nlp, text: str) -> list[Attribution]:
    return nlp(text)._.attributions


def find(attributions: list[Attribution], cue: str) -> Attribution:
    """Return the one attribution whose cue text is ``cue``."""
    matching = [attribution for attribution in attributions if attribution.cue.text == cue]
    assert len(matching) == 1, [attribution.cue.text for attribution in attributions]
    return matching[0]


def text_mention(text: str, part: str) -> Mention:
    """Return a mention of the first occurrence of ``part`` in ``text``."""
    start = text.index(part)
    return Mention(start=start, end=start + len(part), text=part)


def piece_texts(text: str, attribution: Attribution) -> list[str]:
    return [text[start:end] for start, end in attribution.content.pieces()]


# --- the seed article ------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_attributions(nlp, seed_text: str) -> list[Attribution]:
    return attributions_of(nlp, seed_text)


def test_seed_pashinyan_considered_leaves_out_ankara(seed_attributions) -> None:
    pashinyan = find(seed_attributions, "considered")
    assert "Nikol Pashinyan" in pashinyan.source.text
    assert "caused by Turkish support for Azerbaijan" in pashinyan.content.text
    assert "Ankara" not in pashinyan.content.text


def test_seed_ankara_affirmed(seed_attributions) -> None:
    ankara = find(seed_attributions, "affirmed")
    assert ankara.source.text == "Ankara"
    assert "it stood by Baku in the conflict" in ankara.content.text


def test_seed_ministry_stated_direct_quote(seed_attributions) -> None:
    ministry = find(seed_attributions, "stated")
    assert ministry.source.text == "the ministry"
    assert ministry.content.text.startswith("“The aim of the visit is")
    assert ministry.quote_type == "direct"


def test_seed_according_to_correspondent(seed_attributions) -> None:
    afp = find(seed_attributions, "according to")
    assert afp.source.text == "an AFP correspondent"
    assert "Stepanakert, was bombed" in afp.content.text


def test_seed_resident_told(seed_attributions) -> None:
    resident = find(seed_attributions, "told")
    assert resident.source.text == "A resident"
    assert "it was undoubtedly the night of the heaviest bombing" in resident.content.text


def test_seed_two_sides_vowed_and_call_on_countries(seed_attributions) -> None:
    assert find(seed_attributions, "vowed").source.text == "the two sides"
    assert find(seed_attributions, "called on").content.text == "to follow it"


# --- quotations -------------------------------------------------------------------------


def test_quote_after_the_verb(nlp) -> None:
    said = find(attributions_of(nlp, "He said: “We will rebuild the bridge.”"), "said:")
    assert said.source.text == "He"
    assert said.content.text == "“We will rebuild the bridge.”"
    assert said.quote_type == "direct"


def test_quote_before_the_verb(nlp) -> None:
    said = find(attributions_of(nlp, "“We will rebuild the bridge,” the mayor said."), "said")
    assert said.source.text == "the mayor"
    assert said.content.text == "“We will rebuild the bridge,”"


def test_quote_around_the_verb_is_one_content_in_two_pieces(nlp) -> None:
    text = "“We will rebuild the bridge,” the mayor said, “and we will do it this year.”"
    said = find(attributions_of(nlp, text), "said")
    assert said.source.text == "the mayor"
    assert piece_texts(text, said) == ["“We will rebuild the bridge,”",
                                       "“and we will do it this year.”"]


def test_quote_continues_in_the_next_sentence(nlp) -> None:
    text = ("“We will rebuild the bridge,” the mayor said. "
            "“It will take a year. Nobody will be left behind.”")
    said = find(attributions_of(nlp, text), "said")
    assert piece_texts(text, said) == ["“We will rebuild the bridge,”",
                                       "“It will take a year. Nobody will be left behind.”"]


def test_quote_continues_when_a_headline_follows_its_paragraph(nlp) -> None:
    # The parse runs the quotation's sentence on into the headline after the paragraph.
    text = ("\"Our harbour needs a new crane,\" the mayor said. \"We're down - and if we wait, "
            "we're going to be out.\"\n\nWary of 'chaos.'\n\n"
            "For the council, part of the appeal is caution.")
    said = find(attributions_of(nlp, text), "said")
    assert piece_texts(text, said) == [
        "\"Our harbour needs a new crane,\"",
        "\"We're down - and if we wait, we're going to be out.\""]


def test_quotation_over_several_paragraphs(nlp) -> None:
    text = ("The mayor spoke on Monday.\n\n“We will rebuild the bridge. It will take a year.\n\n"
            "“Nobody will be left behind,” the mayor said.")
    said = find(attributions_of(nlp, text), "said")
    assert said.content.text.startswith("“We will rebuild the bridge. It will take a year.")
    assert said.content.text.endswith("“Nobody will be left behind,”")


def test_unbalanced_quotation_mark_does_not_stop_later_attributions(nlp) -> None:
    text = ("The union called the offer “unacceptable. Workers voted on Monday.\n\n"
            "The company said that the strike would end soon.\n\n"
            "“We will not give in,” the union leader said.")
    attributions = attributions_of(nlp, text)
    company = next(a for a in attributions if a.source and a.source.text == "The company")
    assert company.content.text == "that the strike would end soon"
    leader = next(a for a in attributions if a.source and a.source.text == "the union leader")
    assert leader.content.text == "“We will not give in,”"


def test_quote_then_a_sentence_with_only_the_cue(nlp) -> None:
    said = find(attributions_of(nlp, "“I’m honored!” she said."), "said")
    assert said.source.text == "she"
    assert said.content.text == "“I’m honored!”"


def test_quote_continues_when_the_parse_keeps_its_opening_mark_behind(nlp) -> None:
    text = ("''Three million New Yorkers were unable to vote today,'' Mr. Sanders said. "
            "''That makes no sense to me.''")
    said = find(attributions_of(nlp, text), "said")
    assert said.source.text == "Mr. Sanders"
    assert piece_texts(text, said) == ["''Three million New Yorkers were unable to vote today,''",
                                       "''That makes no sense to me.''"]


def test_signed_quotation(nlp) -> None:
    text = "“Trump must stop portraying Latinos as dangerous gangsters.” ― Carla Sanchez\n"
    signed = find(attributions_of(nlp, text), "―")
    assert signed.source.text == "Carla Sanchez"
    assert signed.content.text == "“Trump must stop portraying Latinos as dangerous gangsters.”"


def test_signed_quotation_opened_with_a_closing_mark(nlp) -> None:
    text = ("Readers wrote in.\n\n”Fear. I am truly afraid that he will win. The debate "
            "proved it.” ― Edwin G. Monroy\n")
    signed = find(attributions_of(nlp, text), "―")
    assert signed.source.text == "Edwin G. Monroy"
    assert signed.content.text == ("”Fear. I am truly afraid that he will win. The debate "
                                   "proved it.”")


# --- other constructions ----------------------------------------------------------------


def test_parenthetical_cue_reports_the_clause_around_it(nlp) -> None:
    text = "Critics, analysts said, have other reasons for the attacks."
    said = find(attributions_of(nlp, text), "said")
    assert said.source.text == "analysts"
    assert said.rule == "verb:head:parataxis"
    assert piece_texts(text, said) == ["Critics", "have other reasons for the attacks"]


def test_noun_cue_with_a_that_clause(nlp) -> None:
    text = "Workers were surprised by the mayor's statement that the plant would close."
    statement = find(attributions_of(nlp, text), "statement")
    assert statement.source.text == "the mayor's"
    assert statement.content.text == "that the plant would close"


def test_head_frame_never_reports_the_cue_whose_content_it_is(nlp) -> None:
    text = "The senator has also said that he did not know."
    assert [attribution.cue.text for attribution in attributions_of(nlp, text)] == [
        "has also said"]


def test_light_verb_and_noun_make_one_cue(nlp) -> None:
    text = "He also expressed concern about the closed primary system in New York."
    [concern] = attributions_of(nlp, text)
    assert concern.cue.text == "also expressed concern about"
    assert concern.source.text == "He"
    assert concern.content.text == "the closed primary system in New York"


@pytest.mark.parametrize(("text", "source", "cue", "content"), [
    ("Senator Smith has been critical of the new tax plan.",
     "Senator Smith", "has been critical of", "the new tax plan"),
    ("The governor is confident that the bill will pass next week.",
     "The governor", "is confident", "that the bill will pass next week"),
    ("Many voters are worried that the economy will slow down.",
     "Many voters", "are worried", "that the economy will slow down"),
    ("The mayor was eager to sign the budget.", "The mayor", "was eager", "to sign the budget"),
])
def test_adjective_cue_with_its_copula(nlp, text: str, source: str, cue: str,
                                       content: str) -> None:
    # The copula joins the cue and its subject is the source, as with a light verb's noun.
    [attribution] = attributions_of(nlp, text)
    assert (attribution.source.text, attribution.cue.text, attribution.content.text) == (
        source, cue, content)


@pytest.mark.parametrize("content", ["that the talks had failed", "the talks had failed"])
def test_told_someone_that(nlp, content: str) -> None:
    told = find(attributions_of(nlp, f"The minister told reporters {content}."), "told")
    assert told.source.text == "The minister"
    assert told.content.text == content
    assert "reporters" not in told.content.text


def test_according_to(nlp) -> None:
    text = "The bridge will reopen in May, according to city officials."
    according = find(attributions_of(nlp, text), "according to")
    assert according.source.text == "city officials"
    assert according.content.text == "The bridge will reopen in May"


def test_according_to_in_the_middle_splits_the_content(nlp) -> None:
    text = "Donations, according to the campaign, have doubled since June."
    according = find(attributions_of(nlp, text), "according to")
    assert piece_texts(text, according) == ["Donations", "have doubled since June"]


def test_verb_group_joins_the_cue(nlp) -> None:
    said = find(attributions_of(nlp, "The senator has also said that he did not know."),
                "has also said")
    assert said.content.text == "that he did not know"
    assert not said.negated


@pytest.mark.parametrize(("text", "cue"), [
    ("The spokesman did not say whether the plant would close.", "did not say"),
    ("The spokesman never claimed that the plant would close.", "never claimed"),
])
def test_negated_cue(nlp, text: str, cue: str) -> None:
    negated = find(attributions_of(nlp, text), cue)
    assert negated.negated
    assert negated.source.text == "The spokesman"


@pytest.mark.parametrize(("text", "source"), [
    # A comma-set clause holding a cue of its own is another attribution ("who emphasized").
    ("Mr. Kamin, who emphasized that the plan would simplify returns, said the costs were "
     "modest.", "Mr. Kamin"),
    ("Trump, speaking to a veterans group in Virginia, said the military was depleted.",
     "Trump"),
    # Other relative clauses stay in the source, as the corpus mostly keeps them.
    ("Joseph, who has four children, said the school was too far away.",
     "Joseph, who has four children"),
])
def test_source_leaves_out_asides(nlp, text: str, source: str) -> None:
    said = find(attributions_of(nlp, text), "said")
    assert said.source.text == source


def test_relative_clause_with_a_cue_is_its_own_attribution(nlp) -> None:
    text = ("Mr. Kamin, who emphasized that the plan would simplify returns, said the costs "
            "were modest.")
    emphasized = find(attributions_of(nlp, text), "emphasized")
    assert emphasized.source.text == "who"
    assert emphasized.content.text == "that the plan would simplify returns"


@pytest.mark.parametrize(("text", "content"), [
    ("The senator said she was worried about the health of Donald Trump, who is 70.",
     "she was worried about the health of Donald Trump"),
    ("The mayor said the budget would be balanced — a promise he has made before.",
     "the budget would be balanced"),
])
def test_content_leaves_out_a_trailing_aside(nlp, text: str, content: str) -> None:
    said = find(attributions_of(nlp, text), "said")
    assert said.content.text == content


@pytest.mark.parametrize(("text", "cue"), [
    ("The minister was accused of hiding the report.", "was accused of"),
    ("Asked about the vote, Clinton said she would wait for the results.", "Asked about"),
])
def test_passive_cue_without_agent_has_no_source(nlp, text: str, cue: str) -> None:
    attributions = attributions_of(nlp, text)
    assert find(attributions, cue).source is None
    if cue == "Asked about":  # the clause's own cue keeps its subject
        assert find(attributions, "said").source.text == "Clinton"


def test_drop_nested_keeps_a_speaker_colon_inside_another_content() -> None:
    text = "He said the hearing went on. SMITH: We are not done. She says they are."

    def mention(part: str) -> Mention:
        return text_mention(text, part)

    outer = Attribution(cue=mention("said"), content=mention("the hearing went on. SMITH: We "
                                                             "are not done. She says they are"),
                        source=mention("He"), rule="verb:ccomp")
    colon = Attribution(cue=mention(":"), content=mention("We are not done."),
                        source=mention("SMITH"), rule="colon")
    nested = Attribution(cue=mention("says"), content=mention("they are"),
                         source=mention("She"), rule="verb:ccomp")
    assert drop_nested([outer, colon, nested]) == [outer, colon]


def test_drop_nested_keeps_the_narrower_of_two_attributions_inside_each_other() -> None:
    text = "Trump demeaned women with sexist language, according to show insiders."

    def mention(part: str) -> Mention:
        return text_mention(text, part)

    demeaned = Attribution(cue=mention("demeaned"),
                           content=mention("women with sexist language, according to show"),
                           source=mention("Trump"), rule="verb:dobj")
    according = Attribution(cue=mention("according to"),
                            content=mention("Trump demeaned women with sexist language"),
                            source=mention("show insiders"), rule="according-to")
    assert drop_nested([demeaned, according]) == [according]


def test_colon_cue_in_a_transcript(nlp) -> None:
    text = "The debate went on.\n\nMORALES: Well, the budget is simply too small."
    colon = find(attributions_of(nlp, text), ":")
    assert colon.source.text == "MORALES"
    assert colon.content.text.startswith("Well, the budget is simply too small")


def test_cue_edges_decide_by_the_most_specific_key_seen_often_enough() -> None:
    edges = CueEdges()
    for inside in (True, True, False):
        edges.add([("L", "advmod", "also"), ("L", "advmod", "ADV")], inside=inside)
    for _ in range(3):
        edges.add([("L", "advmod", "angrily"), ("L", "advmod", "ADV")], inside=False)
    assert edges.belongs([("L", "advmod", "also"), ("L", "advmod", "ADV")])
    assert not edges.belongs([("L", "advmod", "angrily"), ("L", "advmod", "ADV")])
    # A rare word defers to its part of speech: 2 of 6 adverbs were inside.
    assert not edges.belongs([("L", "advmod", "loudly"), ("L", "advmod", "ADV")])
    assert not edges.belongs([("R", "npadvmod", "Friday")])


# --- the cue classifier -------------------------------------------------------------------


def test_features_name_the_lemma_frame_subject_and_quotation(nlp) -> None:
    doc = nlp("I would say that the plan failed.")
    say = doc[2]
    features = candidate_features(say, "ccomp", doc[6], in_quotation=True)
    assert "lf=say|ccomp" in features
    assert "subjw=i" in features
    assert "modal|l=say" in features
    assert "quoted|l=say" in features
    assert "mark|f=that|ccomp" in features


def test_training_separates_cues_from_non_cues_and_survives_a_round_trip(tmp_path) -> None:
    examples = [(["bias", "lf=say|ccomp", "subj|f=PROPN|ccomp"], True)] * 20 + \
               [(["bias", "lf=say|ccomp", "quoted|l=say"], False)] * 20
    classifier = CueClassifier.train(examples)
    reported = classifier.probability(["bias", "lf=say|ccomp", "subj|f=PROPN|ccomp"])
    quoted = classifier.probability(["bias", "lf=say|ccomp", "quoted|l=say"])
    assert reported > 0.8 > 0.2 > quoted
    classifier.save(tmp_path / "weights.tsv")
    loaded = CueClassifier.load(tmp_path / "weights.tsv")
    assert abs(loaded.probability(["bias", "lf=say|ccomp", "quoted|l=say"]) - quoted) < 1e-3
