"""Random Unicode through loaders -> extract -> RDF -> store: surrogates, control characters,
unbalanced quotes, huge paragraphs. Nothing crashes; every record is stored or reported
by name; every offset lies in its text and every span's text is the text at its offsets."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.language import Language

from claimgraph.errors import InputError
from claimgraph.graph.store import Store
from claimgraph.loaders import iter_documents
from claimgraph.pipeline import ArticlePreparer, run_info
from claimgraph.records import Attribution, Document

SENTENCES = [
    "The minister said that the port would stay closed.",
    "“We will not give up,” the union leader told reporters.",
    "\"Prices will rise,\" he warned, \"and soon.",
    "According to the police, the road was blocked by protesters.",
    "She denied that the talks had failed.",
    "Officials in Berlin insisted the plan was fair.",
]
PIECES = st.one_of(
    st.sampled_from(SENTENCES),
    st.text(st.characters(codec="utf-8"), max_size=30),  # any character but surrogates
    st.sampled_from(["\ud800", "\udfff", "\x1b[31m", "\x07", "\x00", "\u202e", "\ufeff",
                     "“", "”", "\"", "'", "«", "»", "\n\n", "\r\n", "\t", " "]),
    st.builds(lambda word, count: (word + " ") * count,  # a huge paragraph
              st.sampled_from(["said", "word", "“quote", "x"]), st.integers(100, 600)),
    st.builds(lambda count: "x" * count, st.integers(100, 2500)),  # no place to break
)
TEXTS = st.lists(PIECES, min_size=1, max_size=12).map(" ".join)


def check_offsets(document: Document, attributions: list[Attribution]) -> None:
    text = document.text
    for attribution in attributions:
        for mention in (attribution.cue, attribution.content, attribution.source,
                        *attribution.subjects):
            if mention is None:
                continue
            assert 0 <= mention.start < mention.end <= len(text), mention
            assert text[mention.start:mention.end] == mention.text, mention
            for start, end in mention.parts:
                assert mention.start <= start < end <= mention.end, mention


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(texts=st.lists(TEXTS, min_size=1, max_size=3), as_jsonl=st.booleans())
def test_random_text_never_crashes_and_offsets_stay_true(nlp: Language, texts: list[str],
                                                         as_jsonl: bool) -> None:
    preparer = ArticlePreparer(nlp, run_info(nlp), batch_size=4)
    with tempfile.TemporaryDirectory() as folder:
        if as_jsonl:
            path = Path(folder) / "news.jsonl"
            # ensure_ascii: a lone surrogate becomes the escape "\ud800", as in real files
            path.write_text("".join(json.dumps({"text": text}) + "\n" for text in texts),
                            encoding="ascii")
            paths = [path]
        else:
            paths = []
            for number, text in enumerate(texts):
                paths.append(Path(folder) / f"article-{number}.txt")
                paths[-1].write_bytes(text.encode("utf-8", errors="surrogatepass"))
        items = list(iter_documents(paths))
        assert len(items) == len(texts)  # one document or one error per record
        documents = [item for item in items if isinstance(item, Document)]
        for item in items:
            if isinstance(item, InputError):
                assert str(paths[0].parent) in str(item) and "\n" not in str(item)

        max_length = nlp.max_length
        nlp.max_length = 2_000  # long texts in pieces, small enough to run fast
        try:
            extracted = list(preparer.extract(documents))
        finally:
            nlp.max_length = max_length
        assert [document for document, _ in extracted] == documents
        with Store.open() as store:
            for document, result in extracted:
                if isinstance(result, InputError):
                    assert document.path in str(result)
                    continue
                check_offsets(document, result)
                article = preparer.build(document, result)
                if isinstance(article, InputError):
                    assert document.path in str(article)
                    continue
                store.put_article(article)
                assert store.has_article(document)
