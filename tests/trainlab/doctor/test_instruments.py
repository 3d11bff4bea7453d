"""The instruments watch without touching: same numbers with and without them, every hook
removed afterwards, a clean stop after --max-steps, and a record that is plain JSON data."""

import json

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.modules import module as module_hooks
from torch.optim import optimizer as optimizer_hooks
from torch.overrides import _get_current_function_mode_stack
from torch.utils.data import DataLoader, TensorDataset

from trainlab.doctor import watch
from trainlab.doctor.report import to_json


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny models: one thread is faster and steadier on a shared machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def train(device: torch.device, steps: int = 30) -> tuple[float, list[torch.Tensor]]:
    """A run that consumes randomness everywhere: shuffling, dropout, batch norm, a functional
    loss and an evaluation under no_grad in eval mode."""
    torch.manual_seed(0)
    x = torch.randn(256, 12, device=device)
    y = (x[:, 0] > 0).long()
    model = nn.Sequential(
        nn.Linear(12, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(0.3), nn.Linear(32, 2)
    ).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)
    done = 0
    while done < steps:
        for xb, yb in loader:
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            done += 1
        model.eval()
        with torch.no_grad():
            F.cross_entropy(model(x), y)
        model.train()
    return loss.item(), [p.detach().clone() for p in model.parameters()]


def hooks() -> tuple[int, ...]:
    return (
        len(module_hooks._global_forward_hooks),
        len(module_hooks._global_forward_pre_hooks),
        len(optimizer_hooks._global_optimizer_pre_hooks),
        len(optimizer_hooks._global_optimizer_post_hooks),
        len(_get_current_function_mode_stack()),
    )


def test_the_doctor_never_changes_what_the_run_computes(device):
    """Same final loss, same weights and the same random state after the run, with and
    without the doctor (a doctor that drew a random number or rounded a tensor fails)."""
    loss, params = train(device)
    state = torch.get_rng_state()
    with watch() as doc:
        loss_watched, params_watched = train(device)
    assert torch.equal(torch.get_rng_state(), state)
    assert loss_watched == loss
    assert all(torch.equal(a, b) for a, b in zip(params, params_watched, strict=True))
    assert doc.record["steps"] > 0 and doc.record["grad_rms"]
    doc.report()  # the confirmations replay on a copy: the script's numbers are already out


def test_every_hook_is_removed_after_the_run_even_when_it_fails():
    before = hooks()
    with watch() as doc:
        train(torch.device("cpu"), steps=3)
    assert hooks() == before
    with pytest.raises(RuntimeError, match="shapes"), watch():
        nn.Linear(3, 2)(torch.randn(4, 5))  # fails inside a model's forward
    assert hooks() == before
    assert doc.record["steps"] == 8  # one epoch of 8 batches


def test_max_steps_stops_the_run_cleanly_even_through_a_broad_except():
    """The stop is raised from the step hook and passes a script's `except Exception`."""
    model = nn.Linear(3, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    steps = 0
    with watch(max_steps=5) as doc:
        for _ in range(100):
            try:
                opt.zero_grad()
                F.mse_loss(model(torch.ones(8, 3)), torch.zeros(8, 1)).backward()
                opt.step()
                steps += 1
            except Exception:  # noqa: BLE001 (a script's broad except)
                pass
    assert doc.stopped_early and doc.record["steps"] == 5 and steps == 4


def test_the_record_is_plain_json_data_and_names_the_layers():
    with watch() as doc:
        train(torch.device("cpu"), steps=10)
    record = json.loads(json.dumps(doc.record, allow_nan=False))
    assert [layer["type"] for layer in record["layers"]] == [
        "Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear"
    ]  # fmt: skip
    assert record["optimizers"][0]["type"] == "Adam" and record["optimizers"][0]["lr"] == 1e-2
    assert len(record["train_loss"]) == record["steps"] == 16  # two epochs of 8 batches
    assert record["eval_phases"] and record["eval_phases"][0]["n"] == 256
    kinds = {x["kind"] for s in record["activations"] for x in s["layers"]}
    assert kinds == {"linear", "relu"}


def test_functional_activations_and_losses_are_seen():
    """torch.tanh inside a forward is measured (once, not twice through nn.Tanh), and
    F.nll_loss on log-probabilities is a classification loss with accuracy."""

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b, self.act = nn.Linear(4, 8), nn.Linear(8, 3), nn.Tanh()

        def forward(self, x):
            return F.log_softmax(self.b(self.act(torch.tanh(self.a(x)))), dim=1)

    net = Net()
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    with watch() as doc:
        for _ in range(3):
            opt.zero_grad()
            F.nll_loss(net(torch.randn(16, 4)), torch.randint(0, 3, (16,))).backward()
            opt.step()
    names = [x["name"] for x in doc.record["activations"][0]["layers"]]
    assert names == ["a", "F.tanh#1", "act", "b"]
    call = doc.record["loss_calls"][0]
    assert call["kind"] == "nll_loss" and call["num_classes"] == 3 and not call["probabilities"]
    assert 0 <= call["acc"] <= 1 and sum(call["class_counts"]) == 16


def test_the_figure_has_the_four_instruments():
    with watch() as doc:
        train(torch.device("cpu"), steps=10)
    fig = doc.figure()
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == [
        "loss", "gradient RMS per weight matrix", "update / weight ratio",
        "activation std per layer",
    ]  # fmt: skip
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_reporting_before_the_block_ends_is_a_clear_error():
    with watch() as doc, pytest.raises(RuntimeError, match="once the `with watch"):
        doc.report()


def test_a_diverged_run_is_reported_as_strict_json_with_null_for_nan():
    """A loss that became nan is a finding (lr_too_high) and a null in the JSON report."""
    model = nn.Linear(4, 3)
    opt = torch.optim.SGD(model.parameters(), lr=1e10)
    with watch(confirm=False) as doc:
        for _ in range(10):
            opt.zero_grad()
            F.mse_loss(model(torch.randn(16, 4)), torch.randn(16, 3)).backward()
            opt.step()
    assert doc.diagnosis == "lr_too_high"
    text = to_json(doc.as_dict())
    assert "NaN" not in text and "Infinity" not in text
    assert None in json.loads(text)["instruments"]["train_loss"]
