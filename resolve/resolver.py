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
* a source whose span names its speaker ("A local bartender, Jennifer Rodstrom,") is that
  name;
* ``extra["topic"]`` is the head noun of what the content speaks of, else of the object its
  cue names ("lobbed insults at" one another) (:mod:`.topics`);
* ``extra["resolution"]`` says which rule gave each entity (``"source"``: one string;
  ``"subjects"``: one per subject), so that every merge can be explained.
"""

from __future__ import annotations

from dataclasses import replace

from spacy.tokens import Doc, Span

from claimgraph.records import UNRESOLVED_RULE, Attribution, Mention
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
from claimgraph.resolve.names import Gender
from claimgraph.resolve.references import resolve_references
from claimgraph.resolve.subjects import (
    REFERENCE_RULES,
    claim_subjects,
    mention_span,
    phrase_tokens,
)
from claimgraph.resolve.topics import content_topic, cue_topic

FIRST_PERSON = frozenset({"i", "me", "my"})
#: Verbs that give a name in a source's own span: "calling himself", "known as".
NAMING_VERBS = frozenset({"call", "name", "know", "dub", "identify", "go"})
#: Types of entity a source's own span can name as its speaker (or of unknown type).
SPEAKER_TYPES = frozenset({"person", "group", "organization", "other", ""})



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


def _named_inside(article: ArticleEntities, span: Span) -> EntityMention | None:
    """Return the name a source span gives its speaker inside itself, where its head is a
    description: in apposition ("a local bartender, *Jennifer Rodstrom*") or after a
    verb of naming ("a hacker calling himself *Guccifer 2.0*", "a man known as *X*")."""
    named = []
    for mention in article.starting_within(span.start, span.end):
        if mention.end > span.end or mention.how.startswith(REFERENCE_RULES) \
                or mention.entity.type not in SPEAKER_TYPES \
                or (mention.start > 0 and article.doc[mention.start - 1].text == "("):
            continue  # "(D-Newport News)": a party and district, not the speaker
        root = article.root(mention)
        if root.dep_ == "appos" and root.head.i == span.root.i:
            named.append(mention)
            continue
        verb = root.head
        while verb.dep_ in {"oprd", "xcomp", "attr", "prep", "pobj", "dobj", "ccomp"} \
                and verb.lemma_.lower() not in NAMING_VERBS and verb.head != verb:
            verb = verb.head
        if verb.lemma_.lower() in NAMING_VERBS and verb.head.i == span.root.i \
                and root.dep_ != "nsubj":
            named.append(mention)
    # A person or a group of them before anything else the span names ("Del. Marcia
    # Price (D-Newport News)").
    return min(named, key=lambda mention: mention.entity.type not in {"person", "group"},
               default=None)


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
    source_gender: Gender = ""
    if source is not None:
        span = mention_span(doc, source)
        found = article.of_span(span) if span is not None else None
        if span is not None and (found is None or found.how.startswith(REFERENCE_RULES)):
            named = _named_inside(article, span)
            if named is not None:
                # The span is a description holding the name: its text is no label of
                # the entity (the rule says "description").
                found = replace(named, how=f"description with its name: {named.how}")
        if found is None and span is not None:
            found = unnamed_source(article, span)
        if found is not None:
            source = replace(source, entity=found.entity)
            resolution["source"] = found.how
            source_gender = found.gender
        else:
            # A pronoun, "who", a description with nothing to refer to: no entity, and
            # the graph links the claim to none (the source's span and text stay).
            source = replace(source, entity=None)
            resolution["source"] = UNRESOLVED_RULE
    content = mention_span(doc, attribution.content)
    subjects, hows = claim_subjects(doc, article, replace(attribution, source=source), content,
                               phrase_tokens(doc, attribution), source_gender)
    resolution["subjects"] = hows
    cue = mention_span(doc, attribution.cue)
    meaning = cue_classes.meaning(attribution, cue, content) if cue is not None else None
    extra = {**attribution.extra, "resolution": resolution}
    topic = _topic(doc, attribution.content) or (cue_topic(cue) if cue is not None else "")
    if topic:
        extra["topic"] = topic
    if meaning is None:
        return replace(attribution, source=source, subjects=subjects, extra=extra)
    extra.update(hedges=list(meaning.hedges), hedged=bool(meaning.hedges))
    return replace(attribution, source=source, subjects=subjects, cue_class=meaning.cue_class,
                   cue_lemma=meaning.lemma or attribution.cue_lemma, negated=meaning.negated,
                   extra=extra)


def _topic(doc: Doc, content: Mention) -> str:
    """Return the topic of a content (see :mod:`.topics`), read from its first piece that
    gives one (“What,” he asked, “is the plan?”: the second)."""
    for start, end in content.pieces():
        span = doc.char_span(start, end, alignment_mode="contract")
        topic = content_topic(span) if span is not None and len(span) else ""
        if topic:
            return topic
    return ""
