"""textacy's direct-quotation extractor scored like claimgraph on a PolNeAR split (not a test).

    pip install textacy
    python benchmarks/textacy_quotes.py [GOLD_DIR] [--model NAME]

textacy (``textacy.extract.triples.direct_quotations``) finds (speaker, cue, quotation)
triples in a parsed Doc: only direct quotations with a speech verb next to them. Each triple
becomes an attribution (source = the speaker's words, cue = the cue's words, content = the
quotation) and the split is scored with claimgraph's own scorer, on the same parse
(the default spaCy pipeline without claimgraph's components). textacy refuses a document
with an odd number of quotation marks; such a document counts with no attributions, and the
number of them is printed above the plain-text table.
"""

from __future__ import annotations

import sys
from pathlib import Path

from _common import gold_split_arguments, parsed_gold_split
from spacy.tokens import Doc, Span, Token

from claimgraph import load_pipeline
from claimgraph.extract.scoring import aggregate, format_report, score_document
from claimgraph.records import Attribution, Mention

DEFAULT_GOLD = Path(__file__).resolve().parents[1].parent / "shared" / "polnear" / "dev"


def tokens_mention(doc: Doc, tokens: list[Token] | Span) -> Mention | None:
    """Return a mention from the first to the last of ``tokens`` (None when there are none)."""
    tokens = list(tokens)
    if not tokens:
        return None
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1])
    return Mention(start=start, end=end, text=doc.text[start:end])


def textacy_attributions(doc: Doc) -> list[Attribution] | None:
    """Return textacy's direct quotations of ``doc`` as attributions; None when textacy
    gives the document up (it refuses a text with an odd number of quotation marks)."""
    from textacy.extract.triples import direct_quotations

    found = []
    try:
        triples = list(direct_quotations(doc))
    except ValueError:
        return None
    for triple in triples:
        cue = tokens_mention(doc, triple.cue)
        content = tokens_mention(doc, triple.content)
        if cue is None or content is None:
            continue
        found.append(Attribution(cue=cue, content=content,
                                 source=tokens_mention(doc, triple.speaker),
                                 quote_type="direct", rule="textacy"))
    return found


def main() -> None:
    args = gold_split_arguments(__doc__.splitlines()[0], DEFAULT_GOLD)
    try:
        import textacy
    except ImportError:
        sys.exit("textacy is not installed: pip install textacy")

    nlp = load_pipeline(args.model, resolve=False)
    corpus, docs = parsed_gold_split(nlp, args.gold_dir)
    found = [textacy_attributions(doc) for doc in docs]
    scores = [score_document(document, gold, attributions or [])
              for (document, gold), attributions in zip(corpus, found, strict=True)]
    given_up = sum(attributions is None for attributions in found)
    print(f"textacy {textacy.__version__} direct_quotations on {args.gold_dir} "
          f"({given_up} of {len(found)} documents given up: unpaired quotation marks)")
    print(format_report(aggregate(scores)))


if __name__ == "__main__":
    main()
