"""Store-wide merging: a short name's entity ("Obama") joins the one fuller entity of the
store it stands for, whatever the order articles come in, and stays apart when the store
holds several plausible ones. Hand-made articles and entities: no model needed."""

from __future__ import annotations

from sample_attributions import RUN, mention

from claimgraph.graph.merging import (
    DOMINANCE,
    StoredEntity,
    decide_merges,
    merge_candidates,
    preferred_by_evidence,
)
from claimgraph.graph.rdf import entity_iri, entity_iris, prepare_article, span_anchor_bindings
from claimgraph.graph.store import Store
from claimgraph.records import Attribution, Document, Entity

OBAMA = Entity(key="obama", label="Obama", type="person", kind="person")
BARACK = Entity(key="barack obama", label="Barack Obama", type="person", kind="person")
MICHELLE = Entity(key="michelle obama", label="Michelle Obama", type="person", kind="person")
MEXICO = Entity(key="mexico", label="Mexico", type="place", kind="country", geonames_id=3996063)


def article(name: str, speaker: str, entity: Entity, rule: str) -> tuple[Document, list]:
    """Return a one-sentence article in which ``speaker`` (resolved to ``entity`` by
    ``rule``) says something about Mexico, and a second claim about the speaker."""
    text = f"{speaker} said trade with Mexico was growing. Critics said {speaker} was wrong."
    first = Attribution(
        cue=mention(text, "said"), content=mention(text, "trade with Mexico was growing"),
        source=mention(text, speaker, entity=entity),
        subjects=(mention(text, "Mexico", entity=MEXICO),), quote_type="indirect",
        extra={"resolution": {"source": rule, "subjects": ["gazetteer: country name"]}})
    second = Attribution(
        cue=mention(text, "said", 1), content=mention(text, f"{speaker} was wrong"),
        subjects=(mention(text, speaker, 1, entity=entity),), quote_type="indirect",
        extra={"resolution": {"subjects": [rule]}})
    return Document(id=name, text=text), [first, second]


SURNAME_ALONE = article("obama-alone", "Obama", OBAMA, "person: surname alone")
SURNAME_AGAIN = article("obama-again", "Obama", OBAMA, "person: surname alone")
FULL = [article(f"barack-{n}", "Barack Obama", BARACK, "person: full name") for n in range(4)]
MICHELLE_FULL = article("michelle", "Michelle Obama", MICHELLE, "person: full name")


def store_with(articles: list[tuple[Document, list]], *, each: bool = True) -> Store:
    """Return an in-memory store holding ``articles``, merged after each (as separate
    ingests) or once at the end (one batch)."""
    store = Store()
    touched: set[str] = set()
    for document, attributions in articles:
        prepared = prepare_article(document, attributions, RUN)
        store.put_article(prepared)
        touched.update(iri.value for iri in entity_iris(prepared.entities))
        if each:
            store.merge_across_store(touched)
            touched = set()
    store.merge_across_store(touched)
    return store


def quads(store: Store) -> set[str]:
    return {str(quad) for quad in store.oxigraph()}


def sources_and_subjects(store: Store, document_id: str) -> set[tuple[str, str]]:
    """Return (property, entity key) of every claim link of one article."""
    rows = store.select(f"""
        SELECT ?p ?key WHERE {{
          ?claim schema:appearance ?article ; ?p ?entity .
          ?article cg:articleId "{document_id}" .
          VALUES ?p {{ prov:wasAttributedTo schema:about }}
          ?entity cg:entityKey ?key }}""")
    return {(str(row["p"]).rsplit("#", 1)[-1].rsplit("/", 1)[-1], str(row["key"]))
            for row in rows}


def test_a_surname_alone_joins_the_one_full_name_of_the_store() -> None:
    store = store_with([SURNAME_ALONE, FULL[0]])
    assert sources_and_subjects(store, "obama-alone") == {
        ("wasAttributedTo", "barack obama"), ("about", "mexico"), ("about", "barack obama")}
    rows = store.select(f"""SELECT ?target ?rule WHERE {{
        <{entity_iri("obama")}> cg:mergedInto ?target ; cg:resolutionRule ?rule }}""")
    assert [str(row["target"]) for row in rows] == [str(entity_iri("barack obama"))]
    assert str(rows[0]["rule"]).startswith("store: short name of barack obama")
    # The mention keeps its article's reading.
    spans = store.select(f"""SELECT ?span WHERE {{
        GRAPH ?article {{ ?span cg:refersTo <{entity_iri("obama")}> .
                          ?article nif:isString ?text }}
        {span_anchor_bindings()} FILTER(?anchor = "Obama") }}""")
    assert len(spans) == 2


def test_merging_does_not_depend_on_the_order_of_articles() -> None:
    articles = [SURNAME_ALONE, FULL[0], MICHELLE_FULL, FULL[1], SURNAME_AGAIN, FULL[2],
                FULL[3]]
    forward = quads(store_with(articles))
    assert forward == quads(store_with(articles[::-1]))
    assert forward == quads(store_with(articles[2:] + articles[:2]))
    assert forward == quads(store_with(articles, each=False))


def test_two_plausible_full_names_leave_the_surname_apart_and_record_both() -> None:
    store = store_with([SURNAME_ALONE, FULL[0], MICHELLE_FULL])
    assert ("wasAttributedTo", "obama") in sources_and_subjects(store, "obama-alone")
    rows = store.select(f"""SELECT ?candidate WHERE {{
        <{entity_iri("obama")}> cg:candidateEntity ?candidate
        FILTER NOT EXISTS {{ <{entity_iri("obama")}> cg:mergedInto ?any }} }}""")
    assert {str(row["candidate"]) for row in rows} == {
        str(entity_iri("barack obama")), str(entity_iri("michelle obama"))}


def test_a_merge_is_undone_and_done_again_as_the_evidence_changes() -> None:
    store = store_with([SURNAME_ALONE, FULL[0]])
    assert ("about", "barack obama") in sources_and_subjects(store, "obama-alone")
    for document, attributions in [MICHELLE_FULL]:
        store.put_article(prepare_article(document, attributions, RUN))
    store.merge_across_store([str(entity_iri("michelle obama"))])
    assert sources_and_subjects(store, "obama-alone") == {
        ("wasAttributedTo", "obama"), ("about", "mexico"), ("about", "obama")}
    for document, attributions in FULL[1:]:
        store.put_article(prepare_article(document, attributions, RUN))
    store.merge_across_store([str(entity_iri("barack obama"))])
    assert ("wasAttributedTo", "barack obama") in sources_and_subjects(store, "obama-alone")


def stored(key: str, entity_type: str = "person", *labels: str) -> StoredEntity:
    return StoredEntity(str(entity_iri(key)), key, entity_type, frozenset(labels))


def test_candidates_by_surname_first_name_shared_label_and_initials() -> None:
    entities = [stored("obama"), stored("barack obama"), stored("barack"),
                stored("imf", "organization", "IMF"),
                stored("international monetary fund", "organization",
                       "International Monetary Fund", "IMF"),
                stored("mexico", "place", "Mexico"), stored("say mexico", "person", "Mexico"),
                stored("fbi", "organization", "FBI"),
                stored("federal bureau of investigation", "organization",
                       "Federal Bureau of Investigation"),
                stored("holt", "other", "Holt"), stored("lester holt", "person", "Lester Holt")]
    found = merge_candidates(entities)
    assert merge_candidates(entities, lambda pairs: set()) == {
        key: value for key, value in found.items() if key != str(entity_iri("fbi"))}
    assert found == {
        str(entity_iri("obama")): (str(entity_iri("barack obama")),),
        str(entity_iri("barack")): (str(entity_iri("barack obama")),),
        str(entity_iri("imf")): (str(entity_iri("international monetary fund")),),
        str(entity_iri("fbi")): (str(entity_iri("federal bureau of investigation")),),
        str(entity_iri("holt")): (str(entity_iri("lester holt")),),
    }


def test_the_most_named_candidate_wins_only_by_a_wide_margin() -> None:
    short, one, other = "e:clinton", "e:hillary clinton", "e:bill clinton"
    keys = {short: "clinton", one: "hillary clinton", other: "bill clinton"}
    wide = decide_merges({short: (other, one)}, {one: DOMINANCE * 2, other: 2}, keys)
    assert [(d.entity, d.target) for d in wide] == [(short, one)]
    close = decide_merges({short: (other, one)}, {one: DOMINANCE * 2 - 1, other: 2}, keys)
    assert [(d.entity, d.target, d.candidates) for d in close] == [(short, None, (one, other))]
    assert close[0].rule == ("store: short name left apart, 2 plausible fuller entities: "
                             f"hillary clinton ({DOMINANCE * 2 - 1}), bill clinton (2)")


def hillary(name: str, written: str) -> tuple[Document, list]:
    entity = Entity(key="hillary clinton", label=written, type="person", kind="person")
    return article(name, written, entity, "person: full name")


def test_the_preferred_label_is_the_casing_most_articles_write() -> None:
    typo, right = hillary("typo", "HIllary Clinton"), hillary("right", "Hillary Clinton")
    again = hillary("again", "Hillary Clinton")
    for articles in ([typo, right, again], [right, again, typo], [right, typo, again]):
        store = store_with(articles)
        rows = store.select(f"""SELECT ?pref ?alt WHERE {{
            <{entity_iri("hillary clinton")}> skos:prefLabel ?pref ; skos:altLabel ?alt }}""")
        assert {(str(row["pref"]), str(row["alt"])) for row in rows} == {
            ("Hillary Clinton", "HIllary Clinton")}
    # One article against one: the label rank decides, as before.
    assert preferred_by_evidence("HIllary Clinton", ["Hillary Clinton"],
                                 {"HIllary Clinton": 1, "Hillary Clinton": 1}) \
        == "HIllary Clinton"
