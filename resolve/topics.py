"""The topic of a claim: the thing its content speaks of when no entity names it.

"Trump claimed that *voting fraud* is a big problem", "the NAACP called for *a moratorium*
on charter schools", "Clinton supporters questioned *the health* of Donald Trump": the topic
is the head noun of the content's main argument, with the nouns compounded with it
("voting fraud"), in its lemma ("moratorium", "shipment"). It is read off the parse:

* a content that is a noun phrase: its head ("this shift in strategy": shift);
* a clause: the subject of its main verb, else its object, else the noun it predicates
  ("the wording of the policy was too ambiguous": wording);
* a verb phrase without a subject ("to harshly punish those who ..."): its object.

Pronouns, names (the subjects say those) and words that name no thing ("one", "thing",
"lot", "way", "people") give no topic; "acts of protest", "the clot's existence" give
the noun they are of (protest, clot), "ways to mend relationships" the object of the
clause they head, and "those who violate the rules" the object of their relative clause.

The content's main word is the word its other words hang on, not a quotation mark or a
"that" left of it: a span's own root can be punctuation attached outside it.
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from claimgraph.resolve.names import ROLE_WORDS

#: Dependents of a content's main verb that can hold its topic, in order of preference.
ARGUMENT_DEPS = ("nsubj", "nsubjpass", "dobj", "attr")
#: Clauses under a content's main verb that can hold its topic.
CLAUSE_DEPS = frozenset({"xcomp", "ccomp", "acomp", "advcl"})
#: Entity types of names: a noun inside one is a subject, not a topic.
NAME_TYPES = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "LAW",
                        "WORK_OF_ART", "PRODUCT"})
#: Head nouns that say nothing about what a claim is about.
EMPTY_NOUNS = frozenset({
    "one", "thing", "something", "anything", "everything", "nothing", "lot", "way", "people",
    "person", "kind", "sort", "part", "fact", "time", "year", "day", "percent", "number",
    "bit", "point", "case", "question", "issue", "act", "form", "type", "existence",
    "week", "month", "hour", "minute",
    # quantities: "a spate of police shootings", "a raft of therapies"
    "series", "spate", "raft", "slew", "host", "couple", "handful", "dozen", "amount",
    # outcomes of something: "the result has been a movement"
    "result", "outcome",
})
#: Nouns of an attitude to a thing, with the prepositions that name it: "an interest *in*
#: the seat", "concern *about* the deficit".
ATTITUDE_NOUNS = frozenset({"interest", "concern", "confidence", "faith", "trust", "doubt",
                            "worry"})
ATTITUDE_PREPOSITIONS = frozenset({"in", "about", "over"})
#: Nouns that count a thing: "31 incidents *of voter fraud*" is about voter fraud, "any
#: incident like this" about the incident.
COUNT_NOUNS = frozenset({"incident", "instance", "occurrence"})
#: Words a content's main word never is: punctuation, "that" and "if" of a clause.
FUNCTION_DEPS = frozenset({"punct", "mark", "cc", "prep"})
#: Clauses under a noun that say what it stands for: "ways *to mend* X", "those *who*
#: violate X".
NOUN_CLAUSE_DEPS = frozenset({"relcl", "acl"})


def content_topic(content: Span) -> str:
    """Return the topic of a content span (see the module docstring), or "" when its
    main argument is a pronoun, a name or no noun at all."""
    head = _main_noun(content_root(content), content)
    if head is None:
        # "with Matthews about *the winner*": a content of prepositions, the first whose
        # object is a thing.
        head = next((noun for token in content if token.dep_ == "prep"
                     and not content.start <= token.head.i < content.end
                     and (noun := _main_noun(token, content)) is not None), None)
    if head is None:
        # "This is what I know. In politics we look at personality.": the first sentence
        # of a quotation that gives one.
        later = [sentence for sentence in content.sents if sentence.start > content.start]
        head = next((noun for sentence in later
                     if (noun := _main_noun(content_root(sentence), sentence)) is not None),
                    None)
    return _phrase(head) if head is not None else ""


def _phrase(head: Token) -> str:
    """Return a topic's words: its head noun with the nouns compounded with it."""
    words = [_word(token) for token in head.lefts
             if token.dep_ == "compound" and token.pos_ == "NOUN"]
    return " ".join([*words, _word(head)])


def cue_topic(cue: Span) -> str:
    """Return the topic a cue names itself as the object of its words ("needs to tell
    *the truth* about", "spent months lobbing *insults* at"), or "": for a content that
    names none ("things", "one another")."""
    for token in cue:
        if token.dep_ == "dobj" and cue.start <= token.head.i < cue.end:
            noun = _thing(token)
            if noun is not None:
                return _phrase(noun)
    return ""


def content_root(content: Span) -> Token:
    """Return the main word of a content span's first sentence as spaCy's ``Span.root``
    does (of the words whose head lies outside it, the first nearest the sentence's root),
    leaving out punctuation, conjunctions and clause markers: a span's own root can be a
    closing quotation mark attached to the sentence's verb, or the root of a later
    sentence."""
    first = next((token.sent for token in content if not token.is_punct), None)
    # Only the words of that first sentence are looked at (a Token's sentence is costly to
    # ask for word by word).
    words = content if first is None else content.doc[max(content.start, first.start):
                                                      min(content.end, first.end)]
    tops = [token for token in words
            if (not content.start <= token.head.i < content.end or token.head == token)
            and token.dep_ not in FUNCTION_DEPS]
    return min(tops, key=lambda token: len(list(token.ancestors)), default=content.root)


def _word(token: Token) -> str:
    """Return a noun's lemma, or its lowercase form where the lemma is no stem of it
    (the lemmatizer makes "media" "medium")."""
    lemma = token.lemma_.lower()
    return lemma if token.lower_.startswith(lemma[:-1]) else token.lower_


def _main_noun(root: Token, content: Span) -> Token | None:
    """Return the noun that heads what the content speaks of, or None."""
    if root.pos_ == "NOUN":
        return _thing(root)
    if root.pos_ == "ADP":  # "on dangerous pollutants"
        objects = [child for child in root.children if child.dep_ == "pobj"]
        return _thing(objects[0]) if objects else None
    if root.pos_ not in {"VERB", "AUX", "ADJ"}:
        return None
    arguments = {child.dep_: child for child in root.children
                 if content.start <= child.i < content.end}
    if "expl" in arguments:
        # "there are still some people who ...": what is said to be there, even people.
        being = arguments.get("attr", arguments.get("nsubj"))
        if being is not None and being.lemma_.lower() in {"people", "person"}:
            return being
    actor = None  # "leaders had agreed to put together *a reform plan*": who acts, last
    for dep in ARGUMENT_DEPS:
        argument = arguments.get(dep)
        if argument is not None:
            noun = _thing(argument)
            if noun is not None and dep == "nsubj" and noun.lemma_.lower() in ROLE_WORDS:
                actor = noun
            elif noun is not None:
                return noun
    # "to harshly punish those who ...", "it was too early to tell whether the explosion
    # ...": the clause below.
    for child in root.children:
        if child.dep_ in CLAUSE_DEPS and content.start <= child.i < content.end:
            noun = _main_noun(child, content)
            if noun is not None:
                return noun
    # "to show up to a hearing": the object of its preposition, after the verb ("in the
    # end", "in politics" before it set the scene).
    for child in root.rights:
        if child.dep_ == "prep" and content.start <= child.i < content.end:
            objects = [grand for grand in child.children if grand.dep_ == "pobj"]
            if objects and _thing(objects[0]) is not None:
                return _thing(objects[0])
    return actor


def _thing(token: Token) -> Token | None:
    """Return ``token`` when it is a common noun naming a thing; for an empty noun ("the
    health of X" is not empty, "the issue of X" is) its "of" object if that is one; for
    a noun of attitude or of counting, the thing it is to or counts."""
    if token.pos_ == "PRON" and token.lower_ in {"those", "anyone", "everyone", "whoever"}:
        return _clause_noun(token)  # "those who violate classification rules"
    if token.pos_ != "NOUN" or token.ent_type_ in NAME_TYPES:
        return None
    lemma = token.lemma_.lower()
    if lemma in ATTITUDE_NOUNS:  # "an interest in the seat"
        objects = _objects(token, ATTITUDE_PREPOSITIONS)
        if objects and _thing(objects[0]) is not None:
            return _thing(objects[0])
    if lemma in COUNT_NOUNS:  # "31 incidents of voter fraud", "any incident like this"
        counted = _objects(token, {"of"})
        return _thing(counted[0]) if counted else token
    if lemma in EMPTY_NOUNS:
        for child in token.children:
            if child.dep_ == "poss" and child.pos_ == "NOUN":  # "the clot's existence"
                return _thing(child)
        # "acts of protest", "the facts about the incident"
        objects = _objects(token, {"of", "about"})
        if objects:
            return _thing(objects[0])
        return _clause_noun(token)  # "ways to mend relationships"
    return token


def _objects(token: Token, prepositions: frozenset[str] | set[str]) -> list[Token]:
    """Return the objects of a word's ``prepositions``, in text order."""
    return [grand for child in token.children
            if child.dep_ == "prep" and child.lower_ in prepositions
            for grand in child.children if grand.dep_ == "pobj"]


def _clause_noun(token: Token) -> Token | None:
    """Return the object of the clause under a noun or pronoun ("ways to mend
    *relationships*", "those who violate *rules*"), or None."""
    for clause in token.children:
        if clause.dep_ in NOUN_CLAUSE_DEPS and clause.pos_ in {"VERB", "AUX"}:
            for child in clause.children:
                if child.dep_ in {"dobj", "attr"}:
                    return _thing(child)
    return None
