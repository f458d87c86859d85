"""Claim subjects: which mentions of a content are what the claim is about.

:func:`claim_subjects` takes the subject mentions extraction found in a content (names),
the references resolution found there (pronouns, descriptions) and the first-person words
of a quotation, and keeps those that name what the claim is about: not the attribution
phrase (:func:`phrase_tokens`: the source, the cue, its addressee, outlet or venue), not
title words, headline fragments or demonyms that only describe a thing, and "it" and
"they" only where the name they stand for is near (see each rule's docstring).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from spacy.tokens import Doc, Span, Token

from claimgraph.records import UNRESOLVED_RULE, Attribution, Entity, Mention
from claimgraph.resolve.article import ArticleEntities, EntityMention
from claimgraph.resolve.names import ROLE_WORDS, Gender, is_role_or_pronoun
from claimgraph.resolve.references import KIND_NOUNS, PERSONAL_PRONOUNS
from claimgraph.resolve.roles import syntactic_role

#: Rules whose mentions inside a content are added as subjects (names are already there).
REFERENCE_RULES = ("pronoun", "relative pronoun", "description", "pair", "state noun",
                   "affiliation")
SPEAKER_OBJECTS = frozenset({"me", "my", "myself"})
SUBJECT_PRONOUN_DEPS = frozenset({"nsubj", "nsubjpass", "dobj", "pobj", "dative", "poss"})
#: Pronouns for things and for several: see :func:`_references_inside`.
IMPERSONAL_PRONOUNS = frozenset({"it", "its", "itself", "they", "them", "their", "theirs",
                                 "themselves"})
#: Complements of a cue word that belong to the attribution phrase, not to what is said.
PHRASE_DEPS = frozenset({"dative", "dobj", "obj", "nsubjpass", "prep", "agent", "npadvmod"})
#: Prepositions of a cue word that name where or to whom something was said: "told
#: reporters *in* Yerevan", "said *in* an interview *with* Fox News", "*at* the rally".
VENUE_PREPOSITIONS = frozenset({"in", "at", "on", "to", "with", "during", "before"})
#: Second-person words of a quotation that speak of its addressee ("You should resign,"
#: Warren told Stumpf).
ADDRESSEE_WORDS = frozenset({"you", "your", "yourself"})
#: First-person plural words of a quotation: the speaker's organization, where the article
#: names the speaker by it ("PolitiFact Executive Director Aaron Sharockman").
WE_WORDS = frozenset({"we", "us", "our", "ourselves"})
#: Cue verbs whose direct object is the addressee ("told *CNN*", "asked *Reagan*").
ADDRESSEE_VERBS = frozenset({"tell", "ask", "inform", "assure", "remind", "brief",
                             "notify"})


def phrase_tokens(doc: Doc, attribution: Attribution) -> set[int]:
    """Return the tokens of the attribution phrase itself: its source, its cue, and the
    cue's own complements that are no part of what is said: the addressee ("told *CNN*"),
    the outlet or the venue ("said in an interview with *Fox News*", "at the rally in
    *Ohio*"), the agent of a passive cue."""
    spans = [mention_span(doc, mention) for mention in (attribution.source, attribution.cue)
             if mention is not None]
    phrase = {index for span in spans if span is not None
              for index in range(span.start, span.end)}
    cue = spans[-1]
    content = mention_span(doc, attribution.content)
    if cue is None or content is None:
        return phrase
    for word in cue:
        for child in word.children:
            if child.i in phrase or child.dep_ not in PHRASE_DEPS:
                continue
            subtree = {token.i for token in child.subtree}
            if content.root.i in subtree:
                continue  # what is said ("said *that* ...", "announced *a plan*")
            if child.dep_ == "nsubjpass" and word.lemma_.lower() not in ADDRESSEE_VERBS:
                continue  # "Reagan *was asked*": the addressee; "X was criticized": no
            if child.dep_ in {"dobj", "obj"} and word.lemma_.lower() not in ADDRESSEE_VERBS:
                continue  # the object of "criticized", "praised": what the claim is about
            if child.dep_ == "prep" and (child.lower_ not in VENUE_PREPOSITIONS
                                         or child.i > content.root.i):
                continue  # "see X *as* Y", "a statement *in observance of* Z": what is said
            phrase |= subtree
    return phrase


def _piece_tokens(doc: Doc, content: Mention) -> set[int]:
    """Return the tokens inside the pieces of a content (between its pieces lie its
    cue and source: “X,” he told CNN, “Y”)."""
    tokens: set[int] = set()
    for start, end in content.pieces():
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is not None:
            tokens.update(range(span.start, span.end))
    return tokens


def claim_subjects(doc: Doc, article: ArticleEntities, attribution: Attribution,
              content: Span | None, phrase: set[int], source_gender: Gender = ""
              ) -> tuple[tuple[Mention, ...], list[str]]:
    """Return the resolved subjects, in text order, and the rule that resolved each.

    A subject is a mention inside the content's pieces; a mention in the attribution
    phrase (``phrase``: see :func:`_phrase_tokens`; a content can take it in: “...,
    said Caddell, ...”) is no subject, nor are title words or pronouns that name no one
    ("Mr.", "President"), a place or group named only as a person's title ("*Russian*
    President Vladimir Putin", "*Arizona* Sen. John McCain") or a capitalized word of a
    headline. Each mention is listed (the graph gives one subject per entity, with all
    its mentions as spans)."""
    resolved: list[tuple[Mention, str]] = []
    inside = _piece_tokens(doc, attribution.content)
    taken: set[int] = set(phrase)  # tokens of the subjects so far, and of the phrase
    source = attribution.source.entity if attribution.source is not None else None
    headline = content is not None and _is_title_case(content)
    for subject in attribution.subjects:
        span = mention_span(doc, subject)
        if span is None:
            resolved.append((subject, UNRESOLVED_RULE))
            continue
        tokens = range(span.start, span.end)
        if phrase.intersection(tokens) or not inside.issuperset(tokens):
            continue
        if subject.label == "PROPN" and (headline or _is_word_piece(span)):
            continue  # "It's Our *Time*", "*T*-shirt": no name
        if is_role_or_pronoun([token.text for token in span]):
            continue  # the "Mrs." of "Mrs. Clinton's campaign"
        taken.update(tokens)
        found = article.of_span(span)
        entity = found.entity if found is not None else _named(subject.entity, span)
        if entity is None and subject.entity is not None:
            continue  # title words alone: no one is named
        if headline and entity is not None and not _named_elsewhere(article, entity, span):
            continue  # a headline's "Standard Clinton": no one the article speaks of
        if entity is not None and (_is_title_of_person(span, entity) or (
                found is not None and _is_demonym_of_thing(span, found.how))):
            continue
        role = syntactic_role(span.root, is_place=_is_local_place(entity))
        resolved.append((replace(subject, entity=entity, role=role),
                         found.how if found is not None else UNRESOLVED_RULE))
    if content is not None:
        for mention, entity, how in _references_inside(article, attribution, content,
                                                       inside, source, source_gender):
            if taken.intersection(range(mention.start, mention.end)):
                continue  # "Azerbaijani forces" when "Azerbaijani" is a subject already
            taken.update(range(mention.start, mention.end))
            root = article.root(mention)
            span = doc[mention.start:mention.end]
            label = "PRONOUN" if root.pos_ == "PRON" else "DESCRIPTION"
            role = syntactic_role(root, is_place=_is_local_place(entity))
            resolved.append((Mention(span.start_char, span.end_char, span.text,
                                     label=label, entity=entity, role=role), how))
        if attribution.quote_type == "direct":
            # Who a quotation's own words speak of: "you" its addressee, "we" the
            # speaker's organization, "me" and "my" its speaker.
            speakers = (
                (_addressee(doc, article, attribution), ADDRESSEE_WORDS, "the addressee"),
                (_speaker_organization(article, source) if source is not None else None,
                 WE_WORDS, "the speaker's organization"),
                (source, SPEAKER_OBJECTS, "the speaker (first person)"))
            for entity, words, who in speakers:
                if entity is None:
                    continue
                for token in _pronouns(content, inside, taken, words):
                    taken.add(token.i)
                    resolved.append((Mention(token.idx, token.idx + len(token), token.text,
                                             label="PRONOUN", entity=entity,
                                             role=syntactic_role(token)),
                                     f"pronoun {token.lower_!r}: {who}"))
    resolved.sort(key=lambda pair: pair[0].start)
    return tuple(mention for mention, _ in resolved), [how for _, how in resolved]


def _references_inside(article: ArticleEntities, attribution: Attribution, content: Span,
                        inside: set[int], source: Entity | None, source_gender: Gender = ""
                        ) -> list[tuple[EntityMention, Entity, str]]:
    """Return the resolved pronouns and descriptions inside a content's pieces that are
    arguments of its clauses (a subject, an object, a possessor), each with its entity
    and rule.

    "it" and "they" are far less often right than "he" and "she" (they stand for things
    and people no name gives: "the race", "the voters"), so they are kept only where the
    name they stand for is in the same sentence, or the source is meant: the subject of
    an indirect content that agrees with its source ("Ankara affirmed that *it* stood by
    Baku", "The S.E.C. said *it* would ...") is the source."""
    found = []
    for mention in article.starting_within(content.start, content.end):
        if mention.end > content.end or not inside.issuperset(range(mention.start,
                                                                     mention.end)):
            continue
        if not mention.how.startswith(REFERENCE_RULES):
            continue
        root = article.root(mention)
        entity, how = mention.entity, mention.how
        if root.pos_ == "PRON":
            if root.dep_ not in SUBJECT_PRONOUN_DEPS:
                continue
            if _is_source_possessive(root, attribution, source, source_gender):
                entity, how = source, f"pronoun {root.lower_!r}: the source"
            elif root.lower_ in IMPERSONAL_PRONOUNS:
                if _speaks_of_source(root, attribution, content, source):
                    entity, how = source, f"pronoun {root.lower_!r}: the source"
                elif not _near_impersonal(article, mention, root, source) \
                        and not _actor_just_named(article, mention, root, content):
                    continue
        elif root.lemma_.lower() in KIND_NOUNS and not _anchored_in_sentence(article, mention):
            # "this country" far from any country named: often another one than the
            # nearest, but mostly the one the article is about.
            main = _main_country(article) if KIND_NOUNS[root.lemma_.lower()] == {"country"} \
                else None
            if main is None:
                continue
            entity, how = main, f"description {root.lower_!r}: the country the article " \
                "names most"
        elif entity.type == "person" and root.lemma_.lower() not in ROLE_WORDS \
                and root.lemma_.lower() not in KIND_NOUNS:
            continue  # a person is described by a title: not "the greatest fear"
        if root.lower_ in PERSONAL_PRONOUNS and attribution.quote_type == "direct" \
                and source is not None and entity.key == source.key \
                and not how.endswith("the source"):
            continue  # a speaker says "I", not "he": "He's absolutely right," Flynn said
        found.append((mention, entity, how))
    return found


def _speaker_organization(article: ArticleEntities, source: Entity) -> Entity | None:
    """Return the one organization the article names a person by, in front of the name
    ("*PolitiFact* Executive Director Aaron Sharockman", "*Apple*'s chief executive"), or
    None."""
    if source.type != "person":
        return None
    found = {}
    for mention in article.mentions:
        if mention.entity.key != source.key or mention.how.startswith(REFERENCE_RULES):
            continue
        words = [article.root(mention)]
        while words:
            word = words.pop()
            for child in word.lefts:
                if child.dep_ in {"compound", "poss"} and child.i < mention.start:
                    words.append(child)
                    named = article.at(child)
                    if named is not None and named.entity.type == "organization":
                        found[named.entity.key] = named.entity
            if word.i >= mention.start:
                words += [child for child in word.lefts if child.dep_ == "compound"
                          and child.i >= mention.start]
    return next(iter(found.values())) if len(found) == 1 else None


def _addressee(doc: Doc, article: ArticleEntities, attribution: Attribution) -> Entity | None:
    """Return the person a quotation is said to ("..., Warren told *Stumpf*"), or None."""
    cue = mention_span(doc, attribution.cue)
    if cue is None:
        return None
    for word in cue:
        if word.lemma_.lower() not in ADDRESSEE_VERBS:
            continue
        for child in word.children:
            if child.dep_ in {"dobj", "dative"}:
                found = article.of_span(doc[child.left_edge.i:child.right_edge.i + 1])
                if found is not None and found.entity.type == "person":
                    return found.entity
    return None


def _main_country(article: ArticleEntities) -> Entity | None:
    """Return the country the article names most often (by name, not by reference), or
    None when two countries are named equally often or none is."""
    counts: Counter[str] = Counter()
    countries: dict[str, Entity] = {}
    for mention in article.mentions:
        if mention.entity.kind == "country" and not mention.how.startswith(REFERENCE_RULES):
            counts[mention.entity.key] += 1
            countries[mention.entity.key] = mention.entity
    ranked = counts.most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None
    return countries[ranked[0][0]]


def _anchored_in_sentence(article: ArticleEntities, mention: EntityMention) -> bool:
    """Whether the name a reference stands for is in the reference's sentence."""
    return mention.anchor >= 0 and \
        article.doc[mention.anchor].sent.start == article.doc[mention.start].sent.start


def _is_source_possessive(pronoun: Token, attribution: Attribution, source: Entity | None,
                          gender: Gender) -> bool:
    """Whether a "his" or "her" of an indirect content is its source's: "Kennedy told
    about *his* father", "Trump refuses to release *his* returns" (the source is the
    person the content is told from, when the gender agrees)."""
    return source is not None and source.type == "person" and bool(gender) \
        and attribution.quote_type == "indirect" and pronoun.dep_ == "poss" \
        and PERSONAL_PRONOUNS.get(pronoun.lower_, ("", ""))[1] == gender


def _near_impersonal(article: ArticleEntities, mention: EntityMention, pronoun: Token,
                     source: Entity | None) -> bool:
    """Whether an "it" or "they" that is no source is kept: the source's possessive ("its
    view", "their plan"), or a subject or possessive whose name is in its sentence (an
    object "it" mostly stands for a thing: "talk about *it*", "report *it*")."""
    if pronoun.dep_ == "poss" and source is not None and mention.entity.key == source.key:
        return True
    if pronoun.dep_ not in {"nsubj", "poss"} or _is_idiom(pronoun):
        return False
    return _anchored_in_sentence(article, mention)


def _actor_just_named(article: ArticleEntities, mention: EntityMention, pronoun: Token,
                      content: Span) -> bool:
    """Whether an "it" or "they" that says who acts in a content ("May suggested that
    *it* would withdraw from the single market") stands for a country named in the
    sentence before: a thing is seldom the one who acts, and a country's name is seldom
    mistaken for another kind's."""
    if pronoun.dep_ != "nsubj" or pronoun.head != content.root or mention.anchor < 0 \
            or mention.entity.type != "place" \
            or getattr(mention.entity, "kind", "") != "country":
        return False
    sentence = article.doc[mention.start].sent
    anchor = article.doc[mention.anchor]
    return anchor.sent.start == sentence.start or (
        sentence.start > 0 and anchor.sent.start == article.doc[sentence.start - 1].sent.start)


def _is_idiom(pronoun: Token) -> bool:
    """An "it" of an idiom: "when *it* comes to"."""
    return pronoun.lower_ == "it" and pronoun.head.lemma_ == "come" and any(
        child.dep_ == "prep" and child.lower_ == "to" for child in pronoun.head.children)


def _speaks_of_source(pronoun: Token, attribution: Attribution, content: Span,
                      source: Entity | None) -> bool:
    """Whether an "it" or "they" is the subject of an indirect content's main verb and
    agrees with the source: a thing for "it", several or a body for "they"."""
    if source is None or attribution.quote_type != "indirect" \
            or pronoun.dep_ not in {"nsubj", "nsubjpass"} or pronoun.head != content.root:
        return False
    if pronoun.lower_ == "it":
        return source.type != "person" and source.type != "group" and not source.members
    return source.type in {"group", "organization"} or bool(source.members)


def _pronouns(content: Span, inside: set[int], taken: set[int], words: frozenset[str]
              ) -> list[Token]:
    """Return the ``words`` of a content's pieces not taken yet that are arguments of its
    clauses (a subject, an object, a possessor). For the speaker, only objects and
    possessors are listed ("That makes *me* smart", "It never crossed *my* mind"): an "I"
    mostly speaks of the speaker's thinking ("I think"), not of what the claim is about."""
    return [token for token in content if token.i in inside and token.i not in taken
            and token.lower_ in words and token.dep_ in SUBJECT_PRONOUN_DEPS]


def _is_title_of_person(span: Span, entity: Entity) -> bool:
    """Whether a place or group is named only as the title of a person's name: "Russian
    President Vladimir Putin", "Arizona Sen. John McCain", "Democrat Hillary Clinton"."""
    if entity.type not in {"place", "group"}:
        return False
    head = span.root.head
    if span.root.dep_ not in {"amod", "compound", "nmod"} or head.i < span.end:
        return False
    while head.dep_ == "compound" and head.head.i > head.i:
        head = head.head
    return head.ent_type_ == "PERSON" or head.lower_.strip(".") in ROLE_WORDS


def _is_demonym_of_thing(span: Span, how: str) -> bool:
    """Whether a country is named only by a demonym describing a thing: "the *American*
    media", "a *Chinese* hoax". A demonym on a noun with arguments of its own stays: it
    acts ("*Turkish* support for Azerbaijan", "*Russian* attacks on Aleppo")."""
    root = span.root
    return how.startswith("gazetteer: demonym") and root.dep_ in {"amod", "compound"} \
        and root.head.pos_ == "NOUN" and not any(child.dep_ == "prep"
                                                 for child in root.head.children)


def _named_elsewhere(article: ArticleEntities, entity: Entity, span: Span) -> bool:
    """Whether the article names ``entity`` outside ``span`` too."""
    return any(mention.entity.key == entity.key and not span.start <= mention.start < span.end
               for mention in article.mentions)


def _is_title_case(content: Span) -> bool:
    """Whether a content is written as a headline: most of its words capitalized."""
    words = [token for token in content if token.is_alpha and not token.is_stop]
    common = [token for token in words if not token.ent_type_]  # names are capitalized
    return len(words) >= 3 and len(common) >= 2 \
        and sum(token.is_title for token in words) > 0.7 * len(words)


def _is_word_piece(span: Span) -> bool:
    """Whether a run of proper nouns is glued to a hyphen: a piece of "T-shirt" or of
    "Eid-al-Adha", not a name of its own."""
    doc = span.doc
    before = doc[span.start - 1] if span.start > 0 else None
    after = doc[span.end] if span.end < len(doc) else None
    return (after is not None and after.text == "-" and not span[-1].whitespace_) or (
        before is not None and before.text == "-" and not before.whitespace_)


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


def mention_span(doc: Doc, mention: Mention) -> Span | None:
    """Return the Doc span of a mention (widened to whole tokens), or None."""
    return doc.char_span(mention.start, mention.end, alignment_mode="expand")
