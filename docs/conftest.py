"""pytest collects the Markdown pages of docs/ as doctests (pyproject's
``--doctest-glob=*.md``), but not the Sphinx configuration, which builds the
site, nor what a build writes here (the gallery's copies of the examples
would run as modules, and the site's sources are copies of these pages)."""

collect_ignore = ["conf.py"]
collect_ignore_glob = ["_build/*", "auto_examples/*", "generated/*", "_templates/*"]
