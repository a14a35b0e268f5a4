"""The tree is ruff-clean (pyproject.toml's [tool.ruff] settings), and CI runs the same check."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_ci_runs_ruff_on_the_whole_tree():
    script = (ROOT / ".ci" / "run").read_text()
    lines = [line.strip() for line in script.splitlines() if not line.strip().startswith("#")]
    assert "python -m ruff check ." in lines
    assert lines.index("python -m ruff check .") > next(i for i, line in enumerate(lines) if "python -m pytest" in line)


@pytest.mark.skipif(shutil.which("ruff") is None and subprocess.run([sys.executable, "-m", "ruff", "--version"],
                                                                     capture_output=True).returncode != 0,
                    reason="ruff is not installed (it is in the test extra)")
def test_the_tree_is_ruff_clean():
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
