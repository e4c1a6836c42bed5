"""Experiment specs: files (TOML, YAML), presets (NASLib's grid formula), budgets, and bad values refused."""

from __future__ import annotations

import numpy as np
import pytest

from naspred.errors import InvalidInputError
from naspred.evaluation.spec import (
    PRESETS,
    ExperimentSpec,
    InitBudget,
    PredictorSpec,
    QueryBudget,
    naslib_fidelities,
    naslib_train_sizes,
)


def test_presets_follow_naslibs_formula():
    # automl/NASLib naslib/benchmarks/create_configs.py: int(np.logspace(log2(5.1), log2(max), 11, base=2))
    # and int(np.logspace(0.9, log2(total_epochs - 1), 15, base=2)), with NAS-Bench-201's 1000 and 200
    sizes = [int(v) for v in np.logspace(np.log(5.1) / np.log(2), np.log(1000) / np.log(2), num=11, base=2.0)]
    fids = [int(v) for v in np.logspace(0.9, np.log(199) / np.log(2), num=15, base=2.0)]
    assert list(naslib_train_sizes(1000)) == sizes
    assert list(naslib_fidelities(200)) == fids
    assert sizes[0] == 5 and sizes[-1] == 1000 and fids[0] == 1 and fids[-1] == 199
    both = PRESETS["naslib-nb201-both"]
    assert both["test_size"] == 200 and list(both["train_sizes"]) == sizes and list(both["fidelities"]) == fids


def test_toml_and_yaml_files_give_the_same_spec(tmp_path):
    toml = tmp_path / "exp.toml"
    toml.write_text(
        'benchmark = "nb201-cifar10"\ntrain_sizes = [100, 10]\nfidelities = [12]\ntrials = 3\ntest_size = 50\n'
        'predictors = ["lin_reg", { name = "rf", params = { n_estimators = 10 }, label = "rf10" }]\n'
    )
    yaml = tmp_path / "exp.yaml"
    yaml.write_text(
        "benchmark: nb201-cifar10\ntrain_sizes: [100, 10]\nfidelities: [12]\ntrials: 3\ntest_size: 50\n"
        "predictors:\n  - lin_reg\n  - {name: rf, params: {n_estimators: 10}, label: rf10}\n"
    )
    a, b = ExperimentSpec.from_file(toml), ExperimentSpec.from_file(yaml)
    assert a == b
    assert a.train_sizes == (10, 100)  # sorted
    assert [p.label for p in a.predictors] == ["lin_reg", "rf10"]
    assert a.predictors[1].params == {"n_estimators": 10}
    assert ExperimentSpec.from_mapping(a.to_dict()) == a


def test_preset_key_in_a_file_fills_the_grid(tmp_path):
    path = tmp_path / "grid.toml"
    path.write_text('preset = "naslib-nb201-train-size"\nbenchmark = "nb201-cifar10"\npredictors = ["rf"]\ntrials = 2\n')
    spec = ExperimentSpec.from_file(path)
    assert spec.train_sizes == naslib_train_sizes(1000) and spec.test_size == 200 and spec.trials == 2


def test_budgets_map_to_oracle_budgets():
    assert InitBudget("archs", 20).budget().archs == 20
    assert InitBudget("seconds", 3600).budget().seconds == 3600
    assert InitBudget("unlimited").budget().is_unlimited
    q = QueryBudget("epochs", 12).budget()
    assert q.epochs == 12 and q.per_arch
    assert QueryBudget("seconds", 5.5).budget().seconds == 5.5
    spec = ExperimentSpec("b", ["rf"], train_sizes=[5], init_seconds=[10.0], fidelities=[3], query_seconds=[2.0])
    assert [b.describe() for b in spec.init_budgets()] == ["5 archs", "10 seconds"]
    assert [b.describe() for b in spec.query_budgets()] == ["3 epochs per arch", "2 seconds per arch"]


@pytest.mark.parametrize(
    "changes, fragment",
    [
        ({"init_seconds": [-5]}, "must be finite and >= 0"),
        ({"query_seconds": [float("nan")]}, "must be finite and >= 0"),
        ({"train_sizes": [0]}, "train sizes must be >= 1"),
        ({"train_sizes": [2.5]}, "whole numbers"),
        ({"fidelities": [3, 3]}, "repeat a value"),
        ({"trials": 0}, "ExperimentSpec: trials must be an integer >= 1, got 0"),
        ({"split": "shuffled"}, "ExperimentSpec: split must be one of \\['oracle', "),
        ({"test_size": 10, "top_k": [20]}, "exceeds the test size"),
        ({"predictors": []}, "no predictors"),
        ({"predictors": ["rf", "rf"]}, "labels repeat"),
    ],
)
def test_bad_values_are_refused(changes, fragment):
    fields = {"benchmark": "nb201-cifar10", "predictors": ["rf"], "train_sizes": [10], **changes}
    with pytest.raises(InvalidInputError, match=fragment):
        ExperimentSpec(**fields)


def test_bad_files_and_fields(tmp_path):
    with pytest.raises(InvalidInputError, match="unknown spec field"):
        ExperimentSpec.from_mapping({"benchmark": "b", "predictors": ["rf"], "train_size": [5]})
    with pytest.raises(InvalidInputError, match="unknown preset"):
        ExperimentSpec.from_mapping({"preset": "nope", "benchmark": "b", "predictors": ["rf"]})
    with pytest.raises(InvalidInputError, match="no 'benchmark'"):
        ExperimentSpec.from_mapping({"predictors": ["rf"]})
    bad = tmp_path / "bad.toml"
    bad.write_text("benchmark = [")
    with pytest.raises(InvalidInputError, match="not valid TOML"):
        ExperimentSpec.from_file(bad)
    other = tmp_path / "x.json"
    other.write_text("{}")
    with pytest.raises(InvalidInputError, match="ends in .toml"):
        ExperimentSpec.from_file(other)
    with pytest.raises(InvalidInputError, match="unknown keys"):
        PredictorSpec.parse({"name": "rf", "parms": {}})
    with pytest.raises(InvalidInputError, match="predictor 'rf': trials must be an integer >= 1 or None, got 0"):
        PredictorSpec.parse({"name": "rf", "trials": 0})
    with pytest.raises(InvalidInputError, match="init budget: unit must be one of \\['archs', 'seconds', 'unlimited'\\]"):
        InitBudget("epochs", 3)
    with pytest.raises(InvalidInputError, match="query budget \\(epochs\\) must be a whole number, got 2.5"):
        QueryBudget("epochs", 2.5)


@pytest.mark.parametrize("split, protocol", [("oracle", "canonical"), ("distinct", "canonical"),
                                             ("sampled", "canonical"), ("random", "random")])
def test_every_split_names_its_protocol_and_result_rows_carry_it(split, protocol):
    from naspred.evaluation.trial import TrialTask, empty_row

    spec = ExperimentSpec("nb201-cifar10", ["lin_reg"], train_sizes=[20], split=split)
    assert spec.protocol == protocol
    task = TrialTask("nb201-cifar10", spec.predictors[0], InitBudget("archs", 20), QueryBudget("unlimited"), trial=0,
                     experiment_seed=0, test_size=200, split=spec.fixed_split())
    # in the row, not in the trial's identity: the keys of trials run before the protocol was recorded still hold
    assert empty_row(task)["protocol"] == protocol and "protocol" not in task.identity()


def test_an_encoding_the_space_lacks_is_skipped_at_plan_time(tmp_path):
    """On TransNAS-Bench-101 macro (no cell graph, no operation list) the encoding predictors are left out when
    the sweep is planned, each with the reason, and a predictor reading no encoding still runs."""
    import json

    import numpy as np

    from naspred.benchmarks.suite_zero import load_path
    from naspred.spaces import get as get_space
    from naspred.evaluation.plan import make_plan

    entry = {"val_accuracy": 50.0, "params": {"score": 1.0, "time": 0.1}}
    space = get_space("tnb101-macro")
    rng = np.random.default_rng(0)
    keys = sorted({str((*m, *(0,) * (6 - len(m)))) for m in (space.sample(rng).modules for _ in range(20))})[:4]
    path = tmp_path / "zc_transbench101_macro.json"
    path.write_text(json.dumps({"jigsaw": {k: {**entry, "val_accuracy": 50.0 + i} for i, k in enumerate(keys)}}))
    bench = load_path(path)
    spec = ExperimentSpec(str(path), ["lgb", "gcn", "params"], train_sizes=[2], trials=1, test_size=2, top_k=[2])
    plan = make_plan(spec, bench)
    reasons = {s.predictor: s.reason for s in plan.skipped}
    assert set(reasons) == {"lgb", "gcn"}
    assert "'adjacency_one_hot' encoding, which is not defined on space 'tnb101-macro'" in reasons["lgb"]
    assert "'gcn' encoding" in reasons["gcn"]
    assert {t.predictor.name for t in plan.tasks} == {"params"}
