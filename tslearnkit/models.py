"""Recurrent forecasters: an LSTM or GRU reads a window ``(B, L, F)`` and a linear head maps its
last state to all ``horizon`` future values at once (direct multi-step forecasting)."""

from __future__ import annotations

import numbers

import torch
from torch import nn

from ._validation import check_int, describe

__all__ = ["RNNForecaster"]

CELLS = {"lstm": nn.LSTM, "gru": nn.GRU}


def _check_dropout(dropout, num_layers: int) -> float:
    if isinstance(dropout, bool) or not isinstance(dropout, numbers.Real):
        raise TypeError(f"dropout must be a number in [0, 1), got {describe(dropout)}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    if dropout > 0 and num_layers == 1:
        raise ValueError(
            f"dropout={dropout} has no effect with num_layers=1: PyTorch applies it between stacked "
            "layers only; use num_layers >= 2 or dropout=0"
        )
    return float(dropout)


class RNNForecaster(nn.Module):
    """An LSTM or GRU encoder with a linear head: ``(B, L, F)`` windows to ``(B, horizon)`` forecasts.

    Parameters
    ----------
    input_size : int >= 1
        Features per time step, ``F`` (1 for a univariate series; more with covariates).
    hidden_size : int >= 1
        Size of the recurrent state, ``H``.
    horizon : int >= 1, default 1
        Steps forecast at once by the head (direct multi-step).
    num_layers : int >= 1, default 1
        Stacked recurrent layers.
    cell : {"lstm", "gru"}, default "lstm"
    dropout : float in [0, 1), default 0.0
        Dropout between stacked layers (needs ``num_layers >= 2``).

    Examples
    --------
    >>> model = RNNForecaster(input_size=3, hidden_size=8, horizon=2)
    >>> tuple(model(torch.zeros(4, 12, 3)).shape)  # (B, L, F) -> (B, horizon)
    (4, 2)
    """

    def __init__(self, input_size: int, hidden_size: int, horizon: int = 1, num_layers: int = 1,
                 cell: str = "lstm", dropout: float = 0.0):
        super().__init__()
        if not isinstance(cell, str) or cell.lower() not in CELLS:
            raise ValueError(f"cell must be one of {sorted(CELLS)}, got {cell!r}")
        self.config = {
            "input_size": check_int(input_size, "input_size", minimum=1),
            "hidden_size": check_int(hidden_size, "hidden_size", minimum=1),
            "horizon": check_int(horizon, "horizon", minimum=1),
            "num_layers": check_int(num_layers, "num_layers", minimum=1),
            "cell": cell.lower(),
            "dropout": _check_dropout(dropout, int(num_layers)),
        }
        c = self.config
        self.rnn = CELLS[c["cell"]](c["input_size"], c["hidden_size"], c["num_layers"],
                                    batch_first=True, dropout=c["dropout"])
        self.head = nn.Linear(c["hidden_size"], c["horizon"])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Forecast ``horizon`` steps from each window: ``x`` ``(B, L, F)`` to ``(B, horizon)``."""
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"x must be a torch.Tensor of shape (batch, time, features), got {type(x).__name__}")
        if x.ndim != 3 or x.shape[-1] != self.config["input_size"]:
            hint = " (add a features axis with x.unsqueeze(-1))" if x.ndim == 2 else ""
            raise ValueError(
                f"x must have shape (batch, time, {self.config['input_size']}), got {tuple(x.shape)}{hint}"
            )
        out, _ = self.rnn(x)  # (B, L, H): the state after every step
        last = out[:, -1]  # (B, H): the state after the last input step
        return self.head(last)  # (B, horizon)
