"""The checks of Chapter 5's exercises: each accepts a right answer and names each usual mistake."""

import math

import pytest
import torch

from tslearnkit.exercises import ExerciseFeedback, ch05

# --- 5.1 parameters ---------------------------------------------------------------------------


def gru_params(F, H, layers=1):
    return 3 * (H * F + H * H + 2 * H) + (layers - 1) * 3 * (H * H + H * H + 2 * H)


def test_gru_params_right(capsys):
    ch05.check_gru_params(gru_params)
    assert capsys.readouterr().out.startswith("Correct:")


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda F, H, n=1: 4 * (H * F + H * H + 2 * H) + (n - 1) * 4 * (2 * H * H + 2 * H), "LSTM"),
        (lambda F, H, n=1: 3 * (H * F + H * H + H) + (n - 1) * 3 * (2 * H * H + H), "two, b_i"),
        (
            lambda F, H, n=1: 3 * (H * F + H * H) + (n - 1) * 3 * (2 * H * H),
            "leaves out the biases",
        ),
        (lambda F, H, n=1: n * 3 * (H * F + H * H + 2 * H), "reads the H outputs"),
        (lambda F, H, n=1: 3 * (H * F + H * H + 2 * H), "counts one layer"),
        (lambda F, H, n=1: float(gru_params(F, H, n)), "must return an int"),
        (lambda F, H, n=1: gru_params(F, H, n) + 1, "has 3360"),
    ],
)
def test_gru_params_mistakes(wrong, message):
    with pytest.raises(ExerciseFeedback, match=message):
        ch05.check_gru_params(wrong)


def test_gru_params_needs_a_function():
    with pytest.raises(TypeError, match="gru_params must be a function"):
        ch05.check_gru_params(3360)


# --- 5.2 one GRU step -------------------------------------------------------------------------


def gru_step(x, h, w_ih, w_hh, b_ih, b_hh):
    i_r, i_z, i_n = (x @ w_ih.T + b_ih).chunk(3, 1)
    h_r, h_z, h_n = (h @ w_hh.T + b_hh).chunk(3, 1)
    r, z = torch.sigmoid(i_r + h_r), torch.sigmoid(i_z + h_z)
    return (1 - z) * torch.tanh(i_n + r * h_n) + z * h


def test_gru_step_right(capsys):
    ch05.check_gru_step(gru_step)
    assert capsys.readouterr().out.startswith("Correct:")


def swapped_z(x, h, w_ih, w_hh, b_ih, b_hh):
    i_r, i_z, i_n = (x @ w_ih.T + b_ih).chunk(3, 1)
    h_r, h_z, h_n = (h @ w_hh.T + b_hh).chunk(3, 1)
    r, z = torch.sigmoid(i_r + h_r), torch.sigmoid(i_z + h_z)
    return z * torch.tanh(i_n + r * h_n) + (1 - z) * h


def reset_before(x, h, w_ih, w_hh, b_ih, b_hh):
    H = h.shape[1]
    i_r, i_z, i_n = (x @ w_ih.T + b_ih).chunk(3, 1)
    h_r, h_z, _ = (h @ w_hh.T + b_hh).chunk(3, 1)
    r, z = torch.sigmoid(i_r + h_r), torch.sigmoid(i_z + h_z)
    n = torch.tanh(i_n + (r * h) @ w_hh[2 * H :].T + b_hh[2 * H :])
    return (1 - z) * n + z * h


def order_zrn(x, h, w_ih, w_hh, b_ih, b_hh):
    i_z, i_r, i_n = (x @ w_ih.T + b_ih).chunk(3, 1)
    h_z, h_r, h_n = (h @ w_hh.T + b_hh).chunk(3, 1)
    r, z = torch.sigmoid(i_r + h_r), torch.sigmoid(i_z + h_z)
    return (1 - z) * torch.tanh(i_n + r * h_n) + z * h


def no_reset(x, h, w_ih, w_hh, b_ih, b_hh):
    _, i_z, i_n = (x @ w_ih.T + b_ih).chunk(3, 1)
    _, h_z, h_n = (h @ w_hh.T + b_hh).chunk(3, 1)
    z = torch.sigmoid(i_z + h_z)
    return (1 - z) * torch.tanh(i_n + h_n) + z * h


@pytest.mark.parametrize(
    "wrong, message",
    [
        (swapped_z, "OLD state kept"),
        (reset_before, "before the matrix product"),
        (order_zrn, "order z, r, n"),
        (no_reset, "ignores the reset gate"),
        (lambda *args: gru_step(*args).T, r"= \(H, B\)"),
        (lambda *args: gru_step(*args)[:2], "must have the shape of h"),
        (lambda *args: gru_step(*args) + 0.1, "by up to 0.1"),
        (lambda *args: gru_step(*args).tolist(), "must return a tensor"),
    ],
)
def test_gru_step_mistakes(wrong, message):
    with pytest.raises(ExerciseFeedback, match=message):
        ch05.check_gru_step(wrong)


def test_gru_step_needs_a_function():
    with pytest.raises(TypeError, match="gru_step must be a function"):
        ch05.check_gru_step(None)


# --- 5.3 effect of future inputs ------------------------------------------------------------


def future_effect(model, x, t):
    changed = x.clone()
    changed[:, t:] += 1.0
    with torch.no_grad():
        return float((model(changed)[:, :t] - model(x)[:, :t]).abs().max())


def test_future_effect_right(capsys):
    ch05.check_future_effect(future_effect)
    assert capsys.readouterr().out.startswith("Correct:")


def in_place(model, x, t):
    changed = x
    changed[:, t:] += 1.0
    with torch.no_grad():
        return float((model(changed)[:, :t] - model(x)[:, :t]).abs().max())


def all_outputs(model, x, t):
    changed = x.clone()
    changed[:, t:] += 1.0
    with torch.no_grad():
        return float((model(changed) - model(x)).abs().max())


def off_by_one(model, x, t):
    changed = x.clone()
    changed[:, t - 1 :] += 1.0
    with torch.no_grad():
        return float((model(changed)[:, :t] - model(x)[:, :t]).abs().max())


def no_change(model, x, t):
    with torch.no_grad():
        return float((model(x.clone())[:, :t] - model(x)[:, :t]).abs().max())


@pytest.mark.parametrize(
    "wrong, message",
    [
        (in_place, "in place"),
        (all_outputs, r"compare only the outputs at steps 0 \.\. t-1"),
        (off_by_one, "off by one"),
        (no_change, "finds no effect"),
        (lambda model, x, t: "big", "must return one number"),
        (lambda model, x, t: -1.0, "a number >= 0"),
    ],
)
def test_future_effect_mistakes(wrong, message):
    with pytest.raises(ExerciseFeedback, match=message):
        ch05.check_future_effect(wrong)


def test_future_effect_needs_a_function():
    with pytest.raises(TypeError, match="future_effect must be a function"):
        ch05.check_future_effect(0.5)


# --- 5.4 attention ----------------------------------------------------------------------------


def dot_attention(query, enc):
    weights = torch.softmax((enc @ query[:, :, None])[..., 0], dim=1)  # (B, L)
    return (weights[:, :, None] * enc).sum(1), weights


def test_dot_attention_right(capsys):
    ch05.check_dot_attention(dot_attention)
    assert capsys.readouterr().out.startswith("Correct:")


def wrong_axis(query, enc):
    weights = torch.softmax((enc @ query[:, :, None])[..., 0], dim=0)
    return (weights[:, :, None] * enc).sum(1), weights


def raw_scores(query, enc):
    weights = (enc @ query[:, :, None])[..., 0]
    return (weights[:, :, None] * enc).sum(1), weights


def scaled(query, enc):
    weights = torch.softmax((enc @ query[:, :, None])[..., 0] / enc.shape[-1] ** 0.5, dim=1)
    return (weights[:, :, None] * enc).sum(1), weights


def mean_context(query, enc):
    return enc.mean(1), dot_attention(query, enc)[1]


def uniform(query, enc):
    weights = torch.full(enc.shape[:2], 1 / enc.shape[1])
    return (weights[:, :, None] * enc).sum(1), weights


@pytest.mark.parametrize(
    "wrong, message",
    [
        (wrong_axis, "over the batch"),
        (raw_scores, "raw scores"),
        (scaled, "1/sqrt"),
        (uniform, "sum to 1 but are not softmax"),
        (mean_context, "plain mean"),
        (
            lambda q, e: (dot_attention(q, e)[0] * 2, dot_attention(q, e)[1]),
            "not their weighted average",
        ),
        (lambda q, e: (dot_attention(q, e)[0], dot_attention(q, e)[1].T), r"= \(L, B\)"),
        (lambda q, e: (dot_attention(q, e)[0].T, dot_attention(q, e)[1]), "context has shape"),
        (lambda q, e: dot_attention(q, e)[1], "must return two tensors"),
    ],
)
def test_dot_attention_mistakes(wrong, message):
    with pytest.raises(ExerciseFeedback, match=message):
        ch05.check_dot_attention(wrong)


def test_dot_attention_accepts_a_trailing_axis(capsys):
    ch05.check_dot_attention(
        lambda q, e: (dot_attention(q, e)[0], dot_attention(q, e)[1][..., None])
    )
    assert capsys.readouterr().out.startswith("Correct:")


# --- 5.5 seeds ---------------------------------------------------------------------------------


@pytest.mark.parametrize("s", [0.02, 0.013, 0.0031])
def test_seeds_needed_right(s, capsys):
    n = math.ceil(8 * s**2 / 0.01**2)
    ch05.check_seeds_needed(n, s)
    assert capsys.readouterr().out.startswith("Correct:")


@pytest.mark.parametrize(
    "answer, message",
    [
        (lambda s: math.ceil(4 * s**2 / 1e-4), "sqrt\\(1/n\\)"),
        (lambda s: math.ceil(2 * s**2 / 1e-4), "one standard error, s"),
        (lambda s: math.ceil(1 * s**2 / 1e-4), "one standard error of one mean"),
        (lambda s: math.ceil(8 * s / 0.01), "squared"),
        (lambda s: math.floor(8 * s**2 / 1e-4), "round n up"),
        (lambda s: math.ceil(8 * s**2 / 1e-4) + 3, "not the smallest"),
        (lambda s: float(math.ceil(8 * s**2 / 1e-4)), "must be an int"),
        (lambda s: 0, "at least 1"),
    ],
)
def test_seeds_needed_mistakes(answer, message):
    s = 0.0213
    with pytest.raises(ExerciseFeedback, match=message):
        ch05.check_seeds_needed(answer(s), s)


def test_seeds_needed_validates_its_inputs():
    with pytest.raises(TypeError, match="pooled_sd must be a positive number"):
        ch05.check_seeds_needed(3, "0.02")
    with pytest.raises(ValueError, match="difference must be a positive finite number"):
        ch05.check_seeds_needed(3, 0.02, difference=0)
