"""The role a mention plays in its clause, read off the dependency parse.

Roles (the values of ``Mention.role``):

* ``agent``: who acts: the subject of an active verb ("Ankara affirmed"), the object of a
  passive's "by" ("caused by Turkish support"), the modifier of an action noun ("*Turkish*
  support", "*Russia's* invasion");
* ``patient``: who undergoes: the subject of a passive ("Stepanakert was bombed"), a
  direct object ("began targeting Stepanakert");
* ``beneficiary``: for whom: "support *for Azerbaijan*", "stood *by Baku*";
* ``recipient``: to whom: "told *AFP*", "sent aid *to Armenia*";
* ``target``: against whom: "sanctions *against Russia*";
* ``partner``: with whom: "talks *with Iran*";
* ``participant``: among several: "battles *between Armenia and Azerbaijan*";
* ``location``: where: "fighting *in the Nagorno Karabakh region*".

A mention whose parse shows none of these has no role (None). Coordinated mentions share
the role of the first conjunct ("between Armenia *and Azerbaijan*").
"""

from __future__ import annotations

from spacy.tokens import Token

#: What the object of a preposition is, by preposition ("by" only when not a passive's
#: agent: "stand by", "abide by" express support). Locative prepositions give "location".
PREPOSITION_ROLES: dict[str, str] = {
    "for": "beneficiary", "by": "beneficiary", "to": "recipient", "against": "target",
    "with": "partner", "between": "participant", "among": "participant",
    "in": "location", "at": "location", "near": "location", "around": "location",
    "inside": "location", "across": "location", "throughout": "location", "into": "location",
    "from": "location", "outside": "location", "within": "location",
}
SUBJECT_DEPS = frozenset({"nsubj", "csubj", "expl"})
PASSIVE_SUBJECT_DEPS = frozenset({"nsubjpass", "csubjpass"})
OBJECT_DEPS = frozenset({"dobj", "obj"})
MODIFIER_DEPS = frozenset({"poss", "amod", "compound", "nmod"})
#: Nouns that name a place: a name modifying or in apposition to one is a place.
PLACE_NOUNS = frozenset({
    "city", "capital", "town", "village", "region", "province", "district", "county",
    "territory", "enclave", "country", "state", "area", "neighborhood", "suburb",
})


def syntactic_role(token: Token, *, is_place: bool = False) -> str | None:
    """Return the role of the phrase headed by ``token`` (see the module docstring).

    ``is_place`` says the phrase names a place that is not a state (a city, a region):
    "to" such a place is a destination, so its role is ``location``, not ``recipient``.
    """
    while token.dep_ in {"conj", "appos"} and token.head != token:
        token = token.head  # coordinated and appositive phrases share their head's role
    dep = token.dep_
    if dep in SUBJECT_DEPS:
        return None if token.head.lemma_ == "be" else "agent"
    if dep in PASSIVE_SUBJECT_DEPS or dep in OBJECT_DEPS:
        return "patient"
    if dep == "dative":
        return "recipient"
    if dep == "pobj":
        role = _preposition_role(token.head)
        return "location" if is_place and role == "recipient" else role
    if dep in MODIFIER_DEPS and token.head.pos_ in {"NOUN", "PROPN"}:
        return "location" if token.head.lemma_.lower() in PLACE_NOUNS else "agent"
    return None


def _preposition_role(preposition: Token) -> str | None:
    if preposition.dep_ == "agent":
        return "agent"
    # "according to X": X speaks.
    if preposition.lower_ == "to" and preposition.head.lower_ == "according":
        return "agent"
    return PREPOSITION_ROLES.get(preposition.lower_)
