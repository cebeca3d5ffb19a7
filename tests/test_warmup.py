"""``warmup_all(parallel=True)``: on a fresh install, each kernel module
compiles in a fresh process of its own, all at once; the processes write
Numba's cache and this process then loads it.  Tested on a tiny package of
two kernels (compiling the real ones takes a minute) and, for the detection
of a fresh install, on the real kernels with an empty cache folder."""

import os
import subprocess
import sys

import pytest

from skchaosprune import _kernels

KERNEL = """
import numpy as np
from numba import njit


@njit(cache=True)
def double(x):
    return 2.0 * x


def warmup():
    double(np.float64(1.0))
"""


@pytest.fixture
def package(tmp_path, monkeypatch):
    """A package ``warmpkg`` with two kernel modules, importable here and in
    child processes; its cache goes to its own ``__pycache__``."""
    root = tmp_path / "warmpkg"
    root.mkdir()
    (root / "__init__.py").write_text("")
    for name in ("one", "two"):
        (root / f"{name}.py").write_text(KERNEL)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(tmp_path)] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    yield "warmpkg"
    for name in [n for n in sys.modules if n == "warmpkg" or n.startswith("warmpkg.")]:
        del sys.modules[name]


def test_children_write_the_cache_that_this_process_loads(package):
    assert _kernels._uncached(["one", "two"], package) == ["one", "two"]
    _kernels._warm_in_processes(["one", "two"], package)
    assert _kernels._uncached(["one", "two"], package) == []
    from warmpkg import one

    one.warmup()
    stats = one.double.stats
    assert sum(stats.cache_hits.values()) == 1 and not sum(stats.cache_misses.values())


def test_a_failing_child_raises_with_its_error(package, tmp_path):
    (tmp_path / "warmpkg" / "bad.py").write_text(
        "def warmup():\n    raise ValueError('no kernel here')\n")
    with pytest.raises(RuntimeError, match="(?s)bad \\(exit 1\\): .*no kernel here"):
        _kernels._warm_in_processes(["one", "bad"], package)


def test_a_fresh_install_is_detected_on_the_real_kernels(tmp_path):
    # An empty cache folder is what a fresh install looks like to Numba.
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    code = ("from skchaosprune import _kernels as k; n = k._modules(); "
            "print(n, k._uncached(n))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=300, check=True).stdout.strip()
    assert out == "['granger', 'lyapunov', 'mlp'] ['granger', 'lyapunov', 'mlp']"
    # This session's warm-up (conftest) left every module cached.
    assert _kernels._uncached(_kernels._modules()) == []
