"""Every mention of an entity in one article, each with its canonical entity.

:func:`claimgraph.resolve.resolver.read_article` reads a parsed Doc in three steps; the
first two are here:

1. **names**: named entities and runs of proper nouns become countries, US states, cities
   (from the :mod:`gazetteer <.gazetteer>`), persons (a surname alone takes the full name
   it stands for in the article), organizations, places and named groups; a capital that
   acts or speaks stands for its country ("Ankara affirmed" -> Turkey) while a place that
   is only a place stays one ("Stepanakert was bombed");
2. **state nouns, affiliations and coordinations**: a demonym on a noun for a state ("the
   Armenian side", "Azerbaijani forces") is the country; a person's name on a noun for an
   organization ("the Trump campaign") names that organization; coordinated entities
   ("Armenia and Azerbaijan") form a group;
3. **references**, left to right, each from the mentions before it (see
   :mod:`.references`): pronouns, relative pronouns, definite descriptions ("the ministry")
   and "both sides".

Each mention keeps ``how``: the rule that gave it its entity, so that a merge can be
explained.
"""

from __future__ import annotations

import hashlib
import unicodedata
from bisect import bisect_left, insort
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from spacy.attrs import DEP, IS_ALPHA, IS_LOWER, ORTH, POS
from spacy.tokens import Doc, Span, Token

from claimgraph.records import Entity
from claimgraph.resolve.entities import (
    group_entity,
    named_entity,
    organization_key,
    person_entity,
    place_entity,
)
from claimgraph.resolve.gazetteer import Gazetteer, Place
from claimgraph.resolve.names import (
    TITLE_ABBREVIATIONS,
    Gender,
    PersonName,
    first_name_gender,
    initials,
    is_abbreviation,
    is_role_or_pronoun,
    name_gender,
    parse_person_name,
)
from claimgraph.resolve.roles import PLACE_NOUNS, syntactic_role

NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC"})
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
#: Labels the recognizer sometimes puts on a person's name ("Trump" as a WORK_OF_ART).
OTHER_NAME_LABELS = frozenset({"WORK_OF_ART", "PRODUCT", "EVENT", "LAW"})
ALONE = "person: surname alone"
#: Common nouns this package knows (titles, place and state nouns): a run of capitalized
#: words ending in one is a headline's phrase, not a name ("Senator from Texas").
COMMON_HEAD_NOUNS = frozenset({*TITLE_ABBREVIATIONS.values(), *PLACE_NOUNS,
                               "senator", "president", "minister", "official", "spokesman",
                               "spokeswoman", "leader", "candidate", "nominee"})
FINITE_VERB_TAGS = frozenset({"VBZ", "VBD", "VBP", "MD"})
POSSESSIVES = frozenset({"'s", "’s", "'", "’"})
HANDLE_MARKS = frozenset({"@", "#"})  # "@nycsouthpaw" is a name, its "@" no punctuation
#: Roles in which a capital city stands for its government ("Ankara affirmed", "stood by
#: Baku"); as a patient or location it stays a place ("Stepanakert was bombed").
ACTOR_ROLES = frozenset({"agent", "beneficiary", "recipient", "target", "partner",
                         "participant"})
#: Nouns that, with a demonym, stand for the country's state: "the Armenian side",
#: "Azerbaijani forces", "the Turkish government".
#: Nouns for an organization named after a person: "the Trump campaign".
AFFILIATION_NOUNS = frozenset({"campaign", "administration", "team", "camp", "foundation"})
STATE_NOUNS = frozenset({
    "side", "government", "authority", "authorities", "administration", "leadership",
    "regime", "state", "force", "forces", "army", "military", "troops", "official",
    "officials", "diplomat", "diplomats", "camp",
})


@dataclass(frozen=True, slots=True)
class EntityMention:
    """Tokens ``start:end`` of the Doc refer to ``entity``; ``how`` says which rule decided."""

    start: int
    end: int
    entity: Entity
    how: str
    plural: bool = False
    gender: Gender = ""
    #: For a reference, the first token of the mention its chain of references starts from
    #: (a name, a state noun): "Trump ... he ... his" gives "his" the token of "Trump".
    anchor: int = -1

    def root(self, doc: Doc) -> Token:
        """Return the syntactic head of the mention's tokens."""
        return doc[self.start:self.end].root


class ArticleEntities:
    """The entity mentions of one Doc, in text order; see :func:`read_article`.

    Lookups are by token, so each token keeps the mentions that hold it (in text order)
    and each mention its root: a reference is resolved against every mention before it,
    and a scan of the whole article per token would make reading quadratic.
    """

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.mentions: list[EntityMention] = []
        self._holding: dict[int, list[EntityMention]] = defaultdict(list)  # token -> mentions
        self._roots: dict[tuple[int, int], Token] = {}  # (start, end) -> root token

    def add(self, mention: EntityMention) -> None:
        """Add a mention (kept in text order; among equal spans, in order of adding)."""
        insort(self.mentions, mention, key=_text_order)
        for i in range(mention.start, mention.end):
            insort(self._holding[i], mention, key=_text_order)

    def root(self, mention: EntityMention) -> Token:
        """Return the syntactic head of a mention's tokens (computed once per span)."""
        span = (mention.start, mention.end)
        root = self._roots.get(span)
        if root is None:
            root = self._roots[span] = mention.root(self.doc)
        return root

    def at(self, token: Token) -> EntityMention | None:
        """Return the innermost mention holding ``token``, or None."""
        return min(self._holding.get(token.i, ()), key=_width, default=None)

    def of_span(self, span: Span) -> EntityMention | None:
        """Return the mention a span refers to: of the mentions that hold its head, the
        widest inside the span ("France and Germany": the group), else the innermost."""
        holding = self._holding.get(span.root.i, ())
        inside = [m for m in holding if span.start <= m.start and m.end <= span.end]
        if inside:
            return max(inside, key=_width)
        return min(holding, key=_width, default=None)

    def starting_within(self, start: int, end: int) -> list[EntityMention]:
        """Return the mentions that start at a token of ``start:end``, in text order."""
        return self.mentions[bisect_left(self.mentions, start, key=_start):
                             bisect_left(self.mentions, end, key=_start)]

    def nearest_first(self, token: Token) -> Iterator[EntityMention]:
        """Yield the mentions that end before ``token``, nearest first (the ones of
        :meth:`before` in reverse, without copying them all: a search back stops early)."""
        for index in range(bisect_left(self.mentions, token.i, key=_start) - 1, -1, -1):
            mention = self.mentions[index]
            if mention.end <= token.i:
                yield mention

    def before(self, token: Token) -> list[EntityMention]:
        """Return the mentions that end before ``token``, nearest last."""
        # Mentions are in order of their start: those starting at the token or later
        # cannot end before it.
        starting_before = bisect_left(self.mentions, token.i, key=_start)
        return [m for m in self.mentions[:starting_before] if m.end <= token.i]


def _text_order(mention: EntityMention) -> tuple[int, int]:
    return mention.start, -mention.end


def _start(mention: EntityMention) -> int:
    return mention.start


def _width(mention: EntityMention) -> int:
    return mention.end - mention.start


def token_indices(doc: Doc, attribute: int, values: Iterable[str]) -> list[int]:
    """Return, in text order, the indices of the tokens of ``doc`` whose ``attribute`` (a
    :mod:`spacy.attrs` id: ``POS``, ``TAG``, ``DEP``) is one of ``values``.

    The passes over an article pick their few candidate tokens this way, from the Doc's
    attribute array: making a Token of every word in every pass costs more than the rules.
    """
    wanted = {doc.vocab.strings[value] for value in values}
    return [index for index, value in enumerate(doc.to_array(attribute).tolist())
            if value in wanted]


def name_spans(doc: Doc) -> list[Span]:
    """Return the named entities that can be actors or subjects, and the runs of proper
    nouns outside any entity ("Nagorno Karabakh" when the recognizer missed it)."""
    spans = [entity for entity in doc.ents if entity.label_ in NAME_LABELS | OTHER_NAME_LABELS]
    taken = {index for entity in doc.ents for index in range(entity.start, entity.end)}
    run: list[int] = []  # consecutive proper nouns
    for index in token_indices(doc, POS, ["PROPN"]):
        if index in taken:
            continue
        if run and index != run[-1] + 1:
            spans.append(doc[run[0]:run[-1] + 1])
            run = []
        run.append(index)
    if run:
        spans.append(doc[run[0]:run[-1] + 1])
    return sorted(spans, key=lambda span: span.start)


class NameReader:
    """Turns the names of one Doc into mentions of canonical entities.

    Article-wide facts decide some names: a surname takes the full name it stands for
    ("Pashinyan" -> "Nikol Pashinyan"); a name the recognizer tagged otherwise (or missed)
    is a person when it is a person's full name or surname elsewhere in the article; and a
    name ever shown to be a place ("the capital ..., Stepanakert") is a place wherever it
    occurs in the article.
    """

    def __init__(self, doc: Doc, gazetteer: Gazetteer) -> None:
        self.doc = doc
        self.gazetteer = gazetteer
        self.spans = name_spans(doc)
        # The words of each name, read once: every step below asks for them.
        self.words: dict[tuple[int, int], list[str]] = {
            (span.start, span.end): _words(span) for span in self.spans}
        common = _lowercase_words(doc)
        for span in self.spans:
            if span.label_ == "PERSON":
                key = (span.start, span.end)
                self.words[key] = _without_common_words(self.words[key], common)
        self.place_names = {self._key(span) for span in self.spans if _shown_as_place(span)}
        persons = [span for span in self.spans if span.label_ == "PERSON"
                   and self._key(span) not in self.place_names]
        known = _person_words([self._words(span) for span in persons])
        persons += [span for span in self.spans if span.label_ != "PERSON"
                    and self._key(span) in known and gazetteer.country(self._key(span)) is None]
        self.persons = _PersonIndex(sorted(persons, key=lambda span: span.start), self.words)
        self.us_context = any(self._is_us_place(span) for span in self.spans)

    def mentions(self) -> list[EntityMention]:
        """Return a mention for each name that resolves to an entity."""
        found = (self._mention(span) for span in self.spans)
        return self._abbreviations([mention for mention in found if mention is not None])

    def _abbreviations(self, mentions: list[EntityMention]) -> list[EntityMention]:
        """Give an abbreviation the entity of the name it abbreviates: "International
        Monetary Fund (IMF)" defines "IMF" for the whole article (the bracketed letters
        spell the name's initials); every mention written "IMF" or "I.M.F." then refers to
        the International Monetary Fund."""
        doc, defined = self.doc, {}
        for mention in mentions:
            end = mention.end
            if end + 2 < len(doc) and doc[end].text == "(" and doc[end + 2].text == ")" \
                    and _spells_initials(doc[end + 1].text, self.words[mention.start, end]):
                defined.setdefault(_bare_abbreviation(doc[end + 1].text), mention.entity)
        if not defined:
            return mentions
        result = []
        for mention in mentions:
            full = defined.get(_bare_abbreviation(" ".join(self.words[mention.start,
                                                                       mention.end])))
            if full is not None and full.key != mention.entity.key:
                mention = EntityMention(mention.start, mention.end, full,
                                        f"abbreviation: {full.label}")
            result.append(mention)
        return result

    def _words(self, span: Span) -> list[str]:
        return self.words[span.start, span.end]

    def _key(self, span: Span) -> str:
        """Return the words of a name in lowercase: "nagorno karabakh"."""
        return " ".join(self._words(span)).lower()

    def _mention(self, span: Span) -> EntityMention | None:
        words = self._words(span)
        if not words:
            return None
        text = " ".join(words)
        plural = span.root.tag_ in {"NNS", "NNPS"}
        country = self.gazetteer.country(text)
        if country is not None and not (self.us_context and self._is_us_state(text)):
            return EntityMention(span.start, span.end, place_entity(country, self.gazetteer),
                                 "gazetteer: country name")
        if span.label_ == "NORP" or len(words) == 1:
            country = self.gazetteer.demonym(text)
            if country is not None:
                return EntityMention(span.start, span.end,
                                     place_entity(country, self.gazetteer),
                                     "gazetteer: demonym", plural=plural)
        if is_role_or_pronoun(words):
            return None  # "Mr.", "Sen.", "President", a headline's "YOU": no one named
        if self.persons.has(span):
            return self.persons.mention(span)
        if is_abbreviation(text) and (span.label_ in PLACE_LABELS or span.label_ == "ORG"):
            # The gazetteer knows no place called so (a country's code was looked up
            # above): NATO, the EU, the U.N. are organizations, whatever the recognizer says.
            return EntityMention(span.start, span.end,
                                 named_entity(_bare_abbreviation(text).lower(), text,
                                              "organization"), "organization abbreviation")
        if span.label_ in PLACE_LABELS or self._key(span) in self.place_names:
            place = self.gazetteer.place(text)
            if place is not None:
                return self._place_mention(span, place)
            return EntityMention(span.start, span.end, named_entity(text.lower(), text, "place"),
                                 "place named in the article")
        if span.label_ == "ORG":
            key = organization_key(words, self.gazetteer)
            return EntityMention(span.start, span.end,
                                 named_entity(key, text, "organization"), "organization name")
        if span.label_ == "NORP":
            # The key is singular: "Republicans" and "Republican" are one group.
            singular = [*words[:-1], _singular(words[-1], span.root)] if plural else words
            return EntityMention(span.start, span.end,
                                 named_entity(" ".join(singular).lower(), text, "group"),
                                 "named group", plural=plural)
        if span.label_ in OTHER_NAME_LABELS or span.root.lower_ in COMMON_HEAD_NOUNS:
            return None  # a work's title; a headline's "Former White House Doctor"
        # A proper-noun run the recognizer missed ("Tester said"): a name of unknown kind.
        return EntityMention(span.start, span.end, named_entity(text.lower(), text, ""),
                             "proper noun")

    def _place_mention(self, span: Span, place: Place) -> EntityMention:
        role = syntactic_role(span.root)
        if place.is_capital and role in ACTOR_ROLES:
            country = self.gazetteer.country_of(place)
            if country is not None:
                return EntityMention(span.start, span.end,
                                     place_entity(country, self.gazetteer),
                                     f"capital metonymy: {place.name} as {role}")
        return EntityMention(span.start, span.end, place_entity(place, self.gazetteer),
                             f"gazetteer: {place.kind} name")

    def _is_us_state(self, text: str) -> bool:
        place = self.gazetteer.place(text)
        return place is not None and place.kind == "state"

    def _is_us_place(self, span: Span) -> bool:
        """A US state is named that is no country too: the article is about the US."""
        text = " ".join(self._words(span))
        return self._is_us_state(text) and self.gazetteer.country(text) is None


class _PersonIndex:
    """The persons of one article: full names, the surnames they lend, titles, gender."""

    def __init__(self, spans: list[Span], words: dict[tuple[int, int], list[str]]) -> None:
        """Read the person names ``spans``; ``words`` holds the words of each (by span)."""
        self.names: dict[int, PersonName] = {}  # span start -> its name
        self.full_names: dict[str, PersonName] = {}  # key -> name, in order of appearance
        self.titles: dict[str, list[str]] = defaultdict(list)
        self.forms: dict[str, list[str]] = defaultdict(list)
        self.genders: dict[str, Gender] = {}
        self._first_starts: dict[PersonName, int] = {}
        self._resolved: dict[int, tuple[str, str, str]] = {}  # span start -> _resolve()
        for span in spans:
            name = parse_person_name(_honorific_before(span) + words[span.start, span.end])
            if name is None:
                continue
            self.names[span.start] = name
            if name.is_full:
                self.full_names.setdefault(name.key, name)
        for span in spans:
            name = self.names.get(span.start)
            if name is None:
                continue
            key, _label, how = self._resolved[span.start] = self._resolve(name, span)
            self.forms[key].append(trim_punctuation(span.text))
            for title in _titles(span):
                if title not in self.titles[key]:
                    self.titles[key].append(title)
            self._note_gender(key, name, alone=how == ALONE)

    def has(self, span: Span) -> bool:
        """Return whether ``span`` names a person."""
        return span.start in self.names

    def mention(self, span: Span) -> EntityMention:
        """Return the mention of the person named by ``span`` (one :meth:`has` accepts)."""
        key, label, how = self._resolved[span.start]
        forms = tuple(dict.fromkeys(form for form in self.forms[key] if form != label))
        entity = person_entity(key, label, tuple(self.titles[key]), forms)
        return EntityMention(span.start, span.end, entity, how,
                             gender=self.genders.get(key, ""))

    def _note_gender(self, key: str, name: PersonName, *, alone: bool) -> None:
        """Keep the gender a name states for the person: an honorific ("Mrs.") outranks a
        first name's guess. A surname that stands for a full name tells nothing (a
        surname can be a first name too: "Clinton"); one that stands alone may be a first
        name ("Laura")."""
        if name.honorific_gender:
            self.genders[key] = name.honorific_gender
        elif (name.is_full or alone) and key not in self.genders:
            guess = name_gender(name) if name.is_full else first_name_gender(name.last)
            if guess:
                self.genders[key] = guess

    def _resolve(self, name: PersonName, span: Span) -> tuple[str, str, str]:
        """Return (key, label, rule) of a name: a full name stands for itself; a surname
        or first name alone for a full name in the article that has it, if its honorific
        allows: one introduced before the mention first, then one whose first name is a
        known one (a headline's "Rip Donald Trump" loses to "Donald Trump"), then the first
        introduced ("Clinton" after "Hillary Clinton ... Bill Clinton" is Hillary)."""
        if name.is_full:
            return name.key, name.label, "person: full name"
        for part in ("last", "first"):
            matches = [full for full in self.full_names.values()
                       if getattr(full, part).lower() == name.last.lower()
                       and _compatible(name.honorific_gender, name_gender(full))]
            if matches:
                chosen = min(matches, key=lambda full: (
                    self._first_start(full) > span.start, not name_gender(full),
                    self._first_start(full)))
                return chosen.key, chosen.label, f"person: {part} name of {chosen.label}"
        return name.last.lower(), name.last, ALONE

    def _first_start(self, full: PersonName) -> int:
        """Return where ``full`` is first written (the names are all read by now)."""
        if full not in self._first_starts:
            self._first_starts[full] = min(start for start, name in self.names.items()
                                           if name == full)
        return self._first_starts[full]


def _person_words(names: list[list[str]]) -> set[str]:
    """Return the full names (lowercase) and surnames of the full names among ``names``
    (each as its words)."""
    known = set()
    for words in names:
        name = parse_person_name(words)
        if name is not None and name.is_full:
            known.update({name.key, name.last.lower()})
    return known


def state_noun_mentions(doc: Doc, gazetteer: Gazetteer,
                        article: ArticleEntities) -> list[EntityMention]:
    """Return mentions of a country through a state noun it modifies: "the Armenian side",
    "Azerbaijani forces", "Turkey's government"."""
    found = []
    for token in (doc[index] for index in token_indices(doc, POS, ["NOUN"])):
        if token.lemma_.lower() not in STATE_NOUNS:
            continue
        for child in token.children:
            if child.dep_ not in {"amod", "compound", "poss", "nmod"} or child.i > token.i:
                continue
            held = article.at(child)
            country = held.entity if held is not None and held.entity.kind == "country" \
                else None
            if country is None and child.dep_ == "amod":
                place = gazetteer.demonym(child.text)
                country = place_entity(place, gazetteer) if place is not None else None
            if country is not None:
                found.append(EntityMention(_noun_phrase_start(token), token.i + 1, country,
                                           f"state noun: {child.text} {token.text}",
                                           plural=token.tag_ == "NNS"))
                break
    return found


def affiliation_mentions(doc: Doc, article: ArticleEntities) -> list[EntityMention]:
    """Return mentions of the organizations named after a person: "the Trump campaign",
    "Clinton's campaign", "the Obama administration" (key "donald trump campaign")."""
    found = []
    for token in (doc[index] for index in token_indices(doc, POS, ["NOUN"])):
        if token.lemma_.lower() not in AFFILIATION_NOUNS:
            continue
        for child in token.children:
            held = article.at(child) if child.dep_ in {"compound", "poss"} else None
            if held is not None and held.entity.kind == "person" and child.i < token.i:
                noun = token.lemma_.lower()
                entity = named_entity(f"{held.entity.key} {noun}",
                                      f"{held.entity.label} {noun}", "organization")
                found.append(EntityMention(_noun_phrase_start(token), token.i + 1, entity,
                                           f"affiliation: {child.text} {token.text}"))
                break
    return found


#: Determiners of a source that is one person the article does not name: "an AFP
#: correspondent", "a White House official".
INDEFINITE_DETERMINERS = frozenset({"a", "an", "one", "another"})
#: Types of entity an unnamed person can speak for.
AFFILIATION_TYPES = frozenset({"organization", "place", "other"})
#: Heads of a source that is a body or a document, not a person: "a House panel", "a USA
#: TODAY analysis", "a Washington Post database".
NON_PERSON_NOUNS = frozenset({
    "panel", "committee", "commission", "court", "board", "council", "group", "team",
    "analysis", "database", "report", "study", "survey", "poll", "statement", "review",
    "document", "memo", "filing", "investigation", "audit", "website", "ad", "article",
})


def unnamed_source(article: ArticleEntities, span: Span) -> EntityMention | None:
    """Return an unnamed person for a source that names no one but an organization it
    speaks for ("an AFP correspondent", "a senior State Department official"), or None.

    The person is one per article and noun (its key holds a digest of the article's text
    and the noun): two articles' "White House official" are not taken for one person, but
    each is linked to the White House (``Entity.affiliation``).
    """
    root = span.root
    if root.pos_ != "NOUN" or span[0].lower_ not in INDEFINITE_DETERMINERS \
            or root.lemma_.lower() in NON_PERSON_NOUNS:
        return None
    inside = [mention for mention in article.starting_within(span.start, root.i)
              if mention.end <= root.i and mention.entity.type in AFFILIATION_TYPES]
    if not inside:
        return None
    organization = inside[-1].entity
    noun = root.lemma_.lower()
    label = trim_punctuation(span[1:].text)
    key = f"{organization.key} {noun} in article {_text_digest(article.doc.text)}"
    person = named_entity(key, label, "unnamed person", affiliation=organization)
    return EntityMention(span.start, span.end, person,
                         f"unnamed source: {noun} of {organization.label}")


def _text_digest(text: str) -> str:
    """Return 8 hex digits standing for an article's text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def coordination_mentions(doc: Doc, article: ArticleEntities) -> list[EntityMention]:
    """Return a group mention for each coordination of distinct entities: "Armenia and
    Azerbaijan", "Russia, France and the United States"."""
    found = []
    heads = sorted({doc[index].head.i for index in token_indices(doc, DEP, ["conj"])})
    for token in (doc[index] for index in heads):
        if token.dep_ == "conj":
            continue  # a later conjunct: its coordination is read from the first
        conjuncts = [token, *_conjuncts(token)]
        members = [article.at(conjunct) for conjunct in conjuncts]
        entities = {m.entity.key: m.entity for m in members if m is not None}
        if len(entities) >= 2 and all(m is not None for m in members):
            start = min(m.start for m in members if m is not None)
            end = max(m.end for m in members if m is not None)
            found.append(EntityMention(start, end, group_entity(list(entities.values())),
                                       "coordination", plural=True))
    return found


def _noun_phrase_start(token: Token) -> int:
    """Return where a noun phrase starts: its leftmost pre-modifier (not its clauses)."""
    lefts = list(token.lefts)
    return lefts[0].left_edge.i if lefts else token.i


def _conjuncts(token: Token) -> list[Token]:
    result = []
    for child in token.children:
        if child.dep_ == "conj":
            result += [child, *_conjuncts(child)]
    return result


#: Words before a name that are no part of it: "*a* Mitt Romney", "*this* White House".
LEADING_DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "those"})


def _words(span: Span) -> list[str]:
    """Return the words of a name as written ("Ban Ki-moon": ["Ban", "Ki-moon"]), without
    a leading article or demonstrative ("this White House"), a trailing possessive or verb
    (a headline's "Obama Says"), or punctuation around, even glued to the name (PolNeAR
    lists speakers as "-President Obama"); curly apostrophes are made straight ("O’Neill":
    "O'Neill")."""
    tokens = list(span)
    if tokens and tokens[0].lower_ in LEADING_DETERMINERS:  # "a Mitt Romney"
        tokens = tokens[1:]
    while tokens and (tokens[-1].text in POSSESSIVES or tokens[-1].is_punct
                      or (len(tokens) > 1 and tokens[-1].tag_ in FINITE_VERB_TAGS)):
        tokens = tokens[:-1]
    while tokens and tokens[0].is_punct:
        tokens = tokens[1:]
    words: list[str] = []
    glued = False  # the previous token has no space after it: "Ki" + "-" + "moon"
    for token in tokens:
        if token.is_punct and token.text not in {".", "-"} and token.whitespace_:
            glued = False
            continue
        if glued and words:
            words[-1] += token.text
        else:
            words.append(token.text)
        glued = not token.whitespace_
    words = [word.replace("’", "'") for word in words]
    if words:
        words[0] = trim_punctuation(words[0])
        words[-1] = trim_punctuation(words[-1])
    return [word for word in words if word]


def _bare_abbreviation(text: str) -> str:
    """Return an abbreviation without its periods: "U.N." -> "UN"."""
    return text.replace(".", "")


def _spells_initials(abbreviation: str, words: list[str]) -> bool:
    """Return whether ``abbreviation`` spells the initials of ``words``: of the capitalized
    ones ("International Monetary Fund": IMF) or of all ("Bureau of Labor Statistics":
    BLS or BOLS)."""
    letters = _bare_abbreviation(abbreviation)
    if len(words) < 2 or not is_abbreviation(abbreviation):
        return False
    return letters in {initials(" ".join(words)), "".join(word[0] for word in words).upper()}


def _lowercase_words(doc: Doc) -> frozenset[str]:
    """Return the words the article writes in lowercase ("speech", "crooked")."""
    # From the attribute array: a Token for every word of the article would cost more.
    hashes = {orth for orth, is_lower, is_alpha in
              doc.to_array([ORTH, IS_LOWER, IS_ALPHA]).tolist() if is_lower and is_alpha}
    return frozenset(doc.vocab.strings[orth] for orth in hashes)


def _without_common_words(words: list[str], common: frozenset[str]) -> list[str]:
    """Return a person's name without the capitalized common words a headline glued to
    it ("Obama Speech": ["Obama"]): a word at either edge that the article also writes in
    lowercase and that is no known first name. At least one word stays."""
    def common_word(word: str) -> bool:
        return word.istitle() and word.lower() in common and not first_name_gender(word)
    while len(words) > 1 and common_word(words[-1]):
        words = words[:-1]
    while len(words) > 1 and common_word(words[0]):
        words = words[1:]
    return words


def trim_punctuation(text: str) -> str:
    """Return ``text`` without the punctuation at its start and end ("-Donald Trump,":
    "Donald Trump"), but for a final period, which ends an abbreviation ("Jr.", "Inc.")."""
    if text[:1].isalnum() and (text[-1:].isalnum() or text[-1:] == "."):
        return text  # the common case, at a glance
    start, end = 0, len(text)
    while start < end and _is_punctuation(text[start]):
        start += 1
    while end > start and text[end - 1] != "." and _is_punctuation(text[end - 1]):
        end -= 1
    return text[start:end]


def _is_punctuation(character: str) -> bool:
    """Unicode punctuation, but for the "@" and "#" that begin a handle or a hashtag."""
    return unicodedata.category(character).startswith("P") and character not in HANDLE_MARKS


def _singular(word: str, root: Token) -> str:
    """Return the last word of a plural group's name in the singular ("Republicans":
    "Republican"). The word can hold more than its root token ("African-Americans" is
    glued from three tokens): only the root's part changes. The lemmatizer leaves proper
    nouns as they are, so a plural "s" is dropped by hand."""
    lemma = root.lemma_
    if lemma == root.text and lemma.endswith("s") and not lemma.endswith("ss"):
        lemma = lemma[:-1]
    if not word.endswith(root.text):
        return word
    return word[:len(word) - len(root.text)] + lemma


def _shown_as_place(span: Span) -> bool:
    """Return whether the parse puts the name next to a place noun: in apposition ("the
    capital ..., Stepanakert"; "Stepanakert, a city of ...") or as its modifier ("the
    Nagorno Karabakh region")."""
    root = span.root
    if root.dep_ in {"appos", "compound"} and root.head.lemma_.lower() in PLACE_NOUNS:
        return True
    return any(child.dep_ == "appos" and child.lemma_.lower() in PLACE_NOUNS
               for child in root.children)


def _honorific_before(span: Span) -> list[str]:
    """Return the honorific just before a name the recognizer left out ("Mr." Trump)."""
    if span.start == 0:
        return []
    before = span.doc[span.start - 1]
    return [before.text] if before.text.strip(".").lower() in {"mr", "mrs", "ms", "miss"} \
        else []


def _titles(span: Span) -> list[str]:
    """Return the titles the parse gives a person's name: the words before it that modify
    it ("Armenian Prime Minister" Nikol Pashinyan) and a nominal apposition ("Nikol
    Pashinyan, the prime minister")."""
    root = span.root
    titles = [token.text for token in span
              if token.text.strip(".").lower() in TITLE_ABBREVIATIONS and token.i < root.i]
    for child in root.children:
        if child.i < span.start and child.dep_ in {"compound", "amod"}:
            words = [t for t in child.subtree if t.i < span.start and t.dep_ != "det"
                     and t.dep_ != "poss" and t.text.strip(".").lower() not in {
                         "mr", "mrs", "ms", "miss"}]
            if words:
                titles.append(" ".join(t.text for t in words))
        elif child.dep_ == "appos" and child.pos_ == "NOUN":
            words = [t for t in child.subtree if t.dep_ != "det" and not t.is_punct]
            titles.append(" ".join(t.text for t in words))
    return titles


def _compatible(stated: Gender, guessed: Gender) -> bool:
    return not stated or not guessed or stated == guessed
