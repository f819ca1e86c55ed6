"""The checks of Chapter 8's exercises: each accepts a right answer and names each usual mistake."""

import math

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

from tslearnkit.exercises import ExerciseFeedback, ch08

# --- 8.1 the pinball loss -----------------------------------------------------------------------


def pinball_ex(y, f, q):
    error = np.asarray(y, dtype=float) - np.asarray(f, dtype=float)
    return float(np.mean(np.maximum(q * error, (q - 1) * error)))


def by_loops(y, f, q):
    """Plain Python over the flattened points, with the two cases written out."""
    total, count = 0.0, 0
    for yi, fi in zip(np.ravel(y), np.ravel(f)):
        e = yi - fi
        total += q * e if e >= 0 else (q - 1) * e
        count += 1
    return total / count


def by_torch(y, f, q):
    error = torch.as_tensor(np.asarray(y, dtype=float)) - torch.as_tensor(
        np.asarray(f, dtype=float)
    )
    return torch.maximum(q * error, (q - 1) * error).mean()


@pytest.mark.parametrize(
    "answer",
    [pinball_ex, by_loops, by_torch, lambda y, f, q: np.array([pinball_ex(y, f, q)])],
    ids=["numpy", "loops", "torch scalar", "one-element array"],
)
def test_pinball_right(answer, capsys):
    ch08.check_pinball(answer)
    assert capsys.readouterr().out.startswith("Correct:")


def e(y, f):
    return np.asarray(y, dtype=float) - np.asarray(f, dtype=float)


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda y, f, q: pinball_ex(y, f, 1 - q), "wrong way round"),
        (lambda y, f, q: pinball_ex(f, y, q), "wrong way round"),  # f - y as the error
        (lambda y, f, q: float(np.mean(q * np.abs(e(y, f)))), r"q \* \|y - f\|"),
        (lambda y, f, q: pinball_ex(y, f, q) * np.size(y), "the sum of the"),
        (lambda y, f, q: 0.5 * float(np.mean(np.abs(e(y, f)))), "half the absolute error"),
        (lambda y, f, q: np.mean(np.maximum(q * e(y, f), (q - 1) * e(y, f)), axis=0), "no axis"),
        (lambda y, f, q: np.mean(np.max(q * e(y, f), (q - 1) * e(y, f))), "np.maximum"),
        (lambda y, f, q: np.mean(max(q * e(y, f), (q - 1) * e(y, f))), "Python's max"),
        (
            lambda y, f, q: float(np.mean(np.maximum(q * (y - f), (q - 1) * (y - f)))),
            "Lists do not",
        ),
        (lambda y, f, q: None, "must return one number"),
        (lambda y, f, q: float("nan"), "finite number"),
        (lambda y, f, q: 1.1 * pinball_ex(y, f, q) + 0.01, r"np.mean\(np.maximum"),
    ],
)
def test_pinball_mistakes(wrong, message):
    with pytest.raises(ExerciseFeedback, match=message):
        ch08.check_pinball(wrong)


def test_pinball_needs_a_function():
    with pytest.raises(TypeError, match="pinball_ex must be a function"):
        ch08.check_pinball(0.8)


# --- 8.2 split-conformal half-widths ------------------------------------------------------------

RNG = np.random.default_rng(0)
N, H, ALPHA = 200, 6, 0.1
R = 0.3 + RNG.standard_normal((N, H)) * np.linspace(1.0, 3.0, H)  # errors grow with the step
K = math.ceil((N + 1) * (1 - ALPHA))  # 181
ABS = np.sort(np.abs(R), axis=0)
RIGHT = ABS[K - 1]


@pytest.mark.parametrize(
    "answer",
    [RIGHT, RIGHT.tolist(), torch.as_tensor(RIGHT), ABS[K - 1 : K][0]],
    ids=["numpy", "list", "tensor", "a row view"],
)
def test_conformal_right(answer, capsys):
    ch08.check_conformal(answer, R, ALPHA)
    out = capsys.readouterr().out
    assert out.startswith("Correct:") and "181" in out


def test_conformal_right_when_k_exceeds_n(capsys):
    ch08.check_conformal(np.full(H, np.inf), R[:4], ALPHA)  # k = ceil(5 * 0.9) = 5 > 4
    assert capsys.readouterr().out.startswith("Correct:")


def test_conformal_right_when_the_product_is_whole(capsys):
    r = R[:19]  # (19 + 1) * (1 - 0.7) is 6.000000000000001 in floating point; k = 6
    k = math.ceil(round(20 * (1 - 0.7), 9))
    ch08.check_conformal(np.sort(np.abs(r), axis=0)[k - 1], r, 0.7)
    assert capsys.readouterr().out.startswith("Correct:")


@pytest.mark.parametrize(
    "answer, residuals, alpha, message",
    [
        (ABS[math.ceil(N * (1 - ALPHA)) - 1], R, ALPHA, r"without the \+ 1"),
        (np.abs(R[:4]).max(axis=0), R[:4], ALPHA, r"without the \+ 1"),  # k > n: inf
        (ABS[K], R, ALPHA, r"sorted\[k - 1\]"),
        (np.quantile(np.abs(R), 1 - ALPHA, axis=0), R, ALPHA, "interpolates"),
        (np.sort(R, axis=0)[K - 1], R, ALPHA, "signed residuals"),
        (np.quantile(R, 1 - ALPHA, axis=0), R, ALPHA, "signed residuals"),
        (np.quantile(np.abs(R), 1 - ALPHA), R, ALPHA, "pooled"),
        (np.full(H, np.quantile(np.abs(R), 1 - ALPHA)), R, ALPHA, "pooled"),
        (
            np.sort(np.abs(R).ravel())[math.ceil((N * H + 1) * (1 - ALPHA)) - 1],
            R,
            ALPHA,
            "pooled",
        ),
        (ABS[math.ceil((N + 1) * ALPHA) - 1], R, ALPHA, "where 1 - alpha"),
        (np.quantile(np.abs(R), ALPHA, axis=0), R, ALPHA, "where 1 - alpha"),
        (RIGHT[None, :], R, ALPHA, "right values but shape"),
        (np.sort(np.abs(R), axis=1)[:, -1], R, ALPHA, "one value per window"),
        (RIGHT[:-1], R, ALPHA, r"it must be \(6,\)"),
        (
            np.sort(np.abs(R[:19]), axis=0)[math.ceil(20 * (1 - 0.7)) - 1],
            R[:19],
            0.7,
            "floating point puts",
        ),
        (1.1 * RIGHT, R, ALPHA, "take row k - 1"),
        (np.full(H, np.nan), R, ALPHA, "holds NaN"),
        ("abc", R, ALPHA, "must be an array of 6 numbers"),
    ],
)
def test_conformal_mistakes(answer, residuals, alpha, message):
    with pytest.raises(ExerciseFeedback, match=message):
        ch08.check_conformal(answer, residuals, alpha)


@pytest.mark.parametrize(
    "residuals, alpha, error, message",
    [
        (R[:, 0], ALPHA, ValueError, "residuals must be 2-D"),
        (np.zeros((0, 3)), ALPHA, ValueError, "residuals must be 2-D"),
        (np.where(np.arange(N * H).reshape(N, H) == 7, np.nan, R), ALPHA, ValueError, "finite"),
        ([["a", "b"]], ALPHA, TypeError, "residuals must be numeric"),
        (R, 1.5, ValueError, r"alpha must be in \(0, 1\)"),
        (R, 0, ValueError, r"alpha must be in \(0, 1\)"),
        (R, "0.1", TypeError, "alpha must be a number"),
    ],
)
def test_conformal_validates_inputs(residuals, alpha, error, message):
    with pytest.raises(error, match=message):
        ch08.check_conformal(RIGHT, residuals, alpha)


# --- 8.3 each rank's batches --------------------------------------------------------------------


def batches_ex(order, rank, world_size, global_batch):
    size = global_batch // world_size
    mine = order[: len(order) - len(order) % world_size][rank::world_size]
    return [mine[i : i + size] for i in range(0, len(mine) - size + 1, size)]


def by_torch_loader(order, rank, world_size, global_batch):
    """The real thing: the permutation as the dataset, read in order by an unshuffled sampler."""
    data = TensorDataset(torch.as_tensor(order))
    sampler = DistributedSampler(
        data, num_replicas=world_size, rank=rank, shuffle=False, drop_last=True
    )
    loader = DataLoader(
        data, batch_size=global_batch // world_size, sampler=sampler, drop_last=True
    )
    return [batch for (batch,) in loader]


@pytest.mark.parametrize(
    "answer",
    [
        batches_ex,
        by_torch_loader,
        lambda *a: [b.tolist() for b in batches_ex(*a)],
        lambda *a: np.stack(batches_ex(*a)),
        lambda *a: tuple(batches_ex(*a)),
    ],
    ids=["numpy", "torch DataLoader", "lists", "2-D array", "tuple"],
)
def test_rank_batches_right(answer, capsys):
    ch08.check_rank_batches(answer)
    assert capsys.readouterr().out.startswith("Correct:")


@pytest.mark.parametrize("seed, epoch", [(0, 0), (0, 3), (7, 1)])
@pytest.mark.parametrize("length, world_size, global_batch", [(23, 3, 6), (50, 4, 8), (37, 1, 5)])
def test_reference_matches_distributed_sampler(seed, epoch, length, world_size, global_batch):
    """DistributedSampler(shuffle=True) draws torch.randperm(n) from a generator seeded with
    seed + epoch (torch/utils/data/distributed.py); the numpy reference on that permutation gives
    the loader's batches on every rank, and the ranks' k-th batches make up order[kB:(k+1)B]."""
    order = torch.randperm(length, generator=torch.Generator().manual_seed(seed + epoch)).numpy()
    data = TensorDataset(torch.arange(length))
    size = global_batch // world_size
    per_rank = []
    for rank in range(world_size):
        sampler = DistributedSampler(
            data, num_replicas=world_size, rank=rank, shuffle=True, seed=seed, drop_last=True
        )
        sampler.set_epoch(epoch)
        loader = DataLoader(data, batch_size=size, sampler=sampler, drop_last=True)
        got = [batch.numpy() for (batch,) in loader]
        expected = ch08._rank_batches(order, rank, world_size, size)
        assert len(got) == len(expected) == length // global_batch
        assert all(np.array_equal(g, x) for g, x in zip(got, expected))
        per_rank.append(got)
    for k in range(length // global_batch):
        together = np.sort(np.concatenate([batches[k] for batches in per_rank]))
        assert np.array_equal(together, np.sort(order[k * global_batch : (k + 1) * global_batch]))


def shards(order, rank, world_size, global_batch):
    share = len(order) // world_size
    return batches_ex(order[rank * share : (rank + 1) * share], 0, 1, global_batch // world_size)


def split_shards(order, rank, world_size, global_batch):
    mine = np.array_split(order, world_size)[rank]
    return batches_ex(mine, 0, 1, global_batch // world_size)


def keep_last(order, rank, world_size, global_batch):
    size = global_batch // world_size
    mine = order[: len(order) - len(order) % world_size][rank::world_size]
    return [mine[i : i + size] for i in range(0, len(mine), size)]


def untrimmed(order, rank, world_size, global_batch):
    size = global_batch // world_size
    mine = order[rank::world_size]
    return [mine[i : i + size] for i in range(0, len(mine) - size + 1, size)]


def reversed_ranks(order, rank, world_size, global_batch):
    return batches_ex(order, world_size - 1 - rank, world_size, global_batch)


def failing(order, rank, world_size, global_batch):
    return np.split(order, global_batch)


@pytest.mark.parametrize(
    "wrong, message",
    [
        (shards, "contiguous block"),
        (split_shards, "contiguous block"),
        (lambda o, r, w, b: batches_ex(o, r, w, b * w), "on every rank"),
        (keep_last, "kept the incomplete last batch"),
        (lambda o, r, w, b: batches_ex(o, 0, 1, b), "you ignored world_size"),
        (lambda o, r, w, b: batches_ex(o, 0, 1, b // w), "ignored world_size when sharding"),
        (lambda o, r, w, b: batches_ex(o, 0, w, b), "you ignored rank"),
        (untrimmed, "did not cut order to a multiple"),
        (reversed_ranks, "together do hold"),
        (lambda o, r, w, b: [x[::-1] for x in batches_ex(o, r, w, b)], "together do hold"),
        (lambda o, r, w, b: [x + 1 for x in batches_ex(o, r, w, b)], "together are not"),
        (lambda o, r, w, b: None, "returned None"),
        (lambda o, r, w, b: np.concatenate(batches_ex(o, r, w, b)), "one flat sequence"),
        (lambda o, r, w, b: [int(i) for i in o[r::w]], "a single index"),
        (lambda o, r, w, b: 3, "return a list of batches"),
        (lambda o, r, w, b: [x / 2 for x in batches_ex(o, r, w, b)], "not whole numbers"),
        (failing, "raised ValueError"),
    ],
)
def test_rank_batches_mistakes(wrong, message):
    with pytest.raises(ExerciseFeedback, match=message):
        ch08.check_rank_batches(wrong)


def test_rank_batches_needs_a_function():
    with pytest.raises(TypeError, match="batches_ex must be a function"):
        ch08.check_rank_batches([[0, 1], [2, 3]])
