"""Every gallery script in examples/ runs to the end and draws its figure.

The ``plot_*.py`` scripts are the user stories of the documentation site (sphinx-gallery runs them when the
docs build); each reads only a benchmark that needs no download. ``archai_mobananas.py`` is tested in
``test_adapters_archai.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SCRIPTS = sorted(EXAMPLES.glob("plot_*.py"))
#: packages an example needs beyond the base install (the ``live`` extra)
NEEDS = {"plot_live_mode.py": "mnist1d"}

# the figure is saved in place of being shown
SHOW = "import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt; import runpy, sys; "
RUN = SHOW + "runpy.run_path(sys.argv[1], run_name='__main__'); assert plt.get_fignums(), 'no figure drawn'"


def test_every_story_has_an_example():
    assert {p.name for p in SCRIPTS} >= {
        "plot_compare_predictors.py", "plot_bring_your_own_benchmark.py", "plot_naslib_predictor.py",
        "plot_omni_ablation.py", "plot_live_mode.py", "plot_search.py",
    }


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_example_runs(script, tmp_path):
    if script.name in NEEDS:
        pytest.importorskip(NEEDS[script.name])
    first = script.read_text().lstrip().splitlines()
    assert first[0] == '"""' and set(first[2]) == {"="}, "a gallery script starts with a titled docstring"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, "-c", RUN, str(script)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
