"""Warnings attributed to the user's line."""

import os
import sys
import warnings


def warn_user(message, category):
    """``warnings.warn`` attributed to the first caller outside this package
    (and outside scikit-learn's ``fit`` wrapper): the user's line, whatever
    the depth of the call inside it."""
    import sklearn.base

    package = os.path.dirname(os.path.abspath(__file__))
    wrapper = os.path.abspath(sklearn.base.__file__)

    def inside(frame):
        name = os.path.abspath(frame.f_code.co_filename)
        return name.startswith(package) or name == wrapper

    frame, level = sys._getframe(1), 1
    while frame is not None and inside(frame):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level + 1)
