"""Build corpus submissions (notebooks) from source strings, so the corpus tracks the code.

The correct solution of an exercise is the source of its reference module (self-contained:
it imports only the standard library and torch); a stub replaces the bodies of the exercise's
functions by `raise NotImplementedError()` as nbgrader's release does; a misconception
submission appends the variant's definition (`autograder.misconceptions`) to the correct
source, so the later definition wins.
"""

from __future__ import annotations

import ast
import inspect
import json
import os
from pathlib import Path

import nbformat

from autograder import misconceptions
from autograder import reference as ref
from autograder.runner import functions_of


def correct_source(exercise: str) -> str:
    """The reference module that defines the exercise's functions, as a solution cell."""
    module = inspect.getmodule(getattr(ref, functions_of(exercise)[0]))
    return inspect.getsource(module)


def stub_source(exercise: str) -> str:
    """The released version: the exercise's functions keep signature and docstring only."""
    tree = ast.parse(correct_source(exercise))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in functions_of(exercise):
            doc = ast.get_docstring(node)
            body: list[ast.stmt] = [ast.Expr(ast.Constant(doc))] if doc else []
            body.append(ast.parse("raise NotImplementedError()").body[0])
            node.body = body
    return ast.unparse(tree)


def variant_source(key: str) -> str:
    variant = misconceptions.get(key)
    return correct_source(variant.exercise) + "\n\n" + variant.source


def notebook(
    path: Path,
    exercise: str,
    sources: list[str] | str,
    *,
    manual_points: float | None = None,
    grade_ids: list[str | None] | None = None,
    other_cells: list[str] | tuple[str, ...] = (),
) -> Path:
    """A minimal exercise notebook with the course metadata and nbgrader solution cells
    (`other_cells`: plain code cells before them, as a learner may add)."""
    if isinstance(sources, str):
        sources = [sources]
    nb = nbformat.v4.new_notebook()
    nb.metadata["course"] = {"exercise": exercise}
    nb.cells.append(nbformat.v4.new_markdown_cell(f"# Exercise {exercise}"))
    nb.cells.append(
        nbformat.v4.new_code_cell("import math\nimport torch\nfrom autograder import check")
    )
    nb.cells.extend(nbformat.v4.new_code_cell(source) for source in other_cells)
    for i, source in enumerate(sources):
        grade_id = f"{exercise}-solution-{i}" if grade_ids is None else grade_ids[i]
        meta = {
            "solution": True,
            "grade": False,
            "locked": False,
            "schema_version": 3,
            "task": False,
        }
        if grade_id is not None:
            meta["grade_id"] = grade_id
        nb.cells.append(nbformat.v4.new_code_cell(source, metadata={"nbgrader": meta}))
    if manual_points is not None:
        meta = {
            "solution": True,
            "grade": True,
            "locked": False,
            "points": manual_points,
            "grade_id": f"{exercise}-written",
            "schema_version": 3,
            "task": False,
        }
        nb.cells.append(nbformat.v4.new_markdown_cell("My answer.", metadata={"nbgrader": meta}))
    nb.cells.append(nbformat.v4.new_markdown_cell("## Graded tests"))
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def raw_notebook(path: Path, content: bytes | dict) -> Path:
    """A file with arbitrary content (malformed notebooks)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    return path


def processes_running(argv: list[str]) -> list[int]:
    """The pids of the processes whose command line is exactly `argv`."""
    wanted = "\0".join(argv).encode() + b"\0"
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if f.read() == wanted:
                        found.append(int(entry))
            except OSError:
                continue
    return found


def solution_cells_source(exercise: str) -> str:
    """The solution cells of `solutions/NN_<exercise>/<exercise>.ipynb`: the course's own correct
    implementation, written differently from the reference."""
    from autograder.reader import read_notebook
    from autograder.runner import known_exercises

    root = Path(__file__).resolve().parents[3] / "solutions"
    (path,) = root.glob(f"*_{exercise}/{exercise}.ipynb")
    work = read_notebook(path, set(known_exercises())).works[exercise]
    return "\n\n".join(source for _, source in work.sources())


# Correct implementations written another way than the reference and the solution notebook
# (other algebra, other torch routines): they must earn what the reference earns, for everyone.
ALTERNATIVES: dict[str, str] = {
    "adam": (
        "def adam_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):\n"
        "    if t < 1:\n"
        "        raise ValueError('t counts from 1')\n"
        "    m = torch.lerp(m, grad, 1 - beta1)\n"
        "    v = torch.addcmul(v * beta2, grad, grad, value=1 - beta2)\n"
        "    denom = (v / (1 - beta2 ** t)).sqrt().add(eps)\n"
        "    return torch.addcdiv(theta, m, denom, value=-lr / (1 - beta1 ** t)), m, v\n"
    ),
    "momentum": (
        "def momentum_step(theta, grad, movement, lr, momentum):\n"
        "    new = torch.add(movement * momentum, grad, alpha=-lr)\n"
        "    return theta.add(new), new\n"
    ),
    "rmsprop": (
        "def rmsprop_step(theta, grad, square_avg, lr, alpha=0.99, eps=1e-8):\n"
        "    s = square_avg + (1 - alpha) * (grad.square() - square_avg)\n"
        "    return theta - lr * grad / (s.sqrt() + eps), s\n"
    ),
    "adagrad": (
        "def adagrad_step(theta, grad, state_sum, lr, eps=1e-10):\n"
        "    G = torch.addcmul(state_sum, grad, grad)\n"
        "    return torch.addcdiv(theta, grad, G.sqrt().add(eps), value=-lr), G\n"
    ),
    "batchnorm": (
        "def batchnorm_forward(x, gamma, beta, running_mean, running_var, training,"
        " momentum=0.1, eps=1e-5):\n"
        "    C = x.shape[1]\n"
        "    if any(p.shape != (C,) for p in (gamma, beta, running_mean, running_var)):\n"
        "        raise ValueError('per-channel arguments have shape (C,)')\n"
        "    flat = x.transpose(0, 1).reshape(C, -1)\n"
        "    if training and flat.shape[1] < 2:\n"
        "        raise ValueError('training needs two values per channel')\n"
        "    shape = (1, C) + (1,) * (x.ndim - 2)\n"
        "    if training:\n"
        "        mean = flat.mean(dim=1)\n"
        "        var = ((flat - mean[:, None]) ** 2).mean(dim=1)\n"
        "        n = flat.shape[1]\n"
        "        rm = (1 - momentum) * running_mean + momentum * mean\n"
        "        rv = (1 - momentum) * running_var + momentum * var * n / (n - 1)\n"
        "    else:\n"
        "        mean, var = running_mean, running_var\n"
        "        rm, rv = running_mean.clone(), running_var.clone()\n"
        "    y = (x - mean.reshape(shape)) * torch.rsqrt(var.reshape(shape) + eps)\n"
        "    return y * gamma.reshape(shape) + beta.reshape(shape), rm.detach(), rv.detach()\n"
    ),
    "layernorm": (
        "def layer_norm(x, gamma, beta, eps=1e-5):\n"
        "    if gamma.shape != x.shape[-1:] or beta.shape != x.shape[-1:]:\n"
        "        raise ValueError('gamma and beta have shape (D,)')\n"
        "    mu = x.mean(-1, keepdim=True)\n"
        "    var = (x - mu).pow(2).mean(-1, keepdim=True)\n"
        "    return (x - mu) * torch.rsqrt(var + eps) * gamma + beta\n"
    ),
    "softmax_cross_entropy": (
        "def softmax(z, dim=-1):\n"
        "    shifted = z - z.max(dim=dim, keepdim=True).values\n"
        "    return shifted.exp() / shifted.exp().sum(dim=dim, keepdim=True)\n"
        "\n"
        "def cross_entropy(logits, target):\n"
        "    if logits.dim() != 2 or target.shape != (logits.shape[0],):\n"
        "        raise ValueError('logits (N, C) and target (N,)')\n"
        "    shifted = logits - logits.max(dim=1, keepdim=True).values\n"
        "    log_probs = shifted - shifted.exp().sum(dim=1, keepdim=True).log()\n"
        "    return -log_probs[torch.arange(len(target)), target].mean()\n"
    ),
    "lr_schedule": (
        "def lr_at(step, base_lr, warmup_steps, total_steps, decay='cosine', min_lr=0.0):\n"
        "    if decay not in ('cosine', 'linear', 'inverse_sqrt', 'constant'):\n"
        "        raise ValueError('unknown decay')\n"
        "    if min(step, warmup_steps) < 0:\n"
        "        raise ValueError('bad arguments')\n"
        "    if step < warmup_steps:\n"
        "        return base_lr / warmup_steps * (step + 1)\n"
        "    if decay == 'constant':\n"
        "        return float(base_lr)\n"
        "    if decay == 'inverse_sqrt':\n"
        "        return base_lr * (max(warmup_steps, 1) / (step + 1)) ** 0.5\n"
        "    done = min(step - warmup_steps, total_steps - warmup_steps)\n"
        "    p = done / max(1, total_steps - warmup_steps)\n"
        "    shape = 0.5 * (1 + math.cos(math.pi * p)) if decay == 'cosine' else 1 - p\n"
        "    return min_lr + (base_lr - min_lr) * shape\n"
    ),
    # thresholds of its own (anywhere between the healthy and the broken ranges), other
    # statistics (max instead of mean, the median update for the low rate), no list of causes
    "diagnose": (
        "def diagnose(run):\n"
        "    stale = run['stale_gradients']\n"
        "    if stale['checks'] and stale['stale'] >= 0.75 * stale['checks']:\n"
        "        return 'grad_not_zeroed'\n"
        "    rms = [v for batch in run['inputs'] for v in batch['feature_rms']]\n"
        "    if rms and max(rms) > 30:\n"
        "        return 'unnormalized_inputs'\n"
        "    layers = run['activations'][0]['layers']\n"
        "    dead = [x['dead_frac'] for x in layers if 'dead_frac' in x]\n"
        "    if dead and max(dead) > 0.7:\n"
        "        return 'dead_relu'\n"
        "    flat = [x['saturated_frac'] for x in layers if 'saturated_frac' in x]\n"
        "    if flat and sum(flat) / len(flat) > 0.3:\n"
        "        return 'saturated_activations'\n"
        "    ratios = []\n"
        "    for entry in run['grad_rms'][:3]:\n"
        "        values = list(entry['rms'].values())\n"
        "        if len(values) >= 3 and values[-2] > 0:\n"
        "            ratios.append(values[0] / values[-2])\n"
        "    if ratios and sorted(ratios)[len(ratios) // 2] < 3e-3:\n"
        "        return 'vanishing_gradients'\n"
        "    early = [v for e in run['update_ratios'][:5] for v in e['ratio'].values()]\n"
        "    finite = all(map(math.isfinite, run['train_loss']))\n"
        "    if any(not v < 0.3 for v in early) or not finite:\n"
        "        return 'lr_too_high'\n"
        "    updates = sorted(v for e in run['update_ratios'] for v in e['ratio'].values())\n"
        "    if updates and updates[len(updates) // 2] < 2e-4:\n"
        "        return 'lr_too_low'\n"
        "    val = [p['loss'] for p in run['eval_phases']]\n"
        "    return 'overfitting' if val[-1] > 1.4 * min(val) else 'healthy'\n"
    ),
}

# Implementations right in value that break a rule the contract states: each must lose points.
CONTRACT_BREAKERS: dict[str, dict[str, str]] = {
    "momentum": {
        "in_place": (
            "def momentum_step(theta, grad, movement, lr, momentum):\n"
            "    movement.mul_(momentum).sub_(lr * grad)\n"
            "    return theta + movement, movement\n"
        ),
    },
    "adam": {
        "no_value_error": (
            "def adam_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):\n"
            "    m = beta1 * m + (1 - beta1) * grad\n"
            "    v = beta2 * v + (1 - beta2) * grad * grad\n"
            "    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)\n"
            "    return theta - lr * m_hat / (torch.sqrt(v_hat) + eps), m, v\n"
        ),
    },
}
