"""The plain data that flows between claimgraph's stages.

loaders -> :class:`Document`; extract -> :class:`Attribution` (with :class:`Mention` spans);
graph consumes both. Offsets are Python string offsets (code points) into ``Document.text``,
end exclusive. Nothing here depends on spaCy or rdflib, so records pickle, compare and turn
into JSON freely (gold annotations from a corpus use the same shapes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

QuoteType = Literal["direct", "indirect", "mixed"]
EntityType = Literal["person", "organization", "place", "group", "other"]
#: The resolution rule of a source or subject that refers to no entity (a pronoun with no
#: antecedent, "who", a title alone): the graph links its claim to none.
UNRESOLVED_RULE = "unresolved"
#: What an entity is more precisely than its type: a place is a country, US state, city
#: or other place. Each kind belongs to one type.
ENTITY_KINDS: dict[str, EntityType] = {
    "person": "person", "organization": "organization", "country": "place",
    "state": "place", "city": "place", "place": "place", "group": "group",
    "unnamed person": "person",
}


@dataclass(frozen=True, slots=True)
class Document:
    """One article as loaded: its id, its text, and what is known about it."""

    id: str
    text: str
    title: str | None = None
    url: str | None = None
    date: str | None = None  # ISO 8601 date (YYYY-MM-DD) where known
    publisher: str | None = None
    path: str | None = None  # where it was read from, for error messages

    def metadata(self) -> dict[str, str]:
        """Return the metadata fields that are set, without id and text."""
        fields = {"title": self.title, "url": self.url, "date": self.date,
                  "publisher": self.publisher}
        return {key: value for key, value in fields.items() if value}


@dataclass(frozen=True, slots=True)
class Entity:
    """A canonical entity: a stable ``key`` (used for its IRI), a label and a type.

    What resolution learns about it, where known: ``kind`` refines ``type`` (see
    :data:`ENTITY_KINDS`; "" when unknown); ``titles`` are the roles an article gives a
    person ("Armenian Prime Minister"); ``geonames_id`` is the GeoNames feature of a
    place; ``members`` are the entities a group stands for ("both sides": Armenia and
    Azerbaijan); ``affiliation`` is the organization an unnamed person speaks for ("an
    AFP correspondent": AFP).
    """

    key: str
    label: str
    type: EntityType = "other"
    alt_labels: tuple[str, ...] = ()
    kind: str = ""
    titles: tuple[str, ...] = ()
    geonames_id: int | None = None
    members: tuple[Entity, ...] = ()
    affiliation: Entity | None = None


@dataclass(frozen=True, slots=True)
class Mention:
    """A stretch of article text: ``text == document.text[start:end]``.

    ``parts`` lists the pieces of a discontinuous span (a quotation interrupted by its
    cue); it is empty when the span is continuous. ``entity`` is the canonical entity the
    mention refers to, where known; ``role`` is a subject's role in the claim.
    """

    start: int
    end: int
    text: str
    label: str = ""
    entity: Entity | None = None
    role: str | None = None
    parts: tuple[tuple[int, int], ...] = ()

    def pieces(self) -> tuple[tuple[int, int], ...]:
        """Return the (start, end) pieces of the span: ``parts``, or the span itself."""
        return self.parts or ((self.start, self.end),)


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who (source) says (cue) what (content), and about whom (subjects)."""

    cue: Mention
    content: Mention
    source: Mention | None = None
    quote_type: QuoteType = "indirect"
    subjects: tuple[Mention, ...] = ()
    cue_lemma: str = ""
    cue_class: str = ""
    negated: bool = False
    rule: str = ""  # the rule or model that found it
    confidence: float = 1.0
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def to_dict(self, entity_iri: Callable[[Entity], str] | None = None) -> dict[str, Any]:
        """Return the JSON shape used by ``claimgraph extract`` (stable interface).

        ``entity_iri`` gives each entity's IRI (the graph stage knows how IRIs are made);
        without it, entities carry no ``iri``.
        """
        def mention(item: Mention) -> dict[str, Any]:
            return _mention_dict(item, entity_iri)

        return {
            "source": mention(self.source) if self.source else None,
            "cue": {**mention(self.cue), "lemma": self.cue_lemma,
                    "class": self.cue_class, "negated": self.negated},
            "content": mention(self.content),
            "subjects": [mention(subject) for subject in self.subjects],
            "quote_type": self.quote_type,
        }


def _mention_dict(mention: Mention,
                  entity_iri: Callable[[Entity], str] | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"start": mention.start, "end": mention.end, "text": mention.text}
    if mention.label:
        result["label"] = mention.label
    if mention.entity is not None:
        entity = asdict(mention.entity)
        entity.pop("alt_labels")
        if entity_iri is not None:
            entity = {"iri": entity_iri(mention.entity), **entity}
        result["entity"] = entity
    if mention.role:
        result["role"] = mention.role
    if mention.parts:
        result["parts"] = [list(part) for part in mention.parts]
    return result
