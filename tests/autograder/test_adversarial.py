"""The adversarial corpus: submissions that attack the grader, graded END TO END by the CLI.

Each row of `CASES` is one student (a folder) with one `momentum` notebook (or a malformed
file), and what the grader must make of it: no unearned points, a clear message, and the batch
goes on (the `honest` student of the same run earns full marks). Every case is graded in ONE
CLI invocation (`--jobs 2`, 6 s per exercise). The attacks that need the judge to run as root
to be stopped (signalling the judge, reading or writing its files) are only built as root: as
the same unprivileged user the child can do all of that (see autograder/README.md).
"""

import csv
import hashlib
import io
import json
import os
import shlex
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import autograder_corpus as corpus
import nbformat
import pytest

from autograder import cgroups
from autograder.reader import MAX_NOTEBOOK_BYTES
from autograder.worker import UID_BASE

pytestmark = pytest.mark.slow

ROOT_ONLY = os.geteuid() != 0
NO_CGROUPS = not cgroups.hierarchies()
WRONG = "def momentum_step(theta, grad, movement, lr, momentum):\n    return theta, movement\n"
CORRECT = corpus.correct_source("momentum")
FULL = 10.0  # the momentum exercise's points
NEIGHBOUR = CORRECT.replace(
    "def momentum_step(",
    "def momentum_step(*args, **kwargs):\n    sum(range(3_000_000))\n"
    "    return _momentum_step(*args, **kwargs)\n\n\ndef _momentum_step(",
    1,
)
FORMULA_ID = '=HYPERLINK("evil.example","prize")'
# raised by each of 1,900 solution cells: a Markdown heading with a forged score, a fence
FORGED_HEADING = "raise ValueError('\\n# Automatic score: 10 / 10\\n```\\n' + 'z' * 200)\n"
FEEDBACK_BOUND = 200_000  # bytes of any file a learner reads (autograder/README.md)
# a covered file: a mode-000 folder over it, or (a course checkout under /tmp) not there at all
UNREADABLE = ("PermissionError", "FileNotFoundError")


@dataclass
class Case:
    id: str
    source: str | None  # the solution cell (None: `raw` builds the file)
    score: str  # "zero" | "full"
    says: tuple = ()  # each in the feedback (a tuple: one of them), or the exercise's problem
    root_only: bool = False
    raw: str | None = None  # a malformed-notebook kind
    layout: str | None = None  # where the file is (see `_place`), instead of <id>/momentum.ipynb
    cgroups_only: bool = False  # only stopped where the judge can make cgroups
    exercise: str = "momentum"


def _attack(body: str, returns: str = "theta, movement") -> str:
    indented = "".join(f"    {line}\n" for line in body.strip("\n").splitlines())
    return (
        "import os, sys, signal, math\n"
        "def momentum_step(theta, grad, movement, lr, momentum):\n"
        f"{indented}"
        f"    return {returns}\n"
    )


CASES = [
    Case(
        "patch_the_comparisons",
        WRONG + "torch.allclose = lambda *a, **k: True\n"
        "torch.equal = lambda *a, **k: True\n"
        "torch.testing.assert_close = lambda *a, **k: None\n"
        "import numpy.testing\n"
        "numpy.testing.assert_allclose = lambda *a, **k: None\n"
        "np.allclose = lambda *a, **k: True\n"
        "math.isclose = lambda *a, **k: True\n",
        "zero",
        ("momentum_step",),
    ),
    Case(
        "tensor_subclass_eq_and_torch_function",
        "class Liar(torch.Tensor):\n"
        "    def __eq__(self, other):\n        return True\n"
        "    @classmethod\n"
        "    def __torch_function__(cls, func, types, args=(), kwargs=None):\n"
        "        return True\n" + _attack("t = torch.zeros_like(theta).as_subclass(Liar)", "t, t"),
        "zero",
        ("an object of type __main__.Liar",),
    ),
    Case(
        "object_with_eq_and_array",
        "class Anything:\n"
        "    def __eq__(self, other):\n        return True\n"
        "    def __array__(self, dtype=None, copy=None):\n        return np.zeros(5)\n"
        "    def __float__(self):\n        return 0.0\n" + _attack("a = Anything()", "a, a"),
        "zero",
        ("Anything",),
    ),
    Case(
        "right_values_wrong_dtype",
        _attack("m = momentum * movement - lr * grad", "(theta + m).half(), m.half()"),
        "zero",
        ("dtype",),
    ),
    Case(
        "right_values_wrong_shape",
        _attack("m = momentum * movement - lr * grad", "(theta + m)[None], m[None]"),
        "zero",
        ("shape",),
    ),
    Case(
        "right_values_meta_device",
        _attack("m = momentum * movement - lr * grad", "(theta + m).to('meta'), m.to('meta')"),
        "zero",
    ),
    Case(
        "ipython_hooks",
        "try:\n"
        "    ip = get_ipython()\n"
        "    ip.events.register('pre_run_cell', lambda *a: None)\n"
        "    ip.input_transformers_cleanup.append(lambda lines: lines)\n"
        "except NameError:\n"
        "    ip = None\n" + _attack("raise RuntimeError(f'get_ipython gave {ip!r}')"),
        "zero",
        ("get_ipython gave None",),
    ),
    Case("sys_exit_in_a_cell_keeps_earned_points", CORRECT + "\nsys.exit(0)\n", "full"),
    Case(
        "os_exit_in_the_function",
        _attack("os._exit(0)"),
        "zero",
        ("do not call exit()",),
    ),
    Case(
        "kill_the_judge_and_every_process",
        _attack(
            "for pid in [os.getppid(), 1] + [int(p) for p in os.listdir('/proc') if p.isdigit()]:\n"
            "    if pid != os.getpid():\n"
            "        try:\n"
            "            os.kill(pid, signal.SIGKILL)\n"
            "        except OSError:\n"
            "            pass\n"
        ),
        "zero",
        root_only=True,
    ),
    Case(
        "endless_loop",
        _attack("while True:\n    pass"),
        "zero",
        ("did not finish within the 6 s",),
    ),
    Case(
        "ignore_sigint_and_sigterm",
        _attack(
            "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
            "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
            "while True:\n    pass"
        ),
        "zero",
        ("did not finish within the 6 s",),
    ),
    Case(
        "fork_bomb",
        _attack(
            "import time\n"
            "n = 0\n"
            "try:\n"
            "    while True:\n"
            "        if os.fork() == 0:\n"
            "            time.sleep(60)\n"
            "            os._exit(0)\n"
            "        n += 1\n"
            "except OSError:\n"
            "    raise RuntimeError(f'fork refused after {n} children')"
        ),
        "zero",
    ),
    Case(
        "daemon_outlives_the_batch",
        _attack(
            "if os.fork() == 0:\n"
            "    os.setsid()\n"
            "    if os.fork() == 0:\n"
            "        os.execvp('sleep', DAEMON)\n"
            "    os._exit(0)\n"
        ),
        "zero",
    ),
    Case("memory_bomb", _attack("x = bytearray(64 << 30)"), "zero", ("MemoryError",)),
    Case(
        "huge_stdout",
        CORRECT + "\nfor _ in range(64):\n    sys.stdout.write('x' * (1 << 20))\n",
        "full",
    ),
    Case(
        "write_outside_the_workdir",
        _attack(
            "for path in TARGETS:\n"
            "    try:\n"
            "        with open(path, 'a') as f:\n"
            "            f.write('pwned')\n"
            "    except OSError:\n"
            "        pass\n"
        ),
        "zero",
        root_only=True,
    ),
    Case(
        "leave_files_in_tmp_and_dev_shm",
        _attack(
            "for folder in ('/tmp', '/var/tmp', '/dev/shm'):\n"
            "    with open(os.path.join(folder, LITTER), 'w') as f:\n"
            "        f.write('for the next submission')\n"
        ),
        "zero",
        root_only=True,
    ),
    Case(
        "read_secrets_and_other_work",
        _attack(
            "seen = []\n"
            "for path in READS:\n"
            "    try:\n"
            "        seen.append(open(path).read()[:200])\n"
            "    except OSError as error:\n"
            "        seen.append(type(error).__name__)\n"
            "seen.append(repr(sorted(os.environ.items())))\n"
            "raise ValueError(' | '.join(seen))"
        ),
        "zero",
        (UNREADABLE,),
        root_only=True,
    ),
    Case(
        "exec_the_reference_source",
        _attack(
            "ns = {}\n"
            "exec(open(REFERENCE).read(), ns)\n"
            "return ns['momentum_step'](theta, grad, movement, lr, momentum)"
        ),
        "zero",
        (UNREADABLE,),
        root_only=True,
    ),
    Case(
        "open_a_network_socket",
        _attack("import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=2)"),
        "zero",
        ("OSError",),
    ),
    Case(
        "import_the_reference_dynamically",
        _attack("ref = __import__('auto' + 'grader.reference', fromlist=['x'])"),
        "zero",
        ("not available while grading",),
    ),
    Case(
        "detect_grading_and_cheat",
        _attack(
            "if os.environ.get('HOME', '').startswith('/tmp/autograder-'):\n"
            "    torch.allclose = lambda *a, **k: True\n"
            "    return theta * 0, movement * 0"
        ),
        "zero",
    ),
    Case(
        "pickle_payload",
        "class Evil:\n"
        "    def __reduce__(self):\n"
        "        return (os.system, ('touch ' + PWNED,))\n"
        + _attack("", "np.array([Evil()], dtype=object), Evil()"),
        "zero",
    ),
    Case("invalid_json", None, "zero", ("invalid JSON",), raw="invalid_json"),
    Case("nbformat_3", None, "zero", ("nbformat 3",), raw="nbformat_3"),
    Case("binary_garbage", None, "zero", ("not UTF-8 text",), raw="binary"),
    Case("duplicated_grade_id", None, "zero", ("share the grade_id",), raw="duplicated"),
    Case("missing_grade_id", None, "zero", ("has no grade_id",), raw="missing_id"),
    Case("solution_cell_as_markdown", None, "zero", ("no solution cells",), raw="markdown"),
    Case("no_code", None, "zero", ("contain no code",), raw="no_code"),
    Case("file_of_200_mb", None, "zero", ("notebooks over 20 MiB",), raw="huge"),
    # --- harm to other students and to the batch (issue 12)
    Case("gradebook.csv", CORRECT, "full", layout="top_level_file"),
    Case("victim1", CORRECT, "full", layout="with_a_dotted_twin"),
    Case("victim2", CORRECT, "full", layout="with_a_loose_file_of_its_name"),
    Case("symlink_to_another_students_notebook", None, "zero", ("symbolic link",), layout="link"),
    Case("symlink_to_proc_self_pagemap", None, "zero", ("symbolic link",), layout="pagemap"),
    Case("fifo_named_like_a_notebook", None, "zero", ("FIFO",), layout="fifo"),
    Case("linked_student_folder", None, "zero", ("symbolic link",), layout="linked_folder"),
    Case(
        "reply_of_128_mib",
        _attack("", "torch.zeros(32 << 20), movement"),
        "zero",
        ("at most",),
    ),
    Case(
        "forged_reply_frame",
        _attack(
            "import struct\n"
            "# the names are built at run time, so the static scan cannot see them\n"
            "local, back = 'f_' + 'locals', 'f_' + 'back'\n"
            "frame = getattr(sys, '_get' + 'frame')()\n"
            "while 'out_fd' not in getattr(frame, local):\n"
            "    frame = getattr(frame, back)\n"
            'header = b\'{"kind":"result","payload":{"t":"float","v":"0x1p99999"}}\'\n'
            "prefix = struct.pack('<4sIQ', b'AGP1', len(header), 0)\n"
            "os.write(getattr(frame, local)['out_fd'], prefix + header)"
        ),
        "zero",
        ("sent garbage",),
    ),
    Case(
        "cpu_burners_in_their_own_sessions",
        # as the cell runs, one cheap fork: a shell that starts 200 burners, each in a session
        # of its own; then the function waits for the end of the exercise
        "import os\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    os.execvp('sh', SPAWNER)\n" + _attack("import time\nwhile True:\n    time.sleep(1)"),
        "zero",
        ("did not finish within the 6 s",),
        cgroups_only=True,
    ),
    # graded right after the burners, beside them (--jobs 2): correct, and ~30 ms of CPU per
    # call, so that it would run out of its 6 s if the burners took every core; keeps full marks
    Case("cpu_burners_neighbour", NEIGHBOUR, "full", cgroups_only=True),
    Case(
        "sysv_shm_1_create_256_mib",
        # and a semaphore set and a message queue of the same key: no kind may outlive it
        "import ctypes\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "libc.shmat.restype = ctypes.c_void_p\n"
        "libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]\n"
        "shmid = libc.shmget(SHM_KEY, 256 << 20, 0o1000 | 0o666)\n"
        "ctypes.memmove(libc.shmat(shmid, None, 0), b'left for the next child', 23)\n"
        "semid = libc.semget(SHM_KEY, 1, 0o1000 | 0o666)\n"
        "ids = (shmid, semid, libc.msgget(SHM_KEY, 0o1000 | 0o666))\n"
        + _attack("raise ValueError('IPC objects ' + ('created' if min(ids) >= 0 else 'refused'))"),
        "zero",
        ("IPC objects created",),
        root_only=True,
    ),
    Case(
        "sysv_shm_2_read_it_later",
        _attack(
            "import ctypes\n"
            "libc = ctypes.CDLL(None, use_errno=True)\n"
            "libc.shmat.restype = ctypes.c_void_p\n"
            "libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]\n"
            "shmid = libc.shmget(SHM_KEY, 0, 0o666)\n"
            "if shmid < 0:\n"
            "    raise ValueError(f'shmget errno {ctypes.get_errno()}')\n"
            "found = ctypes.string_at(libc.shmat(shmid, None, 0), 23)\n"
            "return torch.full_like(theta, float(len(found))), movement"
        ),
        "zero",
        ("shmget errno 2",),
        root_only=True,
    ),
    Case(
        "read_the_secret_through_its_link",
        _attack(
            "seen = []\n"
            "for path in SECRET_PATHS:\n"
            "    try:\n"
            "        seen.append(repr(open(path).read()[:200]))\n"
            "    except OSError as error:\n"
            "        seen.append(type(error).__name__)\n"
            "raise ValueError(' | '.join(seen))"
        ),
        "zero",
        ("ValueError",),
        root_only=True,
    ),
    # --- output integrity (issue 12): what a notebook or a folder name puts into the outputs
    Case(FORMULA_ID, CORRECT, "full"),  # a student id that is a spreadsheet formula
    Case("written_points_nan_and_1e999", None, "full", raw="written_points"),
    Case(
        "failing_cells_with_forged_headings",
        None,
        "zero",
        ("is not defined by your solution cells",),
        raw="failing_cells",
    ),
]
# Unearned marks (issue 12): delegation reached where the static scan does not look, and wrong
# code that statistical checks used to accept. Each is graded for its own exercise.
_BATCHNORM_ATEN = """
def batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    rm, rv = running_mean.clone(), running_var.clone()
    op = getattr(torch.ops.aten, '_batch_norm_impl_' + 'index')
    if not training:
        op = getattr(torch.ops.aten, '_native_batch_norm_legit_' + 'no_training')
        return op(x, gamma, beta, rm, rv, momentum, eps)[0], rm, rv
    y = op(x, gamma, beta, rm, rv, True, momentum, eps, False)[0]
    return y, rm, rv
"""
_ADAM_PRIVATE = """
import importlib
def adam_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    kernel = getattr(importlib.import_module('torch.optim.' + 'adam'), '_single_tensor_' + 'adam')
    theta, m, v = theta.clone(), m.clone(), v.clone()
    step = torch.tensor(float(t - 1), dtype=theta.dtype)
    kernel([theta], [grad], [m], [v], [], [step], None, None, amsgrad=False,
           has_complex=False, beta1=beta1, beta2=beta2, lr=lr, weight_decay=0.0, eps=eps,
           maximize=False, capturable=False, differentiable=False,
           decoupled_weight_decay=False)
    return theta, m, v
"""
_SOFTMAX_PRIVATE = """
def softmax(z, dim=-1):
    return getattr(getattr(torch._C, '_spec' + 'ial'), 'special_' + 'softmax')(z, dim)
def cross_entropy(logits, target):
    loss = getattr(getattr(torch._C, '_' + 'nn'), 'cross_entropy_' + 'loss')
    return loss(logits, target, None, 1, -100, 0.0)
"""
_LAYERNORM_WRAPPED = """
def layer_norm(x, gamma, beta, eps=1e-5):
    f = vars(torch)['layer' + '_norm']
    f = getattr(f, '__wrap' + 'ped__', f)
    return f(x, x.shape[-1:], gamma, beta, eps)
"""
_HESSIAN_JACOBIAN = """
import torch.autograd.functional as AF
def hessian(loss_fn, theta):
    jac = getattr(AF, 'jaco' + 'bian')
    g = lambda t: jac(lambda u: loss_fn(u).reshape(()), t, create_graph=True)
    H = jac(g, theta.detach())
    return ((H + H.T) / 2).detach()
def classify_critical_point(H, tol=1e-6):
    lam = torch.linalg.eigvalsh(H)
    if bool((lam > tol).any()) and bool((lam < -tol).any()):
        return 'saddle point'
    if bool((lam > tol).all()):
        return 'local minimum'
    if bool((lam < -tol).all()):
        return 'local maximum'
    return 'inconclusive'
def escape_direction(H):
    return torch.linalg.eigh(H).eigenvectors[:, 0]
def minimum_ratio(H, tol=1e-6):
    return float((torch.linalg.eigvalsh(H) > tol).double().mean())
"""
_HESSIAN_FUNC = _HESSIAN_JACOBIAN.replace(
    "    jac = getattr(AF, 'jaco' + 'bian')\n"
    "    g = lambda t: jac(lambda u: loss_fn(u).reshape(()), t, create_graph=True)\n"
    "    H = jac(g, theta.detach())\n",
    "    fn = getattr(torch, 'fu' + 'nc')\n"
    "    forward, reverse = getattr(fn, 'jac' + 'fwd'), getattr(fn, 'jac' + 'rev')\n"
    "    H = forward(reverse(lambda u: loss_fn(u).reshape(())))(theta.detach())\n",
)
_DROPOUT_ROTATED_BLOCK = """
def dropout(x, p, training, generator=None):
    if not training or p == 0.0:
        return x.clone()
    if p == 1.0:
        return torch.zeros_like(x)
    n = x.numel()
    keep = round((1 - p) * n)
    shift = int(torch.randint(0, n, (1,), generator=generator, device=x.device))
    mask = torch.zeros(n, dtype=torch.bool, device=x.device)
    mask[:keep] = True
    return x * torch.roll(mask, shift).reshape(x.shape) / (1 - p)
"""
_HE_INIT_QUANTILE_ROWS = """
def he_init(shape, generator=None, dtype=None, device=None):
    if device is None and generator is not None:
        device = generator.device
    dtype = torch.get_default_dtype() if dtype is None else dtype
    cols = math.prod(shape[1:])
    std = math.sqrt(2.0 / cols)
    q = (torch.arange(cols, dtype=torch.float64) + 0.5) / cols
    order = torch.randperm(cols, generator=generator, device=generator.device).cpu()
    row = (torch.special.ndtri(q) * std)[order]
    return row.repeat(shape[0], 1).reshape(tuple(shape)).to(dtype=dtype, device=device)
"""
_UNREGISTER_THEN_DELEGATE = """
import gc
def batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    for obj in getattr(gc, 'get_' + 'objects')():
        if type(obj).__name__ == 'Library':
            getattr(obj, '_de' + 'stroy')()
    rm, rv = running_mean.clone(), running_var.clone()
    y = getattr(torch, 'batch' + '_norm')(x, gamma, beta, rm, rv, training, momentum, eps, False)
    return y, rm, rv
"""
_HONEST_DROPOUT = {
    "rand_ge_p": "torch.rand(x.shape, generator=generator, dtype=x.dtype, device=x.device) >= p",
    "rand_lt_keep": "torch.rand(x.shape, generator=generator, device=x.device) < 1 - p",
    "bernoulli": "torch.bernoulli(torch.full_like(x, 1 - p), generator=generator).bool()",
    "empty_bernoulli_": "torch.empty_like(x).bernoulli_(1 - p, generator=generator) > 0",
}
_HONEST_HE_INIT = {
    "empty_normal_": "torch.empty(tuple(shape), dtype=dtype, device=device).normal_(0, std, "
    "generator=generator)",
    "randn_times_std": "torch.randn(tuple(shape), generator=generator, dtype=dtype, "
    "device=device) * std",
    "torch_normal": "torch.normal(0.0, std, tuple(shape), generator=generator, dtype=dtype, "
    "device=device)",
}


def _honest_dropout(mask: str) -> str:
    return (
        "def dropout(x, p, training, generator=None):\n"
        "    if not 0.0 <= p <= 1.0:\n        raise ValueError('p must be in [0, 1]')\n"
        "    if not training or p == 0.0:\n        return x.clone()\n"
        "    if p == 1.0:\n        return torch.zeros_like(x)\n"
        f"    mask = {mask}\n"
        "    return x * mask / (1 - p)\n"
    )


def _honest_he_init(draw: str) -> str:
    return (
        "def he_init(shape, generator=None, dtype=None, device=None):\n"
        "    if len(shape) < 2:\n        raise ValueError('a weight shape needs 2 dims')\n"
        "    if device is None and generator is not None:\n        device = generator.device\n"
        "    dtype = torch.get_default_dtype() if dtype is None else dtype\n"
        "    std = math.sqrt(2.0 / math.prod(shape[1:]))\n"
        f"    return {draw}\n"
    )


DELEGATED = ("very routine this exercise asks you to write yourself",)
UNEARNED = [
    Case("batchnorm_through_private_aten_ops", _BATCHNORM_ATEN, "zero",
         ("aten::_batch_norm_impl_index", *DELEGATED), exercise="batchnorm"),
    Case("adam_through_single_tensor_adam", _ADAM_PRIVATE, "zero",
         ("torch.optim.adam._single_tensor_adam", *DELEGATED), exercise="adam"),
    Case("softmax_and_cross_entropy_through_torch_C", _SOFTMAX_PRIVATE, "zero",
         ("aten::special_softmax", "aten::cross_entropy_loss"), exercise="softmax_cross_entropy"),
    Case("layernorm_through_the_tripwire_wrapped", _LAYERNORM_WRAPPED, "zero",
         ("aten::layer_norm", *DELEGATED), exercise="layernorm"),
    Case("hessian_as_jacobian_of_jacobian", _HESSIAN_JACOBIAN, "zero",
         ("torch.autograd.functional.jacobian", *DELEGATED), exercise="hessian"),
    Case("hessian_as_jacfwd_of_jacrev", _HESSIAN_FUNC, "zero",
         ("torch._functorch", *DELEGATED), exercise="hessian"),
    Case("unregister_the_guard_then_delegate", _UNREGISTER_THEN_DELEGATE, "zero",
         ("garbage collector's objects",), exercise="batchnorm"),
    # a fresh Python has no guard and could compute the exercise with torch's own routine; any
    # program it starts taints the exercise, here a harmless one before a correct answer
    Case("start_a_program_then_answer_correctly",
         "import subprocess\n" + CORRECT.replace(
             "def momentum_step(", "def _step(", 1) + "\ndef momentum_step(*args, **kwargs):\n"
         "    subprocess.run(['true'], check=False)\n    return _step(*args, **kwargs)\n",
         "zero", ("started another program",)),
    Case("dropout_mask_is_a_rotated_block", _DROPOUT_ROTATED_BLOCK, "zero",
         ("did not drop entries independently", "neighbouring entries of a row"),
         exercise="dropout"),
    Case("he_init_identical_rows_of_quantiles", _HE_INIT_QUANTILE_ROWS, "zero",
         ("did not draw its weights independently", "neighbouring rows"), exercise="he_init"),
    *(Case(f"honest_dropout_{k}", _honest_dropout(v), "full", exercise="dropout")
      for k, v in _HONEST_DROPOUT.items()),
    *(Case(f"honest_he_init_{k}", _honest_he_init(v), "full", exercise="he_init")
      for k, v in _HONEST_HE_INIT.items()),
]  # fmt: skip
CASES += UNEARNED
ACTIVE = [
    c for c in CASES if not (c.root_only and ROOT_ONLY) and not (c.cgroups_only and NO_CGROUPS)
]


def _raw(path, kind: str) -> None:
    if kind == "invalid_json":
        corpus.raw_notebook(path, b'{"cells": [')
    elif kind == "nbformat_3":
        corpus.raw_notebook(path, {"nbformat": 3, "worksheets": [], "metadata": {}})
    elif kind == "binary":
        corpus.raw_notebook(path, bytes(range(256)) * 4)
    elif kind == "duplicated":
        corpus.notebook(path, "momentum", [CORRECT, "x = 1"], grade_ids=["m-1", "m-1"])
    elif kind == "missing_id":
        corpus.notebook(path, "momentum", [CORRECT], grade_ids=[None])
    elif kind == "markdown":
        corpus.notebook(path, "momentum", CORRECT)
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("solution"):
                cell.cell_type = "markdown"
                cell.pop("outputs", None)
                cell.pop("execution_count", None)
        path.write_text(json.dumps(nb))
    elif kind == "no_code":
        corpus.notebook(path, "momentum", "# I will do this later\n")
    elif kind == "written_points":  # points "NaN", "1e999" and the JSON number 1e999
        corpus.notebook(path, "momentum", CORRECT, manual_points=1)
        nb = json.loads(path.read_text())
        (written,) = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade")]
        for i, points in enumerate(["NaN", "1e999", "PLACEHOLDER"]):
            cell = json.loads(json.dumps(written))
            cell["metadata"]["nbgrader"].update(points=points, grade_id=f"momentum-written-{i}")
            nb["cells"].insert(-1, cell)
        nb["cells"].remove(written)
        path.write_text(json.dumps(nb).replace('"PLACEHOLDER"', "1e999"))
    elif kind == "failing_cells":  # a 0.5 MB notebook, every solution cell raising
        corpus.notebook(path, "momentum", [FORGED_HEADING] * 1900)
        assert path.stat().st_size > 500_000
    elif kind == "huge":
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as f:  # sparse: instant, and no disk used
            f.truncate(200 << 20)
        assert os.path.getsize(path) > MAX_NOTEBOOK_BYTES


def _place(case: Case, subs: Path, source: str) -> None:
    """Build a case whose file is not simply <id>/momentum.ipynb (links, FIFOs, collisions)."""
    honest = subs / "honest" / "momentum.ipynb"
    path = subs / case.id / "momentum.ipynb"
    if case.layout == "top_level_file":
        corpus.notebook(subs / f"{case.id}.ipynb", "momentum", source)
    elif case.layout == "with_a_dotted_twin":  # `victim1.` sanitizes to the victim's folder
        corpus.notebook(path, "momentum", source)
        corpus.notebook(subs / f"{case.id}." / "momentum.ipynb", "momentum", WRONG)
    elif case.layout == "with_a_loose_file_of_its_name":  # `victim2.ipynb` beside `victim2/`
        corpus.notebook(path, "momentum", source)
        corpus.notebook(subs / f"{case.id}.ipynb", "momentum", WRONG)
    elif case.layout in ("link", "pagemap", "fifo"):
        path.parent.mkdir(parents=True)
        if case.layout == "fifo":
            os.mkfifo(path)
        else:
            path.symlink_to(honest if case.layout == "link" else "/proc/self/pagemap")
    elif case.layout == "linked_folder":
        (subs / case.id).symlink_to(subs / "honest", target_is_directory=True)
    else:
        raise ValueError(case.layout)


def _secret(root: Path) -> tuple[Path, list[str]]:
    """The course secret as Kubernetes mounts one: `secret.txt -> ..data/secret.txt`,
    `..data -> ..2026_12_02`, the file world-readable. As root it lies outside the scratch
    folders that every child gets a private tmpfs over, so only hiding it protects it."""
    folder = root / "secret"
    if not ROOT_ONLY:
        folder = Path(f"/var/lib/autograder-corpus-secret-{os.getpid()}")
        shutil.rmtree(folder, ignore_errors=True)
    (folder / "..2026_12_02").mkdir(parents=True)
    folder.chmod(0o755)
    target = folder / "..2026_12_02" / "secret.txt"
    target.write_text("adversarial-corpus-secret\n")
    target.chmod(0o644)
    (folder / "..data").symlink_to("..2026_12_02")
    (folder / "secret.txt").symlink_to("..data/secret.txt")
    paths = [folder / "secret.txt", folder / "..data" / "secret.txt", target]
    return folder / "secret.txt", [str(p) for p in paths]


def _ipc_objects() -> list[tuple[str, int, int]]:
    """(kind, key, owner uid) of every System V IPC object of this IPC namespace: shared-memory
    segments, semaphore sets and message queues (what `ipcs` lists)."""
    found = []
    for kind in ("shm", "sem", "msg"):
        with open(f"/proc/sysvipc/{kind}") as f:
            header, *rows = (line.split() for line in f.read().splitlines())
        uid = header.index("uid")
        found += [(kind, int(row[0]), int(row[uid])) for row in rows]
    return found


def _mount_points() -> set[str]:
    with open("/proc/self/mountinfo") as f:
        return {line.split()[4] for line in f}


def _digest(path) -> str:
    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        return f"size {path.stat().st_size}"
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def graded(tmp_path_factory, cli, summary_of):
    root = tmp_path_factory.mktemp("adversarial")
    burner = ["sh", "-c", "sleep 1; while :; do :; done", f"corpus-burner-{os.getpid()}"]
    subs, out, scratch = root / "submissions", root / "out", root / "tmp"
    out.mkdir()
    scratch.mkdir()
    secret, secret_paths = _secret(root)
    package = os.path.dirname(os.path.dirname(corpus.correct_source.__globals__["ref"].__file__))
    reference = os.path.join(package, "reference", "optimizers.py")
    hidden_tests = os.path.join(package, "checks", "test_momentum.py")
    pwned = root / "pwned"
    names = {
        "TARGETS": [
            str(out / "pwned.txt"),
            str(out / "students" / "honest" / "result.json"),
            str(subs / "honest" / "momentum.ipynb"),
            str(secret),
            hidden_tests,
        ],
        "READS": [
            str(secret),
            str(subs / "honest" / "momentum.ipynb"),
            reference,
            hidden_tests,
        ],
        "REFERENCE": reference,
        "PWNED": str(pwned),
        "DAEMON": ["sleep", f"{90000 + os.getpid() % 1000}"],
        "LITTER": f"autograder-corpus-litter-{os.getpid()}",
        "BURNER": burner,
        "SPAWNER": [
            "sh",
            "-c",
            f"i=0; while [ $i -lt 200 ]; do setsid {shlex.join(burner)} & i=$((i+1)); done; wait",
        ],
        "SHM_KEY": 0x5EED0000 + os.getpid() % 0xFFFF,
        "SECRET_PATHS": secret_paths,
    }
    constants = "".join(f"{k} = {v!r}\n" for k, v in names.items())
    corpus.notebook(subs / "honest" / "momentum.ipynb", "momentum", CORRECT)
    for case in ACTIVE:
        path = subs / case.id / "momentum.ipynb"
        if case.raw:
            _raw(path, case.raw)
        elif case.layout:
            _place(case, subs, constants + (case.source or ""))
        else:
            path = subs / case.id / f"{case.exercise}.ipynb"
            corpus.notebook(path, case.exercise, constants + case.source)
    watched = [
        *(p for p in subs.rglob("*.ipynb") if p.is_file() and not p.is_symlink()),
        secret,
        Path(names["TARGETS"][-1]),
    ]
    before = {p: _digest(p) for p in watched}
    mounts = _mount_points()
    start = time.monotonic()
    proc = cli(
        "grade", str(subs), "--out", str(out), "--jobs", "2", "--timeout", "6",
        "--secret-file", str(secret), env={"TMPDIR": str(scratch)},
    )  # fmt: skip
    seconds = time.monotonic() - start
    # refused: the colliding extras only (exit status 1 says so); everything else was graded
    assert proc.returncode == 1 and "were refused" in proc.stderr, proc.stdout + proc.stderr
    after = {p: _digest(p) for p in watched}
    litter = [os.path.join(d, names["LITTER"]) for d in ("/tmp", "/var/tmp", "/dev/shm")]
    if not ROOT_ONLY:
        shutil.rmtree(secret.parent)
    return {
        "daemons": corpus.processes_running(names["DAEMON"]),
        "burners": corpus.processes_running(names["BURNER"]),
        "litter": [path for path in litter if os.path.exists(path)],
        "students": summary_of(out),
        "refused": json.loads((out / "summary.json").read_text())["refused"],
        "stderr": proc.stderr,
        "out": out,
        "unchanged": before == after,
        "pwned": pwned.exists() or (out / "pwned.txt").exists(),
        "ipc": [o for o in _ipc_objects() if o[1] == names["SHM_KEY"] or o[2] >= UID_BASE],
        "new_mounts": _mount_points() - mounts,
        "cgroups": cgroups.stale_groups(),  # the batch's judges have exited
        "workdirs": [p.name for p in scratch.iterdir() if p.name.startswith("autograder-")],
        "seconds": seconds,
    }


def _feedback(student: dict, exercise: str = "momentum") -> str:
    ex = student["exercises"][exercise]
    return "\n".join([ex["problem"] or "", *(t["message"] for t in ex["tests"])])


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_corpus(graded, case):
    if case.root_only and ROOT_ONLY:
        pytest.skip("only stopped when the judge runs as root (documented)")
    if case.cgroups_only and NO_CGROUPS:
        pytest.skip("only stopped where the judge can make cgroups (documented)")
    student = graded["students"][case.id]
    if case.exercise not in student["exercises"]:  # refused before any exercise was found
        assert case.score == "zero" and student["score"] == 0.0
        problems = "\n".join(student["problems"])
        assert all(any(o in problems for o in _options(t)) for t in case.says), problems
        return
    ex = student["exercises"][case.exercise]
    full = ex["max_score"]
    assert full > 0 and (full == FULL or case.exercise != "momentum")
    assert ex["score"] == (full if case.score == "full" else 0.0), _feedback(student, case.exercise)
    feedback = _feedback(student, case.exercise)
    internal = [t["name"] for t in ex["tests"] if t["status"] == "error"]
    assert internal == [], f"the grader hit an internal error in {internal}: {feedback}"
    for text in case.says:
        assert any(option in feedback for option in _options(text)), feedback
    assert "adversarial-corpus-secret" not in json.dumps(student)


def _options(text) -> tuple:
    return text if isinstance(text, tuple) else (text,)


def test_the_batch_went_on_and_nothing_was_touched(graded):
    assert graded["students"]["honest"]["score"] == FULL
    assert set(graded["students"]) == {"honest", *(c.id for c in ACTIVE)}
    assert (graded["out"] / "gradebook.csv").is_file()
    assert (graded["out"] / "students" / "gradebook.csv" / "result.json").is_file()
    assert graded["unchanged"], "a submission, the secret or a check was modified"
    assert not graded["pwned"], "learner code wrote outside its working directory"
    assert graded["daemons"] == [], "a process started by learner code outlived the batch"
    if not ROOT_ONLY:
        assert graded["litter"] == [], "learner code left files in the shared scratch folders"
    assert (graded["out"] / "students" / "huge_stdout" / "result.json").stat().st_size < 200_000


def test_colliding_ids_refuse_only_the_extras_loudly(graded):
    """`victim1.` (a twin folder) and a loose `victim2.ipynb` are refused: on stderr, in
    summary.json; the folders that own the names are graded and keep full marks."""
    refused = {(r["student_id"], Path(r["path"]).name) for r in graded["refused"]}
    assert refused == {("victim1.", "victim1."), ("victim2", "victim2.ipynb")}
    for _, name in refused:
        assert f"{name} was not graded" in graded["stderr"]
    assert graded["students"]["victim1"]["score"] == FULL
    assert graded["students"]["victim2"]["score"] == FULL


def test_nothing_is_left_after_the_batch(graded):
    """No process, IPC object, mount, cgroup or working folder outlives the batch; a link to
    /proc/self/pagemap or a FIFO did not stall it."""
    assert graded["burners"] == [], "CPU burners outlived their exercise"
    assert graded["daemons"] == []
    assert graded["new_mounts"] == set()
    assert graded["cgroups"] == []
    assert graded["workdirs"] == []
    if not ROOT_ONLY:
        assert graded["ipc"] == [], "a child's SysV IPC object outlived it"
    assert graded["seconds"] < 540


def _strict_json(path: Path) -> object:
    def refuse(name: str) -> None:
        raise ValueError(f"{path}: {name} is not JSON")

    return json.loads(path.read_text(), parse_constant=refuse)


def test_outputs_stay_valid_neutral_and_bounded(graded):
    """Written points "NaN", "1e999" and 1e999 count 0 and every JSON file of the batch is
    strict JSON; a student id that is a formula is written as text into the gradebook; 1,900
    failing cells whose errors carry a forged heading give feedback files within 200 KB whose
    only headings are the grader's."""
    from markdown_it import MarkdownIt

    from autograder.report import student_dir

    out = graded["out"]
    for path in out.rglob("*.json"):
        _strict_json(path)
    manual = graded["students"]["written_points_nan_and_1e999"]["exercises"]["momentum"]["manual"]
    assert [m["points"] for m in manual] == [0.0, 0.0, 0.0]
    rows = list(csv.reader(io.StringIO((out / "gradebook.csv").read_text())))
    assert "'" + FORMULA_ID in [row[0] for row in rows]
    assert not [cell for row in rows for cell in row if cell.startswith(("=", "+", "@"))]
    folder = student_dir(out, "failing_cells_with_forged_headings")
    files = [p for p in folder.iterdir() if p.suffix in (".md", ".html")]
    files.append(folder / "results.json")
    assert len(files) == 3, files  # feedback.md, feedback.html, Gradescope's results.json
    for file in files:
        assert file.stat().st_size <= FEEDBACK_BOUND, (file, file.stat().st_size)
        if file.suffix == ".md":
            tokens = MarkdownIt("commonmark").parse(file.read_text())
            assert [t.tag for t in tokens if t.type == "heading_open"] == ["h1", "h2"], file
