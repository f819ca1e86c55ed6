"""Checks for the chapters' exercises, which confirm a student's answer or say what is wrong.

Each check either prints a confirmation or raises ``ExerciseFeedback``, saying specifically what
is wrong with the answer and where to look for the fix.

One module per chapter (``ch01`` ... ``ch08``); a notebook's check cell calls, for example,
``ch02.check_training_windows(X, y, train, test)``.
"""

from __future__ import annotations

import numbers

import numpy as np

from .._validation import describe as _describe_array

__all__ = [
    "ExerciseFeedback",
    "as_number",
    "describe_answer",
    "passed",
    "require",
    "require_function",
]


class ExerciseFeedback(AssertionError):
    """An exercise answer is not right yet; the message says what is wrong and where to look."""


def passed(message: str) -> None:
    """Print the confirmation of a correct answer.

    It returns None, so that a check called last in a notebook cell shows its message once.
    """
    print(f"Correct: {message}")


def require(condition: bool, feedback: str) -> None:
    """Raise :class:`~tslearnkit.exercises.ExerciseFeedback` with ``feedback`` unless ``condition`` holds."""
    if not condition:
        raise ExerciseFeedback(feedback)


def describe_answer(value) -> str:
    """A short description of a student's ``value`` for a TypeError: its type, and its shape if
    it has one, else its repr when that is short."""
    if hasattr(value, "shape"):
        return _describe_array(value)
    text = repr(value)
    return f"{text} ({type(value).__name__})" if len(text) <= 40 else f"a {type(value).__name__}"


def require_function(value, name: str, signature: str) -> None:
    """Raise TypeError unless the student's ``value`` is callable, naming the expected signature."""
    if not callable(value):
        raise TypeError(f"{name} must be a function {signature}, got {describe_answer(value)}")


def as_number(value, what: str) -> float:
    """A student's returned value as a float (a one-element array or tensor counts), or
    :class:`ExerciseFeedback` naming what ``what`` returned instead."""
    if isinstance(value, (np.generic, np.ndarray)) and np.size(value) == 1:
        value = np.asarray(value).item()
    elif hasattr(value, "numel") and value.numel() == 1:  # a one-element torch tensor
        value = value.item()
    require(
        isinstance(value, numbers.Real) and not isinstance(value, bool),
        f"{what} must return one number, got {describe_answer(value)}",
    )
    return float(value)
