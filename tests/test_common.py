"""scikit-learn's estimator contract, run over every public estimator.

The estimators are checked with their default parameters (as sklearn checks
its own MLPs), and once more with chaos-causal pruning switched on, sized so
that the checks' small datasets give enough updates for the dynamics.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skchaosprune import CausalPruningTransformer, DenseMLPClassifier, DenseMLPRegressor

# on_infeasible='keep': the checks' easy datasets are often learnt perfectly,
# so the validation risk is constant and every test infeasible.
PRUNING = dict(pruning="chaos_causal", batch_size=1, max_iter=40, window=20, maxlag=2,
               causality_alpha=0.5, on_infeasible="keep")

ESTIMATORS = [
    DenseMLPClassifier(),
    DenseMLPRegressor(),
    DenseMLPClassifier(hidden_layer_sizes=(10,), learning_rate_init=0.05, **PRUNING),
    DenseMLPRegressor(hidden_layer_sizes=(10,), learning_rate_init=3e-4, **PRUNING),
    CausalPruningTransformer(),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
