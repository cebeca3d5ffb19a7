"""A progress hook: the estimators report, a listener (the CLI's tqdm bars)
displays.  Without a listener, reporting costs one function call.
"""

from contextlib import contextmanager

_listener = None


def report(phase, done, total):
    """Tell the listener, if any, that ``done`` of ``total`` steps of
    ``phase`` are finished."""
    if _listener is not None:
        _listener(phase, done, total)


@contextmanager
def listening(listener):
    """Send progress reports to ``listener(phase, done, total)`` inside the
    ``with`` block.

    Examples
    --------
    >>> seen = []
    >>> with listening(lambda *args: seen.append(args)):
    ...     report("training", 1, 3)
    >>> seen
    [('training', 1, 3)]
    >>> report("training", 2, 3)   # no listener: nothing happens
    """
    global _listener
    previous, _listener = _listener, listener
    try:
        yield
    finally:
        _listener = previous
