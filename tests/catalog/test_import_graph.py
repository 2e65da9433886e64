"""The catalog sits below the apps that build on it: it imports only the foundation (organisations, history,
accounts, errors, validators, settings helpers). Apps that add to the catalog (the 秒批 rules' conditions in
the guide) plug into catalog.hooks from their AppConfig.ready() instead of being imported by it."""

import ast
from pathlib import Path

import onevisit

ROOT = Path(onevisit.__file__).parent


def _imported_apps(app: str) -> set[str]:
    """The onevisit packages the modules of `app` import (anywhere in a module, functions included)."""
    found = set()
    for path in (ROOT / app).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                parts = name.split(".")
                if parts[0] == "onevisit" and len(parts) > 1 and parts[1] != app:
                    found.add(parts[1])
    return found


FOUNDATION = {"constraints", "orgs", "history", "accounts", "errors", "validators", "env"}


def test_the_catalog_imports_only_the_foundation_never_the_apps_built_on_it():
    apps = [p.name for p in ROOT.iterdir() if (p / "apps.py").exists()]
    built_on_catalog = {app for app in apps if app not in FOUNDATION | {"catalog"} and "catalog" in _imported_apps(app)}
    assert {"rules", "cases", "portal", "datahub"} <= built_on_catalog  # the scan sees real imports
    assert _imported_apps("catalog") <= FOUNDATION
