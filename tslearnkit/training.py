"""Training and inference for the book's models: ``fit`` with early stopping that restores the best
weights (and keeps them when training is interrupted), ``predict``, recursive multi-step
forecasting, and checkpoints that load with ``weights_only=True``."""

from __future__ import annotations

import copy
import numbers
import pickle
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch import nn
from tqdm import TqdmWarning

with warnings.catch_warnings():  # without ipywidgets, tqdm.auto falls back to a text bar: fine
    warnings.simplefilter("ignore", TqdmWarning)
    from tqdm.auto import tqdm

from ._validation import check_history, check_int, check_weights_dtype, describe
from .utils import get_device

__all__ = [
    "History",
    "fit",
    "predict",
    "recursive_forecast",
    "save_checkpoint",
    "load_checkpoint",
    "torch_forecaster",
]


@dataclass
class History:
    """What :func:`fit` measured, one entry per completed epoch."""

    train_loss: list[float] = field(default_factory=list)  # mean training loss per sample
    val_loss: list[float] = field(
        default_factory=list
    )  # mean validation loss (empty without a val_loader)
    epoch_time: list[float] = field(default_factory=list)  # seconds per epoch
    best_epoch: int | None = None  # 1-based epoch whose weights the model holds at the end
    stopped_early: bool = False  # patience ran out
    interrupted: bool = False  # KeyboardInterrupt (the notebook's stop button)


def _check_loader(loader, name: str) -> None:
    if not hasattr(loader, "__iter__"):
        raise TypeError(
            f"{name} must be an iterable of (x, y) batches such as a DataLoader, got {type(loader).__name__}"
        )
    try:
        empty = len(loader) == 0
    except TypeError:
        empty = False
    if empty:
        raise ValueError(
            f"{name} is empty: it yields no batches (is the dataset shorter than one window?)"
        )


_ELEMENTWISE = (nn.MSELoss, nn.L1Loss, nn.HuberLoss, nn.SmoothL1Loss)


def _check_shapes(prediction, y, loss_fn, name: str) -> None:
    """An elementwise loss broadcasts mismatched shapes silently, e.g. (B, 1) against (B,)."""
    if isinstance(loss_fn, _ELEMENTWISE) and tuple(prediction.shape) != tuple(y.shape):
        raise ValueError(
            f"the model's predictions have shape {tuple(prediction.shape)} but {name}'s targets "
            f"have shape {tuple(y.shape)}; {type(loss_fn).__name__} would broadcast them and train "
            "on a wrong loss. Reshape the targets (e.g. y[:, None]) or the model's output"
        )


def _run_epoch(
    model,
    loader,
    loss_fn,
    device,
    optimizer=None,
    clip_grad_norm=None,
    epoch=0,
    name="train_loader",
):
    """Mean loss per sample over one pass; trains if an optimizer is given."""
    total, count = 0.0, 0
    for batch, pair in enumerate(loader, start=1):
        if batch == 1:
            _check_batch(pair, name, model)
        x, y = pair
        x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
        if optimizer is None:
            prediction = model(x)
            _check_shapes(prediction, y, loss_fn, name)
            loss = loss_fn(prediction, y)
        else:
            optimizer.zero_grad(set_to_none=True)
            # A model that declares accepts_target (seq2seq) gets the target for teacher forcing.
            prediction = model(x, y) if getattr(model, "accepts_target", False) else model(x)
            _check_shapes(prediction, y, loss_fn, name)
            loss = loss_fn(prediction, y)
        if not torch.isfinite(loss):
            what = "training" if optimizer is not None else "validation"
            raise ValueError(
                f"the {what} loss is {loss.item()} at epoch {epoch}, batch {batch} of {name}: "
                "training stopped. Check the data for NaN or infinite values, or lower lr"
            )
        if optimizer is not None:
            loss.backward()
            if clip_grad_norm is not None:
                nn.utils.clip_grad_norm_(model.parameters(), clip_grad_norm)
            optimizer.step()
        total += loss.item() * len(x)
        count += len(x)
    if count == 0:
        raise ValueError(f"{name} is empty: it yielded no batches")
    return total / count


def fit(
    model: nn.Module,
    train_loader,
    val_loader=None,
    *,
    epochs: int,
    lr: float = 1e-3,
    patience: int | None = None,
    device=None,
    loss_fn=None,
    optimizer=None,
    clip_grad_norm: float | None = None,
    progress: bool = True,
    interrupt: str = "raise",
) -> History:
    """Train ``model`` on ``(x, y)`` batches with Adam and MSE unless told otherwise.

    Parameters
    ----------
    model : torch.nn.Module
        Moved to ``device``; trained in place.
    train_loader, val_loader : iterables of ``(x, y)`` batches (e.g. ``DataLoader``)
        ``val_loader`` is optional; with it, early stopping and "best" use the validation loss.
    epochs : int >= 1
        The most epochs to train.
    lr : float > 0, default 1e-3
        Learning rate of the default Adam optimizer (ignored if ``optimizer`` is given).
    patience : int >= 1, optional
        Stop after this many epochs without a better loss. Whenever training ends — completed,
        early-stopped, interrupted or stopped by a NaN loss — the model keeps the weights of its
        best epoch.
    device : torch.device or str, optional
        Default :func:`~tslearnkit.utils.get_device`.
    loss_fn : callable, default ``nn.MSELoss()``
    optimizer : torch.optim.Optimizer, optional
        Default ``Adam(model.parameters(), lr)``.
    clip_grad_norm : float > 0, optional
        Clip the gradient norm to this value at every step.
    progress : bool, default True
        Show a progress bar with the epoch and its losses.
    interrupt : {"raise", "return"}, default "raise"
        On ``KeyboardInterrupt`` (Ctrl-C, a notebook's stop button) the model gets its best
        weights back, then ``"raise"`` re-raises the interrupt, so that a script or a loop stops;
        ``"return"`` returns the history so far with ``interrupted=True``.

    Returns
    -------
    History
        ``train_loss``, ``val_loss``, ``epoch_time``, ``best_epoch``, ``stopped_early``, ``interrupted``.

    Raises
    ------
    ValueError
        If the training or validation loss becomes NaN or infinite (the message names the epoch
        and batch); the model keeps its best weights so far, or its initial weights if no epoch
        completed. Also if an elementwise loss (MSE, L1, Huber) gets predictions and targets of
        different shapes, which it would broadcast.
    TypeError
        If ``loss_fn`` is not callable (a string such as ``"mse"``) or ``optimizer`` is not a
        ``torch.optim.Optimizer``.
    KeyboardInterrupt
        Re-raised after the best weights are restored, unless ``interrupt="return"``.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    epochs = check_int(epochs, "epochs", minimum=1)
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not lr > 0:
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    if patience is not None:
        patience = check_int(patience, "patience", minimum=1)
    if clip_grad_norm is not None and (
        isinstance(clip_grad_norm, bool)
        or not isinstance(clip_grad_norm, numbers.Real)
        or not clip_grad_norm > 0
    ):
        raise ValueError(
            f"clip_grad_norm must be a positive number or None, got {clip_grad_norm!r}"
        )
    _check_loader(train_loader, "train_loader")
    if val_loader is not None:
        _check_loader(val_loader, "val_loader")
    if isinstance(loss_fn, type):
        raise TypeError(
            f"loss_fn must be a loss instance such as {loss_fn.__name__}(), got the class itself"
        )
    if not isinstance(progress, bool):
        raise TypeError(f"progress must be True or False, got {describe(progress)}")
    if loss_fn is not None and not callable(loss_fn):
        raise TypeError(
            f"loss_fn must be a callable loss such as torch.nn.MSELoss(), got {describe(loss_fn)}"
        )
    if optimizer is not None and not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(
            "optimizer must be a torch.optim.Optimizer built on the model's parameters, e.g. "
            f"torch.optim.Adam(model.parameters()), got {describe(optimizer)}"
        )
    if interrupt not in ("raise", "return"):
        raise ValueError(f'interrupt must be "raise" or "return", got {interrupt!r}')
    device = _as_device(device) if device is not None else get_device()
    model.to(device)
    loss_fn = loss_fn if loss_fn is not None else nn.MSELoss()
    optimizer = optimizer if optimizer is not None else torch.optim.Adam(model.parameters(), lr=lr)

    history = History()
    best_loss, best_state, waited = float("inf"), None, 0
    initial_state = copy.deepcopy(model.state_dict())  # kept if no epoch completes
    bar = tqdm(range(1, epochs + 1), desc="epochs", disable=not progress, leave=False)
    try:
        for epoch in bar:
            start = time.perf_counter()
            model.train()
            history.train_loss.append(
                _run_epoch(model, train_loader, loss_fn, device, optimizer, clip_grad_norm, epoch)
            )
            score = history.train_loss[-1]
            if val_loader is not None:
                model.eval()
                with torch.no_grad():
                    score = _run_epoch(
                        model, val_loader, loss_fn, device, epoch=epoch, name="val_loader"
                    )
                history.val_loss.append(score)
            history.epoch_time.append(time.perf_counter() - start)
            bar.set_postfix(
                train=f"{history.train_loss[-1]:.4g}",
                **({"val": f"{score:.4g}"} if val_loader is not None else {}),
            )
            if score < best_loss:
                best_loss, waited, history.best_epoch = score, 0, epoch
                best_state = copy.deepcopy(model.state_dict())
            else:
                waited += 1
                if patience is not None and waited >= patience:
                    history.stopped_early = True
                    break
    except KeyboardInterrupt:
        history.interrupted = True
        print(
            f"Training interrupted after {len(history.train_loss)} epochs; "
            f"keeping the weights of epoch {history.best_epoch}."
        )
        if interrupt == "raise":
            raise
    finally:
        bar.close()
        model.load_state_dict(best_state if best_state is not None else initial_state)
        model.eval()
    return history


def _as_device(device, name: str = "device") -> torch.device:
    """``device`` as a torch.device, or a ValueError/TypeError naming it."""
    if not isinstance(device, (str, torch.device)):
        raise TypeError(
            f'{name} must be a string such as "cpu" or a torch.device, got {describe(device)}'
        )
    try:
        return torch.device(device)
    except RuntimeError as err:
        raise ValueError(
            f'{name} must be a device torch knows, such as "cpu", "cuda" or "cuda:0", got {device!r}'
        ) from err


def _check_batch(batch, name: str, model: nn.Module) -> None:
    """A batch must be an ``(x, y)`` pair of tensors, x of the model's floating dtype."""
    if not (isinstance(batch, (tuple, list)) and len(batch) == 2):
        raise TypeError(
            f"{name} must yield (x, y) batches, e.g. a DataLoader over a TensorDataset(X, y), "
            f"got a batch of {describe(batch)}"
        )
    x = batch[0]
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must yield tensors, got x of {describe(x)}")
    check_weights_dtype(
        x,
        model,
        f"x from {name}",
        "make the windows with dtype={dtype} (or convert the model, model.to({dtype}))",
    )


def _model_device(model: nn.Module) -> torch.device:
    parameter = next(model.parameters(), None)
    return parameter.device if parameter is not None else torch.device("cpu")


def predict(model: nn.Module, X, *, batch_size: int = 1024, device=None) -> torch.Tensor:
    """Run ``model`` in eval mode without gradients over ``X`` in batches; results on the CPU.

    Parameters
    ----------
    model : torch.nn.Module
    X : torch.Tensor of shape (N, L, F), or an iterable of ``(x, y)`` batches
    batch_size : int >= 1, default 1024
    device : optional; default the model's device.

    Returns
    -------
    torch.Tensor of shape (N, horizon)
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    device = _as_device(device) if device is not None else _model_device(model)
    if isinstance(X, np.ndarray):
        raise TypeError(
            f"X must be a torch.Tensor (N, L, F) or a DataLoader, got a numpy array of shape "
            f"{X.shape}; convert it with torch.as_tensor(X, dtype=torch.float32)"
        )
    model.to(device).eval()
    if isinstance(X, torch.Tensor):
        if X.ndim != 3:
            raise ValueError(f"X must have shape (N, time, features), got {tuple(X.shape)}")
        batches = (X[i : i + batch_size] for i in range(0, len(X), batch_size))
    elif hasattr(X, "__iter__"):
        _check_loader(X, "X")
        batches = (batch[0] if isinstance(batch, (tuple, list)) else batch for batch in X)
    else:
        raise TypeError(f"X must be a tensor (N, L, F) or a DataLoader, got {describe(X)}")
    with torch.no_grad():
        outputs = [model(x.to(device)).cpu() for x in batches]
    if not outputs:
        raise ValueError("X is empty: nothing to predict")
    return torch.cat(outputs)


def recursive_forecast(
    model: nn.Module, window, steps: int, future_covariates=None, *, device=None
) -> torch.Tensor:
    """Forecast ``steps`` ahead with a one-step model by feeding each forecast back as input.

    Parameters
    ----------
    model : one-step forecaster, ``(B, L, F)`` to ``(B, 1)`` (or more; the first output is used)
    window : tensor of shape (L, F) or (B, L, F)
        The last ``L`` observed steps; the target is feature 0.
    steps : int >= 1
    future_covariates : tensor of shape (steps, F - 1) or (B, steps, F - 1), optional
        Known future values of the other features (e.g. calendar features). Needed if ``F > 1``.

    Returns
    -------
    torch.Tensor of shape (B, steps) (``(1, steps)`` for a single window), on the CPU.
    """
    steps = check_int(steps, "steps", minimum=1)
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {describe(model)}")
    if not isinstance(window, torch.Tensor):
        raise TypeError(
            f"window must be a torch.Tensor of shape (L, F) or (B, L, F), got {type(window).__name__}"
        )
    if window.ndim == 2:
        window = window[None]
    if window.ndim != 3:
        raise ValueError(f"window must have shape (L, F) or (B, L, F), got {tuple(window.shape)}")
    check_weights_dtype(window, model, "window", "convert it with window.to({dtype})")
    B, _, F = window.shape
    if F > 1:
        if future_covariates is None:
            raise ValueError(
                f"window has {F} features: pass future_covariates of shape (steps, {F - 1})"
            )
        try:
            future_covariates = torch.as_tensor(future_covariates, dtype=window.dtype)
        except (TypeError, ValueError, RuntimeError):
            raise TypeError(
                f"future_covariates must be numeric (a tensor or array), got {describe(future_covariates)}"
            ) from None
        if future_covariates.ndim == 2:
            future_covariates = future_covariates[None].expand(B, -1, -1)
        if tuple(future_covariates.shape) != (B, steps, F - 1):
            raise ValueError(
                f"future_covariates must have shape ({steps}, {F - 1}) or ({B}, {steps}, {F - 1}), "
                f"got {tuple(future_covariates.shape)}"
            )
    device = _as_device(device) if device is not None else _model_device(model)
    model.to(device).eval()
    current = window.to(device)  # (B, L, F)
    forecasts = []
    with torch.no_grad():
        for t in range(steps):
            y_next = model(current)[:, :1]  # (B, 1): the next value of the target
            forecasts.append(y_next)
            step = (
                y_next if F == 1 else torch.cat([y_next, future_covariates[:, t].to(device)], dim=1)
            )
            current = torch.cat([current[:, 1:], step[:, None, :]], dim=1)  # slide: (B, L, F)
    return torch.cat(forecasts, dim=1).cpu()  # (B, steps)


def save_checkpoint(model: nn.Module, path) -> Path:
    """Save a model with a ``config`` (such as :class:`~tslearnkit.models.RNNForecaster`): its weights and its arguments."""
    config = getattr(model, "config", None)
    if not isinstance(config, dict):
        raise TypeError(
            f"model must have a config dict (a tslearnkit model), got {type(model).__name__}"
        )
    if not isinstance(path, (str, Path)):
        raise TypeError(f"path must be a file path (str or Path), got {describe(path)}")
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"path {str(path)!r} is a folder; give a file name such as model.pt in it")
    if not path.parent.is_dir():
        raise ValueError(
            f"path {str(path)!r} is in a folder that does not exist; create it first "
            f"(Path({str(path.parent)!r}).mkdir(parents=True))"
        )
    torch.save(
        {"class": type(model).__name__, "config": config, "state_dict": model.state_dict()}, path
    )
    return path


def load_checkpoint(path, map_location="cpu") -> nn.Module:
    """Load a model saved by :func:`save_checkpoint` onto ``map_location`` (a device; default the
    CPU), with ``weights_only=True``: loading runs no code from the file."""
    from . import models

    if not isinstance(path, (str, Path)):
        raise TypeError(f"path must be a file path (str or Path), got {describe(path)}")
    map_location = _as_device(map_location, "map_location")
    try:
        checkpoint = torch.load(Path(path), map_location=map_location, weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError) as err:
        raise ValueError(
            f"path {str(path)!r} is not a checkpoint written by save_checkpoint (torch.load: "
            f"{str(err).splitlines()[0][:120]})"
        ) from err
    if not isinstance(checkpoint, dict) or not {"class", "config", "state_dict"} <= set(checkpoint):
        raise ValueError(
            f"path {str(path)!r} is not a checkpoint written by save_checkpoint (a dict with 'class', "
            f"'config' and 'state_dict'), got {describe(checkpoint)}"
        )
    cls = getattr(models, str(checkpoint["class"]), None)
    if not (isinstance(cls, type) and issubclass(cls, nn.Module)):
        raise ValueError(
            f"path {str(path)!r} holds a {checkpoint['class']!r}, which is not a tslearnkit model"
        )
    model = cls(**checkpoint["config"])
    model.load_state_dict(checkpoint["state_dict"])
    return model.to(map_location).eval()


def torch_forecaster(
    model: torch.nn.Module,
    input_length: int,
    scaler,
    *,
    recursive: bool = False,
    difference: int | None = None,
    covariates: pd.DataFrame | None = None,
    device=None,
) -> Callable:
    """Wrap a trained PyTorch forecaster as a backtest forecaster ``(history, horizon) -> forecasts``.

    The model is *not* refitted at each origin: it was trained once on the data before the first
    origin, and at every origin it reads the last ``input_length`` steps of the history (scaled
    with ``scaler``, fitted on the training part). Refitting the classical models at each origin
    while the network stays fixed favours the classical models, if anything.

    Parameters
    ----------
    model : nn.Module
        ``(B, L, F)`` to ``(B, horizon)`` (direct), or to ``(B, 1)`` with ``recursive=True``.
    input_length : int >= 1
    scaler : fitted scikit-learn scaler of the model's ``F`` input columns (target first), e.g.
        from :func:`~tslearnkit.preprocessing.train_val_loaders` or :func:`~tslearnkit.preprocessing.scale_splits`.
    recursive : bool, default False
        Feed one-step forecasts back in (:func:`~tslearnkit.training.recursive_forecast`);
        univariate models only.
    difference : int >= 1, optional
        The model was trained on differences ``y_t - y_{t-difference}`` (1: first differences;
        the season: seasonal differences); its forecasts are added back onto the levels.
    covariates : pandas.DataFrame, optional
        Further input columns, indexed like the series, in the order the model was trained with.
        Only the rows of the input window are read — never a row after the origin.

    Returns
    -------
    callable(history, horizon) -> numpy.ndarray of shape (horizon,)
    """
    from .preprocessing import inverse_transform_column, undifference

    input_length = check_int(input_length, "input_length", minimum=1)
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if difference is not None:
        difference = check_int(difference, "difference", minimum=1)
    if not isinstance(recursive, bool):
        raise TypeError(f"recursive must be True or False, got {describe(recursive)}")
    if covariates is not None and not isinstance(covariates, pd.DataFrame):
        raise TypeError(
            f"covariates must be a pandas DataFrame indexed like the series, got {type(covariates).__name__}"
        )
    if recursive and covariates is not None:
        raise ValueError(
            "recursive=True needs the covariates' future values; use a direct model with covariates"
        )
    if not (hasattr(scaler, "transform") and hasattr(scaler, "n_features_in_")):
        raise TypeError(
            "scaler must be the fitted scikit-learn scaler of the model's inputs (with transform "
            f"and n_features_in_), got {describe(scaler)}"
        )
    expected = 1 + (covariates.shape[1] if covariates is not None else 0)
    if scaler.n_features_in_ != expected:
        raise ValueError(
            f"scaler was fitted on {scaler.n_features_in_} features, but the model reads "
            f"{expected} (the target{' and the covariates' if covariates is not None else ''})"
        )
    lag = difference or 0

    def forecast(history: pd.Series, horizon: int) -> np.ndarray:
        check_history(history)
        if len(history) < input_length + lag:
            raise ValueError(
                f"history has {len(history)} values, the model needs {input_length + lag}"
            )
        levels = history.to_numpy(dtype=np.float64)  # (T,)
        target = levels[lag:] - levels[:-lag] if lag else levels  # what the model was trained on
        window = target[-input_length:, None]  # (L, 1)
        if covariates is not None:
            days = history.index[-input_length:]  # the window's own steps: nothing after the origin
            missing = days[~days.isin(covariates.index)]
            if len(missing):
                raise ValueError(
                    f"covariates has no row for {missing[0]!r} (and {len(missing) - 1} more of the "
                    "input window's steps); give covariates for every step of the history"
                )
            window = np.column_stack(
                [window, covariates.loc[days].to_numpy(dtype=np.float64)]
            )  # (L, F)
        x = torch.as_tensor(scaler.transform(window), dtype=torch.float32)[None]  # (1, L, F)
        if recursive:
            scaled = recursive_forecast(model, x, horizon, device=device)[0]  # (horizon,)
        else:
            scaled = predict(model, x, device=device)[0]  # (model horizon,)
            if len(scaled) < horizon:
                raise ValueError(
                    f"the model forecasts {len(scaled)} steps but the task needs horizon={horizon}"
                )
        values = inverse_transform_column(
            scaled[:horizon], scaler
        )  # (horizon,) in the target's units
        return undifference(levels, values, lag) if lag else values

    return forecast
