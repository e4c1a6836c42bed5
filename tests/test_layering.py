"""Data flows one way (shared/DESIGN.md): errors → params, registry → spaces → benchmarks → featurizers → oracles → live → predictors → evaluation → cli.

Every module of the package is parsed with :mod:`ast`; each ``naspred.<package>`` it names, in an import
statement (at module level or inside a function) or in a lazy registry string such as
``"naspred.predictors.mlp"``, must sit in a strictly lower layer or be its own package.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: top-level module or package of ``naspred`` -> its layer; a module may import only lower layers
LAYERS = {
    "__init__": 0,  # the root package: __version__ only
    "errors": 0,
    "params": 1,  # parameter declarations and constraints
    "registry": 1,  # the generic registry
    "torch_tools": 1,  # PyTorch helpers: seeded blocks, batch-norm statistics
    "spaces": 2,
    "benchmarks": 3,
    "featurizers": 4,
    "oracles": 5,
    "live": 6,  # MNIST-1D training of NB201 cells: the live oracle's train_fn, the weight-sharing supernet
    "predictors": 7,
    "evaluation": 8,
    "testing": 8,  # check_predictor(): builds benchmarks, oracles and predictors, never an experiment
    "search": 9,  # search/ adapters/: consumers of the layers below
    "adapters": 9,
    "cli": 10,
}

#: (importing package, imported package) pairs allowed against the layers; none exist today
EXCEPTIONS: frozenset[tuple[str, str]] = frozenset()

#: folders of the repository that are not part of the import package
NOT_PACKAGE = {"tests", "docs", "examples", "perf", "build", "dist"}

REGISTRY_STRING = re.compile(r"^naspred\.([A-Za-z_]\w*)(\.\w+)*(:[\w.]+)?$")


def package_modules() -> list[Path]:
    modules = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0] in NOT_PACKAGE or parts[0].startswith(".") or parts[0].endswith(".egg-info"):
            continue
        if any(part == "__pycache__" for part in parts):
            continue
        modules.append(path)
    return modules


def owner(path: Path) -> str:
    """The top-level module or package of ``naspred`` that ``path`` belongs to."""
    parts = path.relative_to(ROOT).parts
    return parts[0] if len(parts) > 1 else path.stem


def imported_packages(path: Path) -> set[tuple[str, int]]:
    """(top-level naspred package, line) for every dependency ``path`` names."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
            if node.module == "naspred":  # from naspred import predictors
                names = [f"naspred.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if REGISTRY_STRING.match(node.value):
                names = [node.value]
        for name in names:
            parts = name.split(".")
            if parts[0] == "naspred" and len(parts) > 1:
                # from naspred import __version__ reads the root package
                found.add(("__init__" if parts[1] == "__version__" else parts[1], node.lineno))
    return found


def test_every_package_has_a_layer() -> None:
    missing = sorted({owner(path) for path in package_modules()} - set(LAYERS))
    assert not missing, f"give these top-level modules a layer in LAYERS (and shared/DESIGN.md): {missing}"


def test_no_module_imports_a_higher_layer() -> None:
    upward = []
    for path in package_modules():
        source = owner(path)
        for target, line in sorted(imported_packages(path)):
            if target == source or (source, target) in EXCEPTIONS:
                continue
            if target not in LAYERS:
                upward.append(f"{path.relative_to(ROOT)}:{line} names naspred.{target}, which has no layer")
            elif LAYERS[target] >= LAYERS[source]:
                upward.append(
                    f"{path.relative_to(ROOT)}:{line}: {source} (layer {LAYERS[source]}) imports "
                    f"{target} (layer {LAYERS[target]})"
                )
    assert not upward, "imports against the data flow:\n" + "\n".join(upward)


def test_exceptions_are_still_needed() -> None:
    """An exception that no module uses any more is removed from EXCEPTIONS."""
    used = {(owner(path), target) for path in package_modules() for target, _ in imported_packages(path)}
    assert EXCEPTIONS <= used, f"unused layering exceptions: {sorted(EXCEPTIONS - used)}"


@pytest.mark.parametrize(
    ("source", "target"),
    [("predictors", "evaluation"), ("featurizers", "predictors"), ("oracles", "predictors"), ("spaces", "benchmarks")],
)
def test_the_check_sees_an_upward_import(tmp_path: Path, source: str, target: str) -> None:
    module = tmp_path / "module.py"
    module.write_text(f"def late():\n    from naspred.{target}.base import Thing\n")
    assert (target, 2) in imported_packages(module)
    assert LAYERS[target] > LAYERS[source]
