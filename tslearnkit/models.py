"""Recurrent forecasters. ``RNNForecaster``: an LSTM or GRU (stacked, optionally bidirectional)
reads a window ``(B, L, F)`` and a linear head maps its last state to all ``horizon`` future values
at once. ``Seq2SeqForecaster``: a GRU encoder-decoder that decodes the horizon step by step, with
teacher forcing and optional attention. ``GRUCell``: the GRU written from its equations.
``SequenceAutoencoder``: a GRU autoencoder whose latent vectors embed whole series for clustering."""

from __future__ import annotations

import numbers

import torch
from torch import nn

from ._validation import check_int, check_weights_dtype, describe

__all__ = [
    "GlobalQuantileForecaster",
    "QuantileLoss",
    "RNNForecaster",
    "LastValueNormalised",
    "Seq2SeqForecaster",
    "GRUCell",
    "ScratchGRU",
    "SequenceAutoencoder",
]

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


def _check_input(x, input_size: int, module: nn.Module | None = None) -> None:
    if not isinstance(x, torch.Tensor):
        raise TypeError(
            f"x must be a torch.Tensor of shape (batch, time, features), got {type(x).__name__}"
        )
    if x.ndim != 3 or x.shape[-1] != input_size:
        hint = " (add a features axis with x.unsqueeze(-1))" if x.ndim == 2 else ""
        raise ValueError(
            f"x must have shape (batch, time, {input_size}), got {tuple(x.shape)}{hint}"
        )
    if x.shape[1] == 0:
        raise ValueError(f"x has no time steps (shape {tuple(x.shape)}); windows need length >= 1")
    if module is not None:
        check_weights_dtype(x, module, "x", "convert it with x.to({dtype})")


def _check_bool(value, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return value


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
    bidirectional : bool, default False
        Also read each input window backwards and give the head both final states. This is safe
        only because the window is finished, past input: the forecast target is never inside it.

    Examples
    --------
    >>> model = RNNForecaster(input_size=3, hidden_size=8, horizon=2)
    >>> tuple(model(torch.zeros(4, 12, 3)).shape)  # (B, L, F) -> (B, horizon)
    (4, 2)
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        horizon: int = 1,
        num_layers: int = 1,
        cell: str = "lstm",
        dropout: float = 0.0,
        bidirectional: bool = False,
    ):
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
            "bidirectional": _check_bool(bidirectional, "bidirectional"),
        }
        c = self.config
        self.rnn = CELLS[c["cell"]](
            c["input_size"],
            c["hidden_size"],
            c["num_layers"],
            batch_first=True,
            dropout=c["dropout"],
            bidirectional=c["bidirectional"],
        )
        self.head = nn.Linear(c["hidden_size"] * (2 if bidirectional else 1), c["horizon"])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Forecast ``horizon`` steps from each window: ``x`` ``(B, L, F)`` to ``(B, horizon)``."""
        _check_input(x, self.config["input_size"], self)
        out, _ = self.rnn(
            x
        )  # (B, L, H), or (B, L, 2H) if bidirectional: the state after every step
        H = self.config["hidden_size"]
        last = out[:, -1, :H]  # (B, H): the forward state after the last input step
        if self.config["bidirectional"]:
            first = out[
                :, 0, H:
            ]  # (B, H): the backward state after reading the window back to its start
            last = torch.cat([last, first], dim=1)  # (B, 2H)
        return self.head(last)  # (B, horizon)


class GRUCell(nn.Module):
    """One GRU step written from its equations, with ``nn.GRU``'s parameter layout.

    With ``x`` the input and ``h`` the previous state::

        r  = sigmoid(W_ir x + b_ir + W_hr h + b_hr)        reset gate
        z  = sigmoid(W_iz x + b_iz + W_hz h + b_hz)        update gate
        n  = tanh(W_in x + b_in + r * (W_hn h + b_hn))     candidate state
        h' = (1 - z) * n + z * h

    ``weight_ih`` stacks ``W_ir, W_iz, W_in`` (``(3H, F)``) and ``weight_hh`` stacks
    ``W_hr, W_hz, W_hn`` (``(3H, H)``), as in ``torch.nn.GRU``, so weights copy across.

    Examples
    --------
    >>> cell = GRUCell(2, 4)
    >>> tuple(cell(torch.zeros(3, 2), torch.zeros(3, 4)).shape)  # (B, F), (B, H) -> (B, H)
    (3, 4)
    """

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__()
        F = check_int(input_size, "input_size", minimum=1)
        H = self.hidden_size = check_int(hidden_size, "hidden_size", minimum=1)
        bound = H**-0.5  # nn.GRU's initialisation: uniform(-1/sqrt(H), 1/sqrt(H))
        self.weight_ih = nn.Parameter(torch.empty(3 * H, F).uniform_(-bound, bound))
        self.weight_hh = nn.Parameter(torch.empty(3 * H, H).uniform_(-bound, bound))
        self.bias_ih = nn.Parameter(torch.empty(3 * H).uniform_(-bound, bound))
        self.bias_hh = nn.Parameter(torch.empty(3 * H).uniform_(-bound, bound))

    def forward(self, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        """One step: input ``x`` ``(B, F)`` and state ``h`` ``(B, H)`` to the new state ``(B, H)``."""
        F, H = self.weight_ih.shape[1], self.hidden_size
        for name, value, width in (("x", x, F), ("h", h, H)):
            if not isinstance(value, torch.Tensor):
                raise TypeError(f"{name} must be a torch.Tensor, got {describe(value)}")
            if value.ndim != 2 or value.shape[1] != width:
                raise ValueError(f"{name} must have shape (B, {width}), got {tuple(value.shape)}")
        if x.shape[0] != h.shape[0]:
            raise ValueError(
                f"x and h must have the same batch size, got {x.shape[0]} and {h.shape[0]} (a "
                "state of batch 1 is not broadcast: expand it to the batch first)"
            )
        gi = x @ self.weight_ih.T + self.bias_ih  # (B, 3H): input parts of r, z, n
        gh = h @ self.weight_hh.T + self.bias_hh  # (B, 3H): state parts of r, z, n
        i_r, i_z, i_n = gi.chunk(3, dim=1)  # each (B, H)
        h_r, h_z, h_n = gh.chunk(3, dim=1)
        r = torch.sigmoid(i_r + h_r)  # reset gate: how much of the old state the candidate sees
        z = torch.sigmoid(i_z + h_z)  # update gate: how much of the old state to keep
        n = torch.tanh(i_n + r * h_n)  # candidate state
        return (1 - z) * n + z * h  # (B, H)

    @torch.no_grad()
    def load_from(self, gru: nn.GRU, layer: int = 0) -> "GRUCell":
        """Copy the weights of one layer of a ``torch.nn.GRU`` into this cell."""
        if not isinstance(gru, nn.GRU):
            raise TypeError(f"gru must be a torch.nn.GRU, got {type(gru).__name__}")
        layer = check_int(layer, "layer", minimum=0)
        if layer >= gru.num_layers:
            raise ValueError(f"layer must be < {gru.num_layers} (the GRU's layers), got {layer}")
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            source = getattr(gru, f"{name}_l{layer}")
            if source.shape != getattr(self, name).shape:
                raise ValueError(
                    f"{name} has shape {tuple(source.shape)} in the GRU, "
                    f"{tuple(getattr(self, name).shape)} in this cell"
                )
            getattr(self, name).copy_(source)
        return self


class ScratchGRU(nn.Module):
    """A one-layer, ``batch_first`` GRU that loops :class:`GRUCell` over time: ``nn.GRU`` by hand.

    ``forward(x)`` with ``x`` ``(B, L, F)`` returns ``(out, h_n)``: ``out`` ``(B, L, H)`` and
    ``h_n`` ``(1, B, H)``, like ``nn.GRU(F, H, batch_first=True)``.
    """

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__()
        self.cell = GRUCell(input_size, hidden_size)

    def forward(self, x: torch.Tensor, h0: torch.Tensor | None = None):
        """Run over ``x`` ``(B, L, F)`` from ``h0`` ``(1, B, H)`` (default zeros); see the class docstring."""
        _check_input(x, self.cell.weight_ih.shape[1])
        B, H = x.shape[0], self.cell.hidden_size
        if h0 is not None and (not isinstance(h0, torch.Tensor) or tuple(h0.shape) != (1, B, H)):
            raise ValueError(
                f"h0 must be a tensor of shape (1, B, H) = (1, {B}, {H}), got {describe(h0)}"
            )
        h = x.new_zeros(B, H) if h0 is None else h0[0]  # (B, H)
        states = []
        for t in range(x.shape[1]):
            h = self.cell(x[:, t], h)  # (B, F), (B, H) -> (B, H)
            states.append(h)
        return torch.stack(states, dim=1), h[None]  # (B, L, H), (1, B, H)


ATTENTION = (None, "bahdanau", "luong")


class Seq2SeqForecaster(nn.Module):
    """A GRU encoder-decoder: the encoder reads the window, the decoder forecasts one step at a time.

    The decoder starts from the encoder's final state and the last observed target value; each
    step's input is the previous step's value — during training, with probability
    ``teacher_forcing``, the *true* previous value (teacher forcing); otherwise, and always in
    evaluation mode, its own forecast. With attention, each decoder step also reads a weighted
    average (the context) of all encoder states: ``"bahdanau"`` (additive, scored with the previous
    decoder state, fed into the step) or ``"luong"`` (multiplicative, scored with the new state,
    fed to the output).

    Parameters
    ----------
    input_size : int >= 1
        Features per step, ``F``; feature 0 is the target.
    hidden_size : int >= 1
    horizon : int >= 1
        Steps decoded.
    num_layers : int >= 1, default 1
        Layers of the encoder and of the decoder.
    dropout : float in [0, 1), default 0.0
        Between stacked layers (needs ``num_layers >= 2``).
    attention : {None, "bahdanau", "luong"}, default None
    teacher_forcing : float in [0, 1], default 0.5
        Probability of feeding the true previous value during training.

    Examples
    --------
    >>> model = Seq2SeqForecaster(1, 8, horizon=3, attention="luong").eval()
    >>> tuple(model(torch.zeros(2, 10, 1)).shape)  # (B, L, F) -> (B, horizon)
    (2, 3)
    >>> tuple(model.attention_weights.shape)  # (B, horizon, L)
    (2, 3, 10)
    """

    accepts_target = True  # fit() passes the target during training, for teacher forcing

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        horizon: int,
        num_layers: int = 1,
        dropout: float = 0.0,
        attention: str | None = None,
        teacher_forcing: float = 0.5,
    ):
        super().__init__()
        if attention not in ATTENTION:
            raise ValueError(f"attention must be one of {list(ATTENTION)}, got {attention!r}")
        if (
            isinstance(teacher_forcing, bool)
            or not isinstance(teacher_forcing, numbers.Real)
            or not 0 <= teacher_forcing <= 1
        ):
            raise ValueError(
                f"teacher_forcing must be a probability in [0, 1], got {teacher_forcing!r}"
            )
        self.config = {
            "input_size": check_int(input_size, "input_size", minimum=1),
            "hidden_size": check_int(hidden_size, "hidden_size", minimum=1),
            "horizon": check_int(horizon, "horizon", minimum=1),
            "num_layers": check_int(num_layers, "num_layers", minimum=1),
            "dropout": _check_dropout(dropout, int(num_layers)),
            "attention": attention,
            "teacher_forcing": float(teacher_forcing),
        }
        H, layers = self.config["hidden_size"], self.config["num_layers"]  # Python ints
        self.encoder = nn.GRU(
            self.config["input_size"], H, layers, batch_first=True, dropout=self.config["dropout"]
        )
        decoder_input = 1 + (H if attention == "bahdanau" else 0)  # previous value (+ context)
        self.decoder = nn.GRU(
            decoder_input, H, layers, batch_first=True, dropout=self.config["dropout"]
        )
        if attention == "bahdanau":
            self.query = nn.Linear(H, H, bias=False)
            self.key = nn.Linear(H, H)
            self.score = nn.Linear(H, 1, bias=False)
        elif attention == "luong":
            self.key = nn.Linear(H, H, bias=False)  # "general" score: s^T W h
        self.head = nn.Linear(H * (2 if attention else 1), 1)
        self.attention_weights = None  # (B, horizon, L) after a forward with attention

    def _attend(self, query: torch.Tensor, enc: torch.Tensor, keys: torch.Tensor):
        """Context from encoder states ``enc`` (B, L, H) for a decoder state ``query`` (B, H)."""
        if self.config["attention"] == "bahdanau":
            scores = self.score(torch.tanh(self.query(query)[:, None] + keys)).squeeze(-1)  # (B, L)
        else:
            scores = torch.einsum("bh,blh->bl", query, keys)  # (B, L)
        weights = torch.softmax(scores, dim=1)  # (B, L): sums to 1 over the window
        return torch.einsum("bl,blh->bh", weights, enc), weights  # context (B, H), weights (B, L)

    def forward(self, x: torch.Tensor, target: torch.Tensor | None = None) -> torch.Tensor:
        """Forecast ``(B, horizon)`` from windows ``x`` ``(B, L, F)``.

        ``target`` ``(B, horizon)``, the true future, is used for teacher forcing in training
        mode only; in evaluation mode it is ignored, so a forecast never sees what it forecasts.
        """
        c = self.config
        _check_input(x, c["input_size"], self)
        if target is not None and not isinstance(target, torch.Tensor):
            raise TypeError(
                f"target must be a torch.Tensor (batch, horizon) or None, got {describe(target)}"
            )
        forcing = self.training and target is not None and c["teacher_forcing"] > 0
        if target is not None and tuple(target.shape) != (x.shape[0], c["horizon"]):
            raise ValueError(
                f"target must have shape (batch, horizon) = ({x.shape[0]}, {c['horizon']}), "
                f"got {tuple(target.shape)}: the decoder forecasts horizon={c['horizon']} steps"
            )
        enc, h = self.encoder(x)  # enc: (B, L, H); h: (layers, B, H)
        keys = self.key(enc) if c["attention"] else None  # (B, L, H)
        previous = x[:, -1, :1]  # (B, 1): the last observed target value
        outputs, weights = [], []
        for t in range(c["horizon"]):
            step_input = previous
            if c["attention"] == "bahdanau":
                context, w = self._attend(
                    h[-1], enc, keys
                )  # scored with the previous decoder state
                step_input = torch.cat([previous, context], dim=1)  # (B, 1 + H)
            out, h = self.decoder(step_input[:, None], h)  # out: (B, 1, H)
            state = out[:, 0]  # (B, H)
            if c["attention"] == "luong":
                context, w = self._attend(state, enc, keys)  # scored with the new decoder state
            if c["attention"]:
                state = torch.cat([state, context], dim=1)  # (B, 2H)
                weights.append(w)
            y_t = self.head(state)  # (B, 1)
            outputs.append(y_t)
            if forcing and torch.rand(()) < c["teacher_forcing"]:
                previous = target[:, t : t + 1]  # teacher forcing: the true value
            else:
                previous = y_t  # its own forecast, as at prediction time
        self.attention_weights = (
            torch.stack(weights, dim=1).detach() if weights else None
        )  # (B, horizon, L)
        return torch.cat(outputs, dim=1)  # (B, horizon)


class SequenceAutoencoder(nn.Module):
    """A GRU sequence autoencoder: series ``(B, L, F)`` to latent vectors ``(B, latent)`` and back.

    The encoder GRU reads the series and a linear layer maps its last state to the latent vector
    ``z``; the decoder GRU reads ``z`` repeated at every step and a linear head reconstructs each
    value. Trained to reproduce its input (``fit`` with a loader of ``(x, x)`` pairs), ``z`` is the
    only path from input to output, so it embeds what the series look like; ``encode`` gives it.

    Parameters
    ----------
    input_size : int >= 1, default 1
    hidden_size : int >= 1, default 32
    latent_size : int >= 1, default 8

    Examples
    --------
    >>> ae = SequenceAutoencoder(hidden_size=8, latent_size=3)
    >>> x = torch.zeros(4, 20, 1)
    >>> tuple(ae(x).shape), tuple(ae.encode(x).shape)  # (B, L, F), (B, latent)
    ((4, 20, 1), (4, 3))
    """

    def __init__(self, input_size: int = 1, hidden_size: int = 32, latent_size: int = 8):
        super().__init__()
        self.config = {
            "input_size": check_int(input_size, "input_size", minimum=1),
            "hidden_size": check_int(hidden_size, "hidden_size", minimum=1),
            "latent_size": check_int(latent_size, "latent_size", minimum=1),
        }
        F, H, Z = (self.config[k] for k in ("input_size", "hidden_size", "latent_size"))
        self.encoder = nn.GRU(F, H, batch_first=True)
        self.to_latent = nn.Linear(H, Z)
        self.decoder = nn.GRU(Z, H, batch_first=True)
        self.head = nn.Linear(H, F)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """The embedding of each series: ``(B, L, F)`` to ``(B, latent)``."""
        _check_input(x, self.config["input_size"], self)
        _, h = self.encoder(x)  # h: (1, B, H), the state after the last step
        return self.to_latent(h[-1])  # (B, latent)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The reconstruction: ``(B, L, F)`` to ``(B, L, F)``."""
        z = self.encode(x)  # (B, latent)
        repeated = z[:, None, :].expand(-1, x.shape[1], -1)  # (B, L, latent): z at every step
        out, _ = self.decoder(repeated)  # (B, L, H)
        return self.head(out)  # (B, L, F)


class LastValueNormalised(nn.Module):
    """Per-window normalisation around a forecaster: it sees each window relative to its last value.

    ``forward(x)`` subtracts the last value of the target channel (feature 0) from that channel,
    runs ``model`` and adds the value back onto every output: the network forecasts changes from
    the last observation, so a level it never saw in training (CO2 in the test years) is no
    harder than one it did. The simplest member of the family that RevIN (Kim et al. 2022)
    belongs to; the scaler around it still fixes the units. Used in Chapter 4 beside
    differencing.

    Parameters
    ----------
    model : nn.Module
        ``(B, L, F)`` to ``(B, horizon)``, e.g. an :class:`RNNForecaster`.

    Examples
    --------
    >>> inner = RNNForecaster(input_size=1, hidden_size=4, horizon=2)
    >>> model = LastValueNormalised(inner)
    >>> x = torch.randn(3, 5, 1)
    >>> torch.allclose(model(x + 10.0), model(x) + 10.0, atol=1e-5)  # level-free
    True
    """

    def __init__(self, model: nn.Module):
        super().__init__()
        if not isinstance(model, nn.Module):
            raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, L, F)`` windows to ``(B, horizon)`` forecasts, each relative to its last value."""
        if not isinstance(x, torch.Tensor) or x.ndim != 3:
            raise ValueError(f"x must be a (B, L, F) tensor, got {getattr(x, 'shape', type(x))}")
        last = x[:, -1:, :1]  # (B, 1, 1): the target's last value in each window
        shifted = torch.cat([x[..., :1] - last, x[..., 1:]], dim=-1)  # (B, L, F)
        return self.model(shifted) + last[:, :, 0]  # (B, horizon)


class QuantileLoss(nn.Module):
    """The pinball loss averaged over quantile levels, steps and windows.

    ``forward(pred, y)``: ``pred`` of shape ``(B, H, Q)`` (one forecast per quantile level),
    ``y`` of shape ``(B, H)``. For level ``q`` and error ``e = y - f`` the loss is
    ``max(q e, (q - 1) e)``; its minimiser over ``f`` is the ``q``-quantile of ``y``.

    Examples
    --------
    >>> loss = QuantileLoss([0.5])
    >>> float(loss(torch.zeros(1, 2, 1), torch.tensor([[1.0, -1.0]])))  # half the MAE
    0.5
    """

    def __init__(self, quantiles):
        super().__init__()
        self.register_buffer("quantiles", _check_quantiles(quantiles))

    def forward(self, pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """The mean pinball loss: ``pred`` ``(B, H, Q)`` against ``y`` ``(B, H)``."""
        for name, value in (("pred", pred), ("y", y)):
            if not isinstance(value, torch.Tensor):
                raise TypeError(f"{name} must be a torch.Tensor, got {describe(value)}")
        if pred.ndim != 3 or pred.shape[:2] != y.shape or pred.shape[2] != len(self.quantiles):
            raise ValueError(
                f"pred must have shape (B, H, {len(self.quantiles)}) and y (B, H), got "
                f"{tuple(pred.shape)} and {tuple(y.shape)}"
            )
        error = y.unsqueeze(-1) - pred  # (B, H, Q)
        q = self.quantiles.to(pred.dtype)
        return torch.maximum(q * error, (q - 1) * error).mean()


def _check_quantiles(quantiles) -> torch.Tensor:
    try:
        q = torch.as_tensor(quantiles, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        raise TypeError(f"quantiles must be a sequence of numbers, got {describe(quantiles)}")
    if q.ndim != 1 or len(q) == 0:
        raise ValueError(f"quantiles must be a 1-D sequence of levels, got shape {tuple(q.shape)}")
    if not bool(((q > 0) & (q < 1)).all()) or not bool((q[1:] > q[:-1]).all()):
        raise ValueError(
            f"quantiles must be strictly increasing levels in (0, 1), got {q.tolist()}"
        )
    return q.float()


class GlobalQuantileForecaster(nn.Module):
    """One network for many series: a window of scaled history to quantiles of the next ``horizon``.

    A multilayer perceptron reads ``input_length`` values — scaled by the caller, e.g. by the mean
    absolute value of the window as DeepAR does (:func:`~tslearnkit.preprocessing.global_windows`)
    — and outputs, for every future step, one value per quantile level. The levels cannot cross:
    the network predicts the lowest level and non-negative increments (softplus) for the others.

    Parameters
    ----------
    input_length : int >= 1
    horizon : int >= 1
    quantiles : sequence of floats, strictly increasing in (0, 1)
    hidden_size : int >= 1, default 256
    num_layers : int >= 0, default 2
        Hidden layers, each ``Linear`` + ``ReLU``. With 0 the head reads the inputs directly: the
        lowest quantile and the gaps' pre-activations are linear in them, and only the
        non-crossing construction is nonlinear.

    Shapes: ``(B, input_length)`` or ``(B, input_length, 1)`` to ``(B, horizon, Q)``.

    Examples
    --------
    >>> model = GlobalQuantileForecaster(24, 6, [0.1, 0.5, 0.9], hidden_size=16)
    >>> out = model(torch.zeros(4, 24))
    >>> tuple(out.shape), bool((out.diff(dim=-1) >= 0).all())
    ((4, 6, 3), True)
    """

    def __init__(
        self,
        input_length: int,
        horizon: int,
        quantiles,
        hidden_size: int = 256,
        num_layers: int = 2,
    ):
        super().__init__()
        q = _check_quantiles(quantiles)
        self.config = {
            "input_length": check_int(input_length, "input_length", minimum=1),
            "horizon": check_int(horizon, "horizon", minimum=1),
            "quantiles": q.tolist(),
            "hidden_size": check_int(hidden_size, "hidden_size", minimum=1),
            "num_layers": check_int(num_layers, "num_layers", minimum=0),
        }
        layers, width = [], input_length
        for _ in range(num_layers):
            layers += [nn.Linear(width, hidden_size), nn.ReLU()]
            width = hidden_size
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(width, horizon * len(q))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The quantile forecasts: ``(B, input_length)`` to ``(B, horizon, Q)``, non-decreasing in Q."""
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"x must be a torch.Tensor (B, input_length), got {describe(x)}")
        if x.ndim == 3 and x.shape[-1] == 1:
            x = x[..., 0]
        length = self.config["input_length"]
        if x.ndim != 2 or x.shape[1] != length:
            raise ValueError(
                f"x must have shape (B, {length}) or (B, {length}, 1), got {tuple(x.shape)}"
            )
        raw = self.head(self.body(x)).view(len(x), self.config["horizon"], -1)  # (B, H, Q)
        steps = nn.functional.softplus(raw[..., 1:])  # non-negative gaps between levels
        return torch.cat([raw[..., :1], raw[..., :1] + steps.cumsum(-1)], dim=-1)
