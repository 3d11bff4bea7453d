"""The training loop, models and seeding helpers that the chapters use."""

import torch
from torch import nn

from trainlab import evaluate, fit, load_mnist1d, mlp, set_seed
from trainlab.data import MNIST1D


def small_data() -> MNIST1D:
    return load_mnist1d(num_samples=600)


def test_mlp_layout():
    assert [type(m) for m in mlp(hidden=())] == [nn.Linear]
    net = mlp(hidden=(8, 6), batchnorm=True, activation=nn.Tanh)
    kinds = [type(m) for m in net]
    assert kinds == [
        nn.Linear,
        nn.BatchNorm1d,
        nn.Tanh,
        nn.Linear,
        nn.BatchNorm1d,
        nn.Tanh,
        nn.Linear,
    ]
    assert net(torch.zeros(3, 40)).shape == (3, 10)


def test_fit_lowers_the_training_loss_and_records_every_epoch():
    data = small_data()
    set_seed(0)
    model = mlp(hidden=(32,))
    history = fit(model, data, torch.optim.Adam(model.parameters(), 1e-2), epochs=5, batch_size=64)
    assert len(history.train_loss) == len(history.test_acc) == 6  # epoch 0 = before training
    assert len(history.step_loss) == 5 * -(-480 // 64)
    assert history.train_loss[-1] < 0.8 * history.train_loss[0]
    assert set(history.last()) == {"train_loss", "train_acc", "test_loss", "test_acc"}


def test_fit_is_repeatable_with_the_same_seeds():
    data = small_data()
    runs = []
    for _ in range(2):
        set_seed(3)
        model = mlp(hidden=(16,))
        runs.append(fit(model, data, torch.optim.SGD(model.parameters(), 0.1), epochs=2, seed=7))
    assert runs[0].step_loss == runs[1].step_loss


def test_scheduler_is_stepped_once_per_update():
    data = small_data()
    model = mlp(hidden=())
    opt = torch.optim.SGD(model.parameters(), lr=1.0)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: 1.0 / (step + 1))
    fit(model, data, opt, epochs=1, batch_size=100, scheduler=sched)
    assert sched.last_epoch == 5  # 480 training examples / 100 per batch = 5 updates


def test_evaluate_uses_eval_mode_and_restores_it():
    data = small_data()
    model = mlp(hidden=(8,), batchnorm=True)
    model.train()
    before = model[1].running_mean.clone()
    loss, acc = evaluate(model, data.x_test, data.y_test)
    assert model.training and torch.equal(before, model[1].running_mean)
    assert loss > 0 and 0 <= acc <= 1


def test_set_seed_returns_a_seeded_generator():
    a = torch.rand(3, generator=set_seed(5))
    b = torch.rand(3, generator=set_seed(5))
    assert torch.equal(a, b)
