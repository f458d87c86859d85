"""A small hand-made article with two attributions, for the RDF and store tests.

Written for the tests (modelled on news about the 2020 Nagorno-Karabakh war); offsets are
computed from the text so that every mention covers exactly what it says it does.
"""

from __future__ import annotations

from claimgraph.graph.rdf import RunInfo
from claimgraph.records import Attribution, Document, Entity, Mention

TEXT = (
    "Armenian Prime Minister Nikol Pashinyan said on Sunday that the renewed fighting in "
    "Nagorno-Karabakh was caused by Turkish support for Azerbaijan. \"Turkey is behind "
    "this war,\" Pashinyan told reporters in Yerevan."
)
INDIRECT_CONTENT = ("the renewed fighting in Nagorno-Karabakh was caused by Turkish support "
                    "for Azerbaijan")
DIRECT_CONTENT = "\"Turkey is behind this war,\""

PASHINYAN = Entity(key="Nikol Pashinyan", label="Nikol Pashinyan", type="person")
TURKEY = Entity(key="Turkey", label="Turkey", type="place")
AZERBAIJAN = Entity(key="Azerbaijan", label="Azerbaijan", type="place")

RUN = RunInfo(pipeline_name="core_web_sm", pipeline_version="3.8.0", software_version="0.1.0")


def mention(text: str, surface: str, occurrence: int = 0, **fields: object) -> Mention:
    """Return the mention of the ``occurrence``-th ``surface`` in ``text``."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(surface, start + 1)
    return Mention(start, start + len(surface), surface, **fields)


def sample_document(text: str = TEXT) -> Document:
    """Return the sample article (or the same article with another text)."""
    return Document(id="karabakh-2020-sample", text=text, title="Fighting flares in Karabakh",
                    url="https://example.org/news/karabakh", date="2020-09-27",
                    publisher="Example News")


def sample_attributions(text: str = TEXT, direct_content: str = DIRECT_CONTENT,
                        direct_subject: str = "Turkey") -> list[Attribution]:
    """Return the article's two attributions: Pashinyan's indirect and direct quotes."""
    indirect = Attribution(
        cue=mention(text, "said"),
        content=mention(text, INDIRECT_CONTENT),
        source=mention(text, "Armenian Prime Minister Nikol Pashinyan", entity=PASHINYAN),
        quote_type="indirect",
        subjects=(mention(text, "Turkish", entity=TURKEY),
                  mention(text, "Azerbaijan", entity=AZERBAIJAN)),
        cue_lemma="say", cue_class="assertion", rule="reporting-verb-ccomp",
    )
    direct = Attribution(
        cue=mention(text, "told"),
        content=mention(text, direct_content),
        source=mention(text, "Pashinyan", occurrence=1, entity=PASHINYAN),
        quote_type="direct",
        subjects=(mention(text, direct_subject, entity=TURKEY),),
        cue_lemma="tell", cue_class="assertion", rule="quote-cue", confidence=0.9,
    )
    return [indirect, direct]


def changed_sample() -> tuple[Document, list[Attribution]]:
    """Return the article with a corrected text: the direct quote now blames Ankara."""
    text = TEXT.replace("Turkey is behind this war", "Ankara is behind this war")
    attributions = sample_attributions(text, "\"Ankara is behind this war,\"", "Ankara")
    return sample_document(text), attributions
