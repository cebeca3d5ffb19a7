"""The docs cannot rot: the API page is current and names every public name.

(The code examples in README.md and docs/*.md run as doctests: pyproject's
``--doctest-glob=*.md`` with ``testpaths`` covering them.)
"""

import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _make_api():
    sys.path.insert(0, str(ROOT / "docs"))
    try:
        return importlib.import_module("make_api")
    finally:
        sys.path.pop(0)


def test_api_page_is_current():
    make_api = _make_api()
    current = (ROOT / "docs" / "api.md").read_text()
    assert current == make_api.render(), "docs/api.md is stale: run python docs/make_api.py"


def test_api_page_names_every_public_name():
    make_api = _make_api()
    text = (ROOT / "docs" / "api.md").read_text()
    for module_name, _ in make_api.MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            assert f"### `{name}`" in text, f"{module_name}.{name} missing from docs/api.md"


def test_docs_pages_link_to_existing_files():
    import re

    for page in (ROOT / "docs").glob("*.md"):
        for target in re.findall(r"\]\(([^)#:]+)\)", page.read_text()):
            assert (page.parent / target).exists(), f"{page.name} links to missing {target}"
