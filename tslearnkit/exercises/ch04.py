"""Checks for the exercises of Chapter 4, *LSTM forecasting*.

The checks run the student's model or function on small inputs of their own and recognise the
usual mistakes: an LSTM without ``batch_first=True`` that mixes the windows of a batch, a head of
the wrong size, a parameter count that forgets a gate or a bias, a recursive forecast that feeds
back the true values (a leak) instead of its own predictions, a lag with the wrong sign.

Examples
--------
>>> from tslearnkit.exercises import ch04
>>> n_params = 4 * (8 * 2 + 8 * 8 + 2 * 8) + (8 * 3 + 3)  # an LSTM on 2 features, H = 8, and a head of 3
>>> ch04.check_parameter_count(n_params, input_size=2, hidden_size=8, horizon=3)
Correct: 411 parameters: 4 gates × (8×2 input weights + 8×8 recurrent weights + 2×8 biases) = 384
in the LSTM, and 8×3 + 3 = 27 in the head.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import numpy as np
import pandas as pd
import torch
from torch import nn

from ..training import recursive_forecast
from . import ExerciseFeedback, passed, require, require_function

__all__ = [
    "check_forecaster",
    "check_parameter_count",
    "check_recursive_forecast",
    "check_best_lag",
]


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise TypeError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def _model_device(model: nn.Module) -> torch.device:
    parameter = next(model.parameters(), None)
    return parameter.device if parameter is not None else torch.device("cpu")


def _lstm_count(
    input_size: int,
    hidden_size: int,
    horizon: int,
    gates: int = 4,
    biases: int = 2,
    head_bias: bool = True,
    layers: int = 1,
) -> int:
    """Parameters of ``layers`` stacked recurrent layers with ``gates`` gates and a linear head."""
    F, H = input_size, hidden_size
    rnn = gates * (H * F + H * H + biases * H) + (layers - 1) * gates * (H * H + H * H + biases * H)
    return rnn + H * horizon + (horizon if head_bias else 0)


# ----------------------------------------------------------------------------- the model
def _run(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    try:
        with torch.no_grad():
            out = model(x)
    except Exception as err:  # a student's model: say what it was given
        hint = ""
        if "input_size" in str(err) or "input.size(-1)" in str(err):
            hint = f": the LSTM's input_size must be the number of features per step, F = {x.shape[-1]}"
        raise ExerciseFeedback(
            f"your model raised {type(err).__name__} on a batch of shape {tuple(x.shape)} "
            f"= (B, L, F){hint}: {err}"
        ) from err
    require(
        isinstance(out, torch.Tensor),
        f"your model must return a tensor of forecasts, got {type(out).__name__} "
        "(nn.LSTM returns (out, (h_n, c_n)): unpack it before the head)",
    )
    return out


def check_forecaster(model: nn.Module, input_size: int, hidden_size: int, horizon: int) -> None:
    """Check an LSTM forecaster: ``(B, L, F)`` windows to ``(B, horizon)`` forecasts, each window
    forecast on its own from its last step, with one LSTM layer and a linear head.

    The model is run, in eval mode and without gradients, on random batches whose batch size (5)
    and window length (9) differ, so that a swapped axis shows.

    Parameters
    ----------
    model : torch.nn.Module
    input_size, hidden_size, horizon : int >= 1
        ``F``, ``H`` and the number of steps forecast at once.

    Raises
    ------
    TypeError
        If ``model`` is not an ``nn.Module`` or a size is not a positive int.
    ExerciseFeedback
        Output of the wrong shape (one row per time step, a head at every step, a head of one
        value), forecasts that mix the windows of a batch (no ``batch_first=True``), forecasts
        that ignore the last step of the window, or the wrong number of parameters.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    F, H = _positive_int(input_size, "input_size"), _positive_int(hidden_size, "hidden_size")
    horizon = _positive_int(horizon, "horizon")
    B, L = 5, 9
    device = _model_device(model)
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(B, L, F, generator=generator).to(device)  # (B, L, F)
    was_training = model.training
    model.eval()
    try:
        out = _run(model, x)
        shape = tuple(out.shape)
        require(
            shape != (L, horizon),
            f"your output has shape {shape}: one row per time step of the window "
            f"(L = {L}), not per window (B = {B}). Without batch_first=True, nn.LSTM reads (L, B, F), and "
            "out[-1] indexes the first axis: pass batch_first=True and take out[:, -1]",
        )
        require(
            shape != (B, L, horizon),
            f"your output has shape {shape} = (B, L, horizon): the head ran at every "
            "time step. Take the state after the last step, out[:, -1] of shape (B, H), before the head",
        )
        require(
            not (horizon > 1 and shape == (B, 1)),
            f"your output has shape {shape}: one value per window, but "
            f"the model must forecast horizon = {horizon} steps at once: the head is "
            f"nn.Linear(hidden_size, {horizon})",
        )
        require(
            shape != (B,), f"your output has shape {shape}: keep the horizon axis, (B, {horizon})"
        )
        require(
            shape == (B, horizon),
            f"your output has shape {shape} for a batch of shape {(B, L, F)}; "
            f"expected (B, horizon) = {(B, horizon)}",
        )
        alone = torch.cat(
            [_run(model, x[:1]), _run(model, x[-1:])]
        )  # the first and the last window alone
        require(
            torch.allclose(alone, out[[0, -1]], atol=1e-5),
            "the forecast of a window changes when the other "
            "windows of its batch change: the LSTM reads the batch axis as time and mixes the windows. Pass "
            "batch_first=True (the input is (B, L, F)) and take out[:, -1]",
        )
        changed = x.clone()
        changed[:, -1] += 1.0  # a different last step in every window
        require(
            not torch.allclose(_run(model, changed), out, atol=1e-6),
            "your forecasts do not change when the last "
            "step of each window changes: the head must read out[:, -1], the state after the last step "
            "(out[:, 0] is the state after the first)",
        )
    finally:
        model.train(was_training)
    count = sum(p.numel() for p in model.parameters())
    right = _lstm_count(F, H, horizon)
    if count != right:
        known = [
            (
                _lstm_count(F, H, horizon, gates=3),
                "that is the count of a GRU (3 gates): use nn.LSTM",
            ),
            (
                _lstm_count(F, H, horizon, layers=2),
                "that is the count of two stacked layers: use num_layers=1",
            ),
            (
                _lstm_count(F, H, 1),
                f"the head forecasts 1 step: use nn.Linear(hidden_size, {horizon})",
            ),
        ]
        for value, feedback in known:
            require(
                count != value, f"your model has {count} parameters, {right} expected: {feedback}"
            )
        require(
            False,
            f"your model has {count} parameters; one LSTM layer with hidden_size={H} on {F} features "
            f"and a Linear({H}, {horizon}) head have {right}: check hidden_size and the head's sizes",
        )
    passed(
        f"(B, L, F) = {(B, L, F)} gives {shape}, each window forecast on its own from its last step, "
        f"and the model has the {right} parameters of one LSTM layer and its head."
    )


def check_parameter_count(answer, input_size: int, hidden_size: int, horizon: int) -> None:
    """Check a parameter count worked out by hand for ``RNNForecaster(input_size, hidden_size, horizon)``.

    Parameters
    ----------
    answer : int
        The student's count.
    input_size, hidden_size, horizon : int >= 1

    Raises
    ------
    TypeError
        If ``answer`` is not a whole number or a size is not a positive int.
    ExerciseFeedback
        With the part that was left out or miscounted: one bias vector per gate instead of two,
        no biases, one gate instead of four, three gates (a GRU), no head, no head bias.
    """
    F, H = _positive_int(input_size, "input_size"), _positive_int(hidden_size, "hidden_size")
    horizon = _positive_int(horizon, "horizon")
    if isinstance(answer, torch.Tensor) and answer.numel() == 1:
        answer = answer.item()
    if (
        isinstance(answer, bool)
        or not isinstance(answer, numbers.Real)
        or float(answer) != int(answer)
    ):
        raise TypeError(f"answer must be a whole number of parameters, got {answer!r}")
    answer = int(answer)
    lstm, head = 4 * (H * F + H * H + 2 * H), H * horizon + horizon
    right = lstm + head
    if answer == right:
        passed(
            f"{right} parameters: 4 gates × ({H}×{F} input weights + {H}×{H} recurrent weights + "
            f"2×{H} biases) = {lstm} in the LSTM, and {H}×{horizon} + {horizon} = {head} in the head."
        )
        return
    mistakes = [
        (
            _lstm_count(F, H, horizon, biases=1),
            "you counted one bias vector per gate; PyTorch's LSTM has two, "
            "bias_ih and bias_hh, so 2 × 4H biases",
        ),
        (
            _lstm_count(F, H, horizon, biases=0),
            "you left out the LSTM's biases: bias_ih and bias_hh, 4H each",
        ),
        (
            _lstm_count(F, H, horizon, gates=1),
            "you counted one set of weights; an LSTM has four gates (input, "
            "forget, cell, output), each with its own weights: multiply by 4",
        ),
        (_lstm_count(F, H, horizon, gates=3), "that is a GRU (3 gates); an LSTM has 4"),
        (
            lstm,
            f"you left out the head, nn.Linear({H}, {horizon}): {H}×{horizon} weights + {horizon} biases",
        ),
        (lstm + H * horizon, f"the head has a bias too: + {horizon}"),
        (
            4 * (H * F + 2 * H) + head,
            "you left out the recurrent weights weight_hh, H × H per gate: the state "
            "feeds back into every gate",
        ),
        (lstm + H + 1, f"the head has {horizon} outputs, one per step: {H}×{horizon} + {horizon}"),
    ]
    for value, feedback in mistakes:
        require(answer != value, f"{answer} is not it: {feedback}")
    require(
        False,
        f"{answer} is not the number of parameters; count per gate: input weights (H × F), recurrent "
        "weights (H × H) and two bias vectors (H each), times 4 gates, plus the head's weights and biases. "
        "Compare with sum(p.numel() for p in model.parameters())",
    )


# ----------------------------------------------------------------------------- recursive forecasts
def _flat(values, name: str) -> np.ndarray:
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().numpy()
    if isinstance(values, (str, bytes)) or not isinstance(
        values, (np.ndarray, list, tuple, pd.Series)
    ):
        raise TypeError(
            f"{name} must be an array, list, Series or tensor of numbers, got {type(values).__name__}"
        )
    try:
        return np.asarray(values, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must contain numbers only") from None


def _loop(model: nn.Module, window: torch.Tensor, steps: int, update: Callable) -> np.ndarray:
    """A recursive loop with a variant of the window update: ``update(current, y_next, t)``."""
    current = window
    out = []
    with torch.no_grad():
        for t in range(steps):
            y_next = model(current)[:, :1]  # (1, 1)
            out.append(float(y_next[0, 0]))
            current = update(current, y_next, t)
    return np.array(out)


def check_recursive_forecast(answer, model: nn.Module, window, future, scaler=None) -> None:
    """Check a recursive multi-step forecast written by hand from a one-step model.

    Parameters
    ----------
    answer : array-like or tensor of shape (steps,)
        The student's forecasts, in the model's (scaled) units.
    model : torch.nn.Module
        The one-step model, ``(1, L, 1)`` to ``(1, 1)``.
    window : torch.Tensor of shape (L, 1) or (1, L, 1)
        The last ``L`` observed values, scaled: the window at the origin.
    future : array-like of shape (steps,)
        The actual values after the origin, scaled: only used to recognise a forecast that read them.
    scaler : fitted scikit-learn scaler, optional
        The model's scaler: recognises an answer given in the series' units instead of scaled ones.

    Raises
    ------
    TypeError
        If ``model`` is not an ``nn.Module`` or ``window`` not a tensor of shape (L, 1) or (1, L, 1).
    ExerciseFeedback
        The wrong number of forecasts, true values fed back instead of predictions (a leak), a window
        that is never updated, that grows instead of sliding, or takes the prediction at the wrong
        end, or forecasts in the series' units.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if (
        not isinstance(window, torch.Tensor)
        or window.ndim not in (2, 3)
        or window.shape[-1] != 1
        or (window.ndim == 3 and window.shape[0] != 1)
    ):
        raise TypeError(
            f"window must be a torch.Tensor of shape (L, 1) or (1, L, 1), got "
            f"{tuple(window.shape) if isinstance(window, torch.Tensor) else type(window).__name__}"
        )
    future = _flat(future, "future")
    steps = future.size
    got = _flat(answer, "answer")
    require(
        got.size == steps,
        f"your answer has {got.size} values; the recursive forecast has one per step: {steps}",
    )
    device = _model_device(model)
    window = (window if window.ndim == 3 else window[None]).to(
        device=device, dtype=torch.float32
    )  # (1, L, 1)
    was_training = model.training
    model.eval()
    try:
        right = recursive_forecast(model, window, steps, device=device)[0].numpy()  # (steps,)
        close = lambda a: bool(np.allclose(got, a, rtol=1e-4, atol=1e-4))  # noqa: E731
        if close(right):
            passed(
                f"your {steps} forecasts match tslearnkit.training.recursive_forecast: each prediction "
                "went back into the window in place of the value it forecast."
            )
            return
        truth = torch.as_tensor(future, dtype=torch.float32, device=device).reshape(
            1, -1, 1
        )  # (1, steps, 1)
        variants = [
            (
                lambda c, y, t: torch.cat([c[:, 1:], truth[:, t : t + 1]], dim=1),
                "after the first step your forecasts read the actual values of the test period: you appended the "
                "true value to the window, not your prediction. That is a leak (teacher forcing at test time): "
                "at the origin the future is unknown, so append y_next",
            ),
            (
                lambda c, y, t: c,
                "every step forecasts from the same window: put each prediction into the window "
                "(and drop the oldest value) before the next step",
            ),
            (
                lambda c, y, t: torch.cat([c, y[:, None, :]], dim=1),
                "your window grows by one value each step: also drop the oldest value, window[:, 1:], so that "
                "the model always reads the last L steps",
            ),
            (
                lambda c, y, t: torch.cat([y[:, None, :], c[:, :-1]], dim=1),
                "you put each prediction at the start of the window; the window is in time order, so the newest "
                "value goes at the end: torch.cat([window[:, 1:], y_next[:, None, :]], dim=1)",
            ),
        ]
        for update, feedback in variants:
            require(not close(_loop(model, window, steps, update)), feedback)
        if scaler is not None:
            from ..preprocessing import inverse_transform_column

            require(
                not close(inverse_transform_column(right, scaler)),
                "your forecasts are in the series' units; "
                "the exercise asks for the model's scaled units (leave out inverse_transform)",
            )
        require(
            False,
            f"your forecasts differ from the recursive forecast (first values {np.round(got[:3], 4)}): "
            "predict one step from the window, slide the window by one with the prediction at its end, repeat",
        )
    finally:
        model.train(was_training)


# ----------------------------------------------------------------------------- best lag
def _lag_cases():
    """Synthetic (prediction, actual, lags, true lag) cases: the prediction is the actual series shifted."""
    rng = np.random.default_rng(0)
    index = pd.date_range("2020-01-01", periods=300, freq="D")
    season = 8 * np.sin(2 * np.pi * np.arange(300) / 365.25)
    actual = pd.Series(np.cumsum(rng.normal(size=300)) + season, index=index, name="actual")
    cases = []
    for true_lag, lags in [(3, range(-3, 8)), (1, range(-2, 5)), (-2, list(range(-4, 5)))]:
        noise = 0.3 * rng.normal(size=150)
        prediction = (actual.shift(true_lag).iloc[-150:] + noise).rename("prediction")
        cases.append((prediction, actual, lags, true_lag))
    return cases


def check_best_lag(best_lag: Callable) -> None:
    """Check a function that finds the lag at which a forecast correlates best with the actual series.

    The function is called as ``best_lag(prediction, actual, lags)`` on synthetic series where the
    prediction is the actual series shifted by a known number of steps, plus noise.

    Parameters
    ----------
    best_lag : callable(prediction, actual, lags) -> int
        ``prediction`` a pandas Series on part of ``actual``'s index, ``actual`` the whole series,
        ``lags`` an iterable of ints; returns the ``k`` in ``lags`` that maximises the correlation of
        ``prediction`` with ``actual.shift(k)`` on the prediction's days (``k = 1``: yesterday).

    Raises
    ------
    TypeError
        If ``best_lag`` is not callable.
    ExerciseFeedback
        The lag with the wrong sign, the position of the lag in ``lags`` instead of the lag, the
        correlation instead of the lag, or the wrong lag.
    """
    require_function(best_lag, "best_lag", "(prediction, actual, lags) -> int")
    for prediction, actual, lags, true_lag in _lag_cases():
        case = f"a prediction equal to the actual series shifted by {true_lag} step(s), lags {list(lags)}"
        try:
            got = best_lag(prediction.copy(), actual.copy(), lags)
        except Exception as err:
            raise ExerciseFeedback(
                f"your function raised {type(err).__name__}: {err} (on {case})"
            ) from err
        if isinstance(got, torch.Tensor) and got.numel() == 1:
            got = got.item()
        require(
            isinstance(got, (numbers.Real, np.number)) and not isinstance(got, bool),
            f"your function returned {type(got).__name__}; return the lag alone, an int (on {case})",
        )
        require(
            float(got) == int(got),
            f"your function returned {got}, which is not a whole number: return the lag "
            "k with the highest correlation (corr.idxmax()), not the correlation itself",
        )
        got = int(got)
        if got == true_lag:
            continue
        require(
            got != -true_lag,
            f"your lag has the wrong sign: it returned {got} for {case}. actual.shift(k) "
            "moves the values k steps later, so on day t it holds day t - k: use shift(k), not shift(-k)",
        )
        require(
            got != list(lags).index(true_lag),
            f"your function returned {got}, the position of the best lag in "
            f"lags, for {case}: return the lag itself (index a Series by lag and take idxmax)",
        )
        require(False, f"your function returned {got} for {case}; expected {true_lag}")
    passed(
        "your function finds the lag of a shifted series, with the right sign, on 3 synthetic cases."
    )
