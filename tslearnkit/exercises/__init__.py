"""Checks for the chapters' exercises, which confirm a student's answer or say what is wrong.

Each check either prints a confirmation or raises ``ExerciseFeedback``, saying specifically what
is wrong with the answer and where to look for the fix.

One module per chapter (``ch01`` ... ``ch06``); a notebook's check cell calls, for example,
``ch02.check_training_windows(X, y, train, test)``.
"""

from __future__ import annotations

from .._validation import describe as _describe_array

__all__ = ["ExerciseFeedback", "describe_answer", "passed", "require"]


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
