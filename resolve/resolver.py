"""Resolve the attributions of one parsed article: the pure-function API of this package.

:func:`resolve_attributions` returns copies of the attributions in which

* the source mention carries its canonical entity (``Mention.entity``), whatever the
  source is written as: a name, a pronoun, a relative pronoun, a description;
* each subject carries its canonical entity and its role (``Mention.role``), and the
  pronouns and descriptions in the content that resolve become subjects too ("it stood
  by Baku": Turkey, agent);
* the cue carries its class (``cue_class``), negation (``negated``) and, in ``extra``,
  its hedges (``"hedges"``, ``"hedged"``);
* an "I" inside the words of another attribution takes that attribution's source;
* ``extra["resolution"]`` says which rule gave each entity (``"source"``: one string;
  ``"subjects"``: one per subject), so that every merge can be explained.
"""

from __future__ import annotations

from dataclasses import replace

from spacy.tokens import Doc, Span

from claimgraph.records import UNRESOLVED_RULE, Attribution, Entity, Mention
from claimgraph.resolve.article import (
    ArticleEntities,
    EntityMention,
    NameReader,
    affiliation_mentions,
    coordination_mentions,
    state_noun_mentions,
    unnamed_source,
)
from claimgraph.resolve.cues import CueClasses, shipped_cue_classes
from claimgraph.resolve.gazetteer import Gazetteer, load_gazetteer
from claimgraph.resolve.names import is_role_or_pronoun
from claimgraph.resolve.references import resolve_references
from claimgraph.resolve.roles import syntactic_role

#: Rules whose mentions inside a content are added as subjects (names are already there).
REFERENCE_RULES = ("pronoun", "relative pronoun", "description", "pair", "state noun",
                   "affiliation")
FIRST_PERSON = frozenset({"i", "me", "my"})
SUBJECT_PRONOUN_DEPS = frozenset({"nsubj", "nsubjpass", "dobj", "pobj", "dative", "poss"})


def read_article(doc: Doc, gazetteer: Gazetteer | None = None,
                 pronoun_window: int = 2) -> ArticleEntities:
    """Return every entity mention of ``doc`` with its canonical entity.

    Names first, then state nouns ("the Armenian side"), organizations named after a person
    ("the Trump campaign") and coordinations, then, left to
    right, the references to them (see :mod:`.article` and :mod:`.references`).
    """
    gazetteer = gazetteer or load_gazetteer()
    article = ArticleEntities(doc)
    for mention in NameReader(doc, gazetteer).mentions():
        article.add(mention)
    for mention in state_noun_mentions(doc, gazetteer, article):
        article.add(mention)
    for mention in affiliation_mentions(doc, article):
        article.add(mention)
    for mention in coordination_mentions(doc, article):
        article.add(mention)
    resolve_references(article, pronoun_window)
    return article


def resolve_attributions(
    doc: Doc,
    attributions: list[Attribution],
    *,
    cue_classes: CueClasses | None = None,
    gazetteer: Gazetteer | None = None,
    pronoun_window: int = 2,
) -> list[Attribution]:
    """Return resolved copies of ``attributions`` found in the parsed ``doc`` (module doc).

    ``cue_classes`` defaults to the shipped ``cue_meaning.tsv``, ``gazetteer`` to the one
    built from the installed libraries; ``pronoun_window`` is how many sentences back a
    pronoun looks first for its antecedent.
    """
    if not attributions:
        return []
    cue_classes = cue_classes or shipped_cue_classes()
    article = read_article(doc, gazetteer, pronoun_window)
    resolved = [_resolve(doc, article, cue_classes, attribution) for attribution in attributions]
    return _first_person_sources(resolved)


def _first_person_sources(attributions: list[Attribution]) -> list[Attribution]:
    """Give an unresolved "I" the source of the attribution whose content holds it: in
    “I think ...,” she said, “but I ...”, the speaker of the quotation."""
    result = []
    for attribution in attributions:
        source = attribution.source
        if source is not None and source.entity is None and source.text.lower() in FIRST_PERSON:
            speaker = next((other for other in attributions if other is not attribution
                            and other.source is not None and other.source.entity is not None
                            and any(start <= source.start < end
                                    for start, end in other.content.pieces())), None)
            if speaker is not None:
                resolution = {**attribution.extra["resolution"],
                              "source": f"first person in the words of {speaker.source.text!r}"}
                attribution = replace(
                    attribution, source=replace(source, entity=speaker.source.entity),
                    extra={**attribution.extra, "resolution": resolution})
        result.append(attribution)
    return result


def _resolve(doc: Doc, article: ArticleEntities, cue_classes: CueClasses,
             attribution: Attribution) -> Attribution:
    resolution: dict[str, object] = {}
    source = attribution.source
    if source is not None:
        span = _span(doc, source)
        found = article.of_span(span) if span is not None else None
        if found is None and span is not None:
            found = unnamed_source(article, span)
        if found is not None:
            source = replace(source, entity=found.entity)
            resolution["source"] = found.how
        else:
            # A pronoun, "who", a description with nothing to refer to: no entity, and
            # the graph links the claim to none (the source's span and text stay).
            source = replace(source, entity=None)
            resolution["source"] = UNRESOLVED_RULE
    content = _span(doc, attribution.content)
    subjects, hows = _subjects(doc, article, attribution, content,
                               _phrase_tokens(doc, attribution))
    resolution["subjects"] = hows
    cue = _span(doc, attribution.cue)
    meaning = cue_classes.meaning(attribution, cue, content) if cue is not None else None
    extra = {**attribution.extra, "resolution": resolution}
    if meaning is None:
        return replace(attribution, source=source, subjects=subjects, extra=extra)
    extra.update(hedges=list(meaning.hedges), hedged=bool(meaning.hedges))
    return replace(attribution, source=source, subjects=subjects, cue_class=meaning.cue_class,
                   cue_lemma=meaning.lemma or attribution.cue_lemma, negated=meaning.negated,
                   extra=extra)


def _phrase_tokens(doc: Doc, attribution: Attribution) -> set[int]:
    """Return the tokens of the attribution phrase itself: its source and its cue."""
    spans = (_span(doc, mention) for mention in (attribution.source, attribution.cue)
             if mention is not None)
    return {index for span in spans if span is not None for index in range(span.start, span.end)}


def _subjects(doc: Doc, article: ArticleEntities, attribution: Attribution,
              content: Span | None, phrase: set[int]
              ) -> tuple[tuple[Mention, ...], list[str]]:
    """Return the resolved subjects, in text order, and the rule that resolved each.

    A mention in the attribution phrase (``phrase``: the tokens of the source and the cue,
    which a content can take in: “..., said Caddell, ...”) is no subject, nor are title
    words or pronouns that name no one ("Mr.", "President")."""
    resolved: list[tuple[Mention, str]] = []
    taken: set[int] = set(phrase)  # tokens of the subjects so far, and of the phrase
    for subject in attribution.subjects:
        span = _span(doc, subject)
        if span is None:
            resolved.append((subject, UNRESOLVED_RULE))
            continue
        if phrase.intersection(range(span.start, span.end)):
            continue
        taken.update(range(span.start, span.end))
        found = article.of_span(span)
        entity = found.entity if found is not None else _named(subject.entity, span)
        if entity is None and subject.entity is not None:
            continue  # title words alone: no one is named
        role = syntactic_role(span.root, is_place=_is_local_place(entity))
        resolved.append((replace(subject, entity=entity, role=role),
                         found.how if found is not None else UNRESOLVED_RULE))
    if content is not None:
        for mention in _references_inside(article, content):
            if taken.intersection(range(mention.start, mention.end)):
                continue  # "Azerbaijani forces" when "Azerbaijani" is a subject already
            taken.update(range(mention.start, mention.end))
            root = article.root(mention)
            span = doc[mention.start:mention.end]
            label = "PRONOUN" if root.pos_ == "PRON" else "DESCRIPTION"
            role = syntactic_role(root, is_place=_is_local_place(mention.entity))
            resolved.append((Mention(span.start_char, span.end_char, span.text,
                                     label=label, entity=mention.entity, role=role),
                             mention.how))
    resolved.sort(key=lambda pair: pair[0].start)
    return tuple(mention for mention, _ in resolved), [how for _, how in resolved]


def _references_inside(article: ArticleEntities, content: Span) -> list[EntityMention]:
    """Return the resolved pronouns and descriptions inside a content that are arguments
    of its clauses (a subject, an object, a possessor)."""
    found = []
    for mention in article.starting_within(content.start, content.end):
        if mention.end > content.end:
            continue
        if not mention.how.startswith(REFERENCE_RULES):
            continue
        root = article.root(mention)
        if root.pos_ == "PRON" and root.dep_ not in SUBJECT_PRONOUN_DEPS:
            continue
        found.append(mention)
    return found


def _named(entity: Entity | None, span: Span) -> Entity | None:
    """Return the provisional entity extraction gave a subject, unless its words name no
    one ("President", "Mr.", "YOU")."""
    if entity is None or is_role_or_pronoun([token.text for token in span]):
        return None
    return entity


def _is_local_place(entity: Entity | None) -> bool:
    """A city, region or other place that is no state (a country can receive)."""
    return entity is not None and entity.type == "place" \
        and getattr(entity, "kind", "") != "country"


def _span(doc: Doc, mention: Mention) -> Span | None:
    return doc.char_span(mention.start, mention.end, alignment_mode="expand")
