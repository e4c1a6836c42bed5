"""The one split function on the real nb201-cifar10: the rows each study drew before it served them all.

The digests were taken from the split code as it stood before :func:`~naspred.evaluation.splits.draw_split`
replaced it: the OMNI ablation's own ``draw_split`` (test rows and nested training sets, pools ``all`` and
``recorded``), the trials' ``draw_test_split`` (test rows and oracle seed) and ``perf/predictors.py``'s
``split`` (uniform draws seeded by the trial). Equal digests: the committed tables keep their splits.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from naspred.benchmarks import load
from naspred.errors import InvalidInputError
from naspred.evaluation.splits import CanonicalIndex, draw_split, pool_rows, trial_seed

SIZES = (20, 100, 1000)
#: pool -> per trial (seed trial_seed(0, t)): digests of the test rows and of the training rows per size
ABLATION = {
    "all": [("b90e045bbcaed0e4", "9bce7e6785ee8038", "cafb7a3ba087bfae", "7acc9703761d0c69"),
            ("1f94a4bfb3bd1dae", "f295240cad29937e", "18e21d0b7937cbf3", "c266fd05da5a5e02"),
            ("3e4035889da5d830", "b893c305977d800d", "f86faf3a20f56419", "a018b28b45f3988f")],
    "recorded": [("442729624627c864", "1cda5c1f898b7fe1", "74d35a925a97bf1e", "368a8885e5038f40"),
                 ("c233a44b68853b82", "e358b879ec712bb0", "1ad90b759861adf4", "8f1e65330692215f"),
                 ("384592d270ef92fa", "60c44ccf9eb2ae6b", "45385e334e29d8a8", "f19b7a297ae23ac3")],
}
#: trial -> the oracle seed of a trial's test split (its test rows are the ablation's of pool "all")
ORACLE_SEEDS = (170456712, 1311942651, 576190757)
#: perf/predictors.py, seed = trial: digest of (test rows, training rows) per train size
SAMPLED = [("13b920f6f3ad8ba3", "33eb85335164dea5", "da3d1bff8d9f3be8"),
           ("3b8175310408bee2", "82a1e60b7ccf535d", "315ed591fdfd3898"),
           ("5525541df2c14c4d", "8b4e164af96d2afc", "147dc8827fcd4308")]


def digest(*arrays: np.ndarray) -> str:
    h = hashlib.sha1()
    for a in arrays:
        h.update(np.asarray(a, dtype=np.int64).tobytes())
    return h.hexdigest()[:16]


@pytest.fixture(scope="module")
def nb201(data_home):
    bench = load("nb201-cifar10", data_home=data_home)
    return bench, CanonicalIndex.of(bench).codes


@pytest.mark.parametrize("pool", sorted(ABLATION))
def test_ablation_splits_are_the_rows_drawn_before(nb201, pool):
    bench, codes = nb201
    rows = pool_rows(bench, pool, "jacov")
    for trial, expected in enumerate(ABLATION[pool]):
        split = draw_split(codes, rows, 200, SIZES, trial_seed(0, trial))
        assert (digest(split.test), *[digest(split.train[n]) for n in SIZES]) == expected
        # nested training sets of distinct forms, none shared with a test row
        assert np.array_equal(split.train[1000][:100], split.train[100])
        assert len(set(codes[split.train[1000]].tolist())) == 1000
        assert set(codes[split.train[1000]].tolist()).isdisjoint(codes[split.test].tolist())


def test_trial_test_splits_are_the_rows_and_oracle_seeds_drawn_before(nb201):
    bench, codes = nb201
    rows = pool_rows(bench)
    for trial, seed in enumerate(ORACLE_SEEDS):
        split = draw_split(codes, rows, 200, seed=trial_seed(0, trial))
        assert (digest(split.rows), split.oracle_seed) == (ABLATION["all"][trial][0], seed)
        assert split.train == {}


def test_sampled_splits_are_perf_predictors_rows(nb201):
    bench, codes = nb201
    rows = np.arange(len(bench))
    for trial, expected in enumerate(SAMPLED):
        split = draw_split(codes, rows, 200, SIZES, trial, strategy="sampled")
        assert tuple(digest(split.test, split.train[n]) for n in SIZES) == expected
        assert set(codes[split.train[1000]].tolist()).isdisjoint(codes[split.test].tolist())


def test_bad_splits_say_what_was_expected(nb201):
    bench, codes = nb201
    rows = pool_rows(bench)
    with pytest.raises(InvalidInputError, match="split strategy must be one of"):
        draw_split(codes, rows, 10, strategy="nested")
    with pytest.raises(InvalidInputError, match="positive integers"):
        draw_split(codes, rows, 0)
    with pytest.raises(InvalidInputError, match="training set: 20000 architectures asked"):
        draw_split(codes, rows, 10, [20000])
    with pytest.raises(InvalidInputError, match="pool must be one of"):
        pool_rows(bench, "some")


#: Kendall tau per label at (20 archs, trial 0), (20, 1), (50, 0), (50, 1), fidelity 12 (0 for omni_no_curve),
#: pool "recorded", OMNI at 30 rounds: measured by the ablation's own loop (run_cell, with the plain models
#: fitted on its own features) before the ablation ran through run_experiment; None: constant predictions
OLD_ENGINE_TAU = {
    "omni": [0.720699994584, 0.575536733792, 0.774196910605, 0.760243403948],
    "omni_naslib": [None, None, None, None],
    "omni_no_encoding": [0.668309217805, 0.538535070962, 0.700890046359, 0.711980365475],
    "omni_no_curve": [0.68882307282, 0.645618687574, 0.709739160287, 0.712583653456],
    "plain_ngboost": [0.683795167179, 0.590518385318, 0.738197106215, 0.719219821246],
    "plain_lightgbm": [0.583709237145, 0.571083737955, 0.462466760861, 0.75481381212],
    "early_stopping": [0.6706220544, 0.60308688492, 0.6706220544, 0.60308688492],
    "valacc": [0.6706220544, 0.60308688492, 0.6706220544, 0.60308688492],
}


def test_the_ablation_runs_through_run_experiment_with_the_old_engines_tau(nb201, tmp_path):
    from naspred.evaluation.omni_ablation import run_ablation

    bench, _ = nb201
    variants = ["omni", "omni_naslib", "omni_no_encoding", "omni_no_curve", "plain_ngboost", "plain_lightgbm"]
    limits = {"lce": 1, "lcsvr": 1, "sotl": 1, "sotle": 1, "sotlema": 1}
    table, run = run_ablation(bench, train_sizes=[20, 50], fidelities=[12], trials=2, csv_path=tmp_path / "a.csv",
                              pool="recorded", variants=variants, omni_params={"n_estimators": 30},
                              trial_limits=limits)
    assert {e.group for e in run.entries} == {"omni", "ablation", "plain", "learning-curve"}
    assert run.spec().split == "distinct" and (tmp_path / "a" / "run.json").exists()
    for label, taus in OLD_ENGINE_TAU.items():
        rows = table[table["label"] == label].sort_values(["train_size", "trial"])
        assert list(rows["status"]) == ["ok"] * 4, label
        assert list(rows["fidelity"]) == [0 if label == "omni_no_curve" else 12] * 4
        expected = np.array([np.nan if t is None else t for t in taus])
        # NGBoost's trees break ties between equally good splits as scikit-learn's version does: one omni trial
        # moved by 0.005 between two installs of the same requirements; every other value is exact
        atol = 0.01 if label.startswith("omni") or label == "plain_ngboost" else 1e-9
        np.testing.assert_allclose(rows["kendall_tau"], expected, atol=atol, err_msg=label)
    again, run = run_ablation(bench, train_sizes=[20, 50], fidelities=[12], trials=2, csv_path=tmp_path / "a.csv",
                              pool="recorded", variants=variants, omni_params={"n_estimators": 30},
                              trial_limits=limits)
    assert run.ran == 0 and len(again) == len(table)  # resumed from the results folder


@pytest.mark.parametrize(("fields", "match"), [
    ({"split": "canonical"}, "split must be one of .*'random'.*every other split keeps canonical forms apart"),
    ({"pool": "jacov"}, "give a split strategy with it"),
    ({"split": "distinct", "train_sizes": []}, "give train sizes"),
    ({"split": "distinct", "train_sizes": [10], "init_seconds": [5.0]}, "no budgets in seconds"),
])
def test_bad_split_fields_say_what_was_expected(fields, match):
    from naspred.evaluation.spec import ExperimentSpec

    with pytest.raises(InvalidInputError, match=match):
        ExperimentSpec.from_mapping({"benchmark": "nb201-cifar10", "predictors": ["lin_reg"], **fields})


def test_a_fixed_split_spec_reads_back_and_oracle_specs_keep_their_fields():
    from naspred.evaluation.spec import ExperimentSpec

    spec = ExperimentSpec("nb201-cifar10", ["lin_reg"], train_sizes=[20, 10], split="distinct", pool="jacov")
    assert ExperimentSpec.from_mapping(spec.to_dict()) == spec
    assert spec.fixed_split().to_dict() == {"train_sizes": [10, 20], "strategy": "distinct", "pool": "recorded",
                                            "proxy": "jacov"}
    plain = ExperimentSpec("nb201-cifar10", ["lin_reg"], train_sizes=[20]).to_dict()
    assert "split" not in plain and "pool" not in plain and spec.fixed_split() is not None


def test_sampled_trials_are_seeded_by_their_number_and_distinct_ones_by_trial_seed():
    from naspred.evaluation.spec import InitBudget, PredictorSpec, QueryBudget
    from naspred.evaluation.splits import FixedSplit
    from naspred.evaluation.trial import TrialTask

    sampled, distinct = FixedSplit((20,), "sampled"), FixedSplit((20,), "distinct")
    assert [sampled.seed(0, t) for t in range(3)] == [0, 1, 2] and sampled.seed(7, 2) == 9
    assert [distinct.seed(0, t) for t in range(3)] == [trial_seed(0, t) for t in range(3)]
    with pytest.raises(InvalidInputError, match="seed and trial must be integers"):
        sampled.seed(0, -1)
    task = TrialTask("nb201-cifar10", PredictorSpec("lin_reg"), InitBudget("archs", 20), QueryBudget("unlimited"),
                     trial=3, experiment_seed=0, test_size=200, split=sampled)
    assert task.seed == 3 and task.identity()["seed"] == 3


def test_random_splits_test_isomorphs_of_training_cells_and_canonical_ones_never(nb201):
    """NAS-Bench-201 at 1 % (156 training cells) and 3,000 test cells: the published protocol ("random") tests
    cells isomorphic to training cells, every other split none; one seed draws one split."""
    bench, codes = nb201
    rows = pool_rows(bench)
    shared = {}
    for strategy in ("random", "sampled", "distinct"):
        split = draw_split(codes, rows, 3000, [156], 4, strategy=strategy)
        again = draw_split(codes, rows, 3000, [156], 4, strategy=strategy)
        assert np.array_equal(split.test, again.test) and np.array_equal(split.train[156], again.train[156])
        assert split.oracle_seed == again.oracle_seed
        assert not np.isin(split.train[156], split.test).any()
        shared[strategy] = int(np.isin(codes[split.test], codes[split.train[156]]).sum())
    assert shared["random"] > 100 and shared["sampled"] == shared["distinct"] == 0
    # the canonical counterpart of "random" is "sampled": the same test rows and oracle seed for one seed
    random, sampled = (draw_split(codes, rows, 3000, [156], 4, strategy=s) for s in ("random", "sampled"))
    assert np.array_equal(random.test, sampled.test) and random.oracle_seed == sampled.oracle_seed
    assert not np.array_equal(random.test, draw_split(codes, rows, 3000, [156], 5, strategy="random").test)


def test_random_split_specs_record_their_protocol_and_count_rows_not_forms(nb201):
    from naspred.evaluation.plan import make_plan
    from naspred.evaluation.spec import ExperimentSpec

    bench, _ = nb201
    spec = ExperimentSpec("nb201-cifar10", ["lin_reg"], train_sizes=[156], test_size=3000, split="random", trials=2)
    assert spec.protocol == "random" and ExperimentSpec.from_mapping(spec.to_dict()) == spec
    assert [spec.with_overrides(split=s).protocol for s in ("oracle", "distinct", "sampled")] == ["canonical"] * 3
    split = spec.fixed_split()
    assert split.strategy == "random" and [split.seed(0, t) for t in range(2)] == [0, 1]
    index = CanonicalIndex.of(bench)
    plan = make_plan(spec, bench, index)
    assert [t.protocol for t in plan.tasks] == ["random"] * 2 and [t.seed for t in plan.tasks] == [0, 1]
    # 12,000 training cells beside 3,000 test cells: there are that many rows, not that many canonical forms
    make_plan(spec.with_overrides(train_sizes=[12000]), bench, index)
    with pytest.raises(InvalidInputError, match="larger than the space allows: .* distinct canonical form"):
        make_plan(spec.with_overrides(train_sizes=[12000], split="sampled"), bench, index)
    with pytest.raises(InvalidInputError, match="test size 15625 leaves nothing to train on: .* 15625 architectures"):
        make_plan(spec.with_overrides(test_size=15625), bench, index)


def test_a_curve_predictor_on_a_fixed_split_reads_its_own_fidelity_unless_given_one():
    from naspred.evaluation.plan import make_plan
    from naspred.evaluation.spec import ExperimentSpec
    from naspred.evaluation.trial import TrialRunner

    runner = TrialRunner()
    bench, index = runner.benchmark("nb201-mnist1d")
    own = ExperimentSpec("nb201-mnist1d", ["valacc"], train_sizes=[10], trials=1, test_size=40, split="sampled")
    given = own.with_overrides(fidelities=(3,))
    rows = [runner.run(make_plan(spec, bench, index).tasks[0]) for spec in (own, given)]
    assert [r["status"] for r in rows] == ["ok", "ok"]
    # valacc reads the validation accuracy at its fidelity: its own 10 epochs, or the 3 given
    assert [r["fidelity"] for r in rows] == [10, 3]
    assert rows[0]["kendall_tau"] != rows[1]["kendall_tau"]
