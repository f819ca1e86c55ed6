"""The checks of chapter 2's exercises: each right answer passes, and each typical wrong answer
gets its own feedback."""

import numpy as np
import pytest
import torch
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from torch import nn

from tslearnkit.exercises import ExerciseFeedback, ch02
from tslearnkit.preprocessing import chronological_split, make_windows, pad_sequences

# ---------------------------------------------------------------- Exercise 2.1: training windows

SERIES = (np.sin(np.arange(120) * 0.7) * 0.3 + np.linspace(0, 1, 120))[
    :, None
]  # (120, 1), scaled-like
TRAIN, VAL, TEST = SERIES[:84], SERIES[84:102], SERIES[102:]


def windows(data=TRAIN, **kwargs):
    return make_windows(data, **({"input_length": 12, "horizon": 3} | kwargs))


def test_training_windows_right_answer_passes(capsys):
    ch02.check_training_windows(*windows(), TRAIN, VAL, TEST)
    assert capsys.readouterr().out.startswith("Correct: 70 windows")


def misaligned():
    X, _ = windows()
    return X, torch.stack([torch.from_numpy(TRAIN[i + 11 : i + 14, 0]) for i in range(len(X))])


@pytest.mark.parametrize(
    "answer, feedback",
    [
        (lambda: windows(SERIES), "overlap the validation and test parts by 36 steps"),
        (lambda: windows(SERIES[:102]), "overlap the validation part by 18 steps"),
        (
            lambda: (windows()[0].transpose(1, 2), windows()[1]),
            r"got \(N, 1, 12\): time and features are transposed",
        ),
        (lambda: (windows()[0][:, :, 0], windows()[1]), "keep the feature axis"),
        (lambda: windows(horizon=1), "y has 1 column, but the horizon is 3"),
        (lambda: windows(input_length=3, horizon=12), "input_length and horizon are swapped"),
        (lambda: windows(TRAIN * 300 + 300), "look unscaled"),
        (lambda: windows(stride=2), "2 steps apart: use stride=1"),
        (misaligned, "starts at the window's last input step"),
        (lambda: (windows()[0], windows()[1][:, 0]), r"y must be 2-D, \(N, 3\)"),
        (lambda: (windows()[0][:-5], windows()[1][:-5]), "expected 70 windows"),
        (lambda: (windows()[0], windows()[1][:-1]), "must pair up"),
        (lambda: windows(TRAIN - TRAIN.mean()), "not 12 consecutive steps of the scaled series"),
    ],
    ids=[
        "whole-series",
        "train-and-val",
        "transposed",
        "flat",
        "horizon-1",
        "swapped",
        "unscaled",
        "stride-2",
        "misaligned",
        "y-1d",
        "missing",
        "unpaired",
        "scaled-otherwise",
    ],
)
def test_training_windows_wrong_answers_get_specific_feedback(answer, feedback):
    X, y = answer()
    with pytest.raises(ExerciseFeedback, match=feedback):
        ch02.check_training_windows(X, y, TRAIN, VAL, TEST)


def test_training_windows_bad_types():
    X, y = windows()
    with pytest.raises(TypeError, match="X must be a torch tensor or a numpy array, got a list"):
        ch02.check_training_windows(X.tolist(), y, TRAIN, VAL, TEST)
    with pytest.raises(TypeError, match="train must be"):
        ch02.check_training_windows(X, y, "train", VAL, TEST)


# ---------------------------------------------------------------- Exercise 2.2: train-only scaler

TEMP = (15 + 8 * np.sin(np.arange(200) * 2 * np.pi / 50) + np.linspace(0, 6, 200)).astype(
    np.float32
)
T_TRAIN, T_VAL, T_TEST = chronological_split(TEMP, val_size=0.15, test_size=0.15)


def fitted(part=T_TRAIN, scaler=None):
    return (scaler or StandardScaler()).fit(np.asarray(part).reshape(-1, 1))


def test_train_only_scaler_right_answer_passes(capsys):
    scaler = fitted()
    ch02.check_train_only_scaler(scaler, scaler.transform(T_TEST.reshape(-1, 1)), TEMP)
    ch02.check_train_only_scaler(
        scaler, scaler.transform(T_TEST.reshape(-1, 1))[:, 0], TEMP
    )  # (n,) is fine too
    assert capsys.readouterr().out.startswith("Correct: fitted on the 140 training steps only")


def leaky(part):
    scaler = fitted(part)
    return scaler, scaler.transform(T_TEST.reshape(-1, 1))


@pytest.mark.parametrize(
    "answer, feedback",
    [
        (lambda: leaky(TEMP), "the mean of the whole series"),
        (
            lambda: leaky(np.concatenate([T_TRAIN, T_VAL])),
            "the mean of the training and validation parts",
        ),
        (
            lambda: leaky(T_TEST),
            "the mean of the test part: did you call fit or fit_transform on the test part",
        ),
        (lambda: leaky(T_VAL), "the mean of the validation part"),
        (lambda: leaky(TEMP[:150]), "but the training part's is"),
        (
            lambda: (fitted(), StandardScaler().fit_transform(T_TEST.reshape(-1, 1))),
            "fit_transform refitted",
        ),
        (lambda: (fitted(), T_TEST.reshape(-1, 1)), "unscaled"),
        (lambda: (fitted(), fitted().transform(T_VAL.reshape(-1, 1))), "scaled validation part"),
        (
            lambda: (fitted(), fitted().transform(TEMP[-40:].reshape(-1, 1))),
            r"expected the scaled test part as 30 values",
        ),
        (lambda: (fitted(), fitted().transform(T_TEST.reshape(-1, 1)).T), r"got shape \(1, 30\)"),
        (
            lambda: (fitted(scaler=MinMaxScaler()), T_TEST),
            "expected a StandardScaler, got a MinMaxScaler",
        ),
        (lambda: (StandardScaler(), T_TEST), "not fitted"),
        (lambda: (StandardScaler().fit(np.c_[T_TRAIN, T_TRAIN]), T_TEST), "fitted on 2 features"),
    ],
    ids=[
        "whole-series",
        "train-and-val",
        "test",
        "val",
        "other-split",
        "fit-transform",
        "unscaled",
        "val-as-test",
        "wrong-length",
        "transposed",
        "minmax",
        "unfitted",
        "two-features",
    ],
)
def test_train_only_scaler_wrong_answers_get_specific_feedback(answer, feedback):
    scaler, test_scaled = answer()
    with pytest.raises(ExerciseFeedback, match=feedback):
        ch02.check_train_only_scaler(scaler, test_scaled, TEMP)


def test_train_only_scaler_bad_types():
    with pytest.raises(TypeError, match="scaler must be a scikit-learn scaler"):
        ch02.check_train_only_scaler("scaler", T_TEST, TEMP)
    with pytest.raises(TypeError, match="test_scaled must be an array, got a list"):
        ch02.check_train_only_scaler(fitted(), T_TEST.tolist(), TEMP)


# ---------------------------------------------------------------- Exercise 2.3: packed states

SEQUENCES = [np.sin(np.arange(n) * 0.3 + k) for k, n in enumerate([9, 14, 5, 11])]


@pytest.fixture(scope="module")
def bigru():
    torch.manual_seed(0)
    return nn.GRU(input_size=1, hidden_size=4, batch_first=True, bidirectional=True)


def packed_states(rnn, padded, lengths):
    packed = nn.utils.rnn.pack_padded_sequence(
        padded, lengths, batch_first=True, enforce_sorted=False
    )
    with torch.no_grad():
        _, h_n = rnn(packed)
    return h_n


def test_packed_states_right_answer_passes(bigru, capsys):
    padded, lengths = pad_sequences(SEQUENCES)
    h_n = packed_states(bigru, padded, lengths)
    ch02.check_packed_states(torch.cat([h_n[0], h_n[1]], dim=1), lengths, bigru, SEQUENCES)
    assert capsys.readouterr().out.startswith(
        "Correct: the 4 final states equal each sequence run alone"
    )


def unpacked(rnn, at_lengths):
    padded, lengths = pad_sequences(SEQUENCES)
    with torch.no_grad():
        out, h_n = rnn(padded)
    if at_lengths:
        return out[torch.arange(len(SEQUENCES)), lengths - 1], lengths
    return torch.cat([h_n[0], h_n[1]], dim=1), lengths


def packed_answer(rnn, *, order=None, lengths=None, join=lambda h: torch.cat([h[0], h[1]], dim=1)):
    padded, true_lengths = pad_sequences(SEQUENCES)
    lengths = true_lengths if lengths is None else lengths
    if order is not None:  # sorted by the student, and never put back
        packed = nn.utils.rnn.pack_padded_sequence(
            padded[order], true_lengths[order], batch_first=True
        )
        with torch.no_grad():
            _, h_n = rnn(packed)
        return join(h_n), true_lengths
    return join(packed_states(rnn, padded, lengths)), lengths


@pytest.mark.parametrize(
    "answer, feedback",
    [
        (lambda m: unpacked(m, at_lengths=False), "the GRU read the padding"),
        (lambda m: unpacked(m, at_lengths=True), "the forward half is right but the backward half"),
        (lambda m: packed_answer(m, join=lambda h: h), r"that is h_n itself"),
        (lambda m: packed_answer(m, join=lambda h: h[-1]), "one direction only"),
        (
            lambda m: packed_answer(m, join=lambda h: torch.cat([h[1], h[0]], dim=1)),
            "halves are swapped",
        ),
        (lambda m: packed_answer(m, lengths=torch.full((4,), 14)), "they count the padding"),
        (
            lambda m: packed_answer(m, lengths=torch.tensor([14, 9, 5, 11])),
            r"lengths\[0\] is 14 but sequences\[0\] has 9",
        ),
        (lambda m: packed_answer(m, order=torch.tensor([1, 3, 0, 2])), "in the wrong order"),
        (
            lambda m: (packed_answer(m)[0][:, :6], packed_answer(m)[1]),
            r"expected states of shape \(4, 8\)",
        ),
    ],
    ids=[
        "padded",
        "at-lengths",
        "h_n",
        "one-direction",
        "swapped",
        "padded-lengths",
        "wrong-lengths",
        "sorted",
        "wrong-shape",
    ],
)
def test_packed_states_wrong_answers_get_specific_feedback(bigru, answer, feedback):
    states, lengths = answer(bigru)
    with pytest.raises(ExerciseFeedback, match=feedback):
        ch02.check_packed_states(states, lengths, bigru, SEQUENCES)


def test_packed_states_bad_types(bigru):
    states, lengths = packed_answer(bigru)
    with pytest.raises(TypeError, match="rnn must be a torch.nn.GRU"):
        ch02.check_packed_states(states, lengths, "gru", SEQUENCES)
    with pytest.raises(TypeError, match="bidirectional=True and batch_first=True"):
        ch02.check_packed_states(states, lengths, nn.GRU(1, 4, batch_first=True), SEQUENCES)
    with pytest.raises(
        TypeError, match="states must be a torch tensor or a numpy array, got a list"
    ):
        ch02.check_packed_states(states.tolist(), lengths, bigru, SEQUENCES)
    with pytest.raises(TypeError, match="sequences must be a list of arrays"):
        ch02.check_packed_states(states, lengths, bigru, 3)
