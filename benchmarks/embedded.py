"""Benchmark files embedded in installed PyPI packages, found without importing the package."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from naspred.errors import MissingDataError


def embedded_file(package: str, distribution: str, relative: str) -> Path:
    """The file ``relative`` inside the installed import package ``package`` (``pip install distribution``)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise MissingDataError(
            f"the package {distribution} is not installed (looked for the import package {package!r}); "
            f"install it with `pip install {distribution}`"
        )
    for folder in spec.submodule_search_locations:
        path = Path(folder) / relative
        if path.is_file():
            return path
    raise MissingDataError(
        f"{distribution} is installed but {relative} is not in {list(spec.submodule_search_locations)}; "
        f"reinstall it with `pip install --force-reinstall {distribution}`"
    )
