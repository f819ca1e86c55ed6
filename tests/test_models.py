"""Tests for tslearnkit.models: shapes, gradients, and configuration checks."""

import pytest
import torch

from tslearnkit.models import RNNForecaster


@pytest.mark.parametrize("cell", ["lstm", "gru", "GRU"])
@pytest.mark.parametrize("num_layers, dropout", [(1, 0.0), (2, 0.2)])
def test_forecaster_shapes_and_gradients(cell, num_layers, dropout):
    model = RNNForecaster(
        input_size=3, hidden_size=8, horizon=4, num_layers=num_layers, cell=cell, dropout=dropout
    )
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


def test_seq2seq_needs_a_layer():
    with pytest.raises(ValueError, match="num_layers must be a positive integer"):
        Seq2SeqForecaster(1, 4, horizon=2, num_layers=0)


def test_forecaster_bad_input_shape():
    model = RNNForecaster(2, 4)
    with pytest.raises(
        ValueError, match=r"x must have shape \(batch, time, 2\), got \(3, 5\).*unsqueeze"
    ):
        model(torch.zeros(3, 5))
    with pytest.raises(ValueError, match=r"got \(3, 5, 1\)"):
        model(torch.zeros(3, 5, 1))
    with pytest.raises(TypeError, match="x must be a torch.Tensor"):
        model([[0.0]])


# --- the GRU from its equations ----------------------------------------------------------------

from tslearnkit.models import GRUCell, ScratchGRU, Seq2SeqForecaster  # noqa: E402


def test_gru_cell_equals_torch_gru():
    torch.manual_seed(0)
    gru = torch.nn.GRU(3, 5, num_layers=2, batch_first=True)
    x = torch.randn(4, 9, 3)
    expected, h_n = gru(x)
    scratch = ScratchGRU(3, 5)
    scratch.cell.load_from(gru, layer=0)
    layer1 = ScratchGRU(5, 5)
    layer1.cell.load_from(gru, layer=1)
    out0, h0 = scratch(x)
    out1, h1 = layer1(out0)
    torch.testing.assert_close(out1, expected, atol=1e-6, rtol=0)
    torch.testing.assert_close(torch.cat([h0, h1]), h_n, atol=1e-6, rtol=0)


def test_gru_cell_load_from_bad_input():
    with pytest.raises(TypeError, match="gru must be a torch.nn.GRU"):
        GRUCell(1, 2).load_from(torch.nn.LSTM(1, 2))
    with pytest.raises(ValueError, match="layer must be < 1"):
        GRUCell(1, 2).load_from(torch.nn.GRU(1, 2), layer=1)
    with pytest.raises(ValueError, match="weight_ih has shape"):
        GRUCell(3, 2).load_from(torch.nn.GRU(1, 2))
    with pytest.raises(ValueError, match="hidden_size must be a positive integer"):
        GRUCell(1, 0)


# --- variants: bidirectional encoder, seq2seq, attention ---------------------------------------


def test_bidirectional_forecaster_reads_the_window_both_ways():
    torch.manual_seed(0)
    model = RNNForecaster(2, 6, horizon=3, cell="gru", bidirectional=True).eval()
    x = torch.randn(4, 8, 2)
    assert model(x).shape == (4, 3)
    assert model.head.in_features == 12
    with pytest.raises(TypeError, match="bidirectional must be True or False"):
        RNNForecaster(1, 4, bidirectional=1)


@pytest.mark.parametrize("attention", [None, "bahdanau", "luong"])
@pytest.mark.parametrize("num_layers, dropout", [(1, 0.0), (2, 0.1)])
def test_seq2seq_shapes_and_gradients(attention, num_layers, dropout):
    torch.manual_seed(0)
    model = Seq2SeqForecaster(
        2, 8, horizon=4, num_layers=num_layers, dropout=dropout, attention=attention
    )
    x, y = torch.randn(3, 10, 2), torch.randn(3, 4)
    out = model(x, y)
    assert out.shape == (3, 4)
    out.pow(2).sum().backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name
    if attention:
        w = model.attention_weights
        assert w.shape == (3, 4, 10)
        torch.testing.assert_close(w.sum(dim=2), torch.ones(3, 4))


def test_seq2seq_in_eval_mode_never_sees_the_target():
    torch.manual_seed(0)
    model = Seq2SeqForecaster(1, 8, horizon=5, attention="bahdanau", teacher_forcing=1.0)
    x = torch.randn(2, 12, 1)
    model.eval()
    without = model(x)
    torch.testing.assert_close(model(x, torch.randn(2, 5)), without)
    torch.testing.assert_close(model(x, torch.full((2, 5), 1e6)), without)
    model.train()  # with teacher forcing, training does read the target
    assert not torch.allclose(model(x, torch.full((2, 5), 1e3)), without)


def test_seq2seq_trains_with_fit():
    from torch.utils.data import DataLoader

    from tslearnkit.preprocessing import WindowDataset
    from tslearnkit.training import fit

    torch.manual_seed(0)
    series = torch.sin(torch.arange(200.0) / 5)
    loader = DataLoader(WindowDataset(series, 20, horizon=4), batch_size=32, shuffle=True)
    history = fit(
        Seq2SeqForecaster(1, 16, horizon=4, attention="luong"),
        loader,
        epochs=8,
        lr=1e-2,
        device="cpu",
        progress=False,
    )
    assert history.train_loss[-1] < history.train_loss[0] / 3


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"hidden_size": 0}, ValueError, "hidden_size must be a positive integer"),
        (
            {"attention": "dot"},
            ValueError,
            r"attention must be one of \[None, 'bahdanau', 'luong'\], got 'dot'",
        ),
        ({"teacher_forcing": 1.5}, ValueError, "teacher_forcing must be a probability"),
        ({"dropout": 0.3}, ValueError, "has no effect with num_layers=1"),
        ({"dropout": -0.1, "num_layers": 2}, ValueError, r"dropout must be in \[0, 1\)"),
        ({"horizon": 0}, ValueError, "horizon must be a positive integer"),
    ],
)
def test_seq2seq_bad_config(kwargs, error, match):
    with pytest.raises(error, match=match):
        Seq2SeqForecaster(**{"input_size": 1, "hidden_size": 4, "horizon": 2, **kwargs})


def test_seq2seq_target_must_match_the_decoder_horizon():
    model = Seq2SeqForecaster(1, 4, horizon=3)
    with pytest.raises(
        ValueError, match=r"target must have shape \(batch, horizon\) = \(2, 3\), got \(2, 5\)"
    ):
        model(torch.zeros(2, 6, 1), torch.zeros(2, 5))


def test_seq2seq_checkpoint_round_trip(tmp_path):
    from tslearnkit.training import load_checkpoint, save_checkpoint

    model = Seq2SeqForecaster(1, 4, horizon=2, attention="bahdanau").eval()
    loaded = load_checkpoint(save_checkpoint(model, tmp_path / "s2s.pt"))
    x = torch.randn(3, 7, 1)
    torch.testing.assert_close(loaded(x), model(x))


# --- the sequence autoencoder ------------------------------------------------------------------

from tslearnkit.models import SequenceAutoencoder  # noqa: E402


def test_autoencoder_shapes_gradients_and_checkpoint(tmp_path):
    from tslearnkit.training import load_checkpoint, save_checkpoint

    torch.manual_seed(0)
    ae = SequenceAutoencoder(input_size=2, hidden_size=8, latent_size=3)
    x = torch.randn(5, 12, 2)
    assert ae(x).shape == (5, 12, 2) and ae.encode(x).shape == (5, 3)
    torch.nn.functional.mse_loss(ae(x), x).backward()
    for name, p in ae.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name
    loaded = load_checkpoint(save_checkpoint(ae.eval(), tmp_path / "ae.pt"))
    torch.testing.assert_close(loaded.encode(x), ae.encode(x))


def test_autoencoder_learns_to_separate_shapes():
    """Embeddings of two clearly different shapes are told apart by k-means after training."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score
    from torch.utils.data import DataLoader, TensorDataset

    from tslearnkit.training import fit

    torch.manual_seed(0)
    t = torch.linspace(0, 1, 24)
    up, down = t.expand(20, -1), (1 - t).expand(20, -1)
    x = (torch.cat([up, down]) + 0.05 * torch.randn(40, 24))[:, :, None]  # (40, 24, 1)
    ae = SequenceAutoencoder(hidden_size=16, latent_size=2)
    fit(
        ae,
        DataLoader(TensorDataset(x, x), batch_size=8, shuffle=True),
        epochs=30,
        lr=1e-2,
        device="cpu",
        progress=False,
    )
    with torch.no_grad():
        z = ae.encode(x).numpy()
    labels = KMeans(2, n_init=5, random_state=0).fit_predict(z)
    assert adjusted_rand_score([0] * 20 + [1] * 20, labels) == 1.0


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"latent_size": 0}, "latent_size must be a positive integer"),
        ({"hidden_size": -1}, "hidden_size must be a positive integer"),
    ],
)
def test_autoencoder_bad_config(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SequenceAutoencoder(**kwargs)
    with pytest.raises(ValueError, match=r"x must have shape \(batch, time, 1\)"):
        SequenceAutoencoder().encode(torch.zeros(3, 5))


# --- GPU: the same weights give the same outputs (float32, absolute 1e-5; book/setup.md) -----


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize(
    "make",
    [
        lambda: RNNForecaster(2, 16, horizon=3, cell="lstm", num_layers=2),
        lambda: RNNForecaster(2, 16, horizon=3, cell="gru", bidirectional=True),
        lambda: ScratchGRU(2, 16),
        lambda: Seq2SeqForecaster(2, 16, horizon=3, attention="bahdanau"),
        lambda: Seq2SeqForecaster(2, 16, horizon=3, attention="luong"),
        lambda: SequenceAutoencoder(2, 16, latent_size=4),
    ],
    ids=["lstm", "bigru", "scratch-gru", "bahdanau", "luong", "autoencoder"],
)
def test_gpu_outputs_match_cpu(make):
    torch.manual_seed(0)
    model = make().eval()
    x = torch.randn(8, 20, 2)
    with torch.no_grad():
        cpu = model(x)
        gpu = model.to("cuda")(x.to("cuda"))
    cpu, gpu = (cpu[0], gpu[0]) if isinstance(cpu, tuple) else (cpu, gpu)
    torch.testing.assert_close(gpu.cpu(), cpu, atol=1e-5, rtol=0)


def test_last_value_normalised_is_level_free_and_trains():
    from tslearnkit.models import LastValueNormalised

    torch.manual_seed(0)
    model = LastValueNormalised(RNNForecaster(input_size=2, hidden_size=8, horizon=3))
    x = torch.randn(4, 6, 2)
    shifted = x.clone()
    shifted[..., 0] += 5.0  # the target channel moves, the covariate does not
    torch.testing.assert_close(model(shifted), model(x) + 5.0, atol=1e-5, rtol=0)
    model(x).sum().backward()  # gradients reach the inner model
    assert all(p.grad is not None for p in model.model.parameters())
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        LastValueNormalised("lstm")
    with pytest.raises(ValueError, match=r"x must be a \(B, L, F\) tensor"):
        model(torch.zeros(6, 2))


# --- bad input that used to reach raw errors ---------------------------------------------------


def test_numpy_integers_build_every_model():
    import numpy as np

    n = np.int64
    assert Seq2SeqForecaster(n(1), n(4), horizon=n(2))(torch.zeros(2, 5, 1)).shape == (2, 2)
    assert SequenceAutoencoder(n(1), n(4), n(2))(torch.zeros(2, 5, 1)).shape == (2, 5, 1)


def test_gru_cell_and_scratch_gru_check_their_inputs():
    cell = GRUCell(2, 4)
    with pytest.raises(ValueError, match=r"x must have shape \(B, 2\)"):
        cell(torch.zeros(3, 5), torch.zeros(3, 4))
    with pytest.raises(ValueError, match="same batch size"):
        cell(torch.zeros(3, 2), torch.zeros(1, 4))  # no silent broadcast
    with pytest.raises(TypeError, match="h must be a torch.Tensor"):
        cell(torch.zeros(3, 2), [[0.0] * 4] * 3)
    with pytest.raises(ValueError, match=r"h0 must be a tensor of shape \(1, B, H\)"):
        ScratchGRU(2, 4)(torch.zeros(3, 5, 2), torch.zeros(1, 1, 4))


def test_seq2seq_target_must_be_a_tensor():
    import numpy as np

    with pytest.raises(TypeError, match="target must be a torch.Tensor"):
        Seq2SeqForecaster(1, 4, horizon=2)(torch.zeros(3, 5, 1), np.zeros((3, 2)))


def test_float64_windows_are_named_before_torch_fails():
    with pytest.raises(ValueError, match=r"x has dtype torch.float64 but the model's weights"):
        RNNForecaster(1, 4)(torch.zeros(2, 5, 1, dtype=torch.float64))
    with pytest.raises(ValueError, match="x has no time steps"):
        RNNForecaster(1, 4)(torch.zeros(2, 0, 1))
