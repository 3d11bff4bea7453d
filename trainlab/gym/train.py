"""The gym's trainer: a configuration in, the doctor's record of the run and its outcome out.

`train(config)` builds the MLP, the optimizer and the loop that the configuration describes
(`trainlab.gym.configs`), trains it on MNIST-1D for `config["steps"]` optimizer steps on one
CPU thread, evaluates on the validation set every `EVAL_EVERY` steps, and observes the whole
run with the doctor's `Recorder` (`trainlab.doctor.instruments`): the run is exactly what the
doctor records. `instruments(record)` keeps what a learner may read of it.

The data are MNIST-1D "in raw units": each of the 40 features is multiplied by its own scale
(log-uniform in [1, 1000]) and shifted by its own offset (in [-100, 100]), drawn from the run's
seed, as if each were measured in different units. `standardize=True` undoes it with the
training set's per-feature mean and standard deviation,
x̂_j = (x_j − mean_j) / std_j.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from trainlab.data import load_mnist1d
from trainlab.doctor.instruments import Recorder
from trainlab.gym.configs import validate

EVAL_EVERY = 25
N_VAL = 500
# what a learner's code receives of a record: the doctor's instruments without the raw loss
# calls (they repeat train_loss and eval_phases batch by batch)
INSTRUMENTS = (
    "steps",
    "layers",
    "optimizers",
    "train_loss",
    "eval_phases",
    "grad_rms",
    "update_ratios",
    "activations",
    "inputs",
    "stale_gradients",
)


@cache
def _mnist1d() -> tuple[torch.Tensor, ...]:
    d = load_mnist1d()
    return d.x_train, d.y_train, d.x_test, d.y_test


def data(config: dict[str, Any]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """(x_train, y_train, x_val, y_val) of the run: `n_train` training and `N_VAL` validation
    examples of MNIST-1D chosen by the seed, in raw units, standardized if the config says so."""
    x_all, y_all, x_test, y_test = _mnist1d()
    g = torch.Generator().manual_seed(config["seed"])
    train_idx = torch.randperm(len(x_all), generator=g)[: config["n_train"]]
    val_idx = torch.randperm(len(x_test), generator=g)[:N_VAL]
    scale = torch.exp(torch.rand(x_all.shape[1], generator=g) * math.log(1000.0))
    offset = (torch.rand(x_all.shape[1], generator=g) * 2 - 1) * 100
    x_train = x_all[train_idx] * scale + offset
    x_val = x_test[val_idx] * scale + offset
    if config["standardize"]:
        mean, std = x_train.mean(dim=0), x_train.std(dim=0)
        x_train, x_val = (x_train - mean) / std, (x_val - mean) / std
    return x_train, y_all[train_idx], x_val, y_test[val_idx]


_ACTIVATIONS = {"relu": nn.ReLU, "leaky_relu": nn.LeakyReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}


def model(config: dict[str, Any], in_features: int = 40, classes: int = 10) -> nn.Sequential:
    """[Linear → (norm) → activation → (dropout)] per hidden width, then Linear, initialized as
    the config says (`he`: N(0, 2/fan_in); `xavier`: N(0, 2/(fan_in + fan_out)); `normal`:
    N(0, init_std²); `default`: PyTorch's), biases set to `bias_init` unless it is None."""
    layers: list[nn.Module] = []
    width = in_features
    for h in config["hidden"]:
        layers.append(nn.Linear(width, h))
        if config["norm"] == "batchnorm":
            layers.append(nn.BatchNorm1d(h))
        elif config["norm"] == "layernorm":
            layers.append(nn.LayerNorm(h))
        layers.append(_ACTIVATIONS[config["activation"]]())
        if config["dropout"] > 0:
            layers.append(nn.Dropout(config["dropout"]))
        width = h
    layers.append(nn.Linear(width, classes))
    net = nn.Sequential(*layers)
    with torch.no_grad():
        for m in net:
            if not isinstance(m, nn.Linear):
                continue
            fan_out, fan_in = m.weight.shape
            if config["init"] == "he":
                m.weight.normal_(0, math.sqrt(2 / fan_in))
            elif config["init"] == "xavier":
                m.weight.normal_(0, math.sqrt(2 / (fan_in + fan_out)))
            elif config["init"] == "normal":
                m.weight.normal_(0, config["init_std"])
            if config["bias_init"] is not None and m is not layers[-1]:
                m.bias.fill_(config["bias_init"])
    return net


def optimizer(config: dict[str, Any], params) -> torch.optim.Optimizer:
    if config["optimizer"] == "sgd":
        return torch.optim.SGD(
            params, lr=config["lr"], momentum=config["momentum"],
            weight_decay=config["weight_decay"], foreach=True,
        )  # fmt: skip
    return torch.optim.Adam(
        params, lr=config["lr"], weight_decay=config["weight_decay"], foreach=True
    )


def _loss(config: dict[str, Any], logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    if config["loss"] == "mse":
        return F.mse_loss(logits, F.one_hot(y, logits.shape[1]).float())
    return F.cross_entropy(logits, y)


def train(config: dict[str, Any], record: bool = True) -> dict[str, Any]:
    """Train the configuration under the doctor's recorder; returns
    `{"config", "record", "outcome"}` (plain data), `outcome` holding the final validation
    accuracy and loss (NaN once diverged), the best validation loss and the last train loss.
    Deterministic: one thread, every random draw from the config's seed. `record=False` trains
    without the recorder (about 1.5× faster; the recorder only reads, so the outcome is the
    same) and returns `record` None."""
    config = validate(config)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _train(config, Recorder(activation_every=10, step_every=5) if record else None)
    finally:
        torch.set_num_threads(threads)


def _train(config: dict[str, Any], recorder: Recorder | None) -> dict[str, Any]:
    x, y, x_val, y_val = data(config)
    torch.manual_seed(config["seed"])
    net = model(config)
    opt = optimizer(config, net.parameters())
    g = torch.Generator().manual_seed(config["seed"] + 1)
    B = min(config["batch_size"], len(x))
    order = torch.randperm(len(x), generator=g) if config["shuffle"] else torch.argsort(y)
    position = 0
    val_curve: list[tuple[float, float]] = []
    train_loss: list[float] = []
    if recorder is not None:
        recorder.start()
    try:
        for step in range(config["steps"] + 1):
            if step % EVAL_EVERY == 0 or step == config["steps"]:
                val_curve.append(_evaluate(config, net, x_val, y_val))
            if step == config["steps"]:
                break
            if position + B > len(x):
                position = 0
                if config["shuffle"]:
                    order = torch.randperm(len(x), generator=g)
            idx = order[position : position + B]
            position += B
            loss = _loss(config, net(x[idx]), y[idx])
            if config["zero_grad"]:
                opt.zero_grad()
            loss.backward()
            opt.step()
            train_loss.append(float(loss.detach()))
    finally:
        if recorder is not None:
            recorder.stop()
    record = recorder.record() if recorder is not None else None
    acc, val_loss = val_curve[-1]
    finite = [v for _, v in val_curve if math.isfinite(v)]
    outcome = {
        "val_acc": acc,
        "val_loss": val_loss,
        "best_val_loss": min(finite) if finite else math.nan,
        "train_loss": train_loss[-1] if train_loss else math.nan,
        "diverged": not math.isfinite(val_loss),
    }
    return {"config": config, "record": record, "outcome": outcome}


def _evaluate(config, net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """(accuracy, loss) on the validation set, in eval mode without gradients."""
    net.eval()
    with torch.no_grad():
        logits = net(x)
        loss = float(_loss(config, logits, y))
        acc = float((logits.argmax(dim=1) == y).float().mean())
    net.train()
    return acc, loss


def instruments(record: dict[str, Any]) -> dict[str, Any]:
    """What a learner's code may read of a record: `INSTRUMENTS`, nothing about the cause."""
    return {k: record[k] for k in INSTRUMENTS}
