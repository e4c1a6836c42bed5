"""The README's predictor and search sections: the table names the registered predictors, the examples run."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from naspred import predictors

README = Path(__file__).resolve().parents[1] / "README.md"


def _section(title: str) -> str:
    text = README.read_text()
    start = text.index(f"\n## {title}\n")
    return text[start : text.index("\n## ", start + 1)]


def test_the_predictor_table_names_registered_predictors():
    table = [line for line in _section("Predictors").splitlines() if line.startswith("| ") and "`" in line]
    listed = {family: re.findall(r"`([a-z_0-9]+)`", names) for family, names in
              (line.strip("| ").split(" | ", 1) for line in table)}
    described = {row["name"]: row["family"] for row in predictors.describe()}
    for family, names in listed.items():
        assert names and all(described.get(n) == family for n in names), (family, names)
    # every predictor outside the hybrid row's "…" is listed
    assert {n for n, f in described.items() if f != "hybrid"} == {n for f, ns in listed.items()
                                                                 if f != "hybrid" for n in ns}


def test_the_predictor_example_runs():
    code = re.search(r"```python\n(.*?)```", _section("Predictors"), re.S).group(1)
    scope: dict = {}
    exec(compile(code, str(README), "exec"), scope)  # the README's own example, on the embedded benchmark
    # xgb on 100 cells reached Kendall tau 0.53 on these 200 test cells; 0.3 leaves room for library versions
    assert scope["kendalltau"](scope["pred"].mean, scope["truth"]).statistic > 0.3
    assert np.all(scope["dist"].std >= 0) and len(scope["dist"].mean) == 200
    assert scope["search"].best_params_ and len(scope["search"].trials_) <= 20
    phases = {row["phase"] for row in scope["oracle"].ledger()}
    assert {"init", "query"} <= phases


def test_the_search_example_runs():
    code = re.search(r"```python\n(.*?)```", _section("Searching with a predictor"), re.S).group(1)
    scope: dict = {}
    exec(compile(code, str(README), "exec"), scope)
    result, random = scope["result"], scope["random"]
    assert result.evaluations == random.evaluations == 40 and "40 archs" in result.stop_reason
    assert result.best_value == result.history["observed"].max() == result.history["best"].iloc[-1]
    assert result.predictor == "xgb" and random.predictor != "xgb"
