"""The dependency direction: web uses compare's public API only; compare knows nothing of the web."""

from __future__ import annotations

import ast
from pathlib import Path

import compare

REPO = Path(__file__).resolve().parents[2]
WEB_FRAMEWORKS = ("flask", "werkzeug", "jinja2", "markupsafe", "flask_wtf", "htmx_flask", "waitress", "web")


def imports(path: Path) -> list[tuple[str, list[str]]]:
    """Return (module, imported names) for every import statement of a file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


def test_web_imports_only_the_public_names_of_compare() -> None:
    for path in sorted((REPO / "web").rglob("*.py")):
        for module, names in imports(path):
            assert not module.startswith("compare."), f"{path.name} imports private module {module}"
            if module == "compare":
                private = set(names) - set(compare.__all__)
                assert not private, f"{path.name} imports {private} from compare, not in compare.__all__"


def test_compare_never_imports_the_web_layer() -> None:
    for path in sorted((REPO / "compare").rglob("*.py")):
        for module, _ in imports(path):
            assert module.split(".")[0] not in WEB_FRAMEWORKS, f"{path.name} imports {module}"
