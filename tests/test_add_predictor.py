"""Adding a predictor takes one module and one registration line (docs/architecture.rst, "How to add a
predictor"): a toy predictor written outside the package passes the contract battery and runs in
``naspred evaluate``, by its registered name in-process and by ``"module:Class"`` in worker processes."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from naspred import predictors
from naspred.cli import main
from naspred.testing import check_predictor

#: the whole of a user's predictor module: parameters declared once, requirements, _fit and _predict
TOY_MODULE = textwrap.dedent('''
    """A toy predictor: ridge regression on how often each operation occurs in the cell."""
    import numpy as np

    from naspred.params import SEED, Real, param
    from naspred.predictors import Predictor, Requirements


    class OpCountRidge(Predictor):
        """Ridge regression on operation counts, with a little seeded noise on the targets."""

        alpha: float = param(1.0, Real(0.0, closed="neither"))
        random_state: int | None = param(None, SEED)

        @property
        def requirements(self):
            return Requirements(labelled=True, encoding=True)

        def _counts(self, archs, info):
            ops = info.space.op_indices(archs)
            return np.stack([(ops == k).sum(axis=1) for k in range(len(info.space.ops))], axis=1).astype(float)

        def _fit(self, archs, y, info):
            x = self._counts(archs, info)
            noise = np.random.default_rng(self.random_state).normal(0.0, 1e-9, len(y))
            self.coef_ = np.linalg.solve(x.T @ x + self.alpha * np.eye(x.shape[1]), x.T @ (y + noise))

        def _predict(self, archs, info):
            return self._counts(archs, info) @ self.coef_
''')


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """The toy module importable as ``toy_predictor`` (here and in child processes), registered as ``toy``."""
    (tmp_path / "toy_predictor.py").write_text(TOY_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    import toy_predictor

    predictors.register("toy", toy_predictor.OpCountRidge, "ridge on operation counts")
    yield toy_predictor
    predictors.registry.PREDICTORS.unregister("toy")
    sys.modules.pop("toy_predictor", None)


def test_a_registered_toy_predictor_passes_the_contract_battery(toy):
    ran = check_predictor(predictors.get("toy"))
    assert {"params", "not_fitted", "nan_targets", "shapes", "random_state", "oracle"} <= set(ran)
    assert "toy" in predictors.names() and predictors.registry.summary("toy") == "ridge on operation counts"


def test_a_registered_toy_predictor_runs_in_naspred_evaluate(toy, tmp_path):
    out = tmp_path / "sweep"
    code = main(["evaluate", "--benchmark", "nb201-analog-cifar10", "--predictors", "toy,lin_reg",
                 "--train-sizes", "20", "50", "--trials", "3", "--test-size", "40", "--out", str(out), "--no-report",
                 "-q"])
    assert code == 0
    table = pd.read_parquet(out / "results.parquet")
    toy_rows = table[table["predictor"] == "toy"]
    assert len(toy_rows) == 6 and (toy_rows["status"] == "ok").all()
    assert toy_rows["kendall_tau"].notna().all()


def test_an_unregistered_predictor_runs_by_module_and_class_in_worker_processes(toy, tmp_path):
    out = tmp_path / "workers"
    run = subprocess.run(
        [sys.executable, "-m", "naspred.cli", "evaluate", "--benchmark", "nb201-analog-cifar10", "--predictors",
         "toy_predictor:OpCountRidge", "--train-sizes", "20", "--trials", "4", "--test-size", "40", "--out", str(out),
         "--no-report", "-q", "--executor", "process", "--workers", "2"],
        capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    table = pd.read_parquet(out / "results.parquet")
    assert len(table) == 4 and (table["status"] == "ok").all()
    assert set(table["predictor"]) == {"toy_predictor:OpCountRidge"}
