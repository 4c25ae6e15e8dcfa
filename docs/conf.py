"""Sphinx configuration of the sslts documentation site.

Build: ``python -m sphinx -W -b html docs docs/_build/html`` (warnings are
errors). The gallery (``examples/gallery``) is executed at build time;
``SSLTS_DOCS_QUICK=1`` shortens its fits (for CI).
"""

import os
import sys
from pathlib import Path

import sslts

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

project = "sslts"
author = "the sslts developers"
copyright = "the sslts developers"
release = version = sslts.__version__

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "generated/*.examples", "images/*.py", "tuning", "benchmarks"]
root_doc = "index"
templates_path = ["_templates"]

# Markdown pages: headings get anchors so that "page.md#section" links resolve
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]

# API reference from the docstrings
autosummary_generate = True
autodoc_default_options = {"members": False, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# the gallery: examples/gallery/plot_*.py, executed, figures kept
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples" / "gallery"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    "reset_modules": ("matplotlib",),
    "abort_on_example_error": True,
    "run_stale_examples": True,
    "doc_module": ("sslts",),
    "backreferences_dir": "generated/backreferences",
    "inspect_global_variables": True,
}

html_theme = "pydata_sphinx_theme"
html_title = f"sslts {release}"
html_theme_options = {"navigation_depth": 2, "show_toc_level": 2}
html_static_path = []

# the gallery runs in CI with short fits
os.environ.setdefault("SSLTS_DOCS_QUICK", "0")
