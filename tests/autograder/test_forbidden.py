"""The static own-work scan: what it flags, and what it must leave alone."""

import pytest

from autograder.forbidden import FORBIDDEN, install_tripwires, scan
from autograder.runner import known_exercises


def routines(exercise, source):
    return [f.routine for f in scan(exercise, [("cell", source)])]


@pytest.mark.parametrize(
    "exercise, source",
    [
        ("adam", "opt = torch.optim.Adam([p])"),
        ("adam", "from torch.optim import Adam"),
        ("batchnorm", "y = F.batch_norm(x, m, v)"),
        ("batchnorm", "layer = nn.BatchNorm2d(3)"),
        ("dropout", "y = getattr(F, 'dropout')(x, p)"),
        ("dropout", "import importlib\nf = importlib.import_module('torch.nn.functional').dropout"),
        ("he_init", "nn.init.kaiming_normal_(w)"),
        ("hessian", "from torch.autograd.functional import hessian as h"),
        ("softmax_cross_entropy", "p = z.softmax(dim=-1)"),
        ("softmax_cross_entropy", "l = F.cross_entropy(z, y)"),
        ("lr_schedule", "s = torch.optim.lr_scheduler.LambdaLR(opt, f)"),
        ("layernorm", "y = F.layer_norm(x, x.shape[-1:])"),
        ("momentum", "torch.optim.SGD(ps, lr=0.1, momentum=0.9)"),
        ("rmsprop", "torch.optim.RMSprop(ps)"),
        ("adagrad", "torch.optim.Adagrad(ps)"),
        ("adam", "from autograder.reference import adam_step"),
        ("adam", "import autograder"),
        ("adam", "m = __import__('autograder.reference')"),
        ("adam", "import trainlab"),
    ],
)
def test_flags_delegation(exercise, source):
    assert routines(exercise, source)


@pytest.mark.parametrize(
    "exercise, source",
    [
        ("softmax_cross_entropy", "def cross_entropy(z, y):\n    p = softmax(z)\n    return p"),
        ("dropout", "def dropout(x, p, training, generator=None):\n    return x"),
        ("hessian", "def hessian(loss_fn, theta):\n    '''Not torch.func.hessian.'''\n"),
        ("adam", "print('Adam')  # torch.optim.Adam is mentioned in a comment"),
        ("batchnorm", "y = F.layer_norm(x, (3,))"),  # another exercise's routine
        ("adam", "this is not python ("),
    ],
)
def test_leaves_own_code_alone(exercise, source):
    assert routines(exercise, source) == []


def test_every_exercise_has_forbidden_routines():
    assert set(known_exercises()) <= set(FORBIDDEN)


def _unwrap(exercise):
    """Undo install_tripwires in this process (the child never needs this)."""
    from autograder.forbidden import _resolve

    for path in FORBIDDEN[exercise]:
        owner_path, name = path.rsplit(".", 1)
        owner = _resolve(owner_path)
        current = getattr(owner, name)
        if isinstance(current, type):
            while hasattr(current.__init__, "__wrapped__"):
                current.__init__ = current.__init__.__wrapped__
        else:
            while hasattr(current, "__wrapped__"):
                current = current.__wrapped__
            setattr(owner, name, current)


def test_tripwires_record_only_while_armed():
    import torch
    import torch.nn.functional as F

    try:
        wires = install_tripwires("layernorm")
        x = torch.randn(2, 3)
        F.layer_norm(x, (3,))
        assert wires.take() == []
        wires.armed = True
        F.layer_norm(x, (3,))
        torch.nn.LayerNorm(3)
        wires.armed = False
        taken = wires.take()
        assert "torch.nn.functional.layer_norm" in taken and "torch.nn.LayerNorm" in taken
    finally:
        _unwrap("layernorm")
    assert not hasattr(F.layer_norm, "__wrapped__")
    assert not hasattr(torch.nn.LayerNorm.__init__, "__wrapped__")
