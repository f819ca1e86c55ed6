"""Checks for the exercises of Chapter 5, *GRU variants*.

Each check runs the student's answer on small random inputs (fixed seeds, on the CPU), compares
it with PyTorch's own layers and, when it is wrong, recomputes the usual wrong versions to say
which mistake was made:

- :func:`check_gru_params` — a GRU's parameter count from the formula, against ``nn.GRU``;
- :func:`check_gru_step` — one GRU step from the equations, against ``nn.GRUCell``;
- :func:`check_future_effect` — a measure of how much a layer's past outputs depend on future inputs;
- :func:`check_dot_attention` — dot-product attention weights and context;
- :func:`check_seeds_needed` — how many seeds the chapter's "measurable" line needs.
"""

from __future__ import annotations

import math
import numbers

import torch
from torch import nn

from .._validation import describe
from . import as_number, passed, require, require_function

__all__ = [
    "check_gru_params",
    "check_gru_step",
    "check_future_effect",
    "check_dot_attention",
    "check_seeds_needed",
]


# --- Exercise 5.1: parameters of a GRU ------------------------------------------------------


def _gru_layer_params(F: int, H: int, blocks: int = 3, biases: int = 2) -> int:
    return blocks * (H * F + H * H + biases * H)


def check_gru_params(gru_params) -> None:
    """Check a function ``gru_params(input_size, hidden_size, num_layers=1)`` that counts the
    parameters of ``nn.GRU(input_size, hidden_size, num_layers)`` from the formula.

    Parameters
    ----------
    gru_params : callable
        ``gru_params(input_size, hidden_size, num_layers)`` returning an int.

    Prints
    ------
    The confirmation ``Correct: ...`` when the answer is right.

    Raises
    ------
    ExerciseFeedback
        If a count differs from ``nn.GRU``'s; the message says which term of the formula is off.
    """
    require_function(gru_params, "gru_params", "(input_size, hidden_size, num_layers) -> int")
    for F, H, layers in [(1, 32, 1), (3, 16, 1), (1, 32, 2), (5, 8, 3)]:
        got = gru_params(F, H, layers)
        require(
            isinstance(got, numbers.Integral) and not isinstance(got, bool),
            f"gru_params({F}, {H}, {layers}) must return an int (a count of parameters), got {describe(got)}",
        )
        got = int(got)
        expected = sum(p.numel() for p in nn.GRU(F, H, layers).parameters())
        if got == expected:
            continue
        first = lambda **kw: (
            _gru_layer_params(F, H, **kw) + (layers - 1) * _gru_layer_params(H, H, **kw)
        )  # noqa: E731
        require(
            got != first(blocks=4),
            f"gru_params({F}, {H}, {layers}) = {got} is the LSTM's count: four blocks (i, f, g, o). "
            f"A GRU has three, the reset gate, the update gate and the candidate (r, z, n).",
        )
        require(
            got != first(biases=1),
            f"gru_params({F}, {H}, {layers}) = {got} counts one bias per block; nn.GRU has two, "
            f"b_i (bias_ih) and b_h (bias_hh), so each block has H*F + H*H + 2H parameters.",
        )
        require(
            got != first(biases=0),
            f"gru_params({F}, {H}, {layers}) = {got} leaves out the biases: each block also has "
            f"two bias vectors of size H (bias_ih and bias_hh).",
        )
        require(
            got != layers * _gru_layer_params(F, H),
            f"gru_params({F}, {H}, {layers}) = {got}: every layer after the first reads the H outputs "
            f"of the layer below, not the F input features, so its input weights are H x H, not H x F.",
        )
        require(
            got != _gru_layer_params(F, H),
            f"gru_params({F}, {H}, {layers}) = {got} counts one layer; num_layers={layers} stacks "
            f"{layers} of them (the first reads F features, the others H).",
        )
        require(
            False,
            f"gru_params({F}, {H}, {layers}) = {got}, but nn.GRU({F}, {H}, {layers}) has {expected} "
            f"parameters. Per layer: 3 blocks x (H*input + H*H + 2H), where input is F for the "
            f"first layer and H for the others.",
        )
    return passed(
        "your formula gives nn.GRU's parameter count for every size tried, "
        "3 x (H*F + H*H + 2H) for the first layer."
    )


# --- Exercise 5.2: one GRU step ---------------------------------------------------------------


def _gru_step(
    x, h, w_ih, w_hh, b_ih, b_hh, *, swap_z=False, reset_before=False, order="rzn", no_reset=False
):
    """One GRU step, right (PyTorch's convention) or with one of the usual mistakes."""
    gi = x @ w_ih.T + b_ih  # (B, 3H)
    gh = h @ w_hh.T + b_hh
    parts_i, parts_h = dict(zip(order, gi.chunk(3, 1))), dict(zip(order, gh.chunk(3, 1)))
    r = torch.sigmoid(parts_i["r"] + parts_h["r"])
    z = torch.sigmoid(parts_i["z"] + parts_h["z"])
    H = h.shape[1]
    if no_reset:
        n = torch.tanh(parts_i["n"] + parts_h["n"])
    elif reset_before:  # Cho et al.: W_hn (r * h) + b_hn
        w_hn = dict(zip(order, w_hh.split(H)))["n"]
        b_hn = dict(zip(order, b_hh.split(H)))["n"]
        n = torch.tanh(parts_i["n"] + (r * h) @ w_hn.T + b_hn)
    else:
        n = torch.tanh(parts_i["n"] + r * parts_h["n"])
    return z * n + (1 - z) * h if swap_z else (1 - z) * n + z * h


def check_gru_step(gru_step) -> None:
    """Check a function ``gru_step(x, h, weight_ih, weight_hh, bias_ih, bias_hh)`` that computes one
    GRU step from the equations, with ``nn.GRU``'s weight layout and conventions.

    Parameters
    ----------
    gru_step : callable
        ``x`` ``(B, F)``, ``h`` ``(B, H)``, ``weight_ih`` ``(3H, F)``, ``weight_hh`` ``(3H, H)``,
        ``bias_ih`` and ``bias_hh`` ``(3H,)``, blocks in the order r, z, n; returns the new state
        ``(B, H)``.

    Prints
    ------
    The confirmation ``Correct: ...`` when the answer is right.

    Raises
    ------
    ExerciseFeedback
        If the new state differs from ``nn.GRUCell``'s with the same weights; the message names the
        mistake when it is a usual one (update gate reversed, reset gate before the product, gates
        in the wrong order, no reset gate, transposed output).
    """
    require_function(
        gru_step, "gru_step", "(x, h, weight_ih, weight_hh, bias_ih, bias_hh) -> new state"
    )
    B, F, H = 5, 3, 4  # all different, so a transposed result shows
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        cell = nn.GRUCell(F, H)
        for p in cell.parameters():
            p.copy_(
                torch.rand(p.shape, generator=generator) * 2 - 1
            )  # larger than the default init
        x = torch.randn(B, F, generator=generator)
        h = torch.randn(B, H, generator=generator)
        weights = (
            cell.weight_ih.clone(),
            cell.weight_hh.clone(),
            cell.bias_ih.clone(),
            cell.bias_hh.clone(),
        )
        expected = cell(x, h)
        got = gru_step(x.clone(), h.clone(), *(w.clone() for w in weights))
    require(
        isinstance(got, torch.Tensor),
        f"gru_step must return a tensor (the new state), got {describe(got)}",
    )
    got = got.detach().to("cpu", torch.float32)
    require(
        tuple(got.shape) != (H, B),
        f"gru_step returned shape {tuple(got.shape)} = (H, B); the state is (B, H) = ({B}, {H}): "
        f"compute x @ weight_ih.T (B, 3H), not weight_ih @ x.T (3H, B).",
    )
    require(
        tuple(got.shape) == (B, H),
        f"gru_step returned shape {tuple(got.shape)}; with x of shape ({B}, {F}) and h of shape ({B}, {H}) "
        f"the new state must have the shape of h, ({B}, {H}).",
    )
    if torch.allclose(got, expected, atol=1e-5):
        return passed(
            "your GRU step matches nn.GRUCell with the same weights: r and z from sigmoids, "
            "the reset gate applied to (W_hn h + b_hn), and h' = (1 - z) * n + z * h."
        )
    mistakes = [
        (
            dict(swap_z=True),
            "you keep 1 - z of the old state and write z of the candidate. In PyTorch's "
            "convention z is the share of the OLD state kept: h' = (1 - z) * n + z * h.",
        ),
        (
            dict(reset_before=True),
            "you apply the reset gate before the matrix product, W_hn (r * h) + b_hn, as "
            "Cho et al. wrote it. PyTorch (and cuDNN) apply it after: "
            "r * (W_hn h + b_hn).",
        ),
        (
            dict(order="zrn"),
            "you take the blocks in the order z, r, n. nn.GRU stacks them as r, z, n: "
            "the first H rows of weight_ih are the reset gate's.",
        ),
        (
            dict(no_reset=True),
            "the candidate ignores the reset gate: n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), "
            "with r multiplying the state's part.",
        ),
        (
            dict(swap_z=True, reset_before=True),
            "two things: z must weight the OLD state, h' = (1 - z) * n + z * h, "
            "and the reset gate multiplies (W_hn h + b_hn), after the product.",
        ),
    ]
    with torch.no_grad():
        for options, feedback in mistakes:
            if torch.allclose(got, _gru_step(x, h, *weights, **options), atol=1e-5):
                require(False, f"gru_step differs from nn.GRUCell: {feedback}")
    largest = float((got - expected).abs().max())
    require(
        False,
        f"gru_step differs from nn.GRUCell with the same weights by up to {largest:.3g}. Check each "
        f"line against the equations: r and z use sigmoid, n uses tanh, the blocks are in the "
        f"order r, z, n, and both biases are added.",
    )


# --- Exercise 5.3: does a layer read the future? ---------------------------------------------


class _Tagger(nn.Module):
    """A small GRU that outputs one number per step: (B, L, 1) -> (B, L)."""

    def __init__(self, bidirectional: bool):
        super().__init__()
        self.rnn = nn.GRU(1, 8, batch_first=True, bidirectional=bidirectional)
        self.head = nn.Linear(16 if bidirectional else 8, 1)

    def forward(self, x):
        return self.head(self.rnn(x)[0]).squeeze(-1)  # (B, L)


class _Shift(nn.Module):
    """Output at step s = input at step s + lag (lag -1: the step before, 0: the same, +1: the next)."""

    def __init__(self, lag: int):
        super().__init__()
        self.lag = lag

    def forward(self, x):
        v = x[..., 0]  # (B, L)
        if self.lag == 0:
            return v.clone()
        pad = torch.zeros_like(v[:, :1])
        return torch.cat([pad, v[:, :-1]], 1) if self.lag < 0 else torch.cat([v[:, 1:], pad], 1)


def check_future_effect(future_effect) -> None:
    """Check Exercise 5.3: a function that measures how much a model's past outputs depend on
    future inputs.

    ``future_effect(model, x, t)`` must return the largest absolute change in the model's
    outputs at steps 0 to t - 1 when its inputs from step t on are changed.

    Parameters
    ----------
    future_effect : callable
        ``model`` maps ``(B, L, 1)`` to ``(B, L)``, one output per step; ``x`` ``(B, L, 1)``;
        ``t`` an int, ``0 < t < L``. Returns a float, 0 when no output before ``t`` depends on an
        input from ``t`` on.

    Prints
    ------
    The confirmation ``Correct: ...`` when the answer is right.

    Raises
    ------
    ExerciseFeedback
        If it finds a dependence on the future in a causal model or none in a model that reads
        the future, if it changes ``x`` in place, or if it does not return a number.
    """
    require_function(future_effect, "future_effect", "(model, x, t) -> float")
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(6, 20, 1, generator=generator)  # (B, L, 1)
    t = 12

    def effect(model, name):
        original = x.clone()
        value = as_number(future_effect(model, x, t), "future_effect")
        require(
            torch.equal(x, original),
            "future_effect changed x in place (x_changed = x shares x's memory), so both runs read the "
            "same changed input: change a copy, x_changed = x.clone().",
        )
        require(
            math.isfinite(value) and value >= 0,
            f"future_effect returned {value} for {name}; a largest absolute change is a number >= 0.",
        )
        return value

    torch.manual_seed(0)
    models = {"unidirectional": _Tagger(False).eval(), "bidirectional": _Tagger(True).eval()}
    lag_effect = effect(_Shift(-1), "a model whose output at step s is the input at s - 1")
    require(
        lag_effect < 1e-6,
        f"future_effect finds an effect of {lag_effect:.3g} in a model whose output at step s is the input "
        f"at step s - 1, which never reads ahead: compare only the outputs at steps 0 .. t-1, "
        f"out[:, :t]; the outputs from step t on may depend on the inputs you changed.",
    )
    same_effect = effect(_Shift(0), "a model whose output at step s is the input at s")
    require(
        same_effect < 1e-6,
        f"future_effect finds an effect of {same_effect:.3g} in a model whose output at step s is its input "
        f"at step s: off by one. Change the inputs at steps t, t+1, ... (x[:, t:]) and compare the "
        f"outputs at steps 0 .. t-1 (out[:, :t]).",
    )
    uni = effect(models["unidirectional"], "a unidirectional GRU")
    require(
        uni < 1e-5,
        f"future_effect finds an effect of {uni:.3g} in a unidirectional GRU, whose output at "
        f"step s reads only inputs 0 .. s: compare only out[:, :t] and change only x[:, t:].",
    )
    ahead = effect(_Shift(1), "a model whose output at step s is the input at s + 1")
    require(
        ahead > 1e-3,
        f"future_effect finds no effect ({ahead:.3g}) in a model whose output at step t-1 IS the input "
        f"at step t: change the inputs from step t on (x[:, t:]) by a clearly non-zero amount, run "
        f"the model on both inputs, and return the largest |difference| of out[:, :t].",
    )
    bi = effect(models["bidirectional"], "a bidirectional GRU")
    require(
        bi > 1e-4,
        f"future_effect finds no effect ({bi:.3g}) in a bidirectional GRU, whose backward "
        f"direction reads the whole window: change the inputs from step t on by a clearly "
        f"non-zero amount and compare out[:, :t].",
    )
    return passed(
        f"your measure finds no effect of future inputs in causal models (unidirectional GRU: "
        f"{uni:.1g}) and a clear one where the model reads ahead (bidirectional GRU: {bi:.3f})."
    )


# --- Exercise 5.4: dot-product attention -------------------------------------------------------


def check_dot_attention(dot_attention) -> None:
    """Check Exercise 5.4: a dot-product (Luong) attention function.

    ``dot_attention(query, enc)`` must return ``(context, weights)``.

    Parameters
    ----------
    dot_attention : callable
        Takes ``query`` of shape (B, H), a decoder state, and ``enc`` of shape (B, L, H), the
        encoder states. Returns ``context`` of shape (B, H) and ``weights`` of shape (B, L): the
        weights are the softmax over L of the scores ``enc[b, l] @ query[b]``, and
        ``context[b]`` is the sum over l of ``weights[b, l] * enc[b, l]``.

    Prints
    ------
    The confirmation ``Correct: ...`` when the answer is right.

    Raises
    ------
    ExerciseFeedback
        If the weights or the context are wrong: softmax over the wrong axis, no softmax, scaled
        scores, transposed shapes, a plain mean as the context.
    """
    require_function(dot_attention, "dot_attention", "(query, enc) -> (context, weights)")
    B, L, H = 3, 7, 5
    generator = torch.Generator().manual_seed(0)
    query = torch.randn(B, H, generator=generator)
    enc = torch.randn(B, L, H, generator=generator)
    scores = torch.einsum("blh,bh->bl", enc, query)  # (B, L)
    weights = torch.softmax(scores, dim=1)
    context = torch.einsum("bl,blh->bh", weights, enc)
    result = dot_attention(query.clone(), enc.clone())
    require(
        isinstance(result, (tuple, list)) and len(result) == 2,
        f"dot_attention must return two tensors, (context, weights), got {describe(result)}",
    )
    got_context, got_weights = result
    for name, value in [("context", got_context), ("weights", got_weights)]:
        require(
            isinstance(value, torch.Tensor),
            f"dot_attention's {name} must be a tensor, got {describe(value)}",
        )
    got_context = got_context.detach().to("cpu", torch.float32)
    got_weights = got_weights.detach().to("cpu", torch.float32)
    if tuple(got_weights.shape) == (B, L, 1):
        got_weights = got_weights[..., 0]  # (B, L, 1) is the same weights with a trailing axis
    require(
        tuple(got_weights.shape) != (L, B),
        f"weights have shape {tuple(got_weights.shape)} = (L, B); return them as (B, L) = ({B}, {L}), "
        f"one row of L weights per window.",
    )
    require(
        tuple(got_weights.shape) == (B, L),
        f"weights have shape {tuple(got_weights.shape)}; with query ({B}, {H}) and enc ({B}, {L}, {H}) they "
        f"must be (B, L) = ({B}, {L}): one weight per input step of each window.",
    )
    if not torch.allclose(got_weights, weights, atol=1e-5):
        require(
            not torch.allclose(got_weights, torch.softmax(scores, dim=0), atol=1e-5),
            "the weights sum to 1 over the batch (softmax over dim=0): each window's weights must sum to "
            "1 over its L input steps, torch.softmax(scores, dim=1) (or dim=-1).",
        )
        require(
            not torch.allclose(got_weights, scores, atol=1e-5),
            "the weights are the raw scores: turn them into weights that are positive and sum to 1 over "
            "the input steps with torch.softmax(scores, dim=1).",
        )
        require(
            not torch.allclose(got_weights, torch.softmax(scores / math.sqrt(H), dim=1), atol=1e-5),
            "you scaled the scores by 1/sqrt(H), the Transformer's scaled dot product; Luong's dot score is "
            "the plain dot product enc[b, l] . query[b].",
        )
        sums = got_weights.sum(1)
        require(
            torch.allclose(sums, torch.ones(B), atol=1e-4),
            f"the weights of each window must sum to 1 over the input steps; yours sum to "
            f"{[round(float(s), 3) for s in sums]}.",
        )
        require(
            False,
            "the weights sum to 1 but are not softmax(enc[b, l] . query[b]) over l: the score of "
            "input step l is the dot product of its encoder state with the query, "
            "torch.einsum('blh,bh->bl', enc, query) or (enc @ query[:, :, None])[..., 0].",
        )
    require(
        tuple(got_context.shape) == (B, H),
        f"context has shape {tuple(got_context.shape)}; it must be (B, H) = ({B}, {H}): one weighted "
        f"average of the encoder states per window.",
    )
    require(
        not torch.allclose(got_context, enc.mean(1), atol=1e-5),
        "the context is the plain mean of the encoder states: weight each state by its attention weight, "
        "(weights[:, :, None] * enc).sum(1).",
    )
    require(
        torch.allclose(got_context, context, atol=1e-5),
        "the weights are right but the context is not their weighted average of the encoder states: "
        "context[b] = sum over l of weights[b, l] * enc[b, l], i.e. (weights[:, :, None] * enc).sum(1).",
    )
    return passed(
        "your weights are a softmax over the input steps (each row sums to 1) and your context is "
        "their weighted average of the encoder states."
    )


# --- Exercise 5.5: how many seeds? -----------------------------------------------------------


def check_seeds_needed(seeds_needed, pooled_sd, difference=0.01) -> None:
    """Check the smallest number of seeds ``n`` per variant for which the chapter's line for a
    measurable difference, ``2 s sqrt(2 / n)``, falls below ``difference``.

    Parameters
    ----------
    seeds_needed : int
        The student's answer.
    pooled_sd : float > 0
        The chapter's pooled seed-to-seed standard deviation ``s``.
    difference : float > 0, default 0.01
        The difference in mean MASE to be detected.

    Prints
    ------
    The confirmation ``Correct: ...`` when the answer is right.

    Raises
    ------
    ExerciseFeedback
        If ``seeds_needed`` is not that smallest ``n``; the message names the usual slips (one
        standard error instead of two, the variance of one mean instead of a difference, rounding
        down).
    """
    for name, value in [("pooled_sd", pooled_sd), ("difference", difference)]:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a positive number, got {describe(value)}")
        if not (value > 0 and math.isfinite(value)):
            raise ValueError(f"{name} must be a positive finite number, got {value}")
    s, d = float(pooled_sd), float(difference)
    require(
        isinstance(seeds_needed, numbers.Integral) and not isinstance(seeds_needed, bool),
        f"seeds_needed must be an int (a number of seeds), got {describe(seeds_needed)}: round up with math.ceil.",
    )
    n = int(seeds_needed)
    require(n >= 1, f"seeds_needed must be at least 1, got {n}.")

    def line(k):
        return 2 * s * math.sqrt(2 / k)

    expected = max(1, math.ceil(8 * s**2 / d**2 - 1e-9))  # the smallest n with 2 s sqrt(2/n) <= d
    if n == expected:
        return passed(
            f"{n} seeds per variant bring the line 2 s sqrt(2/n) down to {line(n):.4f} <= {d}; "
            f"{n - 1} would leave it at {line(n - 1):.4f}."
            if n > 1
            else f"1 seed already puts the line at {line(1):.4f} <= {d}."
        )
    for factor, feedback in [
        (
            4,
            "you used sqrt(1/n), the standard error of one mean; a difference of two means of n seeds each "
            "has standard error s * sqrt(2/n).",
        ),
        (
            2,
            "you used one standard error, s * sqrt(2/n); the chapter's line is two, 2 s sqrt(2/n).",
        ),
        (1, "you used one standard error of one mean, s / sqrt(n); the line is 2 s sqrt(2/n)."),
    ]:
        if n in (math.ceil(factor * s**2 / d**2), math.floor(factor * s**2 / d**2) + 1):
            require(False, f"seeds_needed = {n} is too small: {feedback}")
    require(
        n != math.ceil(math.sqrt(8) * s / d) and n != math.ceil(8 * s / d),
        f"seeds_needed = {n}: solve 2 s sqrt(2/n) < d for n, which gives n > 8 s^2 / d^2 "
        f"(the standard deviation squared).",
    )
    require(
        line(n) <= d * (1 + 1e-9),
        f"with seeds_needed = {n} the line 2 s sqrt(2/n) is {line(n):.4f}, not below {d}: "
        f"you need more seeds (round n up, not down).",
    )
    require(
        False,
        f"seeds_needed = {n} is not the smallest: {n - 1} seeds already give a line of "
        f"{line(n - 1):.4f} <= {d}. Solve 2 s sqrt(2/n) < d for n and take the next integer.",
    )
