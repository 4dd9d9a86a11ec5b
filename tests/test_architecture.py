"""The layer contract (import-linter, configured in pyproject.toml) holds, and it has teeth."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("framework", "portfolio", "mappings", "exports", "demo", "delivery")
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )


def _copy(tmp_path: Path) -> Path:
    for name in PACKAGES:
        shutil.copytree(
            ROOT / name,
            tmp_path / name,
            ignore=shutil.ignore_patterns("__pycache__", "templates", "static", "data"),
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_layer_contract_is_kept() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_import_up_the_layers_breaks_the_contract(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    audit = root / "portfolio" / "services" / "audit.py"
    audit.write_text(audit.read_text() + "\nfrom mappings.assessment import claims  # noqa\n")
    result = _lint(root)
    assert result.returncode == 1
    assert "portfolio.services.audit -> mappings.assessment.claims" in result.stdout


def test_a_circle_breaks_the_contract(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    files = root / "portfolio" / "services" / "files.py"
    files.write_text(files.read_text() + "\nfrom portfolio.services import evidence  # noqa\n")
    result = _lint(root)
    assert result.returncode == 1
    assert "No cycles are allowed in portfolio.services" in result.stdout


def test_flask_stays_in_the_delivery_layer(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    rules = root / "mappings" / "assessment" / "rules.py"
    rules.write_text(rules.read_text() + "\nimport flask  # noqa\n")
    result = _lint(root)
    assert result.returncode == 1
    assert "mappings.assessment.rules -> flask" in result.stdout


def _sources() -> list[Path]:
    found = [p for name in PACKAGES for p in (ROOT / name).rglob("*.py")]
    found += list((ROOT / "bench").glob("*.py"))
    return [p for p in found if "migrations" not in p.parts]


def test_no_module_over_450_lines_and_no_function_over_80() -> None:
    import ast

    long_modules, long_functions = [], []
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(ROOT))
        if text.count("\n") > 450:
            long_modules.append(name)
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 80:
                    long_functions.append(f"{name}:{node.lineno} {node.name} ({length} lines)")
    assert not long_modules, long_modules
    assert not long_functions, long_functions
