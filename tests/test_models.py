"""Tests for tslearnkit.models: shapes, gradients, and configuration checks."""

import pytest
import torch

from tslearnkit.models import RNNForecaster


@pytest.mark.parametrize("cell", ["lstm", "gru", "GRU"])
@pytest.mark.parametrize("num_layers, dropout", [(1, 0.0), (2, 0.2)])
def test_forecaster_shapes_and_gradients(cell, num_layers, dropout):
    model = RNNForecaster(input_size=3, hidden_size=8, horizon=4, num_layers=num_layers, cell=cell, dropout=dropout)
    x = torch.randn(5, 12, 3)  # (B, L, F)
    out = model(x)
    assert out.shape == (5, 4)  # (B, horizon)
    out.sum().backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def test_forecaster_uses_the_last_step():
    """The forecast depends on the whole window, and the head reads the state after its last step."""
    torch.manual_seed(0)
    model = RNNForecaster(1, 4).eval()
    x = torch.randn(1, 10, 1)
    y = model(x)
    x2 = x.clone()
    x2[0, 0, 0] += 1.0
    assert not torch.allclose(model(x2), y)  # the first step matters
    out, _ = model.rnn(x)
    torch.testing.assert_close(model.head(out[:, -1]), y)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"hidden_size": 0}, ValueError, "hidden_size must be a positive integer, got 0"),
        ({"input_size": -1}, ValueError, "input_size must be a positive integer"),
        ({"horizon": 2.0}, TypeError, "horizon must be an integer"),
        ({"num_layers": 0}, ValueError, "num_layers must be a positive integer"),
        ({"cell": "rnn"}, ValueError, r"cell must be one of \['gru', 'lstm'\], got 'rnn'"),
        ({"dropout": 1.0}, ValueError, r"dropout must be in \[0, 1\), got 1.0"),
        ({"dropout": 0.2}, ValueError, "has no effect with num_layers=1"),
        ({"dropout": "0.1"}, TypeError, "dropout must be a number"),
    ],
)
def test_forecaster_bad_config(kwargs, error, match):
    with pytest.raises(error, match=match):
        RNNForecaster(**{"input_size": 1, "hidden_size": 4, **kwargs})


def test_forecaster_bad_input_shape():
    model = RNNForecaster(2, 4)
    with pytest.raises(ValueError, match=r"x must have shape \(batch, time, 2\), got \(3, 5\).*unsqueeze"):
        model(torch.zeros(3, 5))
    with pytest.raises(ValueError, match=r"got \(3, 5, 1\)"):
        model(torch.zeros(3, 5, 1))
    with pytest.raises(TypeError, match="x must be a torch.Tensor"):
        model([[0.0]])
