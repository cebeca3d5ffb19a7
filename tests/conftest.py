"""Shared test set-up.

Every module in ``skchaosprune/_kernels`` may define ``warmup()``, which
compiles its Numba kernels on tiny inputs.  Calling them all once here keeps
JIT compilation out of the hypothesis tests (which run with
``deadline=None`` anyway) and makes the first test of each file no slower
than the rest.
"""

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
DATA_DIR = SHARED / "data"
REFERENCE_DIR = SHARED / "reference"


#: Modules whose tests are marked ``slow`` (the one list): scikit-learn's
#: estimator checks, the concurrency, cluster and speed-equivalence tests,
#: and the command line and studies, which run whole experiments.
#: ``python -m pytest -m "not slow"`` is the contributors' quick loop; the
#: README's ``python -m pytest`` runs everything.
SLOW_MODULES = {
    "test_common.py", "test_concurrency.py", "test_distributed.py",
    "test_lyapunov_speed_equivalence.py", "test_cli.py", "test_sweep.py",
    "test_experiments.py", "test_examples.py",
}


def pytest_sessionstart(session):
    from skchaosprune._kernels import warmup_all

    # On a fresh clone the kernel modules compile in processes of their own
    # at once (on two cores, about half the time of compiling them in turn).
    warmup_all(parallel=True)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def iris():
    """Iris with standardised features (the small table most tests fit)."""
    from sklearn.datasets import load_iris
    from sklearn.preprocessing import StandardScaler

    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture
def data_dir():
    """The paper's datasets in ../shared/data; skips when the folder is absent."""
    if not DATA_DIR.is_dir():
        pytest.skip(f"paper datasets not found at {DATA_DIR}")
    return DATA_DIR


@pytest.fixture
def reference_dir():
    """TISEAN reference outputs in ../shared/reference; skips when absent."""
    if not REFERENCE_DIR.is_dir():
        pytest.skip(f"reference outputs not found at {REFERENCE_DIR}")
    return REFERENCE_DIR
