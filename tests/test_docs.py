"""The docs cannot rot: the API page is current and names every public
name, the pages link to files that exist, and the site's table of contents
holds every page.

(The code examples in README.md and docs/*.md run as doctests: pyproject's
``--doctest-glob=*.md`` with ``testpaths`` covering them.  The site itself
is built by ``sphinx-build -W -b html docs docs/_build/html`` in .ci/run.)
"""

import importlib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _make_api():
    sys.path.insert(0, str(DOCS))
    try:
        return importlib.import_module("make_api")
    finally:
        sys.path.pop(0)


def test_api_page_is_current():
    make_api = _make_api()
    current = (DOCS / "api.md").read_text()
    assert current == make_api.render(), "docs/api.md is stale: run python docs/make_api.py"


def _autosummary_entries(text):
    """{module: [names]} from the page's autosummary tables."""
    out = {}
    for block in re.findall(r"```\{eval-rst\}\n(.*?)```", text, flags=re.S):
        module = re.search(r"^\.\. currentmodule:: (\S+)$", block, flags=re.M).group(1)
        names = re.findall(r"^   (\w+)$", block, flags=re.M)
        out.setdefault(module, []).extend(names)
    return out


def test_api_page_names_every_public_name():
    make_api = _make_api()
    text = (DOCS / "api.md").read_text()
    entries = _autosummary_entries(text)
    documented = {f"{m}.{n}" for m, names in entries.items() for n in names}
    assert len(documented) == sum(len(v) for v in entries.values()), "a name twice"
    for module_name, _ in make_api.MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            here = f"{module_name}.{name}"
            if here in documented:
                continue
            # A re-export: documented once, where it is first exported, and
            # that page is the same object.
            elsewhere = [d for d in documented if d.rsplit(".", 1)[1] == name]
            assert elsewhere, f"{here} is missing from docs/api.md"
            owner = importlib.import_module(elsewhere[0].rsplit(".", 1)[0])
            assert getattr(owner, name) is getattr(module, name), here
            assert f"`{name}` (see {{py:obj}}`{elsewhere[0]}`)" in text, here


def test_every_documented_name_is_public():
    text = (DOCS / "api.md").read_text()
    for module_name, names in _autosummary_entries(text).items():
        module = importlib.import_module(module_name)
        for name in names:
            assert name in module.__all__, f"{module_name}.{name} is not public"


def test_docs_pages_link_to_existing_files():
    for page in DOCS.glob("*.md"):
        for target in re.findall(r"\]\(([^)#:]+)\)", page.read_text()):
            if target.startswith("auto_examples/"):
                # Written by sphinx-gallery from examples/ at build time.
                assert target == "auto_examples/index", target
                assert (ROOT / "examples" / "GALLERY_HEADER.rst").exists()
                continue
            assert (page.parent / target).exists(), f"{page.name} links to missing {target}"


def test_the_table_of_contents_holds_every_page():
    index = (DOCS / "index.md").read_text()
    toctree = re.search(r"```\{toctree\}\n(.*?)```", index, flags=re.S).group(1)
    entries = [line.strip() for line in toctree.splitlines()
               if line.strip() and not line.startswith(":")]
    pages = sorted(p.stem for p in DOCS.glob("*.md") if p.stem != "index")
    assert sorted(e for e in entries if "/" not in e) == pages
    assert "auto_examples/index" in entries


def test_the_changelog_page_includes_the_changelog():
    assert "../CHANGELOG.md" in (DOCS / "changes.md").read_text()
    assert (ROOT / "CHANGELOG.md").exists()


def _project():
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_license_file_matches_the_declared_licence():
    assert _project()["license"] == "BSD-3-Clause"
    assert _project()["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("BSD 3-Clause License")
    assert "Neither the name of the copyright holder" in text


def test_citation_file_cites_this_version_and_the_paper():
    text = (ROOT / "CITATION.cff").read_text()
    assert re.search(r"^cff-version: 1\.2\.0$", text, flags=re.M)
    assert re.search(rf"^version: {re.escape(_project()['version'])}$", text, flags=re.M), \
        "CITATION.cff's version differs from pyproject.toml's"
    assert re.search(r"^license: BSD-3-Clause$", text, flags=re.M)
    assert "preferred-citation:" in text and "arXiv:2308.09955" in text


def test_changelog_has_this_release_and_the_api_break():
    text = (ROOT / "CHANGELOG.md").read_text()
    version = _project()["version"].split(".dev")[0]
    assert f"## {version}" in text
    assert "API break" in text and "### scikit-learn MLP parity" in text
