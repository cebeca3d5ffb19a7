"""Out of the training stack: NumPy prediction, export to scikit-learn and
ONNX, compact copies, structured pruning, and a cold start without Numba."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skchaosprune._kernels import codes
from skchaosprune._network import flatten, forward_numpy, kernels, layout

HIDDEN = ["identity", "sigmoid", "tanh", "relu"]
OUTPUT = ["identity", "sigmoid", "softmax"]


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 9), min_size=2, max_size=5),
    n_samples=st.integers(1, 300),
    hidden=st.sampled_from(HIDDEN),
    output=st.sampled_from(OUTPUT),
    sparsity=st.floats(0.0, 0.9),
    seed=st.integers(0, 2**31 - 1),
)
def test_forward_numpy_equals_the_kernel(sizes, n_samples, hidden, output, sparsity, seed):
    rng = np.random.default_rng(seed)
    coefs = [rng.normal(scale=1.5, size=(a, b)) * (rng.random((a, b)) >= sparsity)
             for a, b in zip(sizes[:-1], sizes[1:])]
    intercepts = [rng.normal(size=b) for b in sizes[1:]]
    X = rng.normal(scale=2.0, size=(n_samples, sizes[0]))
    X[rng.random(X.shape) < 0.2] = 0.0  # the kernel's one-sample path skips zeros
    sizes_, w_off, b_off = layout(sizes)
    names = {"identity": codes.IDENTITY, "sigmoid": codes.SIGMOID, "tanh": codes.TANH,
             "relu": codes.RELU, "softmax": codes.SOFTMAX}
    expected = kernels().forward_all(X, flatten(coefs), flatten(intercepts), sizes_, w_off,
                                     b_off, names[hidden], names[output])
    by_name = forward_numpy(X, coefs, intercepts, hidden, output)
    by_code = forward_numpy(X, coefs, intercepts, names[hidden], names[output])
    np.testing.assert_allclose(by_name, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(by_code, by_name)
    assert by_name.shape == (n_samples, sizes[-1])


def test_forward_numpy_rejects_unknown_activations():
    with pytest.raises(ValueError, match="Unknown activation"):
        forward_numpy(np.ones((1, 1)), [np.ones((1, 1))], [np.zeros(1)], "gelu", "identity")


def test_codes_are_the_kernels():
    k = kernels()
    for name in ("IDENTITY", "SIGMOID", "TANH", "RELU", "SOFTMAX", "SQUARED", "LOG_LOSS",
                 "RISK_MISCLASSIFICATION", "RISK_MSE", "OK", "DIVERGED"):
        assert getattr(k, name) == getattr(codes, name)
