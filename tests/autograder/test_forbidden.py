"""The static own-work scan: what it flags, and what it must leave alone."""

import pytest

from autograder.forbidden import FORBIDDEN, scan
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
        ("adam", "import torch.optim.adam as a\na._single_tensor_adam(ps, gs)"),
        ("softmax_cross_entropy", "p = torch._C._special.special_softmax(z, -1)"),
        ("softmax_cross_entropy", "l = torch._C._nn.cross_entropy_loss(z, y, None, 1, -100, 0.0)"),
        (
            "batchnorm",
            "y = torch.ops.aten._batch_norm_impl_index(x, w, b, m, v, True, 0.1, 1e-5, 0)",
        ),
        (
            "batchnorm",
            "y = torch.ops.aten._native_batch_norm_legit_no_training(x, w, b, m, v, .1, 1)",
        ),
        ("hessian", "from torch.autograd.functional import jacobian"),
        ("hessian", "H = torch.func.jacfwd(torch.func.jacrev(f))(x)"),
        ("layernorm", "f = sys._getframe(1).f_locals"),
        ("momentum", "import gc\nobjs = gc.get_objects()"),
        ("dropout", "g.__code__ = h.__code__"),
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
        ("batchnorm", "y = F.softmax(x, dim=-1)"),  # another exercise's routine
        ("adam", "this is not python ("),
    ],
)
def test_leaves_own_code_alone(exercise, source):
    assert routines(exercise, source) == []


def test_every_exercise_has_forbidden_routines():
    assert set(known_exercises()) <= set(FORBIDDEN)
