"""Checks for the exercises of chapter 2, *Preparing sequences for PyTorch*: training windows cut
from the training part only, a scaler fitted on the training part only, and the final states of
a bidirectional GRU on a padded, packed batch.

Each check prints a confirmation or raises :class:`~tslearnkit.exercises.ExerciseFeedback` that
names the mistake; inputs of the wrong type raise ``TypeError``.
"""

from __future__ import annotations

import numpy as np
import torch

from .._validation import to_numpy_2d
from ..preprocessing import chronological_split
from . import describe_answer as describe
from . import passed, require

__all__ = ["check_training_windows", "check_train_only_scaler", "check_packed_states"]


def _array(value, name: str) -> np.ndarray:
    """A tensor or array as a float numpy array, or a TypeError naming the argument."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().double().numpy()
    if isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.number):
        return value.astype(np.float64)
    raise TypeError(f"{name} must be a torch tensor or a numpy array, got {describe(value)}")


def _shape(array) -> str:
    return "(" + ", ".join(["N"] + [str(n) for n in array.shape[1:]]) + ")"


def check_training_windows(
    X, y, train, val, test, *, input_length: int = 12, horizon: int = 3
) -> None:
    """Check Exercise 2.1: windows cut from the scaled training part only.

    ``X`` must be ``(N, input_length, 1)`` and ``y`` ``(N, horizon)``, every window of the
    training part with stride 1 and no window (input or target) reaching into validation or test.

    Parameters
    ----------
    X : torch.Tensor or numpy.ndarray
        The student's input windows.
    y : torch.Tensor or numpy.ndarray
        The student's targets.
    train, val, test : array-like of shape (time,) or (time, 1)
        The scaled parts of the series, in time order (the chapter's ``train_s, val_s, test_s``).
    input_length, horizon : int
        The exercise's window: 12 steps in, 3 steps out.

    Prints
    ------
    The confirmation ``Correct: ...`` when the answer is right.

    Raises
    ------
    ExerciseFeedback
        For transposed or flattened shapes, a wrong horizon, windows that overlap validation or
        test, missing windows, or targets that do not follow their window.

    Examples
    --------
    >>> from tslearnkit.preprocessing import make_windows
    >>> series = np.sin(np.arange(40.0))[:, None]
    >>> train, val, test = series[:28], series[28:34], series[34:]
    >>> X, y = make_windows(train, input_length=12, horizon=3)
    >>> check_training_windows(X, y, train, val, test)
    Correct: 14 windows X (N, 12, 1) and targets y (N, 3), all inside the training part
    """
    X, y = _array(X, "X"), _array(y, "y")
    parts = [
        to_numpy_2d(part, name)[:, 0]
        for part, name in ((train, "train"), (val, "val"), (test, "test"))
    ]
    series = np.concatenate(parts)
    n_train = len(parts[0])
    L, H = input_length, horizon
    require(
        X.ndim != 2 or X.shape[1] != L,
        f"X has shape {_shape(X)}: keep the feature axis, (N, {L}, 1) = (batch, time, features), as "
        "make_windows returns it; an LSTM with batch_first=True needs all three",
    )
    require(
        X.ndim == 3, f"X must be 3-D, (N, {L}, 1) = (batch, time, features), got shape {X.shape}"
    )
    require(
        X.shape[1:] != (1, L),
        f"expected X of shape (N, {L}, 1), got {_shape(X)}: time and features are transposed; with "
        "batch_first=True time comes second (don't permute the windows)",
    )
    require(
        not (X.shape[1] == H and y.ndim == 2 and y.shape[1] == L),
        f"X is {_shape(X)} and y {_shape(y)}: input_length and horizon are swapped; "
        f"make_windows(data, input_length={L}, horizon={H})",
    )
    require(
        X.shape[1:] == (L, 1),
        f"expected X of shape (N, {L}, 1): {L} steps of 1 feature, got {_shape(X)}",
    )
    require(y.ndim == 2, f"y must be 2-D, (N, {H}) = (batch, horizon), got shape {y.shape}")
    require(
        y.shape[1] == H,
        f"y has {y.shape[1]} column{'s' if y.shape[1] > 1 else ''}, but the horizon is "
        f"{H} steps: expected y of shape (N, {H}); pass horizon={H}",
    )
    require(
        len(X) == len(y), f"X has {len(X)} windows but y has {len(y)} targets; they must pair up"
    )
    # Find where each window sits in the whole series (train, then val, then test).
    stretches = np.lib.stride_tricks.sliding_window_view(series, L)  # (T - L + 1, L)
    starts = np.empty(len(X), dtype=int)
    for i, window in enumerate(X[:, :, 0]):
        found = np.flatnonzero(np.abs(stretches - window).max(axis=1) < 1e-4)
        if len(found) == 0:
            unscaled = np.abs(window).max() > 10 * max(np.abs(series).max(), 1.0)
            require(
                False,
                f"X[{i}] is not {L} consecutive steps of the scaled series"
                + (
                    ": your windows look unscaled (values up to "
                    f"{np.abs(window).max():.0f}); cut them from the scaled training part"
                    if unscaled
                    else "; cut the windows from the scaled training part as it is"
                ),
            )
        starts[i] = found[0]
    overlap = int((starts + L + H).max() - n_train)
    if overlap > 0:
        where = (
            "the validation part" if overlap <= len(parts[1]) else "the validation and test parts"
        )
        require(
            False,
            f"your windows overlap {where} by {overlap} steps (the last target ends {overlap} steps "
            "after the training part): cut the training windows from the training part only",
        )
    n_expected = n_train - L - H + 1
    require(
        not (len(starts) > 1 and (np.diff(starts) > 1).all()),
        f"your windows start {int(np.diff(starts)[0])} steps apart: use stride=1, one window per step",
    )
    require(
        len(X) == n_expected and (starts == np.arange(n_expected)).all(),
        f"expected {n_expected} windows, one starting at every step that leaves room for {L} inputs and "
        f"{H} targets, got {len(X)}" + (f" starting at step {starts[0]}" if starts[0] else ""),
    )
    targets = np.stack([series[s + L : s + L + H] for s in starts])
    if not np.allclose(y, targets, atol=1e-4):
        shifted = np.stack([series[s + L - 1 : s + L - 1 + H] for s in starts])
        require(
            not np.allclose(y, shifted, atol=1e-4),
            "y[i] starts at the window's last input step: the targets are the "
            f"{H} steps after it (y[i] = data[i + {L} : i + {L + H}])",
        )
        require(
            False,
            f"y[0] should be the {H} steps after X[0], {np.round(targets[0], 4).tolist()}, got "
            f"{np.round(y[0], 4).tolist()}",
        )
    passed(f"{len(X)} windows X (N, {L}, 1) and targets y (N, {H}), all inside the training part")


def check_train_only_scaler(
    scaler, test_scaled, series, *, val_size: float = 0.15, test_size: float = 0.15
) -> None:
    """Check Exercise 2.2: a ``StandardScaler`` fitted on the training part only, applied to test.

    Parameters
    ----------
    scaler : sklearn.preprocessing.StandardScaler
        The student's fitted scaler.
    test_scaled : array-like of shape (n_test, 1) or (n_test,)
        The scaled test part.
    series : array-like of shape (time,)
        The whole series; the check splits it with ``chronological_split(series, val_size,
        test_size)``.
    val_size, test_size : float
        The exercise's split.

    Prints
    ------
    The confirmation ``Correct: ...`` when the answer is right.

    Raises
    ------
    ExerciseFeedback
        If the scaler was fitted on more than (or other than) the training part, or the test part
        was refitted (``fit_transform``), left unscaled or cut differently.

    Examples
    --------
    >>> from sklearn.preprocessing import StandardScaler
    >>> series = np.arange(20.0)
    >>> scaler = StandardScaler().fit(series[:14, None])
    >>> check_train_only_scaler(scaler, scaler.transform(series[17:, None]), series)
    Correct: fitted on the 14 training steps only (mean 6.5); the test part reaches 3.10 training standard deviations
    """
    if not (hasattr(scaler, "fit") and hasattr(scaler, "transform")):
        raise TypeError(f"scaler must be a scikit-learn scaler, got {describe(scaler)}")
    values = to_numpy_2d(series, "series")[:, 0].astype(np.float64)
    if not hasattr(test_scaled, "shape"):
        raise TypeError(f"test_scaled must be an array, got {describe(test_scaled)}")
    got = np.asarray(test_scaled, dtype=float)
    train, val, test = chronological_split(values, val_size=val_size, test_size=test_size)
    name = type(scaler).__name__
    require(name == "StandardScaler", f"expected a StandardScaler, got a {name}")
    require(
        hasattr(scaler, "mean_"),
        "your scaler is not fitted: call scaler.fit(train) on the training part",
    )
    require(
        scaler.n_features_in_ == 1,
        f"your scaler was fitted on {scaler.n_features_in_} features; "
        "the series has one: fit on train.reshape(-1, 1), a (time, 1) column",
    )
    mean = float(scaler.mean_[0])
    fits = {  # what the scaler may have been fitted on instead, and what that means
        "the whole series": "it has seen the validation and test periods",
        "the training and validation parts": "it has seen the validation period, which must stay unseen "
        "to measure the model honestly",
        "the test part": "did you call fit or fit_transform on the test part? That refits the scaler on "
        "the test data; call transform",
        "the validation part": "did you call fit or fit_transform on the validation part? Call transform",
    }
    parts = dict(zip(fits, [values, np.concatenate([train, val]), test, val]))
    same = lambda a, b: abs(a - b) <= 1e-5 * max(1.0, abs(b))  # noqa: E731 (float32 data: loose)
    if not same(mean, train.mean()):
        for what, why in fits.items():
            require(
                not same(mean, parts[what].mean()),
                f"your scaler's mean is {mean:.3f}, the mean of {what}: {why}. Fit it on the training "
                f"part only (mean {train.mean():.3f})",
            )
        require(
            False,
            f"your scaler's mean is {mean:.3f}, but the training part's is {train.mean():.3f}: "
            f"fit it on the first {len(train)} steps (chronological_split(series, {val_size}, {test_size}))",
        )
    require(
        same(float(scaler.scale_[0]), train.std()),
        f"your scaler's standard deviation is {float(scaler.scale_[0]):.3f}, not the training part's "
        f"{train.std():.3f}: fit it on the training part only",
    )
    require(
        got.size == len(test) and got.ndim <= 2 and got.reshape(-1).size == got.shape[0],
        f"expected the scaled test part as {len(test)} values of shape ({len(test)}, 1), got shape {got.shape}"
        + (f": the test part is the last {test_size:.0%} of the series" if got.ndim <= 2 else ""),
    )
    got = got.reshape(-1)
    want = scaler.transform(test[:, None])[:, 0]
    if not np.allclose(got, want, atol=1e-5):
        require(
            not np.allclose(got, test, atol=1e-5),
            "test_scaled is the test part unscaled: apply scaler.transform to it",
        )
        require(
            not (abs(got.mean()) < 1e-6 and abs(got.std() - 1) < 1e-6),
            "your scaled test part has mean 0 and standard deviation 1 exactly: fit_transform refitted "
            "the scaler on the test data. Use scaler.transform(test), with the training fit",
        )
        require(
            not (
                len(val) == len(test)
                and np.allclose(got, scaler.transform(val[:, None])[:, 0], atol=1e-5)
            ),
            "test_scaled is the scaled validation part: scale the test part, the last "
            f"{len(test)} steps",
        )
        require(
            False,
            "test_scaled is not scaler.transform(test) for the last "
            f"{len(test)} steps of the series",
        )
    passed(
        f"fitted on the {len(train)} training steps only (mean {mean:.4g}); the test part reaches "
        f"{np.abs(want).max():.2f} training standard deviations"
    )


def _each_alone(rnn: torch.nn.RNNBase, sequences) -> torch.Tensor:
    """Final states of ``rnn`` for each sequence run on its own: (B, num_directions * H)."""
    device = next(rnn.parameters()).device
    rows = []
    with torch.no_grad():
        for s in sequences:
            x = torch.as_tensor(np.asarray(s, dtype=np.float32), device=device).reshape(
                1, len(s), -1
            )
            _, h_n = rnn(x)
            h_n = h_n[0] if isinstance(h_n, tuple) else h_n  # an LSTM returns (h_n, c_n)
            last = h_n[-2:] if rnn.bidirectional else h_n[-1:]  # the last layer: (directions, 1, H)
            rows.append(torch.cat(list(last), dim=1))  # (1, directions * H)
    return torch.cat(rows).cpu().double()


def check_packed_states(states, lengths, rnn, sequences) -> None:
    """Check Exercise 2.3: the final states of a bidirectional GRU on a padded, packed batch.

    Row ``i`` of ``states`` must equal what ``rnn`` gives for ``sequences[i]`` alone: the forward
    direction's last state joined to the backward direction's, ``(B, 2 * hidden_size)``.

    Parameters
    ----------
    states : torch.Tensor of shape (B, 2 * hidden_size)
        The student's final states, forward half first.
    lengths : torch.Tensor or numpy.ndarray of shape (B,)
        The lengths the student packed with.
    rnn : torch.nn.GRU (or LSTM, RNN) with ``bidirectional=True`` and ``batch_first=True``
        The network the states came from.
    sequences : list of array-likes of shape (length_i,) or (length_i, features)
        The batch, in order.

    Prints
    ------
    The confirmation ``Correct: ...`` when the answer is right.

    Raises
    ------
    ExerciseFeedback
        For lengths that count the padding, the raw ``h_n`` shape, a single direction, rows in
        another order, halves swapped, or states that read the padding.

    Examples
    --------
    >>> _ = torch.manual_seed(0)
    >>> gru = torch.nn.GRU(1, 4, batch_first=True, bidirectional=True)
    >>> seqs = [np.ones(3), np.ones(5)]
    >>> states = torch.cat([_each_alone(gru, [s]).float() for s in seqs])
    >>> check_packed_states(states, torch.tensor([3, 5]), gru, seqs)
    Correct: the 2 final states equal each sequence run alone (largest difference 0.0e+00)
    """
    if not isinstance(rnn, torch.nn.RNNBase):
        raise TypeError(f"rnn must be a torch.nn.GRU, LSTM or RNN, got {describe(rnn)}")
    if not (rnn.bidirectional and rnn.batch_first):
        raise TypeError("rnn must be built with bidirectional=True and batch_first=True")
    if isinstance(sequences, (str, bytes)) or not hasattr(sequences, "__len__"):
        raise TypeError(f"sequences must be a list of arrays, got {describe(sequences)}")
    got = _array(states, "states")
    lengths = _array(lengths, "lengths").reshape(-1)
    B, H = len(sequences), rnn.hidden_size
    true_lengths = np.array([len(s) for s in sequences])
    require(len(lengths) == B, f"lengths has {len(lengths)} entries for {B} sequences")
    require(
        not ((lengths == true_lengths.max()).all() and (true_lengths < true_lengths.max()).any()),
        f"your lengths are all {true_lengths.max()}, the padded length: they count the padding. Give each "
        "sequence's true length, as pad_sequences returns it",
    )
    for i in np.flatnonzero(lengths != true_lengths)[:1]:
        require(
            False,
            f"lengths[{i}] is {lengths[i]:.0f} but sequences[{i}] has {true_lengths[i]} steps: "
            "the lengths must be in the same order as the sequences",
        )
    require(
        got.shape != (2, B, H),
        f"states has shape (2, {B}, {H}): that is h_n itself, (directions, B, H). "
        "Join the forward state h_n[0] and the backward state h_n[1] into (B, 2H) with torch.cat(..., dim=1)",
    )
    require(
        got.shape != (B, H),
        f"states has shape ({B}, {H}): one direction only. A bidirectional GRU has two "
        f"final states per sequence; join h_n[0] (forward) and h_n[1] (backward) into ({B}, {2 * H})",
    )
    require(
        got.shape == (B, 2 * H),
        f"expected states of shape ({B}, {2 * H}) = (B, 2 * hidden_size), got {tuple(got.shape)}",
    )
    want = _each_alone(rnn, sequences).numpy()  # (B, 2H)
    error = float(np.abs(got - want).max())
    if error > 1e-4:
        close = lambda a, b: np.allclose(a, b, atol=1e-4)  # noqa: E731
        require(
            not close(got, want[:, list(range(H, 2 * H)) + list(range(H))]),
            "your halves are swapped: the forward state h_n[0] comes first, then the backward h_n[1]",
        )
        order = [int(np.argmin(np.abs(want - row).max(axis=1))) for row in got]
        require(
            not (sorted(order) == list(range(B)) and close(got, want[order])),
            "your rows are the right states in the wrong order: row i must belong to sequences[i]. "
            "pack_padded_sequence(..., enforce_sorted=False) sorts and restores the order for you",
        )
        require(
            not close(got[:, :H], want[:, :H]),
            f"the forward half is right but the backward half is off by up to {error:.3f}: on its way "
            "back the GRU read the padding first (or, from out at lengths - 1, saw a single step). Pack "
            "the batch with the true lengths and take h_n",
        )
        require(
            False,
            f"your states differ from each sequence run alone by up to {error:.3f}: the GRU read "
            "the padding. Pack the padded batch with pack_padded_sequence(padded, lengths, "
            "batch_first=True, enforce_sorted=False)",
        )
    passed(f"the {B} final states equal each sequence run alone (largest difference {error:.1e})")
