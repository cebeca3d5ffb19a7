"""Shared numpydoc fragments of the MLP estimators' docstrings."""

TRAINING_PARAMS = """
    hidden_layer_sizes : array-like of int, default=(100,)
        Units of each hidden layer; any depth.
    activation : {'sigmoid', 'logistic', 'tanh', 'relu', 'identity'}, default='relu'
        Hidden-layer activation ('logistic' is an alias of 'sigmoid').
    solver : {'adam', 'sgd', 'lbfgs'}, default='adam'
        The optimizer, with scikit-learn's arithmetic: 'adam' (Kingma and
        Ba), 'sgd' with ``momentum`` (Nesterov's with
        ``nesterovs_momentum``) and the ``learning_rate`` schedule, or
        'lbfgs': SciPy's L-BFGS-B on the loss of the whole data (compiled),
        with scikit-learn's options (``max_iter`` iterations, ``max_fun``
        loss evaluations, ``tol`` on the projected gradient); it ignores
        the batch, learning-rate and stopping parameters and has no
        ``partial_fit``.  Under 'lbfgs' one iteration is one update: a
        recorded run (chaos-causal pruning) takes one weight row per
        iteration, so its windows are windows of iterations, and it runs
        with tolerances 0 until ``max_iter`` (or ``max_fun``, or until the
        line search can go no further).  The paper trained with 'sgd',
        ``momentum=0`` and ``batch_size=1``
        (:func:`skchaosprune.datasets.paper_estimator`).
    alpha : float, default=0.0001
        Strength of the L2 penalty ``0.5 * alpha * ||W||^2``, divided by the
        batch's size (or weight sum) when added to the batch loss, as
        scikit-learn's; weights only, not biases.
    batch_size : int or 'auto', default='auto'
        Samples per update; 'auto': ``min(200, n_samples)``.  1 is the
        paper's one-sample SGD.  The dynamics of chaos-causal pruning need
        many updates: a smaller batch gives more windows per epoch.
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        The schedule of ``solver='sgd'``: constant; ``learning_rate_init /
        (t + 1) ** power_t`` after each epoch, ``t`` the samples seen;
        or divided by 5 whenever the convergence test below fails (until
        it is below 1e-6), instead of stopping.
    learning_rate_init : float, default=0.001
        The initial step size (adam's, and SGD's before its schedule).
    power_t : float, default=0.5
        The exponent of ``learning_rate='invscaling'``.
    max_iter : int, default=200
        Epochs of training in ``fit`` at most (and of retraining after
        pruning); fewer when the convergence test stops it.
    shuffle : bool, default=True
        Shuffle the samples each epoch (with the estimator's own seeded
        generator, so the same ``random_state`` gives the same order).
    random_state : int, RandomState instance or None, default=None
        Seeds the validation split, the initial weights and the shuffling.
        As scikit-learn's MLPs: an int gives the same network at every fit;
        a RandomState instance, or None (NumPy's global one), is drawn from
        and advanced, so that each fit gives a new network.
    tol : float, default=1e-4
        The convergence test, as scikit-learn's: when the training loss (or,
        with ``early_stopping``, the validation score) has not improved by
        at least ``tol`` for more than ``n_iter_no_change`` consecutive
        epochs, training stops (``learning_rate='adaptive'``: the rate is
        divided by 5 instead).  An unconverged run that reaches
        ``max_iter`` gives a ``ConvergenceWarning``.
    verbose : bool, default=False
        Print the loss after each epoch.
    warm_start : bool, default=False
        A ``fit`` on a fitted network continues training it (``max_iter``
        more epochs, a new optimizer state, as scikit-learn's) instead of
        starting over; a pruned network keeps its masks, and no new pruning
        decision is made (``prune`` re-decides).
    momentum : float in [0, 1], default=0.9
        SGD's momentum (``solver='sgd'``); 0: plain SGD.
    nesterovs_momentum : bool, default=True
        Nesterov's momentum (``solver='sgd'`` and ``momentum > 0``).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data and stop when
        its score (accuracy; regressor: R^2) has not improved by ``tol``
        for more than ``n_iter_no_change`` epochs; the weights of the best
        epoch are kept.  The held-out split is the one the risk series is
        measured on (one split for both).
    validation_fraction : float, default=0.1
        Fraction of the training data held out, when something needs it:
        ``early_stopping``, or a risk series (``risk_every`` set or dynamics
        tracked); ``fit`` then trains on the rest.  The same split serves
        every later ``prune``.  With ``early_stopping`` the classifier's
        split is scikit-learn's (stratified for two classes, an error when
        one is too rare; not stratified otherwise); without it, stratified
        by class unless some class is too rare to be split.  0 (without
        ``early_stopping``) measures the risk on the training data.
    beta_1 : float in [0, 1), default=0.9
        Adam's decay rate of the first-moment estimates.
    beta_2 : float in [0, 1), default=0.999
        Adam's decay rate of the second-moment estimates.
    epsilon : float, default=1e-8
        Adam's numerical-stability term.
    n_iter_no_change : int or np.inf, default=10
        Epochs without a ``tol`` improvement before the convergence test
        stops training.  ``np.inf``: never stop, run exactly ``max_iter``
        epochs (with a ``ConvergenceWarning`` at the end, as scikit-learn);
        the paper's fixed-length runs use it.
    max_fun : int, default=15000
        ``solver='lbfgs'`` only: the most loss evaluations (SciPy's
        ``maxfun``); reaching it gives a ``ConvergenceWarning``.
    init_std : float or None, default=None
        None: Glorot-uniform initial weights and biases (as sklearn's MLP);
        a float: normal with this standard deviation (the paper used 0.1).
    risk_every : int or None, default=None
        Record the validation risk every ``risk_every`` updates into
        ``risk_curve_`` (with the update indices in ``risk_updates_``).
    keep_trajectory : bool, default=False
        Keep every weight after every update in ``weight_trajectory_``
        (float32).  Memory: ``4 * (n_updates + 1) * n_weights`` bytes, where
        ``n_updates = max_iter * ceil(n_train / batch_size)``; for 64-100-10
        on 1,437 samples with ``batch_size=1`` that is 42 MB per epoch
        (8 bytes per value with ``trajectory_dtype='float64'``).  Before
        allocating, the size is compared with the memory the machine has
        available; above it, ``fit`` raises a ValueError with the size in GB.
        Chaos-causal pruning does not need it (it streams the rows).
    trajectory_dtype : {'float32', 'float64'}, default='float32'
        Storage of ``weight_trajectory_``.  float32 halves the memory but
        rounds the weights to about 7 digits, which changes the Lyapunov
        exponents of windows whose weights barely move; use float64 to
        compute exponents offline exactly as the tracked ones.
    record_train_score : bool, default=False
        Record the training accuracy (regressor: R^2) after every epoch in
        ``train_score_curve_``, for :func:`skchaosprune.metrics.epochs_to_accuracy`.
    scoring : str, callable or None, default=None
        The validation score of ``early_stopping`` (not in scikit-learn's
        MLPs): None, accuracy (regressor: R^2), as scikit-learn; or any
        scorer, a name of ``sklearn.metrics.get_scorer_names()`` or a
        callable ``scorer(estimator, X_val, y_val)`` (greater is better),
        called after every epoch on the estimator holding that epoch's
        weights.  ``validation_scores_`` holds its values.
    on_update : callable or None, default=None
        Called after the updates of training (not in scikit-learn's MLPs)
        as ``on_update(step, loss, weights)``: ``step`` the updates done so
        far, ``loss`` the mean batch loss per sample of the updates since
        the last call, ``weights`` a read-only array of shape (k,
        n_weights), the flat weights (``coefs_`` raveled one after the
        other) after each of those k updates (valid during the call: copy
        what you keep).  So that no Python runs per
        sample, it is called once per chunk of updates: once per epoch, or
        more often when an epoch's rows would pass 32 MB; under 'lbfgs'
        once per iteration.  Returning True stops training there, without
        a ``ConvergenceWarning``.
        None costs nothing."""

PRUNING_PARAMS = """
    pruning : strategy, {'chaos_causal', 'magnitude', 'random'} or None, default=None
        What ``fit`` does after dense training: nothing (None, a dense MLP),
        or prune and retrain with a strategy:
        :class:`~skchaosprune.ChaosCausalPruning` (the paper's method, with
        all of its settings), :class:`~skchaosprune.MagnitudePruning` or
        :class:`~skchaosprune.RandomPruning` (its baselines).  A string is
        that strategy with its defaults.  Nested parameters are tuned as
        ``pruning__alpha`` etc.
    track_dynamics : bool or 'auto', default='auto'
        Stream the weights into windowed Lyapunov exponents and record the
        risk at each window's end during dense training ('auto': only when
        the strategy needs it).  True with another strategy (or none)
        records with ``ChaosCausalPruning()``'s settings, so that a later
        ``prune(pruning=ChaosCausalPruning(...))`` can use the run.
    retrain : {'rewind', 'finetune'} or None, default='rewind'
        After pruning: retrain ``max_iter`` epochs from the initial weights
        with the same data order ('rewind', the paper), from the dense
        weights ('finetune'), or keep the masked dense weights (None).
    prune_units : None, 'dead' or float in [0, 1), default=None
        Structured pruning: after the strategy decides its weight mask and
        before retraining, remove whole hidden units (all their incoming and
        outgoing weights), so that ``compact()`` returns a physically
        smaller network.  'dead': a unit goes when all of its incoming or
        all of its outgoing weights are pruned (repeated until none is
        left).  A fraction: first, in each hidden layer, that fraction of
        the units the strategy valued least (the smallest share of their
        weights kept by the strategy's mask; ties: the smaller kept weights)
        goes, then the 'dead' rule; the rule is
        :func:`skchaosprune.pruning.unit_keep_masks`.  The units removed are
        in ``pruned_units_`` and count in ``sparsity_``.  None: unstructured
        pruning only.  A decision parameter: ``prune`` re-applies it without
        a new dense run.
"""

ATTRIBUTES = """
    coefs_ : list of ndarray of shape (fan_in, fan_out)
        Weight matrices of the final network (after pruning: retrained, with
        pruned weights exactly 0).
    intercepts_ : list of ndarray of shape (fan_out,)
        Bias vectors (never pruned).
    initial_coefs_, initial_intercepts_ : list of ndarray
        The weights and biases before training (before any mask is applied),
        for retraining a pruned network from its initialisation.
    masks_ : list of ndarray of bool
        One mask per weight matrix; False marks a pruned weight, kept at 0
        after every update.  All True for a dense fit.
    n_iter_ : int
        Epochs run by the last training phase.
    t_ : int
        Training samples seen by the last training phase (as
        scikit-learn's; the updates are in ``pruning_cost_``).
    loss_ : float
        The training loss of the last epoch (the mean batch loss, L2 term
        included, as scikit-learn's).
    best_loss_ : float or None
        The smallest ``loss_`` of the training; None with ``early_stopping``.
    loss_curve_ : list of float
        ``loss_`` of each epoch of the last training phase.
    validation_scores_ : list of float or None
        With ``early_stopping``: the score on the held-out split after each
        epoch (accuracy; regressor: R^2); else None.
    best_validation_score_ : float or None
        With ``early_stopping``: the best of ``validation_scores_``; else
        None.
    out_activation_ : str
        The output activation: 'softmax', 'logistic' or 'identity'.
    train_score_curve_ : list of float
        With ``record_train_score``: training accuracy (R^2) per epoch.
    risk_curve_ : ndarray of shape (n_risk,)
        Validation misclassification rate (regressor: mean squared error)
        recorded every ``risk_every`` updates.
    risk_updates_ : ndarray of int
        The update index (1-based) of each value of ``risk_curve_``.
    weight_trajectory_ : ndarray of shape (n_updates + 1, n_weights)
        Only with ``keep_trajectory=True``: the dense run (the one whose
        exponents decide a chaos-causal mask, also after pruning): row 0 the
        initial weights (with any ``masks`` applied), then one row after
        every update; weights only, flattened layer by layer in C order.
    retrained_trajectory_ : ndarray of shape (n_retrain_updates + 1, n_weights)
        Only with ``keep_trajectory=True`` after pruning with retraining:
        the same record of the retraining run (pruned weights at 0).
    lyapunov_exponents_ : ndarray of shape (n_windows, n_weights)
        With tracked dynamics: the windowed largest Lyapunov exponent of
        every weight during dense training.
    risk_series_ : ndarray of shape (n_windows,)
        With tracked dynamics: the validation risk at each window's last
        update, of the strategy's ``risk`` ('loss': mean validation loss;
        'error': misclassification rate; regressor: mean squared error).
    window_ends_ : ndarray of int
        The update index at which each window ends.
    granger_pvalues_ : ndarray of shape (n_weights,)
        After chaos-causal pruning: each weight's p-value, the minimum over
        the usable lags (after any multiple-testing correction and
        ``on_infeasible``); 0 for every weight when no lag was usable (a
        :class:`~skchaosprune.DegenerateRiskWarning` says so).
    usable_lags_ : ndarray of bool, shape (maxlag,)
        After chaos-causal pruning: the lags at which the risk series
        allowed a test.
    differenced_ : tuple of bool
        After chaos-causal pruning: whether the risk series and the exponent
        series were differenced (``stationarity='adf'``).
    pruning_params_ : dict
        After pruning: the strategy's parameters with 'auto' resolved
        (``window``, ``maxlag``, ``partial_epochs``) and ``dense_epochs``.
    sparsity_ : float
        After pruning: pruned weights / all weights.
    repaired_weights_ : int
        After chaos-causal pruning: how many pruned weights the
        ``on_collapse='repair'`` rule kept so that every output has a path
        from an input (0: the causal weights already gave one).
    pruned_units_ : list of ndarray of int
        After pruning with ``prune_units``: the indices of the hidden units
        removed, one array per hidden layer.
    dense_coefs_, dense_intercepts_ : list of ndarray
        After pruning: the dense network the mask was decided from.
    pruning_cost_ : dict
        After pruning: epochs, updates and seconds of the dense phase, the
        dynamics, the tests and the retraining, and their totals.
    n_features_in_ : int
        Number of features seen in ``fit``.
    n_layers_ : int
        Number of layers, input and output included.
    n_outputs_ : int
        Number of output units."""
