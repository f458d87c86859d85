"""How attributions live on a spaCy Doc, so that they survive what spaCy does to Docs.

Two places, both of which spaCy serialises (``DocBin(store_user_data=True)``,
``Doc.to_bytes``, ``nlp.pipe(n_process=2)``):

- ``doc.user_data["claimgraph.attributions"]``: every attribution as plain data
  (:func:`claimgraph.records.plain_data`: dicts, lists, strings, numbers), the record of
  truth from which ``doc._.attributions`` is rebuilt;
- ``doc.spans["attribution"]``: one span group with real spaCy Spans labelled ``SOURCE``,
  ``CUE`` and ``CONTENT`` (a content in several pieces gives one span per piece), for
  displaCy (``displacy.render(doc, style="span")``) and any span tooling. Each span's
  ``id_`` is ``attribution-N``, N the attribution's index in ``doc._.attributions``, and
  ``span._.attribution`` is that attribution. Span groups survive even without user data,
  so ``DocBin(store_user_data=False)`` keeps the spans (though not the rest).

``doc._.attributions`` is a property: reading it gives the attributions as
:class:`~claimgraph.records.Attribution` objects (``None`` when no claimgraph component
ran), setting it writes both places. Where only the span group survived (a DocBin saved
without user data), reading it rebuilds what the spans hold: source, cue and content with
their offsets and the quote type (no entities, subjects, cue classes or confidences).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from weakref import WeakKeyDictionary

from spacy.tokens import Doc, Span

from claimgraph.extract.spans import pieces_mention, quote_type_of
from claimgraph.records import Attribution, Mention, plain_data

#: The span group holding the source, cue and content spans of every attribution.
SPAN_GROUP = "attribution"
SOURCE_LABEL = "SOURCE"
CUE_LABEL = "CUE"
CONTENT_LABEL = "CONTENT"
#: Where the plain data of the attributions is kept in ``doc.user_data``.
USER_DATA_KEY = "claimgraph.attributions"
_SPAN_ID_PREFIX = "attribution-"

# The attributions last rebuilt for each Doc, with the plain data they were rebuilt from.
_REBUILT: WeakKeyDictionary[Doc, tuple[object, list[Attribution]]] = WeakKeyDictionary()


def get_attributions(doc: Doc) -> list[Attribution] | None:
    """Return the attributions stored on ``doc`` (a new list), or ``None`` if there are none."""
    data = doc.user_data.get(USER_DATA_KEY)
    if data is None:
        return spans_attributions(doc) if SPAN_GROUP in doc.spans else None
    cached = _REBUILT.get(doc)
    if cached is None or cached[0] is not data:
        cached = (data, [Attribution.from_data(item) for item in data])
        _REBUILT[doc] = cached
    return list(cached[1])


def set_attributions(doc: Doc, attributions: Iterable[Attribution] | None) -> None:
    """Store ``attributions`` on ``doc``: their plain data and their span group."""
    if attributions is None:
        doc.user_data.pop(USER_DATA_KEY, None)
        doc.spans.pop(SPAN_GROUP, None)
        return
    attributions = list(attributions)
    data = [plain_data(attribution) for attribution in attributions]
    doc.user_data[USER_DATA_KEY] = data
    _REBUILT[doc] = (data, attributions)
    doc.spans[SPAN_GROUP] = list(attribution_spans(doc, attributions))


def attribution_spans(doc: Doc, attributions: Iterable[Attribution]) -> Iterator[Span]:
    """Yield the SOURCE, CUE and CONTENT spans of each attribution, in order."""
    for index, attribution in enumerate(attributions):
        span_id = f"{_SPAN_ID_PREFIX}{index}"
        parts: list[tuple[str, Mention]] = []
        if attribution.source is not None:
            parts.append((SOURCE_LABEL, attribution.source))
        parts += [(CUE_LABEL, attribution.cue), (CONTENT_LABEL, attribution.content)]
        for label, mention in parts:
            for start, end in mention.pieces():
                span = doc.char_span(start, end, label=label, alignment_mode="expand",
                                     span_id=span_id)
                if span is not None and len(span):
                    yield span


def spans_attributions(doc: Doc) -> list[Attribution]:
    """Rebuild attributions from the span group alone: their source, cue and content (in
    pieces where it has several spans) and the quote type the content's marks give."""
    parts: dict[str, dict[str, list[Span]]] = {}
    for span in doc.spans[SPAN_GROUP]:
        if span.id_.startswith(_SPAN_ID_PREFIX):
            parts.setdefault(span.id_, {}).setdefault(span.label_, []).append(span)
    attributions = []
    for labelled in sorted(parts.values(), key=lambda spans: spans[CUE_LABEL][0].start):
        if CUE_LABEL not in labelled or CONTENT_LABEL not in labelled:
            continue
        content = pieces_mention(doc, [(span.start_char, span.end_char)
                                       for span in labelled[CONTENT_LABEL]])
        sources = labelled.get(SOURCE_LABEL)
        attributions.append(Attribution(
            cue=_mention(labelled[CUE_LABEL][0]), content=content,
            source=_mention(sources[0]) if sources else None,
            quote_type=quote_type_of(content)))
    return attributions


def _mention(span: Span) -> Mention:
    return Mention(span.start_char, span.end_char, span.text)


def attribution_of(span: Span) -> Attribution | None:
    """Return the attribution a span of :data:`SPAN_GROUP` belongs to (``None`` for others)."""
    span_id = span.id_
    if not span_id.startswith(_SPAN_ID_PREFIX):
        return None
    attributions = get_attributions(span.doc) or []
    index = int(span_id.removeprefix(_SPAN_ID_PREFIX))
    return attributions[index] if index < len(attributions) else None


def register_extensions() -> None:
    """Register ``doc._.attributions`` and ``span._.attribution`` (once)."""
    if not Doc.has_extension("attributions"):
        Doc.set_extension("attributions", getter=get_attributions, setter=set_attributions)
    if not Span.has_extension("attribution"):
        Span.set_extension("attribution", getter=attribution_of)


register_extensions()
