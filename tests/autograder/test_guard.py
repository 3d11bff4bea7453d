"""The child's own-work guard (`autograder.guard`): delegation however reached is refused and
recorded, a disabled guard is recorded, and honest code (elementwise ops, reductions, its own
random draws, its own double backward) runs untouched.

The guard changes the process it runs in (kernels, torch code, an audit hook), so each exercise
runs in a child forked from one prepared Python, as the zygote does.
"""

import json
import subprocess
import sys
import textwrap

import pytest

# exercise → [(label, source of `f(x)`, expected: "ok" or a substring of one trip)]
CASES = {
    "batchnorm": [
        ("honest", "(x - x.mean(0)) / torch.sqrt(x.var(0, unbiased=False) + 1e-5)", "ok"),
        ("F.batch_norm", "F.batch_norm(x, None, None, training=True)", "batch_norm"),
        (
            "_batch_norm_impl_index",
            "torch.ops.aten._batch_norm_impl_index(x, None, None, torch.zeros(3), "
            "torch.ones(3), True, 0.1, 1e-5, False)[0]",
            "aten::_batch_norm_impl_index",
        ),
        (
            "_native_batch_norm_legit_no_training",
            "torch.ops.aten._native_batch_norm_legit_no_training(x, None, None, "
            "torch.zeros(3), torch.ones(3), 0.1, 1e-5)[0]",
            "aten::_native_batch_norm_legit_no_training",
        ),
        ("layer_norm of the transpose", "F.layer_norm(x.T, (8,)).T", "layer_norm"),
        ("mkldnn kernel", "F.batch_norm(x.to_mkldnn(), None, None, training=True)", "batch_norm"),
        (
            "torch._decomp",
            "torch._decomp.decompositions.native_batch_norm(x, None, None, None, None, True, "
            "0.1, 1e-5)[0]",
            "torch._decomp.decompositions.native_batch_norm",
        ),
        ("nn.BatchNorm1d", "torch.nn.BatchNorm1d(3)(x)", "torch.nn.modules.batchnorm"),
        (
            "in a thread",
            "(lambda out: (threading.Thread(target=lambda: out.append(F.batch_norm(x, None, "
            "None, training=True))).start(), out)[1])([])",
            "torch.nn.functional.batch_norm",
        ),
    ],
    "layernorm": [
        (
            "honest",
            "(x - x.mean(-1, keepdim=True)) / (x.var(-1, keepdim=True) + 1e-5).sqrt()",
            "ok",
        ),
        ("vars(torch) layer_norm", "vars(torch)['layer_norm'](x, (3,))", "aten::layer_norm"),
        ("group_norm", "F.group_norm(x, 1)", "group_norm"),
    ],
    "softmax_cross_entropy": [
        (
            "honest softmax",
            "(lambda e: e / e.sum(1, keepdim=True))((x - x.amax(1, keepdim=True)).exp())",
            "ok",
        ),
        ("honest logsumexp", "torch.logsumexp(x, 1) - x[:, 0]", "ok"),
        ("special_softmax", "torch._C._special.special_softmax(x, -1)", "aten::special_softmax"),
        (
            "cross_entropy_loss",
            "torch._C._nn.cross_entropy_loss(x, torch.zeros(8, dtype=torch.long), None, 1, "
            "-100, 0.0)",
            "aten::cross_entropy_loss",
        ),
        ("Tensor.softmax", "x.softmax(1)", "softmax"),
        ("torch._refs", "torch._refs.softmax(x, 1)", "torch._refs.softmax"),
        ("nn.Softmax", "torch.nn.Softmax(dim=1)(x)", "softmax"),
        ("nn.CrossEntropyLoss", "torch.nn.CrossEntropyLoss()(x, torch.zeros(8).long())", "cross"),
        ("honest activation module", "torch.nn.ReLU()(x) + torch.nn.Tanh()(x)", "ok"),
    ],
    "adam": [
        ("honest", "x - 0.1 * x / (x.abs() + 1e-8)", "ok"),
        (
            "_single_tensor_adam",
            "importlib.import_module('torch.optim.adam')._single_tensor_adam([x.clone()], "
            "[x.clone()], [torch.zeros(8, 3)], [torch.zeros(8, 3)], [], [torch.tensor(0.)], "
            "foreach=False, capturable=False, differentiable=False, fused=False, "
            "grad_scale=None, found_inf=None, has_complex=False, amsgrad=False, beta1=0.9, "
            "beta2=0.999, lr=0.1, weight_decay=0, eps=1e-8, maximize=False)",
            "torch.optim.adam._single_tensor_adam",
        ),
        ("torch.optim.Adam", "torch.optim.Adam([x.requires_grad_()])", "torch.optim"),
        ("reloaded", "importlib.reload(importlib.import_module('torch.optim.adam'))", "guard:"),
    ],
    "hessian": [
        (
            "honest double backward",
            "torch.stack([torch.autograd.grad(g[i], t, retain_graph=True)[0] for i in range(3)])"
            " if (t := x[0].detach().requires_grad_()) is not None and (g := torch.autograd."
            "grad((t ** 3).sum(), t, create_graph=True)[0]) is not None else None",
            "ok",
        ),
        (
            "jacobian of jacobian",
            "torch.autograd.functional.jacobian(lambda u: torch.autograd.functional.jacobian("
            "lambda v: (v ** 3).sum(), u, create_graph=True), x[0])",
            "torch.autograd.functional.jacobian",
        ),
        (
            "jacfwd(jacrev)",
            "torch.func.jacfwd(torch.func.jacrev(lambda v: (v ** 3).sum()))(x[0])",
            "torch._functorch",
        ),
        ("vmap", "torch.vmap(torch.sin)(x)", "torch._functorch"),
    ],
    "dropout": [
        ("honest rand >= p", "x * (torch.rand(x.shape) >= 0.5) / 0.5", "ok"),
        ("honest bernoulli", "x * torch.bernoulli(torch.full_like(x, 0.5)) / 0.5", "ok"),
        ("F.dropout", "F.dropout(x, 0.5)", "torch.nn.functional.dropout"),
        ("torch.dropout", "torch.dropout(x, 0.5, True)", "aten::dropout"),
        ("nn.Dropout", "torch.nn.Dropout(0.5)(x)", "torch.nn.modules.dropout"),
    ],
    "he_init": [
        ("honest normal_", "torch.empty(3, 4).normal_(0, 0.5)", "ok"),
        ("honest randn", "torch.randn(3, 4) * 0.5", "ok"),
        ("kaiming_normal_", "torch.nn.init.kaiming_normal_(torch.empty(3, 4))", "kaiming_normal_"),
        ("nn.Linear", "torch.nn.Linear(4, 3).weight", "kaiming_uniform_"),
    ],
}
# disabling the guard: each is recorded, and stays recorded for the later calls
TAMPERING = [
    (
        "restore torch code",
        "setattr(torch.nn.functional.batch_norm, '__code__', (lambda: 0).__code__)",
    ),
    (
        "unregister the kernels",
        "[lib._destroy() for lib in gc.get_objects() if type(lib).__name__ == 'Library']",
    ),
    ("walk the objects", "len(gc.get_objects())"),
    ("start another program", "subprocess.run(['true']).returncode"),
    (
        "a forked process starts a program",
        "os.waitpid(p, 0) if (p := os.fork()) else os.execvp('true', ['true'])",
    ),
]

DRIVER = textwrap.dedent(
    """
    import gc, importlib, json, os, subprocess, sys, threading
    import torch
    import torch.nn.functional as F
    from autograder import guard
    guard.prepare()
    cases, tampering = json.loads(sys.argv[1]), json.loads(sys.argv[2])

    def child(exercise, entries, sticky_check):
        g = guard.Guard(exercise)
        g.loading()
        x = torch.randn(8, 3)
        out = []
        for label, source, _ in entries:
            f = eval("lambda x: " + source)
            value, error, trips = g.run(f, (x,), {})
            out.append([label, trips, type(error).__name__ if error else None])
        if sticky_check:
            out.append(["later honest call", g.run(lambda x: x * 2, (x,), {})[2], None])
        return out

    results = {}
    jobs = [(ex, entries, False) for ex, entries in cases.items()]
    jobs += [("batchnorm", [entry], True) for entry in tampering]
    for i, (exercise, entries, sticky) in enumerate(jobs):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            os.write(w, json.dumps(child(exercise, entries, sticky)).encode())
            os._exit(0)
        os.close(w)
        data = b""
        while chunk := os.read(r, 65536):
            data += chunk
        os.waitpid(pid, 0)
        results[str(i)] = json.loads(data)
    print(json.dumps(results))
    """
)


@pytest.fixture(scope="module")
def outcomes():
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            DRIVER,
            json.dumps(CASES),
            json.dumps([[*t, ""] for t in TAMPERING]),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    by_label = {}
    for i, exercise in enumerate(CASES):
        for label, trips, error in results[str(i)]:
            by_label[(exercise, label)] = (trips, error)
    tampered = [results[str(len(CASES) + j)] for j in range(len(TAMPERING))]
    return by_label, tampered


CASE_IDS = [(ex, label, want) for ex, entries in CASES.items() for label, _, want in entries]


@pytest.mark.parametrize(
    "exercise, label, want", CASE_IDS, ids=[f"{e}-{l}" for e, l, _ in CASE_IDS]
)
def test_delegation_is_refused_and_honest_code_is_not(outcomes, exercise, label, want):
    trips, error = outcomes[0][(exercise, label)]
    if want == "ok":
        assert trips == [] and error is None, (trips, error)
    else:
        assert any(want in t for t in trips), trips


@pytest.mark.parametrize("index", range(len(TAMPERING)), ids=[t[0] for t in TAMPERING])
def test_a_disabled_guard_taints_every_later_call(outcomes, index):
    (_, trips, _), (_, later, _) = outcomes[1][index]
    assert any(t.startswith("guard:") for t in trips), trips
    assert any(t.startswith("guard:") for t in later), later
