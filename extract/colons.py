"""Colon cues: a speaker's name before a colon at the start of a paragraph.

Interview transcripts ("PENCE: Well, look, ...") and headlines ("Poll: Voters Abandon ...")
attribute the rest of the paragraph to the name before the colon; the colon is the cue.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from spacy.tokens import Doc

from claimgraph.extract.spans import char_mention, doc_text
from claimgraph.records import Attribution

# A paragraph that starts (after an optional quotation mark) with a short name and a colon.
_SPEAKER = re.compile(r"^[\"“]?(?P<name>[A-Z][^:\n]{0,60}?)\s*(?P<colon>:)[ \t]+(?=\S)",
                      re.MULTILINE)
MAX_NAME_WORDS = 6
#: The ``rule`` of the attributions found here.
COLON_RULE = "colon"
# Labels that head a paragraph like a speaker but are not one.
NOT_SPEAKERS = frozenset({
    "update", "updated", "note", "editor's note", "editor’s note", "related", "watch", "read",
    "read more", "photo", "photos", "video", "source", "sources", "more", "correction",
    "disclosure", "advertisement", "see also", "also", "listen", "click here", "subscribe",
    "follow", "contact", "email", "twitter", "caption", "credit", "image", "full story",
    "the latest", "breaking", "breaking news", "exclusive", "wow", "opinion", "analysis",
    "editorial", "live", "warning", "spoiler", "bottom line", "the bottom line",
    "q", "a", "name", "age", "city", "job", "pay",
})
SPEECH_POS = frozenset({"VERB", "AUX", "SCONJ"})


def colon_attributions(doc: Doc, found: Iterable[Attribution] = ()) -> Iterator[Attribution]:
    """Yield an attribution for each paragraph opened by "NAME: text".

    The name (at most ``MAX_NAME_WORDS`` words, capitalised, without digits, verbs or
    conjunctions, and not a label such as "UPDATE") is the source, the colon the cue and the
    rest of the paragraph the content. Colons that ``found`` attributions already cover are
    left alone.
    """
    taken = [piece for attribution in found
             for mention in (attribution.cue, attribution.content)
             for piece in mention.pieces()]
    text = doc_text(doc)
    for match in _SPEAKER.finditer(text):
        name_start, name_end = match.span("name")
        name = match.group("name").strip()
        colon = match.start("colon")
        if not _is_speaker(doc, name, name_start, name_end):
            continue
        if any(start <= colon < end for start, end in taken):
            continue
        content_start = match.end()
        content_end = text.find("\n", content_start)
        content_end = len(text) if content_end < 0 else content_end
        while content_end > content_start and text[content_end - 1].isspace():
            content_end -= 1
        if len(text[content_start:content_end].split()) < 2:
            continue
        yield Attribution(
            cue=char_mention(doc, colon, colon + 1),
            content=char_mention(doc, content_start, content_end),
            source=char_mention(doc, name_start, name_start + len(name)),
            quote_type="direct",
            cue_lemma=":",
            rule=COLON_RULE,
        )


def _is_speaker(doc: Doc, name: str, start: int, end: int) -> bool:
    words = name.split()
    if not words or len(words) > MAX_NAME_WORDS or any(ch.isdigit() for ch in name):
        return False
    if name.lower() in NOT_SPEAKERS:
        return False
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return False
    return not any(token.pos_ in SPEECH_POS or token.dep_ == "cc" for token in span)
