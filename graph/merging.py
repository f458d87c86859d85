"""Store-wide merging: a short name's entity joins the one fuller entity it stands for.

An article that names "Barack Obama" reads its later "Obama" as him; an article that only
ever says "Obama" gives an entity of its own (key "obama"), and so does one that only
says "IMF". Across the store such a **short name** (an entity whose key is one word) is
merged into the fuller entity it stands for, when the store holds exactly one plausible
such entity:

* **candidates**: for a person (or a name of unknown type) known by one word, the persons
  of the store whose full name has it as surname or first name ("obama": Barack Obama,
  Michelle Obama); for any short name, the entities of the same type (or of unknown type)
  with a longer key that some article named with the same form (the International
  Monetary Fund has the label "IMF" where an article wrote "International Monetary Fund
  (IMF)"), and for an abbreviation, those whose name's initials it spells ("IMF");
* **plausible**: the candidate named in the most articles is the one plausible candidate
  when it is named in at least :data:`DOMINANCE` times as many articles as all the others
  together ("Obama": Barack Obama in 31 articles, Michelle Obama in 2). Then the short
  name is merged into it (``cg:mergedInto``); otherwise it stays apart and every candidate
  is recorded (``cg:candidateEntity``). Either way ``cg:resolutionRule`` on the short
  name's entity says why.

The decision is a function of what the store holds (its entities, their labels, the
articles that refer to each), never of the order articles came in, so re-deciding after
every ingest gives the same store whatever the order. The functions here are pure; the
store reads its entities, applies the decisions and relinks the claims
(:meth:`claimgraph.graph.store.BaseStore.merge_across_store`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib.namespace import SDO, SKOS

from claimgraph.graph.rdf import ENTITIES_GRAPH, TEXT_LANGUAGE, span_offsets
from claimgraph.graph.sparql_rows import VALUES_BLOCK, Store, select_rows
from claimgraph.ontology import CG
from claimgraph.resolve.names import initials, is_abbreviation

#: How many times as many articles the most named candidate needs over all the others
#: together to be the one a short name stands for.
DOMINANCE = 3
#: Types whose short names are merged (a group named by one noun, "democrat", is not).
MERGED_TYPES = frozenset({"person", "organization", "place", "other"})
#: Kinds of the places the gazetteer names (see :mod:`claimgraph.resolve.gazetteer`).
GAZETTEER_KINDS = frozenset({"country", "state", "city"})


@dataclass(frozen=True, slots=True)
class StoredEntity:
    """What merging needs of an entity of the store: its IRI, key, type and labels
    (preferred and alternative)."""

    iri: str
    key: str
    type: str
    labels: frozenset[str]
    kind: str = ""

    @property
    def is_short(self) -> bool:
        """A short name: a key of one word ("obama", "imf"), of a type that merges, and
        no place of the gazetteer (a country's key is its full name already)."""
        return (self.type in MERGED_TYPES and self.kind not in GAZETTEER_KINDS
                and " " not in self.key and "," not in self.key)


@dataclass(frozen=True, slots=True)
class MergeDecision:
    """What the store makes of one short name's entity: merged into ``target``, or left
    apart (``target`` None) among several plausible ``candidates``; ``rule`` says why."""

    entity: str
    target: str | None
    candidates: tuple[str, ...]
    rule: str


def merge_candidates(entities: Iterable[StoredEntity],
                     together: Callable[[list[tuple[str, str]]], set[tuple[str, str]]]
                     | None = None) -> dict[str, tuple[str, ...]]:
    """Return, for each short name's entity that has any, the IRIs of the fuller entities
    it could stand for (see the module docstring), in IRI order.

    Initials alone are weak evidence ("NBC" spells the National Baptist Convention too):
    a fuller entity found only by the initials it shares with an abbreviation is kept when
    ``together`` (given such (abbreviation, fuller) pairs, it returns those that some
    article names both of) says so; without ``together``, every such pair is kept.
    """
    entities = list(entities)
    by_name_word: dict[str, set[str]] = defaultdict(set)  # surname or first name -> persons
    by_label: dict[str, set[str]] = defaultdict(set)  # casefolded label -> fuller entities
    by_initials: dict[str, set[str]] = defaultdict(set)  # "IMF" -> fuller entities
    types = {entity.iri: entity.type for entity in entities}
    for entity in entities:
        words = entity.key.split()
        if len(words) < 2 or "," in entity.key:
            continue
        if entity.type == "person" and entity.kind != "unnamed person":
            by_name_word[words[0]].add(entity.iri)
            by_name_word[words[-1]].add(entity.iri)
        for label in entity.labels:
            by_label[label.casefold()].add(entity.iri)
            if entity.type != "person":
                by_initials[initials(label)].add(entity.iri)
    found: dict[str, set[str]] = {}
    by_initials_only: list[tuple[str, str]] = []
    for entity in entities:
        if not entity.is_short:
            continue
        candidates = set(by_name_word[entity.key]) \
            if entity.type in {"person", "other"} else set()
        spelled: set[str] = set()
        for label in entity.labels:
            candidates |= by_label.get(label.casefold(), set())
            if is_abbreviation(label):
                spelled |= by_initials.get(label.replace(".", ""), set())
        candidates = {iri for iri in candidates if _compatible(entity.type, types[iri])}
        by_initials_only += [(entity.iri, iri) for iri in sorted(spelled - candidates)
                             if _compatible(entity.type, types[iri]) and iri != entity.iri]
        candidates.discard(entity.iri)
        found[entity.iri] = candidates
    kept = set(by_initials_only) if together is None else together(by_initials_only)
    for short, fuller in kept:
        found[short].add(fuller)
    return {iri: tuple(sorted(candidates)) for iri, candidates in found.items() if candidates}


def decide_merges(candidates: Mapping[str, tuple[str, ...]], articles: Mapping[str, int],
                  keys: Mapping[str, str]) -> list[MergeDecision]:
    """Return the decision for each short name of ``candidates``, in IRI order.

    ``articles`` gives the number of articles that refer to each candidate, ``keys`` the
    key of every entity involved (for the rules' text).
    """
    decisions = []
    for entity in sorted(candidates):
        ranked = sorted(candidates[entity], key=lambda iri: (-articles.get(iri, 0), iri))
        best, others = ranked[0], ranked[1:]
        rest = sum(articles.get(iri, 0) for iri in others)
        named = ", ".join(f"{keys[iri]} ({articles.get(iri, 0)})" for iri in others)
        if articles.get(best, 0) >= DOMINANCE * rest and articles.get(best, 0) > 0:
            rule = (f"store: short name of {keys[best]}, the one plausible fuller entity "
                    f"({articles.get(best, 0)} articles" + (f"; others: {named})" if others
                                                             else ")"))
            decisions.append(MergeDecision(entity, best, tuple(ranked), rule))
        else:
            rule = (f"store: short name left apart, {len(ranked)} plausible fuller entities: "
                    + ", ".join(f"{keys[iri]} ({articles.get(iri, 0)})" for iri in ranked))
            decisions.append(MergeDecision(entity, None, tuple(ranked), rule))
    return decisions


def _compatible(short_type: str, full_type: str) -> bool:
    """A short name can stand for an entity of its own type; an unknown type ("other",
    a name the recognizer could not type) goes with any."""
    return short_type == full_type or "other" in (short_type, full_type)


# ---------------------------------------------------------------- applying it to a store


@dataclass(frozen=True, slots=True)
class MergeSummary:
    """What one store-wide merge step did."""

    merged: int  # short names merged into a fuller entity
    apart: int  # short names left apart among several plausible entities
    relinked: int  # claim links (source, subject) changed
    relabelled: int = 0  # preferred labels changed to the casing most articles use


def merge_across_store(store: Store, touched: Iterable[str] | None = None,
                       articles: Iterable[str] | None = None) -> MergeSummary:
    """Decide every short name of ``store`` again and make the store agree: the merge
    statements of the entities graph (``cg:mergedInto``, ``cg:candidateEntity``,
    ``cg:resolutionRule``) and the claims' links (``prov:wasAttributedTo``,
    ``schema:about``, a subject role's ``cg:subject``) to merged entities.

    ``touched`` are the IRIs of the entities the articles stored since the last step
    refer to (their claims are linked as their article read them); None checks the links
    of every short name. ``articles`` are the IRIs of those articles, when known: the
    labels' evidence of an entity is then counted in them and added to the counts kept
    from the last step (see :func:`_form_counts`) instead of over the whole store.
    Returns what changed.

    What a step reads is mostly what the batch brings (measured by
    benchmarks/store_growth.py): stale claim links are found by the links themselves, and
    every mention of a short name only when its merge changes; a batch's label evidence is
    read from its own article graphs. Two counts still visit every mention of the entities
    they count, so they grow with the store: the articles naming each merge candidate and
    the mentions behind the kept label evidence (its check, see :func:`_form_counts`).
    """
    entities = _stored_entities(store)
    candidates = merge_candidates(entities.values(), lambda pairs: _named_together(store, pairs))
    involved = sorted({iri for found in candidates.values() for iri in found})
    counts = _article_counts(store, involved)
    keys = {iri: entity.key for iri, entity in entities.items()}
    decisions = decide_merges(candidates, counts, keys)
    stored = _stored_decisions(store)
    wanted = {decision.entity: _decision_triples(decision) for decision in decisions}
    removed = [triple for entity, triples in stored.items()
               for triple in triples - wanted.get(entity, set())]
    added = [triple for entity, triples in wanted.items()
             for triple in triples - stored.get(entity, set())]
    target = {decision.entity: decision.target for decision in decisions if decision.target}
    changed = {triple[0][1:-1] for triple in [*removed, *added]}  # "<iri>" -> iri
    # Whose links may be wrong anywhere: a short name merged into another entity, or no
    # longer merged (a rule's text, which counts articles, changes at every step).
    retargeted = {triple[0][1:-1] for triple in [*removed, *added]
                  if triple[1] == _MERGED_INTO}
    check = set(changed) | {entity for entity in (touched if touched is not None else
                                                  [e.iri for e in entities.values()])
                            if entity in target}
    link_removed, link_added = _relinks(store, sorted(check), target, retargeted)
    label_removed, label_added = _labels_by_evidence(
        store, sorted(touched) if touched is not None else sorted(entities),
        None if articles is None or touched is None else sorted(articles))
    _apply(store, [*removed, *link_removed, *label_removed],
           [*added, *link_added, *label_added])
    relabelled = sum(triple[1] == _PREF for triple in label_added)
    return MergeSummary(merged=len(target), apart=len(decisions) - len(target),
                        relinked=len(link_added), relabelled=relabelled)


def preferred_by_evidence(preferred: str, labels: Iterable[str],
                          articles: Mapping[str, int]) -> str:
    """Return the preferred label among ``preferred`` (the one the label rank chose, see
    :func:`claimgraph.graph.rdf.canonical_entity`) and its other casings in ``labels``
    ("HIllary Clinton", "Hillary Clinton"; "CONGRESS", "Congress"): the one the most
    articles write (``articles``), then the rank's choice. A typo in one article or a
    headline's capitals does not win over the form most articles use."""
    variants = [label for label in labels if _same_form(label, preferred)]
    return max([preferred, *variants],
               key=lambda label: (articles.get(label, 0), label == preferred, label))


def _same_form(label: str, preferred: str) -> bool:
    """The same words in other casing, with the same rank (see ``_label_rank``): a
    lowercase start stays a lowercase start."""
    return (label != preferred and label.casefold() == preferred.casefold()
            and label[:1].islower() == preferred[:1].islower())


_GRAPH = f"<{ENTITIES_GRAPH}>"
_Triple = tuple[str, str, str]  # subject, predicate, object in SPARQL syntax (graph implied)


def _stored_entities(store: Store) -> dict[str, StoredEntity]:
    # One scan of the entities graph for the five properties (joins and OPTIONALs over
    # thousands of entities cost several times more).
    rows = select_rows(store, f"""
        SELECT ?entity ?p ?o WHERE {{ GRAPH {_GRAPH} {{ ?entity ?p ?o .
          VALUES ?p {{ cg:entityKey cg:entityType cg:entityKind skos:prefLabel
                      skos:altLabel }} }} }}""")
    values: dict[str, dict[str, str]] = defaultdict(dict)
    labels: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        iri, predicate, value = row["entity"].value, row["p"].value, row["o"].value
        if predicate in _LABEL_PROPERTIES:
            labels[iri].add(value)
        else:
            values[iri][predicate] = value
    return {iri: StoredEntity(iri, facts[_KEY], facts.get(_TYPE, "other"),
                              frozenset(labels[iri]), facts.get(_KIND, ""))
            for iri, facts in values.items() if _KEY in facts}


def _named_together(store: Store, pairs: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Return the pairs of entities that some article refers to both of."""
    if not pairs:
        return set()
    # EXISTS stops at the first such article, where a join would visit every one.
    rows = [row for values in _value_blocks(f"(<{short}> <{fuller}>)" for short, fuller in pairs)
            for row in select_rows(store, f"""
        SELECT ?short ?fuller WHERE {{
          VALUES (?short ?fuller) {{ {values} }}
          FILTER EXISTS {{ GRAPH ?article {{ ?one cg:refersTo ?short .
                                            ?other cg:refersTo ?fuller }} }} }}""")]
    return {(row["short"].value, row["fuller"].value) for row in rows}


def _article_counts(store: Store, entities: list[str]) -> dict[str, int]:
    """Return the number of articles with a mention that refers to each entity."""
    if not entities:
        return {}
    rows = [row for values in _value_blocks(f"<{iri}>" for iri in entities)
            for row in select_rows(store, f"""
        SELECT ?entity (COUNT(DISTINCT ?article) AS ?articles) WHERE {{
          VALUES ?entity {{ {values} }} GRAPH ?article {{ ?span cg:refersTo ?entity }}
        }} GROUP BY ?entity""")]
    return {row["entity"].value: int(row["articles"].value) for row in rows}


def _decision_triples(decision: MergeDecision) -> set[_Triple]:
    entity = f"<{decision.entity}>"
    triples = {(entity, _RULE, _literal(decision.rule))}
    if decision.target is not None:
        triples.add((entity, _MERGED_INTO, f"<{decision.target}>"))
    else:
        triples |= {(entity, _CANDIDATE, f"<{iri}>") for iri in decision.candidates}
    return triples


def _stored_decisions(store: Store) -> dict[str, set[_Triple]]:
    rows = select_rows(store, f"""
        SELECT ?entity ?p ?o WHERE {{ GRAPH {_GRAPH} {{
          ?entity ?p ?o . VALUES ?p {{ {_RULE} {_MERGED_INTO} {_CANDIDATE} }} }} }}""")
    stored: dict[str, set[_Triple]] = defaultdict(set)
    for row in rows:
        obj = row["o"]
        value = _literal(obj.value) if isinstance(obj, ox.Literal) else f"<{obj.value}>"
        stored[row["entity"].value].add((str(row['entity']), str(row['p']), value))
    return stored


def _relinks(store: Store, entities: list[str], target: Mapping[str, str],
             changed: set[str] | None = None
             ) -> tuple[list[tuple[str, _Triple]], list[tuple[str, _Triple]]]:
    """Return the claim links to remove and to add (each with its article graph) so that
    every claim whose mention refers to one of ``entities`` links the entity it was merged
    into, or the entity itself when it is merged into none.

    An entity whose decision is unchanged (not in ``changed``; None: all changed) and that
    is merged can only be wrong where a claim still links the entity itself (an article
    stored since the last step): those links are found directly, without reading every
    mention of the entity in the store."""
    if not entities:
        return [], []
    # A link to another entity than the mention's own is made only by merging, and is
    # undone in the step that changes the merge: an entity whose merge is unchanged and
    # that is merged into none has no link to fix (its new articles link it already).
    everywhere = [iri for iri in entities if changed is None or iri in changed]
    linked = [iri for iri in entities if iri not in everywhere and iri in target]
    rows = []
    if everywhere:
        rows += [row for values in _value_blocks(f"<{iri}>" for iri in everywhere)
                 for row in select_rows(store, f"""
        SELECT ?article ?claim ?node ?p ?current ?local WHERE {{
          VALUES ?local {{ {values} }}
          GRAPH ?article {{
            ?span cg:refersTo ?local .
            {{ ?claim cg:sourceSpan ?span ; prov:wasAttributedTo ?current .
               BIND(?claim AS ?node) BIND(prov:wasAttributedTo AS ?p) }}
            UNION
            {{ ?node cg:subjectSpan ?span ; cg:subject ?current .
               ?claim cg:qualifiedSubject ?node . BIND(cg:subject AS ?p) }}
          }} }}""")]
    if linked:
        # A merged entity's own links: each came from a mention referring to it.
        rows += [row for values in _value_blocks(f"<{iri}>" for iri in linked)
                 for row in select_rows(store, f"""
        SELECT ?article ?claim ?node ?p ?current ?local WHERE {{
          VALUES ?local {{ {values} }}
          GRAPH ?article {{
            {{ ?claim prov:wasAttributedTo ?local .
               BIND(?claim AS ?node) BIND(prov:wasAttributedTo AS ?p) }}
            UNION
            {{ ?node cg:subject ?local . ?claim cg:qualifiedSubject ?node .
               BIND(cg:subject AS ?p) }}
          }} BIND(?local AS ?current) }}""")]
    removed: list[tuple[str, _Triple]] = []
    added: list[tuple[str, _Triple]] = []
    claims: dict[tuple[str, str], None] = {}  # (article, claim) whose subjects moved
    for row in rows:
        local, current = row["local"].value, row["current"].value
        wanted = target.get(local, local)
        if wanted == current:
            continue
        article, node, predicate = row["article"].value, str(row['node']), str(row['p'])
        removed.append((article, (node, predicate, f"<{current}>")))
        added.append((article, (node, predicate, f"<{wanted}>")))
        if predicate == _SUBJECT:
            claims[article, row["claim"].value] = None
    about_removed, about_added = _about_links(store, list(claims), removed, added)
    return [*removed, *about_removed], [*added, *about_added]


def _about_links(store: Store, claims: list[tuple[str, str]],
                 removed: list[tuple[str, _Triple]], added: list[tuple[str, _Triple]]
                 ) -> tuple[list[tuple[str, _Triple]], list[tuple[str, _Triple]]]:
    """Return the ``schema:about`` links to remove and add so that each claim is about
    the subjects of its roles once the roles' changes are made."""
    if not claims:
        return [], []
    rows = [row for values in _value_blocks(f"<{claim}>" for _, claim in claims)
            for row in select_rows(store, f"""
        SELECT ?claim ?role ?subject ?about WHERE {{
          VALUES ?claim {{ {values} }}
          {{ ?claim cg:qualifiedSubject ?role . ?role cg:subject ?subject }}
          UNION {{ ?claim schema:about ?about }} }}""")]
    moved = {(triple[0], triple[2]) for _, triple in removed}
    moved_to = {triple[0]: triple[2] for _, triple in added}
    subjects: dict[str, set[str]] = defaultdict(set)
    about: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        claim = row["claim"].value
        if row["about"] is not None:
            about[claim].add(str(row['about']))
            continue
        role, subject = str(row['role']), str(row['subject'])
        subjects[claim].add(moved_to[role] if (role, subject) in moved else subject)
    graph_of = {claim: article for article, claim in claims}
    about_removed = [(graph_of[claim], (f"<{claim}>", _ABOUT, entity))
                     for claim in graph_of for entity in about[claim] - subjects[claim]]
    about_added = [(graph_of[claim], (f"<{claim}>", _ABOUT, entity))
                   for claim in graph_of for entity in subjects[claim] - about[claim]]
    return about_removed, about_added


def _labels_by_evidence(store: Store, entities: list[str], articles: list[str] | None = None
                        ) -> tuple[list[_Triple], list[_Triple]]:
    """Return the label statements to remove and add so that each of ``entities`` has
    the preferred label :func:`preferred_by_evidence` chooses, and the counts of evidence
    kept for the next step (see :func:`_form_counts`; ``articles``: the articles stored
    since the last step, None when unknown)."""
    if not entities:
        return [], []
    rows = [row for values in _value_blocks(f"<{iri}>" for iri in entities)
            for row in select_rows(store, f"""
        SELECT ?entity ?preferred ?alternative WHERE {{ GRAPH {_GRAPH} {{
          VALUES ?entity {{ {values} }}
          ?entity skos:prefLabel ?preferred ; skos:altLabel ?alternative }} }}""")]
    preferred: dict[str, str] = {}
    variants: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        entity, label = row["entity"].value, row["preferred"].value
        preferred[entity] = label
        if _same_form(row["alternative"].value, label):
            variants[entity].add(row["alternative"].value)
    if not variants:
        return [], []
    counts, removed, added = _form_counts(store, variants, preferred, articles)
    for entity, labels in variants.items():
        old = preferred[entity]
        new = preferred_by_evidence(old, labels, counts[entity])
        if new != old:
            node = f"<{entity}>"
            removed += [(node, _PREF, _text(old)), (node, _ALT, _text(new))]
            added += [(node, _PREF, _text(new)), (node, _ALT, _text(old))]
    return removed, added


def _form_counts(store: Store, variants: Mapping[str, set[str]],
                 preferred: Mapping[str, str], articles: list[str] | None = None
                 ) -> tuple[dict[str, dict[str, int]], list[_Triple], list[_Triple]]:
    """Return, for each entity, the number of articles whose mentions of it hold each of
    its label's casings (case-sensitive), and the ``cg:labelEvidence`` statements to
    remove and add.

    Counting reads every mention of the entity in the store, which grows with it; so the
    counts are kept on the entity (``cg:labelEvidence``: JSON with the counts and the
    number of mentions they were counted over). When ``articles`` (the articles stored
    since the last step) are known and the kept counts plus those articles' mentions are
    all the mentions the store has of the entity, the counts are brought up to date from
    those articles alone; otherwise (an article replaced or removed, a step that did not
    run, a new casing) they are counted again over the store. Either way they are the
    counts of what the store holds, whatever order it was stored in.
    """
    entities = sorted(variants)
    forms = {entity: [preferred[entity], *sorted(variants[entity])] for entity in entities}
    mentions = _mention_counts(store, entities)
    kept = _kept_evidence(store, entities)
    incremental = []
    if articles is not None:
        incremental = [entity for entity in entities if entity in kept
                       and set(forms[entity]) <= set(kept[entity][1])]
    new_mentions = _anchors(store, incremental, articles) if incremental else {}
    counts: dict[str, dict[str, int]] = {}
    recount = [entity for entity in entities if entity not in incremental]
    for entity in incremental:
        seen, counted, _ = kept[entity]
        batch = new_mentions.get(entity, {})
        if seen + sum(len(spans) for spans in batch.values()) != mentions.get(entity, 0):
            recount.append(entity)
            continue
        counts[entity] = {form: counted.get(form, 0) + _articles_with(form, batch)
                          for form in forms[entity]}
    everywhere = _anchors(store, sorted(recount), None) if recount else {}
    for entity in recount:
        counts[entity] = {form: _articles_with(form, everywhere.get(entity, {}))
                          for form in forms[entity]}
    removed: list[_Triple] = []
    added: list[_Triple] = []
    for entity in entities:
        value = _literal(json.dumps({"mentions": mentions.get(entity, 0),
                                     "articles": counts[entity]}, sort_keys=True,
                                    ensure_ascii=False))
        old = kept.get(entity, (0, {}, ""))[2]
        if old != value:
            if old:
                removed.append((f"<{entity}>", _EVIDENCE, old))
            added.append((f"<{entity}>", _EVIDENCE, value))
    return counts, removed, added


def _articles_with(form: str, anchors: Mapping[str, Mapping[str, str]]) -> int:
    """Return how many articles (``anchors``: article -> span -> text) have a mention
    whose text holds ``form``."""
    return sum(any(form in anchor for anchor in spans.values()) for spans in anchors.values())


def _mention_counts(store: Store, entities: list[str]) -> dict[str, int]:
    """Return the number of mentions (spans, in all articles) referring to each entity:
    counted by the store from its index, no rows read."""
    rows = [row for values in _value_blocks(f"<{iri}>" for iri in entities)
            for row in select_rows(store, f"""
        SELECT ?entity (COUNT(*) AS ?mentions) WHERE {{
          VALUES ?entity {{ {values} }} GRAPH ?article {{ ?span cg:refersTo ?entity }}
        }} GROUP BY ?entity""")]
    return {row["entity"].value: int(row["mentions"].value) for row in rows}


def _kept_evidence(store: Store, entities: list[str]
                   ) -> dict[str, tuple[int, dict[str, int], str]]:
    """Return each entity's kept ``cg:labelEvidence``: (mentions counted over, article
    counts by form, the statement's object in SPARQL syntax)."""
    rows = [row for values in _value_blocks(f"<{iri}>" for iri in entities)
            for row in select_rows(store, f"""
        SELECT ?entity ?evidence WHERE {{ GRAPH {_GRAPH} {{
          VALUES ?entity {{ {values} }} ?entity {_EVIDENCE} ?evidence }} }}""")]
    kept = {}
    for row in rows:
        try:
            evidence = json.loads(row["evidence"].value)
            kept[row["entity"].value] = (int(evidence["mentions"]), dict(evidence["articles"]),
                                         _literal(row["evidence"].value))
        except (ValueError, KeyError, TypeError):
            continue  # not written by this code: counted again and replaced
    return kept


def _anchors(store: Store, entities: list[str], articles: list[str] | None
             ) -> dict[str, dict[str, dict[str, str]]]:
    """Return the texts of the mentions of ``entities``, as entity -> article -> span ->
    text, in ``articles`` (None: in the whole store)."""
    if articles is None:
        rows = [row for values in _value_blocks(f"<{iri}>" for iri in entities)
                for row in select_rows(store, f"""
        SELECT ?entity ?article ?span WHERE {{
          VALUES ?entity {{ {values} }} GRAPH ?article {{ ?span cg:refersTo ?entity }} }}""")]
    else:
        # Each given article's graph is read for the entities (FILTER IN): joined with a
        # VALUES block of the entities instead, the store visits every mention of them.
        rows = [row for block in _value_blocks(f"<{iri}>" for iri in entities)
                for values in _value_blocks(f"<{iri}>" for iri in articles)
                for row in select_rows(store, f"""
        SELECT ?entity ?article ?span WHERE {{
          VALUES ?article {{ {values} }} GRAPH ?article {{ ?span cg:refersTo ?entity }}
          FILTER(?entity IN ({block.replace(" ", ", ")})) }}""")]
    # A span carries its offsets: its text is cut from its article's, read once.
    texts = _article_texts(store, sorted({row["article"].value for row in rows}))
    anchors: dict[str, dict[str, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
    for row in rows:
        article, span = row["article"].value, row["span"].value
        if article in texts:
            begin, end = span_offsets(span)
            anchors[row["entity"].value][article][span] = texts[article][begin:end]
    return anchors


def _article_texts(store: Store, articles: list[str]) -> dict[str, str]:
    """Return the stored texts (``nif:isString``) of ``articles``."""
    if not articles:
        return {}
    rows = [row for values in _value_blocks(f"<{iri}>" for iri in articles)
            for row in select_rows(store, f"""
        SELECT ?article ?text WHERE {{ VALUES ?article {{ {values} }}
          GRAPH ?article {{ ?article nif:isString ?text }} }}""")]
    return {row["article"].value: row["text"].value for row in rows}


def _apply(store: Store, removed: list, added: list) -> None:
    """Delete, then insert, in one update (one transaction in pyoxigraph). A bare triple
    belongs to the entities graph; an (article, triple) pair to that article's graph."""
    if not removed and not added:
        return
    from claimgraph.graph.store import delete_data  # the store builds on this module

    limit = getattr(store, "update_quads", None)
    if limit and len(removed) + len(added) > limit:
        # A server that refuses large updates gets them in parts, deletions first; a
        # part left undone is done by the next merge step, which decides again.
        for start in range(0, len(removed), limit):
            store.update(delete_data(_quad_text(quad) for quad in removed[start:start + limit]))
        for start in range(0, len(added), limit):
            part = "\n".join(_quad_text(quad) for quad in added[start:start + limit])
            store.update(f"INSERT DATA {{\n{part}\n}}")
        return
    operations = []
    if removed:
        operations.append(delete_data(_quad_text(quad) for quad in removed))
    if added:
        body = "\n".join(_quad_text(quad) for quad in added)
        operations.append(f"INSERT DATA {{\n{body}\n}}")
    store.update(" ;\n".join(operations))


def _quad_text(quad: _Triple | tuple[str, _Triple]) -> str:
    if len(quad) == 2:
        graph, (subject, predicate, obj) = quad
        return f"GRAPH <{graph}> {{ {subject} {predicate} {obj} }}"
    subject, predicate, obj = quad
    return f"GRAPH {_GRAPH} {{ {subject} {predicate} {obj} }}"


def _literal(text: str) -> str:
    """Return a plain string literal in SPARQL syntax."""
    return str(ox.Literal(text))


def _text(text: str) -> str:
    """Return a label (a literal in the pipeline's language) in SPARQL syntax."""
    return str(ox.Literal(text, language=TEXT_LANGUAGE))


_RULE = f"<{CG.resolutionRule}>"
_EVIDENCE = f"<{CG.labelEvidence}>"
_MERGED_INTO = f"<{CG.mergedInto}>"
_CANDIDATE = f"<{CG.candidateEntity}>"
_SUBJECT = f"<{CG.subject}>"
_ABOUT = f"<{SDO.about}>"
_PREF = f"<{SKOS.prefLabel}>"
_LABEL_PROPERTIES = frozenset({str(SKOS.prefLabel), str(SKOS.altLabel)})
_KEY, _TYPE, _KIND = str(CG.entityKey), str(CG.entityType), str(CG.entityKind)
_ALT = f"<{SKOS.altLabel}>"


def _value_blocks(terms: Iterable[str]) -> Iterator[str]:
    """Yield the terms (or rows of terms) of a VALUES block in blocks of at most
    :data:`VALUES_BLOCK`, each as the text of one query's block."""
    terms = list(terms)
    for start in range(0, len(terms), VALUES_BLOCK):
        yield " ".join(terms[start:start + VALUES_BLOCK])
