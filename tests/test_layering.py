"""The layers hold: every module of ``app`` imports on its own, and no routes module imports
another routes module (shared helpers live a floor down, e.g. app/articles/highlight.py)."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"

# Run in a fresh interpreter per package: import each module as if it were the first thing a
# process imports (every ``app`` module forgotten before the next), so an import that only
# works in create_app's order fails here, naming the module.
IMPORT_EACH = """
import importlib, json, sys, traceback
failed = {}
for name in json.loads(sys.argv[1]):
    for loaded in [m for m in sys.modules if m == "app" or m.startswith("app.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except BaseException:
        failed[name] = traceback.format_exc(limit=-3)
print(json.dumps(failed))
"""


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def app_modules() -> dict[str, list[str]]:
    """Module names of ``app`` grouped by package (``app`` itself for the top-level modules)."""
    groups: dict[str, list[str]] = {}
    for path in sorted(APP.rglob("*.py")):
        if path.name == "__main__.py":
            continue  # runs a command line when imported
        parts = path.relative_to(APP).parts
        package = "app" if len(parts) == 1 else f"app.{parts[0]}"
        groups.setdefault(package, []).append(module_name(path))
    return groups


@pytest.mark.slow  # a Python start-up per package: about 40 s on 2 busy cores
def test_every_module_imports_on_its_own():
    groups = app_modules()
    assert "app.claims" in groups and "app.claims.timeline" in groups["app.claims"]

    def run(names: list[str]) -> dict[str, str]:
        done = subprocess.run([sys.executable, "-c", IMPORT_EACH, json.dumps(names)], cwd=ROOT,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])

    with ThreadPoolExecutor(max_workers=2) as pool:
        failures = {name: error for found in pool.map(run, groups.values()) for name, error in found.items()}
    assert not failures, "\n".join(f"{name}:\n{error}" for name, error in sorted(failures.items()))


def is_routes_module(name: str) -> bool:
    """Modules that register views: ``routes`` and ``*_routes`` of any package."""
    last = name.rsplit(".", 1)[-1]
    return last == "routes" or last.endswith("_routes")


def imported_modules(path: Path) -> set[str]:
    """Every module an ``import`` or ``from ... import`` of ``path`` names (submodules too)."""
    package = module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else module_name(path)
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def test_no_routes_module_imports_another_routes_module():
    modules = {module_name(p): p for p in APP.rglob("*.py")}
    routes = {name for name in modules if is_routes_module(name)}
    assert {"app.claims.routes", "app.articles.routes", "app.api.routes", "app.api.export_routes"} <= routes
    problems = [f"{name} imports {other}" for name in sorted(routes)
                for other in sorted(imported_modules(modules[name]) & (routes - {name}))]
    assert not problems, "\n".join(problems)


def test_the_import_reader_sees_routes_imports():
    """What the test above reads: absolute, relative and submodule imports alike."""
    source = APP / "claims" / "routes.py"
    names = imported_modules(source)
    assert "app.articles.highlight" in names and "app.workflow.service" in names
    assert is_routes_module("app.api.export_routes") and not is_routes_module("app.ingest.service")
