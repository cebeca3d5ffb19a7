"""Write docs/api.md, the API reference: an autosummary table per module.

Run ``python docs/make_api.py`` after adding or removing a public name;
``tests/test_docs.py`` fails while docs/api.md is out of date.  The
signatures, parameters, attributes and examples come from the docstrings
when Sphinx builds the site (``sphinx-build -W -b html docs
docs/_build/html``), so a docstring change needs no regeneration.
"""

import importlib
import inspect
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

MODULES = [
    ("skchaosprune", "Estimators and the Pipeline step"),
    ("skchaosprune.pruning", "Pruning strategies and mask rules"),
    ("skchaosprune.lyapunov", "Windowed largest Lyapunov exponents"),
    ("skchaosprune.causality", "Granger causality for many series at once"),
    ("skchaosprune.stationarity", "Augmented Dickey-Fuller tests and differencing"),
    ("skchaosprune.metrics", "Measures of pruned networks"),
    ("skchaosprune.export", "Deployment: scikit-learn, ONNX and compact copies"),
    ("skchaosprune.datasets", "The paper's datasets and settings"),
    ("skchaosprune.experiments", "Comparing pruning methods"),
    ("skchaosprune.plotting", "Figures of a pruning study"),
]


def _kind(obj):
    if inspect.isclass(obj):
        return "class"
    if inspect.isfunction(obj):
        return "function"
    return "constant"


def render():
    """The MyST Markdown text of docs/api.md: one autosummary table per
    module, each name under the first module (in :data:`MODULES` order) that
    exports it; Sphinx generates a page per name from its docstring."""
    out = [
        "# API reference",
        "",
        "Every public name, with its full docstring (parameters, attributes, "
        "examples) on its own page: the tables below are autosummary "
        "directives that Sphinx expands from the docstrings when it builds the "
        "site (`sphinx-build -W -b html docs docs/_build/html`). This page is "
        "written by `python docs/make_api.py`; `tests/test_docs.py` fails when "
        "it is out of date.",
        "",
        "The command line, `skchaosprune demo`, `skchaosprune reproduce` and "
        "`skchaosprune sweep` (the [pruning study](study.md)), is described in "
        "[the user guide](user_guide.md); `skchaosprune COMMAND --help` lists "
        "every option, and `skchaosprune --version` prints the version.",
        "",
    ]
    seen = {}
    for module_name, title in MODULES:
        module = importlib.import_module(module_name)
        out += [f"## `{module_name}`: {title}", ""]
        own = [n for n in module.__all__ if id(getattr(module, n)) not in seen]
        again = [n for n in module.__all__ if id(getattr(module, n)) in seen]
        out += ["```{eval-rst}", f".. automodule:: {module_name}", "   :no-members:",
                "", f".. currentmodule:: {module_name}", ""]
        for kind, heading in (("class", "Classes"), ("function", "Functions"),
                              ("constant", "Constants")):
            names = [n for n in own if _kind(getattr(module, n)) == kind]
            if not names:
                continue
            out += [f".. rubric:: {heading}", "", ".. autosummary::",
                    "   :toctree: generated/", "   :nosignatures:", ""]
            out += [f"   {name}" for name in names] + [""]
        out += ["```", ""]
        if again:
            out += ["Also exported here: " + ", ".join(
                f"`{name}` (see {{py:obj}}`{seen[id(getattr(module, name))]}.{name}`)"
                for name in again) + ".", ""]
        for name in own:
            seen.setdefault(id(getattr(module, name)), module_name)
    return "\n".join(out).rstrip() + "\n"


def main(argv=None):
    """Write docs/api.md; with ``--check``, only say whether it is current
    (exit 1 when it is not), as the pre-commit hook does."""
    argv = sys.argv[1:] if argv is None else argv
    text = render()
    if "--check" in argv:
        if (HERE / "api.md").read_text() != text:
            print("docs/api.md is out of date: run python docs/make_api.py")
            return 1
        return 0
    (HERE / "api.md").write_text(text)
    print(f"wrote {HERE / 'api.md'}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    sys.exit(main())
