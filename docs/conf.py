"""Sphinx configuration of the naspred documentation.

Build from the repository root (``pip install -e ".[docs]"``)::

    python -m sphinx -W -b html docs docs/_build/html

The gallery runs the ``examples/plot_*.py`` scripts (each well under a minute on 2 cores, on benchmarks
that need no download); set ``NASPRED_DOCS_RUN_EXAMPLES=0`` to render them without running.
"""

from __future__ import annotations

import os
from pathlib import Path

DOCS = Path(__file__).resolve().parent

import naspred

project = "naspred"
author = "the naspred authors"
copyright = "the naspred authors"
release = version = naspred.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinxarg.ext",
    "sphinx_gallery.gen_gallery",
]

exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py", "auto_examples/*.zip"]
templates_path = ["_templates"]

autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": True, "show-inheritance": True, "ignore-module-all": True}
autodoc_member_order = "bysource"
autodoc_typehints = "none"  # signatures keep their annotations; no unresolvable cross-references
autodoc_mock_imports = ["archai", "ray", "naslib"]
autoclass_content = "class"
napoleon_numpy_docstring = True
napoleon_google_docstring = True
napoleon_use_rtype = False
default_role = "code"  # docstrings write `name` for code, as Markdown does
suppress_warnings = ["autosummary.import_cycle"]

html_theme = "pydata_sphinx_theme"
html_title = f"naspred {version}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_static_path: list[str] = []

sphinx_gallery_conf = {
    "examples_dirs": str(DOCS.parent / "examples"),
    "gallery_dirs": "auto_examples",
    # scripts named plot_*.py run; archai_mobananas.py needs the archai extra and NB201 files: shown only
    "filename_pattern": r"/plot_" if os.environ.get("NASPRED_DOCS_RUN_EXAMPLES", "1") != "0" else r"^$",
    "ignore_pattern": r"__init__\.py",
    "download_all_examples": False,
    "plot_gallery": "True",
    "remove_config_comments": True,
    "min_reported_time": 5,
    "write_computation_times": False,
}


def skip_member(app, what, name, obj, skip, options):
    """Leave out the ``set_*_request`` methods scikit-learn's metadata routing adds to every estimator."""
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", skip_member)
