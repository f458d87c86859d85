"""Fewer, wider LSH bands or fewer MinHash permutations: what claim matching would lose, on
the 924 PolNeAR train + dev articles, against the banding it uses (128 permutations, 32
bands of 4 rows).

    python benchmarks/lsh_bands.py [--cache DIR]

The articles' extractions (cached, see _common.py) are stored without matching; every
claim's MinHash (128 permutations) is computed once, and each banding takes the first
``bands x rows`` of its values. For each banding: the index entries per claim (its
bands), the candidate pairs (claims of two articles sharing a band), the pairs decided the
same claim (:func:`claimgraph.graph.spread.same_claim`: links), the links lost and gained
against the banding in use, and the clusters (single linkage over the links) spanning at
least 2 and 3 articles. Links do not depend on the order articles are matched in, so the
banding in use gives the links ``claim_matching.py`` reports.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import time
from collections import defaultdict
from pathlib import Path

from _common import DEFAULT_CACHE, extracted_corpus, store_batch
from datasketch import MinHash

from claimgraph.graph.spread import (
    _PERMUTATIONS,
    BANDS,
    NUM_PERM,
    ROWS,
    SCHEME,
    ClaimRecord,
    claim_records,
    same_claim,
)
from claimgraph.graph.store import Store

#: (bands, rows) to compare: the one in use first, then datasketch's choices for a
#: Jaccard threshold of 0.4 with 96, 64 and 32 permutations, then wider bands.
BANDINGS = [(BANDS, ROWS), (24, 4), (16, 4), (10, 3), (21, 6), (16, 8), (16, 6)]


def candidate_pairs(signatures: dict[str, bytes], records: dict[str, ClaimRecord],
                    bands: int, rows: int) -> set[tuple[str, str]]:
    """Return the pairs of claims of two articles that share one of the first ``bands``
    bands of ``rows`` values (each value 8 bytes) of their signatures."""
    buckets: dict[tuple[int, bytes], list[str]] = defaultdict(list)
    for claim, signature in signatures.items():
        for band in range(bands):
            rows_bytes = signature[band * rows * 8:(band + 1) * rows * 8]
            buckets[band, hashlib.blake2b(rows_bytes, digest_size=8).digest()].append(claim)
    pairs: set[tuple[str, str]] = set()
    for claims in buckets.values():
        for one, other in itertools.combinations(sorted(claims), 2):
            if records[one].article != records[other].article:
                pairs.add((one, other))
    return pairs


def clusters(links: set[tuple[str, str]], records: dict[str, ClaimRecord]) -> list[set[str]]:
    """Return the clusters (single linkage) of ``links``, as sets of claims."""
    parent: dict[str, str] = {}

    def find(item: str) -> str:
        parent.setdefault(item, item)
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for one, other in links:
        parent[find(one)] = find(other)
    grouped: dict[str, set[str]] = defaultdict(set)
    for item in parent:
        grouped[find(item)].add(item)
    return list(grouped.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    args = parser.parse_args()
    extracted, run = extracted_corpus(args.cache)
    with Store.open(None) as store:
        store_batch(store, extracted, run)
        articles = sorted(str(row["g"]) for row in store.select(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?claim schema:appearance ?g } }"))
        records = claim_records(store, articles=articles)
    records = {iri: record for iri, record in records.items() if record.shingles}
    start = time.process_time()
    signatures = {}
    for iri, record in records.items():
        minhash = MinHash(num_perm=NUM_PERM, permutations=_PERMUTATIONS, scheme=SCHEME)
        minhash.update_batch([piece.encode("utf-8") for piece in record.shingles])
        signatures[iri] = minhash.hashvalues.astype("<u8").tobytes()
    print(f"{len(extracted)} articles, {len(records):,} claims matched; MinHashes "
          f"{time.process_time() - start:.0f} s CPU\n")
    print("| bands x rows (permutations) | index entries per claim | candidate pairs | links |"
          " lost | gained | clusters >= 2 articles | >= 3 | claims in clusters |")
    print("| --- |" + " --- |" * 8)
    reference: set[tuple[str, str]] | None = None
    for bands, rows in BANDINGS:
        pairs = candidate_pairs(signatures, records, bands, rows)
        links = {pair for pair in pairs if same_claim(records[pair[0]], records[pair[1]])}
        reference = links if reference is None else reference
        found = clusters(links, records)
        spans = [len({records[claim].article for claim in cluster}) for cluster in found]
        print(f"| {bands} x {rows} ({bands * rows}) | {bands} | {len(pairs):,} | {len(links)} |"
              f" {len(reference - links)} | {len(links - reference)} |"
              f" {sum(span >= 2 for span in spans)} | {sum(span >= 3 for span in spans)} |"
              f" {sum(len(cluster) for cluster in found)} |")


if __name__ == "__main__":
    main()
