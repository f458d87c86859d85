"""Shared fixtures: the spaCy pipeline (loaded once) and the paths of ../shared."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED_ARTICLE = SHARED / "seed" / "karabakh-2020.txt"
EXAMPLE_ARTICLE = Path(__file__).resolve().parents[1] / "examples" / "harbour-strike.txt"


@pytest.fixture(scope="session")
def nlp():
    """The default spaCy pipeline with claimgraph's components, loaded once per test run."""
    from claimgraph import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def seed_text() -> str:
    """The user's example article, read from ../shared (tests skip without it)."""
    if not SEED_ARTICLE.is_file():
        pytest.skip(f"{SEED_ARTICLE} is absent")
    return SEED_ARTICLE.read_text(encoding="utf-8")
