"""The plain data that flows between claimgraph's stages.

loaders -> :class:`Document`; extract -> :class:`Attribution` (with :class:`Mention` spans);
graph consumes both. Offsets are Python string offsets (code points) into ``Document.text``,
end exclusive. Nothing here depends on spaCy or rdflib, so records pickle, compare and turn
into JSON freely (gold annotations from a corpus use the same shapes).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from copy import deepcopy
from dataclasses import asdict, dataclass, field, fields, replace
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
    author: str | None = None
    language: str | None = None  # the page's language tag ("en", "en-GB") where declared
    retrieved: str | None = None  # when it was fetched or archived: ISO 8601 UTC date-time

    def metadata(self) -> dict[str, str]:
        """Return the metadata fields that are set, without id and text."""
        fields = {"title": self.title, "url": self.url, "date": self.date,
                  "publisher": self.publisher, "author": self.author,
                  "language": self.language, "retrieved": self.retrieved}
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

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Mention:
        """Rebuild a mention from :func:`plain_data` of one (lists may come back as tuples)."""
        entity = data.get("entity")
        return cls(start=data["start"], end=data["end"], text=data["text"],
                   label=data.get("label", ""),
                   entity=entity_from_data(entity) if entity is not None else None,
                   role=data.get("role"),
                   parts=tuple((start, end) for start, end in data.get("parts", ())))

    def shifted(self, offset: int) -> Mention:
        """Return the mention with every offset moved by ``offset`` characters."""
        return replace(self, start=self.start + offset, end=self.end + offset,
                       parts=tuple((start + offset, end + offset) for start, end in self.parts))


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

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Attribution:
        """Rebuild an attribution from :func:`plain_data` of one, equal to the original."""
        source = data.get("source")
        return cls(
            cue=Mention.from_data(data["cue"]),
            content=Mention.from_data(data["content"]),
            source=Mention.from_data(source) if source is not None else None,
            quote_type=data.get("quote_type", "indirect"),
            subjects=tuple(Mention.from_data(subject) for subject in data.get("subjects", ())),
            cue_lemma=data.get("cue_lemma", ""),
            cue_class=data.get("cue_class", ""),
            negated=data.get("negated", False),
            rule=data.get("rule", ""),
            confidence=data.get("confidence", 1.0),
            extra=dict(data.get("extra", {})),
        )

    def shifted(self, offset: int) -> Attribution:
        """Return the attribution with every mention's offsets moved by ``offset``: from a
        piece of a text to the whole text, the piece starting at ``offset``."""
        return replace(self, cue=self.cue.shifted(offset), content=self.content.shifted(offset),
                       source=self.source.shifted(offset) if self.source else None,
                       subjects=tuple(subject.shifted(offset) for subject in self.subjects))

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


def entity_from_data(data: Mapping[str, Any]) -> Entity:
    """Rebuild an entity (and its members) from :func:`plain_data` of one."""
    return Entity(
        key=data["key"], label=data["label"], type=data.get("type", "other"),
        alt_labels=tuple(data.get("alt_labels", ())), kind=data.get("kind", ""),
        titles=tuple(data.get("titles", ())), geonames_id=data.get("geonames_id"),
        members=tuple(entity_from_data(member) for member in data.get("members", ())),
        affiliation=(entity_from_data(data["affiliation"])
                     if data.get("affiliation") is not None else None),
    )


def plain_data(record: Attribution | Mention | Entity) -> dict[str, Any]:
    """Return a record as nested dicts, lists, strings, numbers and booleans: what msgpack
    and JSON carry (spaCy's ``DocBin``, ``Doc.to_bytes``, ``nlp.pipe(n_process=2)``).

    Lossless: ``Attribution.from_data(plain_data(a)) == a`` (and likewise for mentions and
    entities); ``extra`` must hold such plain values itself. The same result as
    :func:`dataclasses.asdict` with tuples made lists, at a fraction of its cost (it runs
    for every attribution of every Doc, twice in the pipeline).
    """
    return _plain_value(record)


#: Types returned as they are (immutable; :func:`dataclasses.asdict` would deep-copy them to
#: themselves).
_ATOMIC_TYPES = frozenset({str, int, float, bool, type(None)})
#: The field names of each dataclass met, in order (None: not a dataclass).
_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}


def _field_names(cls: type) -> tuple[str, ...] | None:
    names = _FIELD_NAMES.get(cls, ())
    if names == ():
        names = (tuple(item.name for item in fields(cls))
                 if hasattr(cls, "__dataclass_fields__") else None)
        _FIELD_NAMES[cls] = names
    return names


def _plain_value(value: Any) -> Any:
    kind = type(value)
    if kind in _ATOMIC_TYPES:
        return value
    names = _field_names(kind)
    if names is not None:
        return {name: _plain_value(getattr(value, name)) for name in names}
    if isinstance(value, tuple | list):
        return [_plain_value(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain_value(item) for key, item in value.items()}
    return deepcopy(value)


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
