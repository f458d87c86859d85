"""The README's networkx example prints the output the README shows."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

from conftest import EXAMPLE_ARTICLE, EXAMPLE_DATE

from claimgraph import ingest, open_store

README = Path(__file__).resolve().parents[1] / "README.md"
MARKER = "<!-- networkx example: tests/test_readme.py runs this block and compares its output -->"


def test_readme_networkx_example_prints_what_the_readme_shows(nlp, tmp_path, monkeypatch):
    text = README.read_text(encoding="utf-8")
    after = text[text.index(MARKER):]
    code, shown = re.search(r"```python\n(.*?)```\s*prints\s*```\n(.*?)```", after,
                            re.DOTALL).groups()
    assert 'open_store("dated.store")' in code
    assert f"--store dated.store --date {EXAMPLE_DATE}" in text
    with open_store(tmp_path / "dated.store") as store:  # the README's ingest --date
        ingest([EXAMPLE_ARTICLE], store, nlp, default_date=EXAMPLE_DATE)
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "README.md", "exec"), {})
    assert printed.getvalue() == shown
    assert "most-cited subjects: Dutch Ministry of Infrastructure 2" in shown
