"""Canonical entities: the functions that make a :class:`~claimgraph.records.Entity`.

A key is made from the entity alone, never from the article or the order of reading, so
the same real entity gets the same key (and so the same IRI) in every article:

* a person: first name and surname, lowercase ("donald trump"; see :mod:`.names`);
* a country: its GeoNames name ("azerbaijan"); a city or US state: its name and its
  country's ("baku, azerbaijan");
* an organization: its name without a leading "the" or possessive, demonyms written as
  their country ("azerbaijan foreign ministry" for "The Azerbaijani Foreign Ministry");
* a group of several actors ("both sides"): its members' keys in order, joined by " and ";
* a group named by a noun ("Democrats"): the singular noun ("democrat").
"""

from __future__ import annotations

from claimgraph.records import ENTITY_KINDS, Entity
from claimgraph.resolve.gazetteer import Gazetteer, Place

EntityKind = str  # one of claimgraph.records.ENTITY_KINDS, or "" when unknown


def place_entity(place: Place, gazetteer: Gazetteer) -> Entity:
    """Return the canonical entity of a country, US state or city."""
    key = place.name.lower()
    if place.kind != "country":
        country = gazetteer.country_of(place)
        if country is not None:
            key = f"{key}, {country.name.lower()}"
    return Entity(key=key, label=place.name, type="place", kind=place.kind,
                  geonames_id=place.geonames_id)


def person_entity(key: str, label: str, titles: tuple[str, ...] = (),
                  alt_labels: tuple[str, ...] = ()) -> Entity:
    """Return the canonical entity of a person."""
    return Entity(key=key, label=label, type="person", kind="person", titles=titles,
                  alt_labels=alt_labels)


def organization_key(words: list[str], gazetteer: Gazetteer) -> str:
    """Return the key of an organization written as ``words``.

    "The Azerbaijani Foreign Ministry" and "Azerbaijan's Foreign Ministry" both give
    "azerbaijan foreign ministry": a leading "the" and possessive marks go, a demonym
    becomes its country's name.
    """
    kept = []
    for index, word in enumerate(words):
        lower = word.lower()
        if (index == 0 and lower == "the") or lower in {"'s", "’s", "'", "’"}:
            continue
        country = gazetteer.demonym(word) if word[:1].isupper() else None
        kept.append(country.name.lower() if country is not None else lower)
    return " ".join(kept)


def named_entity(key: str, label: str, kind: EntityKind,
                 alt_labels: tuple[str, ...] = (), affiliation: Entity | None = None) -> Entity:
    """Return an entity of ``kind`` known by its name only (an organization, a place the
    gazetteer lacks, a group named by a noun, an unnamed person known by the organization
    it speaks for, its ``affiliation``)."""
    return Entity(key=key, label=label, type=ENTITY_KINDS.get(kind, "other"), kind=kind,
                  alt_labels=alt_labels, affiliation=affiliation)


def group_entity(members: list[Entity]) -> Entity:
    """Return the group of several entities ("both sides"), its members in key order."""
    ordered = tuple(sorted({member.key: member for member in members}.values(),
                           key=lambda member: member.key))
    return Entity(
        key=" and ".join(member.key for member in ordered),
        label=" and ".join(member.label for member in ordered),
        type="group", kind="group", members=ordered,
    )
