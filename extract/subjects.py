"""Claim subjects: the named things a claim's content mentions."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from spacy.tokens import Doc, Span

from claimgraph.records import Entity, EntityType, Mention

# spaCy's entity labels that name something a claim can be about, and our entity types.
SUBJECT_LABELS: dict[str, EntityType] = {
    "PERSON": "person", "ORG": "organization", "GPE": "place", "LOC": "place",
    "FAC": "place", "NORP": "group", "EVENT": "other", "LAW": "other",
}


def subject_mentions(doc: Doc, content: Mention,
                     entities: Sequence[Span] | None = None) -> Iterator[Mention]:
    """Yield the named-entity mentions inside ``content``, and runs of proper nouns the
    entity recognizer missed ("Nagorno Karabakh"), each with a provisional entity.

    ``entities`` are the doc's entities (``doc.ents``, which spaCy rebuilds on each read:
    pass it when calling this for many contents of one doc)."""
    span = doc.char_span(content.start, content.end, alignment_mode="contract")
    if span is None:
        return
    ents = [entity for entity in (doc.ents if entities is None else entities)
            if span.start <= entity.start and entity.end <= span.end]
    # Tokens of any entity (dates and numbers too) are never part of a proper-noun run.
    taken = {token.i for entity in ents for token in entity}
    for entity in ents:
        if entity.label_ in SUBJECT_LABELS:
            yield _subject(entity.start_char, entity.end_char, entity.text, entity.label_)
    run: list[int] = []
    for token in [*span, None]:
        if token is not None and token.pos_ == "PROPN" and token.i not in taken:
            run.append(token.i)
            continue
        if run:
            proper = doc[run[0]:run[-1] + 1]
            yield _subject(proper.start_char, proper.end_char, proper.text, "PROPN")
            run = []


def _subject(start: int, end: int, text: str, label: str) -> Mention:
    entity = Entity(key=text.lower(), label=text, type=SUBJECT_LABELS.get(label, "other"))
    return Mention(start, end, text, label=label, entity=entity)
