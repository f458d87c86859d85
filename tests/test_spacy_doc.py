"""What the claimgraph components put on a Doc survives spaCy's own round trips.

DocBin, Doc.to_bytes, nlp.pipe(n_process=2), nlp.to_disk / spacy.load; the attributions are
real Spans in doc.spans["attribution"] that displaCy renders; the public API's ``extract``
stays the function after the subpackage of the same name is imported.
"""

from __future__ import annotations

import subprocess
import sys

import spacy
from conftest import EXAMPLE_ARTICLE
from spacy import displacy
from spacy.tokens import Doc, DocBin

from claimgraph.extract.doc_attributions import (
    CONTENT_LABEL,
    CUE_LABEL,
    SOURCE_LABEL,
    SPAN_GROUP,
)
from claimgraph.records import Attribution, plain_data

TEXT = EXAMPLE_ARTICLE.read_text(encoding="utf-8")


def _by_cue(attributions: list[Attribution]) -> dict[str, Attribution]:
    return {attribution.cue.text: attribution for attribution in attributions}


def _assert_weber_quote(attributions: list[Attribution]) -> None:
    """The example's quotation by Weber, interrupted by its cue, with its resolved source."""
    weber = [attribution for attribution in attributions
             if attribution.source and attribution.source.text == "Weber"]
    assert len(weber) == 1
    quote = weber[0]
    assert quote.cue.text == "said"
    assert quote.quote_type == "direct"
    assert len(quote.content.parts) == 2
    assert quote.source.entity.key == "robert weber"
    assert quote.cue_class == "assertion"
    assert {subject.entity.key for subject in quote.subjects if subject.entity} >= {
        "germany", "belgium"}


def test_attributions_are_plain_data_that_rebuild_equal(nlp) -> None:
    attributions = nlp(TEXT)._.attributions
    rebuilt = [Attribution.from_data(plain_data(attribution)) for attribution in attributions]
    assert rebuilt == attributions
    assert [item.extra for item in rebuilt] == [item.extra for item in attributions]


def test_attributions_are_spans_in_one_labelled_group(nlp) -> None:
    doc = nlp(TEXT)
    group = doc.spans[SPAN_GROUP]
    assert {span.label_ for span in group} == {SOURCE_LABEL, CUE_LABEL, CONTENT_LABEL}
    sources = [span for span in group if span.label_ == SOURCE_LABEL]
    assert "Union leader Marieke de Vries" in [span.text for span in sources]
    # Each span reaches its attribution; a content in two pieces is two spans.
    weber_said = [span for span in group if span._.attribution is not None
                  and span._.attribution.source is not None
                  and span._.attribution.source.text == "Weber"]
    assert [span.label_ for span in weber_said] == [SOURCE_LABEL, CUE_LABEL, CONTENT_LABEL,
                                                   CONTENT_LABEL]
    assert weber_said[1].text == "said"
    assert weber_said[2].text.startswith("“This dispute is hurting factories")


def test_displacy_renders_the_attribution_spans(nlp) -> None:
    doc = nlp(TEXT)
    html = displacy.render(doc, style="span", options={"spans_key": SPAN_GROUP})
    for label in (SOURCE_LABEL, CUE_LABEL, CONTENT_LABEL):
        assert label in html
    assert "Marieke" in html


def test_docbin_with_user_data_keeps_everything(nlp) -> None:
    doc = nlp(TEXT)
    docbin = DocBin(store_user_data=True)
    docbin.add(doc)
    loaded = next(DocBin().from_bytes(docbin.to_bytes()).get_docs(nlp.vocab))
    assert loaded._.attributions == doc._.attributions
    _assert_weber_quote(loaded._.attributions)
    assert [span.text for span in loaded.spans[SPAN_GROUP]] == [
        span.text for span in doc.spans[SPAN_GROUP]]
    assert loaded.spans[SPAN_GROUP][0]._.attribution == doc._.attributions[0]


def test_docbin_without_user_data_keeps_the_spans(nlp) -> None:
    doc = nlp(TEXT)
    docbin = DocBin(store_user_data=False)
    docbin.add(doc)
    loaded = next(DocBin().from_bytes(docbin.to_bytes()).get_docs(nlp.vocab))
    cues = [span.text for span in loaded.spans[SPAN_GROUP] if span.label_ == CUE_LABEL]
    assert cues == [attribution.cue.text for attribution in doc._.attributions]
    # doc._.attributions is rebuilt from the spans: offsets and quote types, no entities.
    def offsets(item: Attribution) -> tuple:
        source = (item.source.start, item.source.end) if item.source else None
        return item.cue, item.content.pieces(), item.content.text, source, item.quote_type

    rebuilt = loaded._.attributions
    assert [offsets(item) for item in rebuilt] == [offsets(item) for item in doc._.attributions]
    weber = next(item for item in rebuilt if item.source and item.source.text == "Weber")
    assert len(weber.content.parts) == 2 and weber.source.entity is None


def test_doc_to_bytes_and_back(nlp) -> None:
    doc = nlp(TEXT)
    loaded = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert loaded._.attributions == doc._.attributions
    _assert_weber_quote(loaded._.attributions)


def test_pipe_in_two_processes_gives_the_same_attributions(nlp) -> None:
    texts = [TEXT, "The mayor said that the bridge would reopen in May."]
    alone = [doc._.attributions for doc in nlp.pipe(texts)]
    together = [doc._.attributions for doc in nlp.pipe(texts, n_process=2)]
    assert together == alone
    _assert_weber_quote(together[0])
    assert together[1][0].source.text == "The mayor"


def test_saved_pipeline_loads_and_extracts_the_same(nlp, tmp_path) -> None:
    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    assert loaded.pipe_names == nlp.pipe_names
    assert loaded(TEXT)._.attributions == nlp(TEXT)._.attributions


def test_extract_is_the_function_after_the_component_is_imported(nlp) -> None:
    # Adding the component imports the subpackage claimgraph.extract.
    spacy.blank("en").add_pipe("claim_attribution")
    import claimgraph.extract.component  # noqa: F401
    from claimgraph import extract, pipeline

    assert extract is pipeline.extract
    (document, attributions), = extract(["Officials said that the port would reopen."], nlp)
    assert document.id == "text-1"
    assert attributions[0].cue.text == "said"
    assert attributions[0].source.text == "Officials"


def test_extract_is_the_function_in_a_fresh_interpreter() -> None:
    """The table row as written: the component is added before anything of claimgraph's
    is imported (in a process of its own, where no earlier import hides the bug)."""
    script = ("import spacy\n"
              "spacy.blank('en').add_pipe('claim_attribution')\n"
              "from claimgraph import extract\n"
              "print(type(extract).__name__, extract.__module__)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120, check=True)
    assert result.stdout.split() == ["function", "claimgraph.pipeline"]


def test_extract_in_two_processes(nlp) -> None:
    from claimgraph import extract

    texts = [TEXT, "The mayor said that the bridge would reopen in May."]
    alone = [attributions for _, attributions in extract(texts, nlp)]
    together = [attributions for _, attributions in extract(texts, nlp, n_process=2)]
    assert together == alone
    _assert_weber_quote(together[0])


def test_an_affiliated_source_survives_a_docbin_round_trip(nlp) -> None:
    # An unnamed person speaks for an organization ("a Reuters correspondent": Reuters); the
    # affiliation is part of the source's entity and must come back from plain data.
    doc = nlp("A Reuters correspondent said that the border crossing was closed on Monday.")
    source_entity = doc._.attributions[0].source.entity
    assert source_entity is not None and source_entity.affiliation is not None
    assert source_entity.affiliation.label == "Reuters"
    rebuilt = list(DocBin(docs=[doc], store_user_data=True).get_docs(nlp.vocab))[0]
    assert rebuilt._.attributions == doc._.attributions
    assert rebuilt._.attributions[0].source.entity.affiliation.label == "Reuters"
