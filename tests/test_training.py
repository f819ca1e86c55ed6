"""Tests for tslearnkit.training: fit, early stopping, interruption, NaN loss, predict,
recursive forecasting and checkpoints."""

import copy

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from tslearnkit.models import RNNForecaster
from tslearnkit.preprocessing import WindowDataset
from tslearnkit.training import (
    History,
    fit,
    load_checkpoint,
    predict,
    recursive_forecast,
    save_checkpoint,
)


@pytest.fixture
def loaders():
    t = np.arange(300, dtype=np.float32)
    series = np.sin(2 * np.pi * t / 25)
    train, val = WindowDataset(series[:240], 25), WindowDataset(series[240:], 25)
    return DataLoader(train, batch_size=32, shuffle=True), DataLoader(val, batch_size=64)


def test_fit_learns_and_records_history(loaders):
    torch.manual_seed(0)
    model = RNNForecaster(1, 16)
    history = fit(model, *loaders, epochs=15, lr=1e-2, device="cpu", progress=False)
    assert isinstance(history, History)
    assert len(history.train_loss) == len(history.val_loss) == len(history.epoch_time) == 15
    assert history.val_loss[-1] < history.val_loss[0] / 5
    assert history.best_epoch == int(np.argmin(history.val_loss)) + 1
    assert not model.training  # left in eval mode


def test_early_stopping_restores_best_weights(loaders):
    torch.manual_seed(0)
    model = RNNForecaster(1, 8)
    history = fit(model, *loaders, epochs=200, lr=5e-2, patience=3, device="cpu", progress=False)
    assert history.stopped_early and len(history.train_loss) < 200
    assert len(history.train_loss) - history.best_epoch == 3
    model.eval()
    with torch.no_grad():
        losses = [
            nn.functional.mse_loss(model(x), y, reduction="sum").item() for x, y in loaders[1]
        ]
    n = len(loaders[1].dataset)
    assert sum(losses) / n == pytest.approx(min(history.val_loss), rel=1e-4)


def test_interrupt_keeps_best_weights(loaders, capsys):
    torch.manual_seed(0)
    model = RNNForecaster(1, 8)
    calls = {"n": 0}
    n_batches = len(loaders[0])

    def interrupting_loss(pred, target):
        calls["n"] += torch.is_grad_enabled()  # count training batches only
        if calls["n"] > 3 * n_batches:  # during epoch 4
            raise KeyboardInterrupt
        return nn.functional.mse_loss(pred, target)

    history = fit(
        model,
        *loaders,
        epochs=10,
        lr=1e-2,
        loss_fn=interrupting_loss,
        device="cpu",
        progress=False,
        interrupt="return",
    )
    assert history.interrupted and len(history.train_loss) == 3
    assert history.best_epoch is not None and "interrupted" in capsys.readouterr().out


def test_interrupt_is_raised_after_the_best_weights_are_restored(loaders, capsys):
    torch.manual_seed(0)
    model = RNNForecaster(1, 8)
    seen = {"n": 0, "best": None}
    n_batches = len(loaders[0])

    def interrupting_loss(pred, target):
        seen["n"] += torch.is_grad_enabled()
        if seen["n"] > 2 * n_batches:  # during epoch 3
            raise KeyboardInterrupt
        return nn.functional.mse_loss(pred, target)

    with pytest.raises(KeyboardInterrupt):  # a script or a loop stops
        fit(model, *loaders, epochs=10, loss_fn=interrupting_loss, device="cpu", progress=False)
    assert not model.training and "interrupted" in capsys.readouterr().out
    assert all(torch.isfinite(p).all() for p in model.parameters())


def test_nan_loss_stops_with_the_epoch_named():
    X = torch.ones(8, 4, 1)
    y = torch.ones(8, 1)
    X[5] = float("nan")
    loader = DataLoader(TensorDataset(X, y), batch_size=4)
    with pytest.raises(ValueError, match="at epoch 1, batch 2"):
        fit(RNNForecaster(1, 4), loader, epochs=3, device="cpu", progress=False)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"epochs": 0}, ValueError, "epochs must be a positive integer"),
        ({"lr": 0}, ValueError, "lr must be a positive number"),
        ({"patience": 0}, ValueError, "patience must be a positive integer"),
        ({"clip_grad_norm": -1.0}, ValueError, "clip_grad_norm must be a positive number"),
        (
            {"train_loader": DataLoader(TensorDataset(torch.ones(0, 3, 1), torch.ones(0, 1)))},
            ValueError,
            "train_loader is empty",
        ),
        ({"train_loader": 5}, TypeError, "train_loader must be an iterable"),
        ({"val_loader": []}, ValueError, "val_loader is empty"),
        ({"model": "lstm"}, TypeError, "model must be a torch.nn.Module"),
    ],
)
def test_fit_bad_input(kwargs, error, match):
    args = {
        "model": RNNForecaster(1, 4),
        "train_loader": DataLoader(TensorDataset(torch.ones(4, 3, 1), torch.ones(4, 1))),
        "epochs": 1,
        **kwargs,
    }
    with pytest.raises(error, match=match):
        fit(args.pop("model"), args.pop("train_loader"), device="cpu", progress=False, **args)


def test_fit_with_gradient_clipping(loaders):
    history = fit(
        RNNForecaster(1, 4), *loaders, epochs=2, clip_grad_norm=0.5, device="cpu", progress=False
    )
    assert len(history.train_loss) == 2


def test_predict_tensor_and_loader(loaders):
    model = RNNForecaster(1, 4, horizon=2)
    X = torch.randn(70, 6, 1)
    out = predict(model, X, batch_size=16)
    assert out.shape == (70, 2) and out.device.type == "cpu"
    with torch.no_grad():
        torch.testing.assert_close(out, model.eval()(X))
    assert predict(model.__class__(1, 4), loaders[1]).shape == (len(loaders[1].dataset), 1)
    with pytest.raises(ValueError, match=r"X must have shape \(N, time, features\)"):
        predict(model, torch.zeros(3, 4))
    with pytest.raises(TypeError, match="X must be a tensor"):
        predict(model, 3)


def test_recursive_forecast_feeds_forecasts_back():
    class Last(nn.Module):  # predicts the last value + 1
        def __init__(self):
            super().__init__()
            self.dummy = nn.Parameter(torch.zeros(1))

        def forward(self, x):
            return x[:, -1, :1] + 1

    out = recursive_forecast(Last(), torch.zeros(5, 1), steps=3)
    assert out.tolist() == [[1.0, 2.0, 3.0]]
    # with a covariate: the window slides with the known future covariate values
    window = torch.zeros(2, 4, 2)
    out = recursive_forecast(Last(), window, steps=2, future_covariates=torch.ones(2, 1))
    assert out.shape == (2, 2)


def test_recursive_forecast_bad_input():
    model = RNNForecaster(2, 4)
    with pytest.raises(ValueError, match="pass future_covariates"):
        recursive_forecast(model, torch.zeros(5, 2), 3)
    with pytest.raises(ValueError, match="future_covariates must have shape"):
        recursive_forecast(model, torch.zeros(5, 2), 3, future_covariates=torch.zeros(2, 1))
    with pytest.raises(ValueError, match="steps must be a positive integer"):
        recursive_forecast(model, torch.zeros(5, 2), 0)
    with pytest.raises(TypeError, match="window must be a torch.Tensor"):
        recursive_forecast(model, np.zeros((5, 2)), 1)


def test_checkpoint_round_trip(tmp_path):
    model = RNNForecaster(2, 6, horizon=3, num_layers=2, cell="gru", dropout=0.1).eval()
    path = save_checkpoint(model, tmp_path / "m.pt")
    loaded = load_checkpoint(path)
    x = torch.randn(4, 7, 2)
    torch.testing.assert_close(loaded(x), model(x))
    assert loaded.config == model.config
    with pytest.raises(TypeError, match="config"):
        save_checkpoint(nn.Linear(1, 1), tmp_path / "x.pt")


def _tiny_loader(y_shape=(8, 1), nan_at=None):
    X = torch.ones(8, 4, 1)
    y = torch.ones(y_shape)
    if nan_at is not None:
        y[nan_at] = float("nan")
    return DataLoader(TensorDataset(X, y), batch_size=4)


def test_nan_in_the_first_epoch_keeps_the_initial_weights_and_eval_mode():
    torch.manual_seed(0)
    model = RNNForecaster(1, 4)
    before = copy.deepcopy(model.state_dict())
    with pytest.raises(ValueError, match="training loss is nan at epoch 1, batch 2"):
        fit(model, _tiny_loader(nan_at=5), epochs=3, device="cpu", progress=False)
    assert not model.training
    for name, value in model.state_dict().items():
        assert torch.equal(value, before[name]), name


def test_nan_validation_loss_is_detected():
    model = RNNForecaster(1, 4)
    with pytest.raises(ValueError, match="validation loss is nan at epoch 1.*val_loader"):
        fit(model, _tiny_loader(), _tiny_loader(nan_at=2), epochs=2, device="cpu", progress=False)


def test_targets_that_would_broadcast_are_refused():
    model = RNNForecaster(1, 4)
    with pytest.raises(
        ValueError, match=r"shape \(4, 1\) but train_loader's targets have shape \(4,\)"
    ):
        fit(model, _tiny_loader(y_shape=(8,)), epochs=1, device="cpu", progress=False)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"loss_fn": "mse"}, TypeError, "loss_fn must be a callable"),
        ({"optimizer": "adam"}, TypeError, "optimizer must be a torch.optim.Optimizer"),
        ({"device": "tpu"}, ValueError, "device must be a device torch knows"),
        ({"device": 3.5}, TypeError, "device must be a string"),
        ({"interrupt": "ignore"}, ValueError, "interrupt must be"),
    ],
)
def test_fit_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        fit(RNNForecaster(1, 4), _tiny_loader(), epochs=1, progress=False, **kwargs)


def test_predict_refuses_numpy_with_the_fix():
    with pytest.raises(TypeError, match="torch.as_tensor"):
        predict(RNNForecaster(1, 4), np.ones((2, 4, 1)))


def test_checkpoint_bad_paths_and_files(tmp_path):
    model = RNNForecaster(1, 4)
    with pytest.raises(ValueError, match="folder that does not exist"):
        save_checkpoint(model, tmp_path / "missing" / "model.pt")
    odd = tmp_path / "odd.pt"
    torch.save({"weights": torch.ones(2)}, odd)
    with pytest.raises(ValueError, match="not a checkpoint written by save_checkpoint"):
        load_checkpoint(odd)
    torch.save({"class": "dict", "config": {}, "state_dict": {}}, odd)
    with pytest.raises(ValueError, match="not a tslearnkit model"):
        load_checkpoint(odd)
    good = save_checkpoint(model, tmp_path / "model.pt")
    with pytest.raises(TypeError, match="map_location must be a string"):
        load_checkpoint(good, map_location={"cuda:0": "cpu"})
    text = tmp_path / "notes.txt"
    text.write_text("not a checkpoint")
    with pytest.raises(ValueError, match="is not a checkpoint written by save_checkpoint"):
        load_checkpoint(text)
    with pytest.raises(ValueError, match="is a folder"):
        save_checkpoint(model, tmp_path)


def test_fit_refuses_batches_that_are_not_pairs_and_wrong_dtypes():
    model = RNNForecaster(1, 4)
    with pytest.raises(TypeError, match="train_loader must yield \\(x, y\\) batches"):
        fit(model, [torch.ones(4, 3, 1)], epochs=1, progress=False)
    loader = DataLoader(TensorDataset(torch.ones(8, 3, 1, dtype=torch.float64), torch.ones(8, 1)))
    with pytest.raises(
        ValueError, match="x from train_loader has dtype torch.float64 but the model.s weights"
    ):
        fit(model, loader, epochs=1, progress=False)
    with pytest.raises(TypeError, match="the class itself"):
        fit(model, _tiny_loader(), epochs=1, progress=False, loss_fn=nn.MSELoss)


def test_torch_forecaster_checks_its_scaler_and_covariates():
    import pandas as pd
    from sklearn.preprocessing import StandardScaler

    from tslearnkit.training import torch_forecaster

    model = RNNForecaster(2, 4, horizon=2)
    with pytest.raises(TypeError, match="scaler must be the fitted scikit-learn scaler"):
        torch_forecaster(model, 3, scaler="standard")
    one_feature = StandardScaler().fit(np.ones((5, 1)))
    days = pd.date_range("2020-01-01", periods=10, freq="D")
    covariates = pd.DataFrame({"x": np.arange(10.0)}, index=days)
    with pytest.raises(ValueError, match="scaler was fitted on 1 features, but the model reads 2"):
        torch_forecaster(model, 3, one_feature, covariates=covariates)
    scaler = StandardScaler().fit(np.random.default_rng(0).normal(size=(10, 2)))
    forecast = torch_forecaster(model, 3, scaler, covariates=covariates.iloc[:5])
    history = pd.Series(np.arange(8.0), index=days[:8])
    with pytest.raises(ValueError, match="covariates has no row for"):
        forecast(history, 2)
