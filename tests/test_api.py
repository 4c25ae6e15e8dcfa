"""The public API and the layout of the package: import paths, private imports, cycles."""

import ast
import importlib
import importlib.util
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import sslts
from sslts import augmentations
from sslts.base import BaseSSLTransformer
from sslts.methods import METHODS

from .test_augmentation_catalogue import CONTRACT_TESTED as CATALOGUE_CONTRACT
from .test_augmentations import CONTRACT_TESTED as CORE_CONTRACT
from .test_images import AUGMENTATIONS as AUGMENTATIONS_4D

ROOT = Path(sslts.__file__).parent
REPO = ROOT.parent

#: The packages whose ``__all__`` is the public API, each name in exactly one.
PUBLIC = ["sslts", "sslts.augmentations", "sslts.datasets", "sslts.evaluation",
          "sslts.losses", "sslts.methods", "sslts.metrics", "sslts.nn", "sslts.plotting",
          "sslts.adapters.sktime"]
if importlib.util.find_spec("aeon") is not None:  # an optional dependency
    PUBLIC.append("sslts.adapters.aeon")


def public_names():
    """``{name: [modules exporting it]}`` over the public packages."""
    names = {}
    for module_name in PUBLIC:
        for name in importlib.import_module(module_name).__all__:
            names.setdefault(name, []).append(module_name)
    return names


def sslts_modules():
    """``{dotted name: path}`` of every module of the package."""
    modules = {"sslts": ROOT / "__init__.py"}
    for info in pkgutil.walk_packages([str(ROOT)], prefix="sslts."):
        path = ROOT.joinpath(*info.name.split(".")[1:])
        modules[info.name] = path / "__init__.py" if info.ispkg else path.with_suffix(".py")
    return modules


def imports_of(name, path, modules, top_level_only=False):
    """``(target module, imported names)`` of the sslts imports of a module."""
    tree = ast.parse(path.read_text())
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    nodes = tree.body if top_level_only else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "sslts":
                continue
            names = [alias.name for alias in node.names]
            for imported in names:  # "from . import x" names a submodule
                if f"{target}.{imported}" in modules:
                    yield f"{target}.{imported}", [imported]
            yield target, names
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "sslts":
                    yield alias.name, []


def subpackage(module):
    """The package a module belongs to: ``sslts.<x>`` for a subpackage, else ``sslts``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and (ROOT / parts[1]).is_dir() else "sslts"


def test_every_exported_name_exists_and_has_one_import_path():
    for name, modules in public_names().items():
        assert len(modules) == 1, f"{name} is exported by {modules}"
        assert hasattr(importlib.import_module(modules[0]), name), (name, modules)


def test_no_private_import_across_packages():
    modules = sslts_modules()
    offences = []
    for name, path in modules.items():
        for target, names in imports_of(name, path, modules):
            if subpackage(target) == subpackage(name):
                continue
            private = [n for n in names if n.startswith("_") and not n.endswith("__")]
            private += [part for part in target.split(".") if part.startswith("_")]
            if private:
                offences.append(f"{name} imports {private} from {target}")
    assert not offences, offences


def test_import_graph_has_no_cycle():
    modules = sslts_modules()
    graph = {name: {target for target, _ in imports_of(name, path, modules, top_level_only=True)
                    if target in modules and target != name}
             for name, path in modules.items()}
    # a package's __init__ re-exports its modules: edges into an __init__ from
    # its own submodules would be cycles of re-export, which there must not be
    state, cycle = {}, []

    def visit(node, stack):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycle.extend(stack[stack.index(nxt):] + [nxt])
                return True
            if nxt not in state and visit(nxt, stack + [nxt]):
                return True
        state[node] = "done"
        return False

    for start in sorted(graph):
        if start not in state and visit(start, [start]):
            break
    assert not cycle, " -> ".join(cycle)


def test_every_exported_augmentation_is_contract_tested():
    tested = {type(aug) for aug in CORE_CONTRACT + CATALOGUE_CONTRACT}
    tested_4d = {type(aug) for aug in AUGMENTATIONS_4D}  # 4-D only: test_images.py
    abstract = {augmentations.BaseAugmentation, augmentations.DeterministicAugmentation}
    exported = {getattr(augmentations, name) for name in augmentations.__all__
                if inspect.isclass(getattr(augmentations, name))}
    missing = exported - tested - tested_4d - abstract
    assert not missing, f"add {sorted(c.__name__ for c in missing)} to a CONTRACT_TESTED list"


def test_every_method_is_registered():
    exported = {getattr(sslts, name) for name in sslts.__all__}
    methods = {cls for cls in exported
               if inspect.isclass(cls) and issubclass(cls, BaseSSLTransformer)}
    assert methods == {cls for _, cls in METHODS.values()}


IMPORT_LINE = re.compile(
    r"^\s*(?:>>> )?from (sslts[\w.]*) import (?:\(([\w,\s]+)\)|([\w, ]+))", re.MULTILINE)


@pytest.mark.parametrize("path", sorted([REPO / "README.md", *REPO.glob("docs/*.md"),
                                         *REPO.glob("examples/*.py"),
                                         *REPO.glob("benchmarks/*.py"),
                                         *ROOT.rglob("*.py")]),
                         ids=lambda p: str(p.relative_to(REPO)))
def test_docs_and_examples_import_public_names_from_their_one_path(path):
    canonical = {name: modules[0] for name, modules in public_names().items()}
    wrong = []
    for module, wrapped, names in IMPORT_LINE.findall(path.read_text()):
        for name in (n.strip() for n in (wrapped or names).split(",")):
            if name in canonical and canonical[name] != module:
                wrong.append(f"from {module} import {name} (use {canonical[name]})")
    assert not wrong, wrong


def test_the_api_reference_lists_every_public_class_and_function():
    text = (REPO / "docs" / "api.rst").read_text()
    listed = {entry.rsplit(".", 1)[-1]
              for entry in re.findall(r"^   ([\w.]+)$", text, flags=re.MULTILINE)}
    missing = [f"{module}.{name}" for name, modules in public_names().items()
               for module in modules
               if callable(getattr(importlib.import_module(module), name))
               and name not in listed]
    assert not missing, f"add to docs/api.rst: {missing}"
