"""Canonical entities across articles: one key for every way a person is written, and
no merge of two people who share a surname.

The cross-article tests read PolNeAR dev articles from ../shared/polnear (never copied
here) and skip without them; they name articles, the name forms looked for and entity
keys, no article text. Each article was chosen because the form occurs there as the
source or a subject of an attribution the pipeline finds (and was read to check who it is).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import Literal

from claimgraph import ingest, open_store
from claimgraph.graph.network import project
from claimgraph.graph.rdf import entity_iri, span_anchor_bindings
from claimgraph.resolve import read_article
from claimgraph.resolve.names import is_role_or_pronoun

DEV_TEXTS = Path(__file__).resolve().parents[1].parent / "shared" / "polnear" / "dev" / "text"
TRUMP = "donald trump"
#: One dev article for each way Donald Trump is written: the form is a source or subject.
TRUMP_FORMS = {
    "Trump": "huff-post_2016-09-10_trump-s-east-european-achilles-h",
    "Donald Trump": "usa-today_2016-09-23_ready-for-trump-vs-clinton-his-p",
    "Donald J. Trump": "nyt_2016-10-04_in-avoiding-tax-trump-is-merely-",
    "Mr. Trump": "nyt_2016-09-30_keep-the-returns-trump-just-give",
}
#: Articles that name Bill Clinton, and the key each form of the name gets there: a
#: profile of a congressman (a subject "Clinton" is the candidate, "Bill Clinton" the
#: former president) and a report on a speech of Bill Clinton's ("Clinton" is he).
CLINTON_ARTICLES = {
    "wash-post_2016-09-08_virginian-could-make-history-aga": {
        "Clinton": "hillary clinton", "Bill Clinton": "bill clinton"},
    "breitbart_2016-10-04_bill-clinton-calls-obamacare-cra": {
        "Clinton": "bill clinton", "Bill Clinton": "bill clinton",
        "Hillary Clinton": "hillary clinton"},
}
#: A dev article that calls him "Trump" only, never by his first name.
TRUMP_ALONE_ARTICLE = "politico_2016-09-16_sanders-clinton-needs-to-get-awa"


def article_path(name: str) -> Path:
    """Return the path of a dev article's text, skipping the test when it is absent."""
    path = DEV_TEXTS / f"{name}.txt"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    return path


def keys_by_form(nlp, name: str) -> dict[str, set[str | None]]:
    """Run the pipeline on a dev article; return, for each text of a source or subject
    mention, the entity keys it resolved to (None: unresolved)."""
    doc = nlp(article_path(name).read_text(encoding="utf-8"))
    keys: dict[str, set[str | None]] = defaultdict(set)
    for attribution in doc._.attributions:
        sources = [attribution.source] if attribution.source is not None else []
        for mention in [*sources, *attribution.subjects]:
            keys[mention.text].add(mention.entity.key if mention.entity else None)
    return keys


def test_a_plural_group_and_its_singular_share_one_key(nlp) -> None:
    doc = nlp("Republicans said the bill was bad. One Republican disagreed. "
              "Many African-Americans voted early, and Americans abroad voted by mail.")
    keys = {doc[m.start:m.end].text: m.entity.key for m in read_article(doc).mentions}
    assert keys["Republicans"] == keys["Republican"] == "republican"
    # A hyphenated group keeps its whole name: it is not the country's people.
    assert keys["African-Americans"] == "african-american"
    assert keys["Americans"] == "united states"


@pytest.mark.parametrize(("form", "article"), sorted(TRUMP_FORMS.items()))
def test_every_form_of_trumps_name_is_one_entity(nlp, form: str, article: str) -> None:
    assert keys_by_form(nlp, article)[form] == {TRUMP}


@pytest.mark.parametrize("article", sorted(CLINTON_ARTICLES))
def test_clinton_stays_apart_from_bill_clinton(nlp, article: str) -> None:
    keys = keys_by_form(nlp, article)
    for form, key in CLINTON_ARTICLES[article].items():
        assert keys[form] == {key}, form


def test_trump_alone_in_an_article_joins_the_same_entity(nlp, dev_store) -> None:
    # The article reads "Trump" as a surname alone (its own key, "trump"); the store,
    # where "Donald Trump" is the one plausible full name, links its claims to him.
    assert keys_by_form(nlp, TRUMP_ALONE_ARTICLE)["Trump"] == {"trump"}
    rows = dev_store.select(f"""
        SELECT DISTINCT ?entity WHERE {{
          GRAPH ?article {{ ?article cg:articleId "{TRUMP_ALONE_ARTICLE}" ;
                                     nif:isString ?text .
            {{ ?claim cg:sourceSpan ?span ; prov:wasAttributedTo ?entity }}
            UNION {{ ?claim cg:qualifiedSubject ?role . ?role cg:subjectSpan ?span ;
                                                       cg:subject ?entity }} }}
          {span_anchor_bindings("?span", "?text", "?anchor")}
          FILTER (?anchor = "Trump") }}""")
    assert [row["entity"] for row in rows] == [entity_iri(TRUMP)]
    (merge,) = dev_store.select(f"""SELECT ?target ?rule WHERE {{
        <{entity_iri("trump")}> cg:mergedInto ?target ; cg:resolutionRule ?rule }}""")
    assert merge["target"] == entity_iri(TRUMP)
    assert str(merge["rule"]).startswith("store: short name of donald trump")


def ingested(nlp, folder: Path, names: list[str]):
    """Open a store in ``folder`` and ingest these dev articles into it."""
    paths = [article_path(name) for name in names]
    store = open_store(folder / "dev.store")
    summary = ingest(paths, store, nlp)
    assert summary.added == len(paths)
    return store


@pytest.fixture(scope="module")
def trump_store(nlp, tmp_path_factory):
    """A store holding the articles of :data:`TRUMP_FORMS`."""
    with ingested(nlp, tmp_path_factory.mktemp("trump"), sorted(TRUMP_FORMS.values())) as store:
        yield store


@pytest.fixture(scope="module")
def clinton_store(nlp, tmp_path_factory):
    """A store holding the articles of :data:`CLINTON_ARTICLES`."""
    with ingested(nlp, tmp_path_factory.mktemp("clinton"), sorted(CLINTON_ARTICLES)) as store:
        yield store


def test_the_store_has_one_trump_entity_with_every_form_as_a_label(trump_store) -> None:
    forms = ", ".join(f'"{form}"@en' for form in TRUMP_FORMS)
    rows = trump_store.select(f"""
        SELECT DISTINCT ?entity WHERE {{
          ?claim prov:wasAttributedTo|schema:about ?entity .
          ?entity skos:prefLabel|skos:altLabel ?label .
          FILTER (?label IN ({forms}))
        }}""")
    assert [row["entity"] for row in rows] == [entity_iri(TRUMP)]
    labels = trump_store.select(f"""
        SELECT ?pref ?alt WHERE {{
          <{entity_iri(TRUMP)}> skos:prefLabel ?pref ; skos:altLabel ?alt }}""")
    assert {row["pref"] for row in labels} == {Literal("Donald Trump", lang="en")}
    alt_labels = {str(row["alt"]) for row in labels}
    assert set(TRUMP_FORMS) - {"Donald Trump"} <= alt_labels


def test_claims_from_every_article_name_the_one_trump_entity(trump_store) -> None:
    rows = trump_store.select(f"""
        SELECT (COUNT(DISTINCT ?article) AS ?articles) WHERE {{
          ?claim prov:wasAttributedTo|schema:about <{entity_iri(TRUMP)}> ;
                 schema:appearance ?article .
        }}""")
    assert int(rows[0]["articles"]) == len(TRUMP_FORMS)


def test_the_store_keeps_bill_and_hillary_clinton_apart(clinton_store) -> None:
    rows = clinton_store.select("""
        SELECT ?entity ?label (COUNT(DISTINCT ?article) AS ?articles) WHERE {
          ?claim prov:wasAttributedTo|schema:about ?entity ;
                 schema:appearance ?article .
          ?entity skos:prefLabel ?label .
          FILTER (?label IN ("Bill Clinton"@en, "Hillary Clinton"@en))
        } GROUP BY ?entity ?label""")
    found = {str(row["label"]): (row["entity"], int(row["articles"])) for row in rows}
    assert found == {"Bill Clinton": (entity_iri("bill clinton"), len(CLINTON_ARTICLES)),
                     "Hillary Clinton": (entity_iri("hillary clinton"), len(CLINTON_ARTICLES))}


@pytest.fixture(scope="module")
def sources_view(dev_store):
    """The sources network (source -> subject) of the dev split."""
    return project(dev_store.select, "sources")


@pytest.mark.parametrize(("surname", "full_name"), [
    ("Obama", "Barack Obama"), ("Trump", "Donald Trump"), ("Clinton", "Hillary Clinton")])
def test_each_candidate_is_one_node_of_the_sources_view(sources_view, surname: str,
                                                        full_name: str) -> None:
    labels = [data["label"] for _, data in sources_view.nodes(data=True)]
    # Other people of the name (Michelle Obama, Bill Clinton) and groups ("Donald Trump
    # and Hillary Clinton") aside, the name is one node.
    forms = [label for label in labels if label in {surname, full_name, f"Mr. {surname}",
                                                     f"Mrs. {surname}"}]
    assert forms == [full_name]
    node = next(node for node, data in sources_view.nodes(data=True)
                if data["label"] == full_name)
    assert sources_view.out_degree(node) > 20


def test_no_entity_is_only_a_title_honorific_or_pronoun(dev_store) -> None:
    rows = dev_store.select("SELECT ?label WHERE { ?entity a cg:Entity ; skos:prefLabel ?label }")
    labels = [str(row["label"]) for row in rows]
    assert len(labels) > 500
    assert [label for label in labels if is_role_or_pronoun(label.split())] == []
    # Headline phrases are not names; a headline's "Obama Speech" is Obama.
    assert "Obama Speech" not in labels
    assert not {"Mr.", "Mrs.", "Sen.", "President", "We", "YOU", "who", "It"} & set(labels)
