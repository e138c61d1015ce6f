"""The arrows point one way: the shells (web/, cli/) call the core; the core never calls up."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = {"advisor", "catalog", "cli", "rules", "web"}
SHELL_LIBRARIES = {"click", "flask", "jinja2", "werkzeug"}
# What each package may import of ours; no package below the shells imports a shell library.
ALLOWED = {
    "catalog": {"catalog"},
    "rules": {"rules"},
    "advisor": {"advisor", "rules", "catalog"},
}


def imported_packages(path: Path) -> set[str]:
    """Return the top-level packages a module imports, at module level or inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: stays inside the module's own package
                found.add(path.relative_to(ROOT).parts[0])
            elif node.module:
                found.add(node.module.split(".")[0])
    return found


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_the_core_imports_neither_a_shell_nor_its_libraries(package):
    modules = _modules(package)
    assert modules
    wrong = {}
    for path in modules:
        imports = imported_packages(path)
        bad = (imports & OURS - ALLOWED[package]) | (imports & SHELL_LIBRARIES)
        if bad:
            wrong[str(path.relative_to(ROOT))] = sorted(bad)
    assert wrong == {}


def test_the_checker_sees_an_arrow_up(tmp_path):
    """The walk above finds imports at any depth, so a late import cannot hide an arrow."""
    module = tmp_path / "late.py"
    module.write_text("def f():\n    from web.db import get_catalog\n    import click\n")
    assert {"web", "click"} <= imported_packages(module)


def test_the_old_cli_modules_are_gone():
    assert not list((ROOT / "advisor").glob("cli*.py"))
    assert not (ROOT / "advisor" / "__main__.py").exists()
