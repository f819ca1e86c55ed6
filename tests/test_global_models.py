"""Tests for chapter 8's global forecaster: the windows over many series, the quantile network and
its pinball loss."""

import numpy as np
import pytest
import torch

from tslearnkit.models import GlobalQuantileForecaster, QuantileLoss
from tslearnkit.preprocessing import global_windows, last_windows


def test_global_windows_counts_scales_and_ids():
    a, b = np.arange(1.0, 11.0), np.full(6, 3.0)
    X, Y, scale, sid = global_windows([a, b, np.ones(3)], 3, 2)
    # a: 10 - 5 + 1 = 6 windows, b: 6 - 5 + 1 = 2, the 3-step series none
    assert X.shape == (8, 3) and Y.shape == (8, 2)
    assert sid.tolist() == [0] * 6 + [1] * 2
    # first window of a: input 1, 2, 3 (mean 2), target 4, 5
    assert scale[0].item() == pytest.approx(2.0)
    assert X[0].tolist() == pytest.approx([0.5, 1.0, 1.5])
    assert Y[0].tolist() == pytest.approx([2.0, 2.5])
    assert torch.allclose(
        X * scale[:, None],
        torch.tensor(np.r_[[a[i : i + 3] for i in range(6)], [b[:3]] * 2], dtype=torch.float32),
    )
    X2, *_ = global_windows([a], 3, 2, stride=2)
    assert len(X2) == 3


def test_zero_inputs_are_not_scaled():
    X, Y, scale, _ = global_windows([np.r_[np.zeros(3), 5.0]], 3, 1)
    assert scale.tolist() == [1.0] and Y.tolist() == [[5.0]]


def test_last_windows():
    X, scale = last_windows([np.arange(1.0, 7.0), np.array([0.0, 0.0, 4.0])], 3)
    assert scale.tolist() == pytest.approx([5.0, 4 / 3])
    back = (X * scale[:, None]).numpy()
    assert np.allclose(back, [[4.0, 5.0, 6.0], [0.0, 0.0, 4.0]])


def test_quantile_loss_hand_cases():
    # level 0.9, truth 1 above the forecast: 0.9 * 1; 1 below: 0.1 * 1
    loss = QuantileLoss([0.9])
    pred = torch.zeros(1, 2, 1)
    assert loss(pred, torch.tensor([[1.0, -1.0]])).item() == pytest.approx((0.9 + 0.1) / 2)
    # the minimiser over a constant forecast is the empirical quantile
    y = torch.arange(1.0, 11.0)[None, :]  # 1..10
    grid = torch.linspace(0, 11, 1101)
    losses = [QuantileLoss([0.8])(torch.full((1, 10, 1), float(c)), y).item() for c in grid]
    best = grid[int(np.argmin(losses))].item()
    assert 8.0 <= best <= 9.0


def test_forecaster_quantiles_do_not_cross_and_train():
    torch.manual_seed(0)
    model = GlobalQuantileForecaster(8, 3, [0.1, 0.5, 0.9], hidden_size=16)
    out = model(torch.randn(32, 8, 1))
    assert out.shape == (32, 3, 3) and bool((out.diff(dim=-1) >= 0).all())
    # it learns the median and a spread around it on noisy data
    x = torch.randn(512, 8)
    y = x[:, -1:].repeat(1, 3) + 0.5 * torch.randn(512, 3)
    loss, opt = QuantileLoss([0.1, 0.5, 0.9]), torch.optim.Adam(model.parameters(), 1e-2)
    for _ in range(300):
        opt.zero_grad()
        value = loss(model(x), y)
        value.backward()
        opt.step()
    pred = model(x).detach()
    covered = ((y >= pred[..., 0]) & (y <= pred[..., 2])).float().mean().item()
    assert 0.7 < covered < 0.9  # an 80% interval


def test_zero_hidden_layers_is_a_linear_quantile_model():
    model = GlobalQuantileForecaster(4, 2, [0.25, 0.75], num_layers=0)
    assert len(model.body) == 0 and model.head.in_features == 4
    out = model(torch.ones(3, 4))
    assert out.shape == (3, 2, 2) and bool((out[..., 1] >= out[..., 0]).all())
    # affine in the input below the softplus: the lowest quantile is exactly linear
    a, b = torch.randn(1, 4), torch.randn(1, 4)
    low = lambda x: model(x)[..., 0]  # noqa: E731
    assert torch.allclose(low(a + b) - low(b), low(a) - low(torch.zeros(1, 4)), atol=1e-6)


def test_forecaster_checkpoint_round_trip(tmp_path):
    from tslearnkit.training import load_checkpoint, save_checkpoint

    model = GlobalQuantileForecaster(6, 2, [0.25, 0.5, 0.75], hidden_size=8, num_layers=1)
    loaded = load_checkpoint(save_checkpoint(model, tmp_path / "m.pt"))
    x = torch.randn(4, 6)
    assert torch.equal(model.eval()(x), loaded(x))


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: QuantileLoss([0.5, 0.5]), ValueError, "strictly increasing levels"),
        (lambda: QuantileLoss([0.0, 0.5]), ValueError, r"levels in \(0, 1\)"),
        (lambda: QuantileLoss([[0.5]]), ValueError, "1-D"),
        (lambda: QuantileLoss("abc"), TypeError, "quantiles must be"),
        (
            lambda: QuantileLoss([0.5])(torch.zeros(2, 3), torch.zeros(2, 3)),
            ValueError,
            "pred must",
        ),
        (lambda: GlobalQuantileForecaster(0, 2, [0.5]), ValueError, "input_length"),
        (lambda: GlobalQuantileForecaster(4, 2, [1.5]), ValueError, "quantiles"),
        (lambda: GlobalQuantileForecaster(4, 2, [0.5], num_layers=-1), ValueError, "num_layers"),
        (lambda: GlobalQuantileForecaster(4, 2, [0.5])(torch.zeros(3, 5)), ValueError, r"\(B, 4\)"),
        (lambda: global_windows(np.arange(10.0), 3, 2), TypeError, "series must be a list"),
        (lambda: global_windows([], 3, 2), ValueError, "at least one series"),
        (lambda: global_windows([np.arange(4.0)], 3, 2), ValueError, "shorter than"),
        (
            lambda: global_windows([[1.0, np.nan, 2.0, 3.0]], 1, 1),
            ValueError,
            r"series\[0\] must be finite",
        ),
        (lambda: global_windows([np.ones((3, 2))], 1, 1), ValueError, r"series\[0\] must be 1-D"),
        (lambda: global_windows([np.ones(9)], 3, 0), ValueError, "horizon"),
        (lambda: last_windows([np.ones(2)], 3), ValueError, "shorter than input_length=3"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
