"""tslearnkit.distributed: DDP on CPU (gloo) gives the single process's update, whatever the number
of processes. The project's pytest configuration has no ``serial`` marker; these tests start at
most three Python processes at a time, each with a hard timeout."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch.utils.data import TensorDataset

from tslearnkit.distributed import (
    QUANTILES,
    Launch,
    check_args,
    launch_from_env,
    main,
    make_loader,
)
from tslearnkit.models import GlobalQuantileForecaster
from tslearnkit.training import load_checkpoint

ROOT = Path(__file__).resolve().parents[1]
TORCHRUN = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2"]
TORCH_ENV = ("WORLD_SIZE", "RANK", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")


def _env():
    """The test's environment without torchrun's variables, one thread per process."""
    env = {k: v for k, v in os.environ.items() if k not in TORCH_ENV}
    env["OMP_NUM_THREADS"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def _run(command, cwd, timeout=120):
    result = subprocess.run(
        command, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return result


# One DDP step on two gloo processes. Each rank takes its share of the first global batch from
# make_loader, steps, and saves its parameters.
STEP_SCRIPT = """
import sys
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from tslearnkit.distributed import launch_from_env, make_loader
from tests_helper_data import data, tiny_model, loss_fn, GLOBAL_BATCH, SEED

launch = launch_from_env()
dist.init_process_group("gloo")
try:
    model = tiny_model()
    net = DistributedDataParallel(model)
    loader = make_loader(data(), GLOBAL_BATCH // launch.world_size, launch, SEED)
    loader.sampler.set_epoch(1)
    x, y = next(iter(loader))
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)
    loss_fn()(net(x), y).backward()
    optimizer.step()
    torch.save(
        {"params": model.state_dict(), "x": x}, sys.argv[1] + f"/rank{launch.rank}.pt"
    )
finally:
    dist.destroy_process_group()
"""

HELPER = """
import torch
from torch.utils.data import TensorDataset
from tslearnkit.models import GlobalQuantileForecaster, QuantileLoss

GLOBAL_BATCH, SEED, QS = 8, 3, (0.1, 0.5, 0.9)

def data():
    g = torch.Generator().manual_seed(0)
    return TensorDataset(torch.randn(37, 6, generator=g), torch.randn(37, 2, generator=g))

def tiny_model():
    torch.manual_seed(SEED)
    return GlobalQuantileForecaster(6, 2, QS, hidden_size=5, num_layers=1)

def loss_fn():
    return QuantileLoss(QS)
"""


def test_one_ddp_step_equals_one_single_process_step(tmp_path):
    (tmp_path / "step.py").write_text(STEP_SCRIPT)
    (tmp_path / "tests_helper_data.py").write_text(HELPER)
    _run(TORCHRUN + [str(tmp_path / "step.py"), str(tmp_path)], cwd=tmp_path, timeout=90)
    ranks = [torch.load(tmp_path / f"rank{r}.pt", weights_only=True) for r in (0, 1)]

    sys.path.insert(0, str(tmp_path))  # the same data, model and loss in this process
    try:
        import tests_helper_data as h
    finally:
        sys.path.remove(str(tmp_path))
    model = h.tiny_model()
    loader = make_loader(h.data(), h.GLOBAL_BATCH, Launch(), h.SEED)
    loader.sampler.set_epoch(1)
    x, y = next(iter(loader))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    h.loss_fn()(model(x), y).backward()
    optimizer.step()

    # The ranks' shares are disjoint halves of the single process's batch.
    shares = [r["x"] for r in ranks]
    assert len(shares[0]) == len(shares[1]) == h.GLOBAL_BATCH // 2
    together = torch.cat(shares)
    assert sorted(map(tuple, together.tolist())) == sorted(map(tuple, x.tolist()))
    single = model.state_dict()
    before = h.tiny_model().state_dict()
    for name, value in single.items():
        assert not torch.equal(value, before[name]), name  # the step moved it
        for r in ranks:
            torch.testing.assert_close(r["params"][name], value, atol=1e-6, rtol=0)
        assert torch.equal(ranks[0]["params"][name], ranks[1]["params"][name])  # ranks agree


@pytest.mark.parametrize("world", [1, 2, 3, 4])
def test_sampler_shards_are_disjoint_and_batches_add_up(world):
    n, global_batch, seed = 103, 12, 5
    dataset = TensorDataset(torch.arange(n))
    single = [b[0].tolist() for b in make_loader(dataset, global_batch, Launch(), seed)]
    shards, batches = [], []
    for rank in range(world):
        loader = make_loader(dataset, global_batch // world, Launch(rank, world), seed)
        sampler_indices = list(loader.sampler)
        shards.append(sampler_indices)
        batches.append([b[0].tolist() for b in loader])
    flat = [i for shard in shards for i in shard]
    # Disjoint, equal shards; drop_last=True drops the permutation's last n % world indices, so
    # they cover all but fewer than `world` windows (a different few each epoch).
    assert len(flat) == len(set(flat)) == world * (n // world)
    assert set(flat) <= set(range(n)) and n - len(flat) < world
    assert all(len(s) == n // world for s in shards)
    # The union of the ranks' k-th batches is the single process's k-th batch; incomplete
    # batches are dropped, so every run takes n // global_batch steps.
    assert all(len(b) == n // global_batch for b in batches)
    for k, expected in enumerate(single):
        assert sorted(i for rank in batches for i in rank[k]) == sorted(expected)


def test_one_process_and_torchrun_write_the_same_model(tmp_path):
    args = ["--epochs", "1", "--seed", "0", "--series", "20"]
    _run([sys.executable, "-m", "tslearnkit.distributed", *args, "--out", "one"], cwd=tmp_path)
    _run(TORCHRUN + ["-m", "tslearnkit.distributed", *args, "--out", "two"], cwd=tmp_path)
    models = {}
    for run, world in (("one", 1), ("two", 2)):
        files = sorted(p.name for p in (tmp_path / run).iterdir())
        assert files == ["history.json", "model.pt"]  # rank 1 wrote nothing of its own
        history = json.loads((tmp_path / run / "history.json").read_text())
        assert history["world_size"] == world and history["epochs"] == [1]
        assert len(history["train_loss"]) == len(history["val_loss"]) == 1
        assert history["seconds"] > 0
        models[run] = load_checkpoint(tmp_path / run / "model.pt")
        assert isinstance(models[run], GlobalQuantileForecaster)
        assert models[run].config["quantiles"] == pytest.approx(QUANTILES)
    one, two = (models[r].state_dict() for r in ("one", "two"))
    diff = max((one[k] - two[k]).abs().max().item() for k in one)
    print(f"max abs weight difference, 1 vs 2 processes: {diff:.3g}")
    assert diff < 1e-5
    h1, h2 = (json.loads((tmp_path / r / "history.json").read_text()) for r in ("one", "two"))
    assert h1["train_loss"][0] == pytest.approx(h2["train_loss"][0], rel=1e-5)
    assert h1["val_loss"][0] == pytest.approx(h2["val_loss"][0], rel=1e-5)


@pytest.fixture
def no_torchrun(monkeypatch):
    for name in TORCH_ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def _error(capsys, argv) -> str:
    with pytest.raises(SystemExit) as info:
        main(argv)
    return str(info.value.code) + capsys.readouterr().err


def test_bad_arguments_say_which(tmp_path, capsys, no_torchrun):
    ok = ["--seed", "0", "--out", str(tmp_path / "out")]
    assert "--epochs" in _error(capsys, ["--epochs", "0", *ok])
    assert "--out" in _error(capsys, ["--epochs", "1", "--seed", "0"])
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    message = _error(capsys, ["--epochs", "1", "--out", str(blocker / "sub")])
    assert "--out" in message and "cannot be created or written" in message
    with pytest.raises(ValueError, match="--global-batch 255 is not divisible by the 2"):
        check_args(1, 255, world_size=2)
    with pytest.raises(ValueError, match="--epochs"):
        check_args(0, 256)
    assert check_args(2, 256, world_size=4) == 64
    # The same check from the command line, as rank 0 of two processes would see it.
    for name, value in (("WORLD_SIZE", "2"), ("RANK", "0"), ("MASTER_ADDR", "127.0.0.1")):
        no_torchrun.setenv(name, value)
    no_torchrun.setenv("MASTER_PORT", "29599")
    assert "--global-batch" in _error(capsys, ["--epochs", "1", "--global-batch", "255", *ok])
    assert not (tmp_path / "out" / "model.pt").exists()


def test_a_wrong_launch_says_to_use_torchrun(capsys, no_torchrun, tmp_path):
    assert launch_from_env({}) == Launch()
    no_torchrun.setenv("WORLD_SIZE", "2")
    message = _error(capsys, ["--epochs", "1", "--out", str(tmp_path)])
    assert "torchrun --standalone --nproc-per-node N" in message and "RANK" in message
    launch = launch_from_env(
        {"WORLD_SIZE": "2", "RANK": "1", "LOCAL_RANK": "1", "MASTER_ADDR": "h", "MASTER_PORT": "1"}
    )
    assert launch == Launch(rank=1, world_size=2, local_rank=1, distributed=True)


def test_train_calls_on_epoch_in_eval_mode_and_builds_the_linear_twin():
    from tslearnkit.distributed import train

    seen = []

    def on_epoch(epoch, model):
        seen.append((epoch, model.training, len(model.body)))

    model, history = train(
        Launch(), epochs=2, seed=0, series=3, num_layers=0, global_batch=64, on_epoch=on_epoch
    )
    assert seen == [(1, False, 0), (2, False, 0)]  # every epoch, eval mode, no hidden layer
    assert history["num_layers"] == 0 and len(history["val_loss"]) == 2
    assert [name for name, _ in model.named_parameters()] == ["head.weight", "head.bias"]


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: check_args(1, 256, world_size=0), ValueError, "world_size must be a positive"),
        (lambda: make_loader(TensorDataset(torch.zeros(4, 1)), 2, None, 0), TypeError, "launch"),
        (
            lambda: make_loader(TensorDataset(torch.zeros(4, 1)), 2, Launch(3, 2), 0),
            ValueError,
            r"launch.rank must be in 0..1",
        ),
        (lambda: launch_from_env(5), TypeError, "environ must be a mapping"),
    ],
)
def test_helpers_name_their_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()
