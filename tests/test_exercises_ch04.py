"""The checks of Chapter 4's exercises: each accepts the right answer and names each mistake it knows."""

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.preprocessing import StandardScaler
from torch import nn

from tslearnkit.exercises import ExerciseFeedback, ch04
from tslearnkit.models import RNNForecaster
from tslearnkit.training import recursive_forecast

F, H, HORIZON = 3, 8, 4


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """The models here are tiny: one thread runs them faster than several fighting over a busy CPU."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


# ----------------------------------------------------------------------------- the model


class Student(nn.Module):
    """An LSTM forecaster with a knob for each mistake."""

    def __init__(
        self,
        batch_first=True,
        take=lambda out: out[:, -1],
        horizon=HORIZON,
        hidden=H,
        cell=nn.LSTM,
        layers=1,
        input_size=F,
    ):
        super().__init__()
        self.rnn = cell(input_size, hidden, num_layers=layers, batch_first=batch_first)
        self.head = nn.Linear(hidden, horizon)
        self.take = take

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(self.take(out))


def test_forecaster_accepts_the_right_model(capsys):
    torch.manual_seed(0)
    ch04.check_forecaster(Student(), F, H, HORIZON)
    assert capsys.readouterr().out.startswith("Correct")
    ch04.check_forecaster(RNNForecaster(F, H, horizon=HORIZON), F, H, HORIZON)
    model = Student().train()
    ch04.check_forecaster(model, F, H, HORIZON)
    assert model.training  # the check leaves the mode as it was


@pytest.mark.parametrize(
    "model, message",
    [
        (Student(batch_first=False, take=lambda out: out[-1]), "one row per time step"),
        (Student(batch_first=False), "mixes the windows"),
        (Student(take=lambda out: out), r"head ran at every\s+time step"),
        (Student(take=lambda out: out[:, 0]), "do not change when the last"),
        (Student(horizon=1), "one value per window"),
        (Student(hidden=H + 1), "check hidden_size"),
        (Student(cell=nn.GRU), "GRU"),
        (Student(layers=2), "two stacked layers"),
        (Student(input_size=1), "input_size must be the number of features"),
    ],
)
def test_forecaster_names_each_mistake(model, message):
    torch.manual_seed(0)
    with pytest.raises(ExerciseFeedback, match=message):
        ch04.check_forecaster(model, F, H, HORIZON)


def test_forecaster_names_a_missing_unpack():
    class NoUnpack(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.LSTM(F, H, batch_first=True)

        def forward(self, x):
            return self.rnn(x)

    with pytest.raises(ExerciseFeedback, match="unpack"):
        ch04.check_forecaster(NoUnpack(), F, H, HORIZON)


def test_forecaster_checks_its_arguments():
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        ch04.check_forecaster(lambda x: x, F, H, HORIZON)
    with pytest.raises(TypeError, match="horizon"):
        ch04.check_forecaster(Student(), F, H, 0)


# ----------------------------------------------------------------------------- parameter count
LSTM = 4 * (H * F + H * H + 2 * H)
HEAD = H * HORIZON + HORIZON


def test_parameter_count_accepts_the_right_count():
    assert LSTM + HEAD == sum(p.numel() for p in RNNForecaster(F, H, horizon=HORIZON).parameters())
    ch04.check_parameter_count(LSTM + HEAD, F, H, HORIZON)
    ch04.check_parameter_count(float(LSTM + HEAD), F, H, HORIZON)
    ch04.check_parameter_count(torch.tensor(LSTM + HEAD), F, H, HORIZON)


@pytest.mark.parametrize(
    "wrong, message",
    [
        (4 * (H * F + H * H + H) + HEAD, "one bias vector"),
        (4 * (H * F + H * H) + HEAD, "left out the LSTM's biases"),
        ((H * F + H * H + 2 * H) + HEAD, "four gates"),
        (3 * (H * F + H * H + 2 * H) + HEAD, "GRU"),
        (LSTM, "left out the head"),
        (LSTM + H * HORIZON, "bias too"),
        (4 * (H * F + 2 * H) + HEAD, "recurrent weights"),
        (LSTM + H + 1, "one per step"),
        (LSTM + HEAD + 1, "count per gate"),
    ],
)
def test_parameter_count_names_each_mistake(wrong, message):
    with pytest.raises(ExerciseFeedback, match=message):
        ch04.check_parameter_count(wrong, F, H, HORIZON)


def test_parameter_count_checks_its_arguments():
    with pytest.raises(TypeError, match="whole number"):
        ch04.check_parameter_count(10.5, F, H, HORIZON)
    with pytest.raises(TypeError, match="whole number"):
        ch04.check_parameter_count("1234", F, H, HORIZON)
    with pytest.raises(TypeError, match="hidden_size"):
        ch04.check_parameter_count(LSTM + HEAD, F, -1, HORIZON)


# ----------------------------------------------------------------------------- recursive forecast
torch.manual_seed(0)
ONE_STEP = RNNForecaster(1, 8)
WINDOW = torch.randn(12, 1)  # (L, 1), scaled
FUTURE = np.linspace(0.5, 1.5, 6)  # the actual values after the origin, scaled
STEPS = len(FUTURE)


def loop(update):
    current, out = WINDOW[None], []
    with torch.no_grad():
        for t in range(STEPS):
            y_next = ONE_STEP(current)  # (1, 1)
            out.append(y_next.item())
            current = update(current, y_next, t)
    return np.array(out)


RIGHT = loop(lambda c, y, t: torch.cat([c[:, 1:], y[:, None]], dim=1))


def test_recursive_accepts_the_right_forecast():
    assert np.allclose(RIGHT, recursive_forecast(ONE_STEP, WINDOW, STEPS)[0].numpy(), atol=1e-6)
    ch04.check_recursive_forecast(RIGHT, ONE_STEP, WINDOW, FUTURE)
    ch04.check_recursive_forecast(
        torch.tensor(RIGHT)[None], ONE_STEP, WINDOW[None], list(FUTURE)
    )  # (1, steps)


TRUTH = torch.tensor(FUTURE, dtype=torch.float32).reshape(1, -1, 1)
SCALER = StandardScaler().fit(np.array([[300.0], [320.0], [340.0]]))


@pytest.mark.parametrize(
    "wrong, message",
    [
        (loop(lambda c, y, t: torch.cat([c[:, 1:], TRUTH[:, t : t + 1]], dim=1)), "leak"),
        (loop(lambda c, y, t: c), "same window"),
        (loop(lambda c, y, t: torch.cat([c, y[:, None]], dim=1)), "grows"),
        (loop(lambda c, y, t: torch.cat([y[:, None], c[:, :-1]], dim=1)), "at the start"),
        (SCALER.inverse_transform(RIGHT[:, None]).ravel(), "series' units"),
        (RIGHT + 0.1, "differ from the recursive forecast"),
        (RIGHT[:-1], "has 5 values"),
    ],
)
def test_recursive_names_each_mistake(wrong, message):
    with pytest.raises(ExerciseFeedback, match=message):
        ch04.check_recursive_forecast(wrong, ONE_STEP, WINDOW, FUTURE, scaler=SCALER)


def test_recursive_checks_its_arguments():
    with pytest.raises(TypeError, match="model"):
        ch04.check_recursive_forecast(RIGHT, "model", WINDOW, FUTURE)
    with pytest.raises(TypeError, match="window"):
        ch04.check_recursive_forecast(RIGHT, ONE_STEP, WINDOW.numpy(), FUTURE)
    with pytest.raises(TypeError, match="window"):
        ch04.check_recursive_forecast(RIGHT, ONE_STEP, torch.randn(12, 2), FUTURE)
    with pytest.raises(TypeError, match="answer"):
        ch04.check_recursive_forecast(None, ONE_STEP, WINDOW, FUTURE)


# ----------------------------------------------------------------------------- best lag
def right_lag(prediction, actual, lags):
    corr = pd.Series({k: prediction.corr(actual.shift(k).loc[prediction.index]) for k in lags})
    return int(corr.idxmax())


def test_best_lag_accepts_the_right_function():
    ch04.check_best_lag(right_lag)
    ch04.check_best_lag(lambda p, a, lags: np.int64(right_lag(p, a, lags)))


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda p, a, lags: -right_lag(p, a, lags), "wrong sign"),
        (lambda p, a, lags: list(lags).index(right_lag(p, a, lags)), "position of the best lag"),
        (
            lambda p, a, lags: max(p.corr(a.shift(k).loc[p.index]) for k in lags),
            "not a whole number",
        ),
        (
            lambda p, a, lags: pd.Series({k: p.corr(a.shift(k).loc[p.index]) for k in lags}),
            "return the lag alone",
        ),
        (lambda p, a, lags: 1, "expected 3"),
        (lambda p, a, lags: p.loc["1999"], "raised KeyError"),
    ],
)
def test_best_lag_names_each_mistake(wrong, message):
    with pytest.raises(ExerciseFeedback, match=message):
        ch04.check_best_lag(wrong)


def test_best_lag_checks_its_argument():
    with pytest.raises(TypeError, match="best_lag must be a function"):
        ch04.check_best_lag(1)
