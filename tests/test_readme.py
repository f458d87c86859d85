"""The README's examples run as written: every command of its ``sh`` blocks that needs no
network (no pip install, no server, no remote endpoint or cluster), in order, in a folder
laid out like the repository; the outputs it shows are what the commands print."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE_ARTICLE, EXAMPLE_DATE, SHARED

from claimgraph import ingest, open_store

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
NETWORKX_MARKER = ("<!-- networkx example: tests/test_readme.py runs this block and compares "
                   "its output -->")
#: Commands left out: they need the network or a server, are the test suite and the
#: benchmarks themselves (minutes each; they print their own figures), are the learning
#: recipes (minutes to tens of minutes; test_boundaries.py and test_span_model.py train on
#: small fixtures), or are run by other tests on the same data (the dev evaluation by
#: test_accuracy.py, a Dask ingest by test_parallel.py).
NOT_RUN = ("pip install", "claimgraph serve", "--endpoint", "--scheduler", "pytest",
           "python benchmarks/", "python -m claimgraph.extract.learn",
           "python -m claimgraph.extract.train_span_model",
           "claimgraph evaluate ../shared/polnear/", "--dask")


def sh_commands() -> list[str]:
    """Return the command lines of the README's ``sh`` blocks, in order."""
    blocks = re.findall(r"^```sh\n(.*?)^```", README, flags=re.MULTILINE | re.DOTALL)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def shown_after(marker: str) -> str:
    """Return the first fenced block after ``marker`` in the README."""
    after = README[README.index(marker):]
    return re.search(r"^ *```\w*\n(.*?)^ *```", after, flags=re.MULTILINE | re.DOTALL).group(1)


def test_the_readme_has_runnable_commands() -> None:
    runnable = [command for command in sh_commands() if not command.startswith(NOT_RUN)
                and not any(part in command for part in NOT_RUN)]
    assert any(command.startswith("claimgraph ingest examples/harbour-strike.txt --store")
               for command in runnable)
    assert len(runnable) >= 6


def test_every_readme_command_runs_as_written(tmp_path: Path) -> None:
    work = tmp_path / "claimgraph"
    shutil.copytree(ROOT / "examples", work / "examples")
    if SHARED.is_dir():
        (tmp_path / "shared").symlink_to(SHARED)
    environment = {**os.environ,
                   "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    ran = 0
    for command in sh_commands():
        if any(part in command for part in NOT_RUN):
            continue
        if "../shared" in command and not SHARED.is_dir():
            continue  # said in the README: these need the corpus
        result = subprocess.run(["bash", "-c", command], cwd=work, env=environment,
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, f"{command}\n{result.stderr[-2000:]}"
        assert "Traceback" not in result.stderr, command
        ran += 1
        if command.startswith("claimgraph query --store demo.store examples/queries/"):
            assert result.stdout == shown_after("On the example article:"), result.stdout
    assert ran >= 6


def test_the_extract_sample_is_what_extract_prints() -> None:
    sample = json.loads(shown_after("- **extract** prints one JSON object per article"))
    result = subprocess.run([sys.executable, "-m", "claimgraph.cli", "extract",
                             "examples/harbour-strike.txt"], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    (printed,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert printed["id"] == sample["id"]
    assert sample["attributions"][-1] == printed["attributions"][-1]
    assert f"the last of the example article's {len(printed['attributions'])} attributions" \
        in " ".join(README.split())


@pytest.mark.parametrize("name", ["demo.store/", "bulk.store/", "shards/"])
def test_what_the_readme_creates_is_ignored_by_git(name: str) -> None:
    assert name in (ROOT / ".gitignore").read_text(encoding="utf-8").split()


def test_readme_networkx_example_prints_what_the_readme_shows(nlp, tmp_path, monkeypatch):
    after = README[README.index(NETWORKX_MARKER):]
    code, shown = re.search(r"```python\n(.*?)```\s*prints\s*```\n(.*?)```", after,
                            re.DOTALL).groups()
    assert 'open_store("dated.store")' in code
    assert f"--store dated.store --date {EXAMPLE_DATE}" in README
    with open_store(tmp_path / "dated.store") as store:  # the README's ingest --date
        ingest([EXAMPLE_ARTICLE], store, nlp, default_date=EXAMPLE_DATE)
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "README.md", "exec"), {})
    assert printed.getvalue() == shown
    assert "most-cited subjects: Belgium 1, Dutch Ministry of Infrastructure 1" in shown
