"""Signature cues: a quotation signed with a dash and a name after it.

Collections of reader quotes (“Trump must stop …” ― Carla Sanchez) and embedded tweets
(… — Paul Ryan (@SpeakerRyan) July 5, 2016) attribute the text before the dash to the name
after it; the dash is the cue.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from spacy.tokens import Doc

from claimgraph.extract.quotes import Quotation
from claimgraph.extract.spans import char_mention, doc_text
from claimgraph.records import Attribution

# A dash, then a name of capitalised words, then a Twitter handle or the end of the line.
_SIGNATURE = re.compile(
    r"[ \t\u00a0]*(?P<dash>―|—|--)[ \t\u00a0]*"
    r"(?P<name>[A-Z][\w.'’-]*(?:[ \t\u00a0]+[A-Z][\w.'’-]*){0,4})"
    r"(?P<handle>[ \t\u00a0]*\(@\w+\))?"
)
_CLOSING_MARKS = ("”", '"', "’’", "''")
# What may follow a signed name without a handle: the end of its line.
_LINE_END = re.compile(r"[ \t\u00a0.]*(?:\n|$)")


def signature_attributions(doc: Doc, quotations: list[Quotation],
                           found: Iterable[Attribution] = ()) -> Iterator[Attribution]:
    """Yield an attribution for each quotation signed “…” ― Name (the name ending its line),
    and for each paragraph signed … — Name (@handle); text ``found`` attributions already
    cover as content or cue is left alone."""
    taken = [piece for attribution in found
             for mention in (attribution.cue, attribution.content)
             for piece in mention.pieces()]
    text = doc_text(doc)
    quote_ends = {quote.end: quote for quote in quotations}
    for match in _SIGNATURE.finditer(text):
        dash = match.start("dash")
        if any(start <= dash < end for start, end in taken):
            continue
        handle = match.group("handle")
        quote = quote_ends.get(match.start())
        # A quotation the scanner could not pair (”…” opened with a closing mark) still
        # signs its paragraph when a quotation mark ends it.
        quoted_paragraph = quote is None and text[:match.start()].rstrip().endswith(
            _CLOSING_MARKS)
        if handle is None and (quote is None and not quoted_paragraph
                               or not _LINE_END.match(text, match.end())):
            continue
        if quote is not None:
            content_start, content_end = quote.start, quote.end
        else:  # a tweet or a quoted paragraph: the paragraph up to the dash
            content_start, content_end = text.rfind("\n", 0, dash) + 1, match.start()
            while content_start < content_end and text[content_start].isspace():
                content_start += 1
        if len(text[content_start:content_end].split()) < 2:
            continue
        yield Attribution(
            cue=char_mention(doc, dash, match.end("dash")),
            content=char_mention(doc, content_start, content_end),
            source=char_mention(doc, match.start("name"), match.end()),
            quote_type="direct",
            cue_lemma="―",
            rule="signature",
        )
