"""References resolved to what came before them: pronouns, relative pronouns, definite
descriptions and "both sides".

:func:`resolve_references` reads the Doc left to right and adds a mention for each
reference it resolves, so that a later pronoun can take an earlier one as antecedent
("Pashinyan ... He said ... He added ..."). The rules, each a plain ranking of the
mentions before the reference:

* **personal pronouns**: he/she take a person, it a singular non-person, they a plural or
  a group (an organization when there is none). The nearest compatible mention wins,
  ranked by gender agreement first (a guess from a first name can be wrong, so a mismatch
  ranks last instead of ruling out), then mentions within ``window`` sentences, then for
  "she" and "her" a known woman before a name of unknown gender ("Sanders told Wolf that
  nobody would question *her* intelligence": Clinton, named a sentence before, not
  Sanders, whose gender no first name tells; a name without a gender cue is mostly a
  man's in the news: on the dev fixtures this gains subjects and loses no source, where
  doing it for "he" too lost one), then by sentence distance, then a known gender before
  an unknown one, then the subject of the
  main clause, then other subjects, then by distance. An
  "it" that is the subject of "be" ("it was the night of ...") is taken as having no
  referent;
* **relative pronouns** (which, who, that) take the noun their clause hangs on ("the
  Armenian side, which reported ...");
* **definite descriptions** ("the ministry", "the prime minister", "the country"): the
  nearest mention whose name or title holds the head noun and every modifier ("the
  foreign ministry"), or for a class noun ("the country") the nearest of that kind. A
  description with an "of" complement ("the capital of the region") introduces a new
  referent and is left alone;
* **relative pronouns** choose among conjuncts the nearest, and want an actor for "who"
  and a non-person for "which";
* **"both sides", "the two sides", "both countries", "the two leaders"**: the nearest
  group of two of the noun's kind (from a coordination or an earlier "both sides"), else,
  unless the noun says persons, the two countries named last.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from functools import lru_cache

from spacy.attrs import POS, TAG
from spacy.tokens import Token

from claimgraph.records import Entity
from claimgraph.resolve.article import ArticleEntities, EntityMention, token_indices
from claimgraph.resolve.entities import group_entity
from claimgraph.resolve.names import TITLE_ABBREVIATIONS, Gender

#: Third-person pronouns: (what they take: "person", "thing" or "plural", gender).
PERSONAL_PRONOUNS: dict[str, tuple[str, Gender]] = {
    **dict.fromkeys(("he", "him", "his", "himself"), ("person", "male")),
    **dict.fromkeys(("she", "her", "hers", "herself"), ("person", "female")),
    **dict.fromkeys(("it", "its", "itself"), ("thing", "")),
    **dict.fromkeys(("they", "them", "their", "theirs", "themselves"), ("plural", "")),
}
RELATIVE_TAGS = frozenset({"WDT", "WP", "WP$"})
DEFINITE_DETERMINERS = frozenset({"the", "this", "that", "these", "those"})
#: Head nouns that name a kind of entity rather than match a name ("the country").
KIND_NOUNS: dict[str, frozenset[str]] = {
    "country": frozenset({"country"}), "nation": frozenset({"country"}),
    "city": frozenset({"city"}), "capital": frozenset({"city"}), "town": frozenset({"city"}),
    "company": frozenset({"organization"}), "organization": frozenset({"organization"}),
    "agency": frozenset({"organization"}), "firm": frozenset({"organization"}),
    "man": frozenset({"person"}), "woman": frozenset({"person"}),
    "leader": frozenset({"person"}), "candidate": frozenset({"person"}),
}
#: Nouns of "both sides" that stand for a pair of any kind (a kind noun says its kind).
PAIR_NOUNS = frozenset({"side"})
THING_KINDS = frozenset({"country", "state", "city", "place", "organization"})
#: What "who" can stand for: persons and groups of them, organizations, names of unknown kind.
ACTOR_KINDS = frozenset({"person", "group", "organization", ""})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
NAME_MODIFIER_DEPS = frozenset({"amod", "compound"})


def resolve_references(article: ArticleEntities, window: int = 2) -> None:
    """Add to ``article`` a mention for every reference that resolves (see module doc);
    ``window`` is how many sentences back a pronoun looks first."""
    doc = article.doc
    sentence_of = {index: number for number, sentence in enumerate(doc.sents)
                   for index in range(sentence.start, sentence.end)}
    resolver = _References(article, sentence_of, window)
    # Only relative pronouns, pronouns and nouns can be references.
    candidates = sorted({*token_indices(doc, TAG, RELATIVE_TAGS),
                         *token_indices(doc, POS, ["PRON", "NOUN"])})
    for token in (doc[index] for index in candidates):
        held = article.at(token)
        if held is not None and article.root(held) == token:
            continue  # a name, state noun or coordination already
        mention = resolver.resolve(token)
        if mention is not None:
            resolver.add(mention)


class _References:
    def __init__(self, article: ArticleEntities, sentence_of: dict[int, int],
                 window: int) -> None:
        self.article = article
        self.sentence_of = sentence_of
        self.window = window
        # What the ranking asks of a mention's root, by span: (is an adjective, is a
        # subject, is the subject of the main clause). Every reference asks it of every
        # mention before it, so it is read off the parse once.
        self._root_facts: dict[tuple[int, int], tuple[bool, bool, bool]] = {}
        # The name words of each entity of the article, and the entities whose name holds
        # a word, by id() (the entities live as long as the article): a description
        # looks back for a name that holds its noun, and most mentions have none.
        self._entity_words: dict[int, frozenset[str]] = {}
        self._named: dict[str, set[int]] = defaultdict(set)
        for mention in article.mentions:
            self._index(mention.entity)

    def add(self, mention: EntityMention) -> None:
        """Add a resolved reference to the article: later ones can refer to it."""
        self.article.add(mention)
        self._index(mention.entity)

    def _index(self, entity: Entity) -> None:
        if id(entity) not in self._entity_words:
            words = self._entity_words[id(entity)] = _name_words(entity)
            for word in words:
                self._named[word].add(id(entity))

    def _facts(self, mention: EntityMention) -> tuple[bool, bool, bool]:
        """Return (is an adjective, is a subject, is the main clause's subject) of the
        root of ``mention``."""
        span = (mention.start, mention.end)
        facts = self._root_facts.get(span)
        if facts is None:
            root = self.article.root(mention)
            is_subject = root.dep_ in SUBJECT_DEPS
            facts = self._root_facts[span] = (root.pos_ == "ADJ", is_subject,
                                              is_subject and root.head.dep_ == "ROOT")
        return facts

    def resolve(self, token: Token) -> EntityMention | None:
        if token.tag_ in RELATIVE_TAGS and token.head.dep_ == "relcl":
            return self._relative(token)
        if token.pos_ == "PRON" and token.lower_ in PERSONAL_PRONOUNS:
            return self._pronoun(token)
        if token.pos_ == "NOUN":
            determiners = {child.lower_ for child in token.children
                           if child.dep_ in {"det", "predet", "nummod"}}
            if token.tag_ == "NNS" and determiners & {"both", "two"}:
                return self._pair(token)
            if determiners & DEFINITE_DETERMINERS and token.is_alpha:
                return self._description(token)  # not the "’s" of "the 1980’s"
        return None

    def _relative(self, token: Token) -> EntityMention | None:
        antecedent = self._antecedent_of_relative(token)
        if antecedent is None:
            return None
        text = self.article.doc[antecedent.start:antecedent.end].text
        return EntityMention(token.i, token.i + 1, antecedent.entity,
                             f"relative pronoun: {text!r}", antecedent.plural,
                             antecedent.gender)

    def _antecedent_of_relative(self, token: Token) -> EntityMention | None:
        """Return the mention a relative clause hangs on: the noun the parse gives, or of
        a coordination the conjunct nearest before the pronoun ("Oprah Winfrey, ... and
        Stevie Wonder, who joked"). "who" wants an actor, "which" a non-person; when the
        noun does not fit ("Donna Rawlings, of Ashton, Md., who"), its heads are tried."""
        wants_actor = token.lower_ in {"who", "whom", "whose"}
        head = token.head.head
        for _ in range(4):
            conjuncts = [head, *(t for t in head.subtree if t.dep_ == "conj" and t.i < token.i)]
            candidate = self.article.at(max(conjuncts, key=lambda t: t.i))
            if candidate is not None and (
                    (candidate.entity.kind in ACTOR_KINDS) == wants_actor
                    or (not wants_actor and candidate.entity.kind != "person")):
                return candidate
            if head.head == head:
                return None
            head = head.head
        return None

    def _pronoun(self, token: Token) -> EntityMention | None:
        takes, gender = PERSONAL_PRONOUNS[token.lower_]
        if token.lower_ == "it" and token.head.lemma_ == "be":
            return None  # "it was the night of ...", "it is clear that ...": no referent

        def fits(mention: EntityMention) -> bool:
            kind = mention.entity.kind
            if takes == "person":
                return kind == "person"
            if takes == "thing":
                return kind in THING_KINDS and not mention.plural
            return mention.plural or kind == "group"

        chosen = self._nearest(token, fits, gender)
        if chosen is None and takes == "plural":  # "the ministry ... they said"
            chosen = self._nearest(token, lambda m: m.entity.kind == "organization", "")
        if chosen is None:
            return None
        text = self.article.doc[chosen.start:chosen.end].text
        return EntityMention(token.i, token.i + 1, chosen.entity,
                             f"pronoun {token.lower_!r}: nearest {chosen.entity.kind} "
                             f"{text!r}", takes == "plural", gender or chosen.gender,
                             anchor=chosen.anchor if chosen.anchor >= 0 else chosen.start)

    def _nearest(self, token: Token, fits: Callable[[EntityMention], bool],
                 gender: Gender) -> EntityMention | None:
        """Return the best ranked mention before ``token`` that ``fits`` (module doc).

        The search looks back from the token and stops once it has passed the sentence
        of a mention of the right gender: a farther one cannot rank higher.
        """
        here = self.sentence_of[token.i]

        def rank(mention: EntityMention) -> tuple[bool, bool, bool, int, bool, bool, bool,
                                                  int]:
            distance = here - self.sentence_of[mention.start]
            _, is_subject, is_main_subject = self._facts(mention)
            return (bool(gender and mention.gender and mention.gender != gender),
                    distance > self.window, gender == "female" and not mention.gender,
                    distance, bool(gender and not mention.gender),
                    not is_main_subject, not is_subject, -mention.start)

        best: EntityMention | None = None
        best_rank: tuple[bool, bool, bool, int, bool, bool, bool, int] | None = None
        for mention in self.article.nearest_first(token):
            if best_rank is not None and not best_rank[0] \
                    and here - self.sentence_of[mention.start] > best_rank[3] \
                    and (not best_rank[2] or here - self.sentence_of[mention.start] > self.window):
                break
            if not fits(mention) or self._facts(mention)[0]:
                continue  # an adjective ("Armenian") is no antecedent
            mention_rank = rank(mention)
            # "<=": of equal ranks, the one first in text order wins, as with min().
            if best_rank is None or mention_rank <= best_rank:
                best, best_rank = mention, mention_rank
        return best

    def _pair(self, token: Token) -> EntityMention | None:
        kinds = KIND_NOUNS.get(token.lemma_.lower())
        if kinds is None and token.lemma_.lower() not in PAIR_NOUNS:
            return None  # "both political parties", "two terms": no pair named before
        start = _left_edge(token)

        def is_pair(mention: EntityMention) -> bool:
            members = mention.entity.members
            return len(members) == 2 and (kinds is None or all(
                getattr(member, "kind", "") in kinds for member in members))

        pairs = [m for m in self.article.before(token) if is_pair(m)]
        if pairs:
            chosen = pairs[-1]
            text = self.article.doc[chosen.start:chosen.end].text
            return EntityMention(start, token.i + 1, chosen.entity,
                                 f"pair: nearest group of two {text!r}", plural=True)
        if kinds not in (None, frozenset({"country"})):
            return None  # two persons named last are too often not the two meant
        last_two: dict[str, EntityMention] = {}
        for mention in self.article.nearest_first(token):
            if mention.entity.kind == "country":
                last_two.setdefault(mention.entity.key, mention)
            if len(last_two) == 2:
                group = group_entity([m.entity for m in last_two.values()])
                return EntityMention(start, token.i + 1, group,
                                     "pair: the two countries named last", plural=True)
        return None

    def _description(self, token: Token) -> EntityMention | None:
        if any(child.dep_ == "prep" and child.lower_ == "of" for child in token.children):
            return None  # "the capital of the region": a new referent, not an earlier one
        doc = self.article.doc
        head = token.lemma_.lower()
        kinds = KIND_NOUNS.get(head)
        modifiers = [child for child in token.children
                     if child.dep_ in NAME_MODIFIER_DEPS and child.i < token.i]

        plural = token.tag_ == "NNS"
        # Entities whose name or title holds the noun ("the ministry", "the senator").
        named = self._named.get(head, set()) | self._named.get(token.lower_, set())
        if kinds is None and not named:
            return None  # no name holds it: "the wall", "the polls"

        def fits(mention: EntityMention) -> bool:
            if kinds is None and id(mention.entity) not in named:
                return False
            if plural != (mention.plural or mention.entity.kind == "group"):
                return False  # "the Democratic leaders" is no one person
            if kinds is not None:
                if mention.entity.kind not in kinds:
                    return False
            else:
                words = self._entity_words[id(mention.entity)]
                if not all(self._modifier_fits(modifier, mention, words)
                           for modifier in modifiers):
                    return False
            return not self._facts(mention)[0]  # an adjective ("Armenian") is no referent

        # The nearest match: the first one looking back.
        chosen = next((m for m in self.article.nearest_first(token) if fits(m)), None)
        if chosen is None:
            return None
        text = doc[chosen.start:chosen.end].text
        return EntityMention(_left_edge(token), token.i + 1, chosen.entity,
                             f"description 'the {token.text}': nearest match {text!r}",
                             token.tag_ == "NNS", chosen.gender,
                             anchor=chosen.anchor if chosen.anchor >= 0 else chosen.start)

    def _modifier_fits(self, modifier: Token, mention: EntityMention,
                       words: frozenset[str]) -> bool:
        """"the Azerbaijani ministry": the modifier is in the name, or names a country the
        entity's key holds ("azerbaijan foreign ministry")."""
        if modifier.lower_ in words:
            return True
        held = self.article.at(modifier)
        return held is not None and held.entity.kind == "country" \
            and held.entity.key in mention.entity.key


def _name_words(entity: Entity) -> frozenset[str]:
    """Return the lowercase words of an entity's label, surface forms and titles, with
    abbreviated titles written out ("Sen.": "senator")."""
    return _words_of_names((entity.label, *entity.alt_labels, *getattr(entity, "titles", ())))


@lru_cache(maxsize=8192)  # each mention of a person has its own, equal, Entity
def _words_of_names(texts: tuple[str, ...]) -> frozenset[str]:
    words = {word.strip(".,").lower() for text in texts for word in text.split()}
    return frozenset(words | {TITLE_ABBREVIATIONS[word] for word in words
                              if word in TITLE_ABBREVIATIONS})


def _left_edge(token: Token) -> int:
    """Return where a noun phrase starts: its leftmost pre-modifier (not its clauses)."""
    lefts = list(token.lefts)
    return lefts[0].left_edge.i if lefts else token.i
