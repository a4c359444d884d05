"""The apps depend one way: each may import only from the apps listed before it in INSTALLED_APPS.

core ← people ← identity ← campaigns ← rollout ← explainers ← briefings ← workplan ← planning ← notifications
← search. A lower app that must show something of a higher one offers a registry (core.navigation,
core.panels, explainers.faq, rollout.composer's attachment providers, campaigns.warnings, core.events
for workflow events) that the higher app fills in its
AppConfig.ready(). Migrations and tests are history and wiring, not dependencies, so they are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = [app for app in settings.INSTALLED_APPS if (ROOT / app / "apps.py").exists()]


def imported_apps(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
    return found & set(APPS)


def upward_imports(root: Path = ROOT) -> list[str]:
    problems = []
    for rank, app in enumerate(APPS):
        for path in sorted((root / app).rglob("*.py")):
            parts = path.relative_to(root / app).parts
            if parts[0] in ("migrations", "tests"):
                continue
            for other in imported_apps(path):
                if APPS.index(other) > rank:
                    problems.append(f"{path.relative_to(root)} imports {other}, an app above {app}")
    return problems


def test_the_apps_are_listed_lowest_first_and_cover_every_app_folder():
    folders = {p.parent.name for p in ROOT.glob("*/apps.py")}
    assert set(APPS) == folders
    assert APPS == [
        "core",
        "people",
        "identity",
        "campaigns",
        "rollout",
        "explainers",
        "briefings",
        "workplan",
        "planning",
        "notifications",
        "search",
    ]


def test_no_app_imports_from_an_app_above_it():
    assert upward_imports() == []


def test_the_check_catches_an_upward_import(tmp_path):
    """The walk itself works: an upward import in a lower app is reported. The probe lives in a
    scratch tree, never in the real app folders, where a parallel test process would import it."""
    (tmp_path / "people").mkdir()
    (tmp_path / "people" / "probe.py").write_text("from planning import load  # noqa\n")
    (tmp_path / "planning").mkdir()
    (tmp_path / "planning" / "fine.py").write_text("from people import models  # noqa\n")
    assert upward_imports(tmp_path) == ["people/probe.py imports planning, an app above people"]


def test_every_app_says_what_it_holds_and_what_it_may_import():
    for app in APPS:
        doc = ast.get_docstring(ast.parse((ROOT / app / "apps.py").read_text())) or ""
        assert "May import" in doc, f"{app}/apps.py needs a docstring saying what it holds and may import"
