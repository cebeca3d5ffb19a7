"""scikit-learn's own MLP tests, run against our estimators.

The module ``sklearn/neural_network/tests/test_mlp.py`` of the installed
scikit-learn is imported, not copied: each of its test functions is
re-exported here with its global names ``MLPClassifier`` and ``MLPRegressor``
bound to :class:`~skchaosprune.DenseMLPClassifier` and
:class:`~skchaosprune.DenseMLPRegressor` (a copy of its namespace, so that
scikit-learn's module is left as it is), and its ``parametrize`` marks that
name scikit-learn's classes name ours.  Its one fixture of
``sklearn.conftest``, ``global_random_seed``, is parametrized by
scikit-learn's own hook.

A test that cannot pass is listed in :data:`SKIPPED` with its reason (and in
docs/sklearn_parity.md); it is skipped by name, never silently.
"""

import types

import pytest

from skchaosprune import DenseMLPClassifier, DenseMLPRegressor

theirs = pytest.importorskip("sklearn.neural_network.tests.test_mlp")

try:  # scikit-learn's parametrization of global_random_seed (seed 42 by default)
    from sklearn.conftest import pytest_generate_tests  # noqa: F401
except Exception:  # pragma: no cover - sklearn's conftest needs its test extras
    def pytest_generate_tests(metafunc):
        if "global_random_seed" in metafunc.fixturenames:
            metafunc.parametrize("global_random_seed", [42])

#: Test name (as pytest names it, parameters included) -> why it cannot pass.
SKIPPED: dict = {}

_OURS = {"MLPClassifier": DenseMLPClassifier, "MLPRegressor": DenseMLPRegressor}
_BY_CLASS = {id(getattr(theirs, name)): ours for name, ours in _OURS.items()}


def _ours(value):
    """Our class for one of scikit-learn's MLP classes; other values as they are."""
    return _BY_CLASS.get(id(value), value) if isinstance(value, type) else value


def _rebound_marks(marks):
    """The marks with scikit-learn's MLP classes in ``parametrize`` values
    replaced by ours."""
    out = []
    for mark in marks:
        if mark.name == "parametrize":
            names, values = mark.args[0], mark.args[1]
            new_values = []
            for value in values:
                if isinstance(value, (tuple, list)):
                    value = type(value)(_ours(v) for v in value)
                elif hasattr(value, "values") and hasattr(value, "marks"):  # ParameterSet
                    value = value._replace(values=tuple(_ours(v) for v in value.values))
                else:
                    value = _ours(value)
                new_values.append(value)
            mark = pytest.mark.parametrize(names, new_values, *mark.args[2:],
                                           **mark.kwargs).mark
        out.append(mark)
    return out


def _rebind(name, function, namespace):
    new = types.FunctionType(function.__code__, namespace, name, function.__defaults__,
                             function.__closure__)
    new.__kwdefaults__ = function.__kwdefaults__
    new.__doc__ = function.__doc__
    new.__qualname__ = name
    new.__module__ = __name__
    marks = getattr(function, "pytestmark", [])
    new.pytestmark = _rebound_marks(marks)
    return new


def _import_tests():
    namespace = dict(vars(theirs))
    namespace.update(_OURS)
    tests = {}
    for name, value in vars(theirs).items():
        if name.startswith("test_") and isinstance(value, types.FunctionType):
            tests[name] = _rebind(name, value, namespace)
    return tests


_TESTS = _import_tests()
globals().update(_TESTS)


@pytest.fixture(autouse=True)
def _skip_listed(request):
    reason = SKIPPED.get(request.node.name)
    if reason is not None:
        pytest.skip(reason)


def test_every_sklearn_test_is_collected():
    """The module re-exports all of scikit-learn's test functions (a new one
    in a later scikit-learn runs too), and binds our classes."""
    expected = {n for n, v in vars(theirs).items()
                if n.startswith("test_") and isinstance(v, types.FunctionType)}
    assert expected == set(_TESTS)
    assert len(expected) > 40
    some = next(iter(_TESTS.values()))
    assert some.__globals__["MLPClassifier"] is DenseMLPClassifier
    assert theirs.MLPClassifier is not DenseMLPClassifier  # theirs left as it is
