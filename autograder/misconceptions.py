"""Known-wrong versions of every exercise, so feedback can name the misconception.

Each `Variant` is the source code of a plausible wrong solution (defining the same function
name as the exercise), one sentence saying what is wrong, and the chapter section to read.
The judge compiles the source (it is our code, trusted) and, when a learner's output is wrong,
runs the variants of that function on the same inputs: if one reproduces the learner's output,
the feedback names it. For the random exercises (he_init, dropout) outputs cannot be matched
draw for draw, so the checks recognise the variants by their statistics and name them with
`get(key)`. The same sources build the misconception corpus of the tests, so the two cannot
drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from autograder.i18n import READ_SECTION, _
from autograder.worker import PREAMBLE

BOOK_URL = "chapters"  # relative to the repository root / website root


@dataclass(frozen=True)
class Variant:
    key: str  # "<exercise>.<name>"
    function: str  # the exercise function this variant replaces
    summary: str  # one sentence a learner can act on
    chapter: str  # notebook stem in chapters/, e.g. "05_adaptive_learning_rate"
    section: str  # heading text of the section to read
    source: str  # a full definition of `function`

    @property
    def exercise(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def link(self) -> str:
        return f"{BOOK_URL}/{self.chapter}.ipynb#{slug(self.section)}"

    @property
    def advice(self) -> str:
        """The sentence and where to read, in the learner's language (`autograder.i18n`)."""
        where = _(READ_SECTION).format(
            section=self.section, path=f"{BOOK_URL}/{self.chapter}.ipynb"
        )
        return f"{_(self.summary)} {where}"

    @property
    def impl(self) -> Any:
        return _compiled(self.key)


def slug(heading: str) -> str:
    """The anchor Jupyter Book (MyST) gives a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return re.sub(r"\s+", "-", text)


_ADAM_HEAD = "def adam_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):\n"
_RMS_HEAD = "def rmsprop_step(theta, grad, square_avg, lr, alpha=0.99, eps=1e-8):\n"
_ADAGRAD_HEAD = "def adagrad_step(theta, grad, state_sum, lr, eps=1e-10):\n"
_BN_HEAD = (
    "def batchnorm_forward(x, gamma, beta, running_mean, running_var, training,"
    " momentum=0.1, eps=1e-5):\n"
    "    C = x.shape[1]\n"
    "    dims = [0, *range(2, x.ndim)]\n"
    "    shape = [1, C] + [1] * (x.ndim - 2)\n"
    "    n = x.numel() // C\n"
)
_LR_HEAD = (
    "def lr_at(step, base_lr, warmup_steps, total_steps, decay='cosine', min_lr=0.0):\n"
    "    W, T = warmup_steps, total_steps\n"
)
_LR_TAIL = (
    "    if decay == 'constant':\n"
    "        return float(base_lr)\n"
    "    if decay == 'inverse_sqrt':\n"
    "        return base_lr * math.sqrt(max(W, 1) / (step + 1))\n"
)
_SOFTMAX = (
    "def softmax(z, dim=-1):\n"
    "    e = torch.exp(z - z.amax(dim=dim, keepdim=True))\n"
    "    return e / e.sum(dim=dim, keepdim=True)\n"
)
_CH = {
    "momentum": "04_momentum",
    "adaptive": "05_adaptive_learning_rate",
    "schedule": "06_learning_rate_schedules",
    "loss": "07_classification_loss",
    "norm": "08_normalization",
    "critical": "02_critical_points",
    "init": "12_weight_initialization",
    "reg": "13_regularization",
    "guide": "01_general_guide",
    "doctor": "16_the_doctor",
    "activation": "10_activation_functions",
}
_UPDATES = (
    "def _update_ratios(run):\n"
    "    values = [v for e in run['update_ratios'] for v in e['ratio'].values()]\n"
    "    return [v for v in values if math.isfinite(v)]\n"
)
_AT_INIT = (
    "def _first(run, kinds, key):\n"
    "    layers = run['activations'][0]['layers'] if run['activations'] else []\n"
    "    values = [x[key] for x in layers if x['kind'] in kinds and key in x]\n"
    "    return sum(values) / len(values) if values else 0.0\n"
    "def _grad_ratio(run):\n"
    "    ratios = []\n"
    "    for entry in run['grad_rms'][:3]:\n"
    "        names = list(entry['rms'])\n"
    "        if len(names) < 3:\n"
    "            return None\n"
    "        first, last = entry['rms'][names[0]], entry['rms'][names[-2]]\n"
    "        if last > 0:\n"
    "            ratios.append(first / last)\n"
    "    return sorted(ratios)[len(ratios) // 2] if ratios else None\n"
    "def _bugs(run):\n"
    "    stale = run['stale_gradients']\n"
    "    if stale['checks'] and stale['stale'] / stale['checks'] > 0.5:\n"
    "        return 'grad_not_zeroed'\n"
    "    if max((max(b['feature_rms']) for b in run['inputs']), default=0.0) > 10:\n"
    "        return 'unnormalized_inputs'\n"
    "    return None\n"
    "def _init(run):\n"
    "    if _first(run, ('relu',), 'dead_frac') > 0.5:\n"
    "        return 'dead_relu'\n"
    "    if _first(run, ('tanh', 'sigmoid'), 'saturated_frac') > 0.5:\n"
    "        return 'saturated_activations'\n"
    "    ratio = _grad_ratio(run)\n"
    "    if ratio is not None and ratio < 1e-2:\n"
    "        return 'vanishing_gradients'\n"
    "    return None\n"
    "def _rate(run):\n"
    "    early = [v for e in run['update_ratios'][:5] for v in e['ratio'].values()]\n"
    "    if not all(math.isfinite(x) for x in run['train_loss']) or any(\n"
    "        not math.isfinite(v) or v > 0.2 for v in early):\n"
    "        return 'lr_too_high'\n"
    "    ratios = _update_ratios(run)\n"
    "    if ratios and sorted(ratios)[len(ratios) // 2] < 1e-4:\n"
    "        return 'lr_too_low'\n"
    "    return None\n"
    "def _overfit(run):\n"
    "    val = [p['loss'] for p in run['eval_phases'] if math.isfinite(p['loss'])]\n"
    "    losses = run['train_loss']\n"
    "    if val and val[-1] > 1.5 * min(val) and losses[-1] < losses[0]:\n"
    "        return 'overfitting'\n"
    "    return None\n"
)
_RECIPE = (
    "def repair(config, run):\n"
    "    return {'hidden': [64, 64], 'activation': 'relu', 'init': 'he', 'init_std': 0.05,\n"
    "            'bias_init': 0.0, 'optimizer': 'adam', 'lr': 3e-3, 'momentum': 0.0,\n"
    "            'weight_decay': 0.0, 'batch_size': 64, 'norm': 'batchnorm',\n"
    "            'loss': 'cross_entropy', 'dropout': 0.0, 'standardize': True,\n"
    "            'zero_grad': True, 'shuffle': True, 'n_train': config['n_train'],\n"
    "            'steps': config['steps'], 'seed': config['seed']}\n"
)

VARIANTS: tuple[Variant, ...] = (
    # ------------------------------------------------------------------ adam
    Variant(
        "adam.no_bias_correction",
        "adam_step",
        "You skipped the bias correction: m and v start at zero, so divide them by "
        "(1 − β1^t) and (1 − β2^t) before the update.",
        _CH["adaptive"],
        "Adam: RMSProp plus momentum, with bias correction",
        _ADAM_HEAD + "    m = beta1 * m + (1 - beta1) * grad\n"
        "    v = beta2 * v + (1 - beta2) * grad * grad\n"
        "    return theta - lr * m / (torch.sqrt(v) + eps), m, v\n",
    ),
    Variant(
        "adam.eps_inside_sqrt",
        "adam_step",
        "You added ε inside the square root, √(v̂ + ε); Adam adds it outside: √v̂ + ε.",
        _CH["adaptive"],
        "Adam: RMSProp plus momentum, with bias correction",
        _ADAM_HEAD + "    m = beta1 * m + (1 - beta1) * grad\n"
        "    v = beta2 * v + (1 - beta2) * grad * grad\n"
        "    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)\n"
        "    return theta - lr * m_hat / torch.sqrt(v_hat + eps), m, v\n",
    ),
    Variant(
        "adam.t_from_zero",
        "adam_step",
        "You treated t as if it counted from 0 (using β^(t+1)); t is already the 1-based index "
        "of this step, so the first call uses β^1.",
        _CH["adaptive"],
        "Adam: RMSProp plus momentum, with bias correction",
        _ADAM_HEAD + "    m = beta1 * m + (1 - beta1) * grad\n"
        "    v = beta2 * v + (1 - beta2) * grad * grad\n"
        "    m_hat, v_hat = m / (1 - beta1 ** (t + 1)), v / (1 - beta2 ** (t + 1))\n"
        "    return theta - lr * m_hat / (torch.sqrt(v_hat) + eps), m, v\n",
    ),
    Variant(
        "adam.same_beta",
        "adam_step",
        "You used β1 for both averages; the second moment v decays with β2.",
        _CH["adaptive"],
        "Adam: RMSProp plus momentum, with bias correction",
        _ADAM_HEAD + "    m = beta1 * m + (1 - beta1) * grad\n"
        "    v = beta1 * v + (1 - beta1) * grad * grad\n"
        "    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta1**t)\n"
        "    return theta - lr * m_hat / (torch.sqrt(v_hat) + eps), m, v\n",
    ),
    # ------------------------------------------------------------------ momentum
    Variant(
        "momentum.sign_flipped",
        "momentum_step",
        "The gradient enters with the wrong sign, so the step climbs the loss: the movement is "
        "λ·m − η·g.",
        _CH["momentum"],
        "From a rolling ball to an update rule",
        "def momentum_step(theta, grad, movement, lr, momentum):\n"
        "    movement = momentum * movement + lr * grad\n"
        "    return theta + movement, movement\n",
    ),
    Variant(
        "momentum.stale_movement",
        "momentum_step",
        "You moved θ by the previous movement; compute the new movement first, then add it to θ.",
        _CH["momentum"],
        "From a rolling ball to an update rule",
        "def momentum_step(theta, grad, movement, lr, momentum):\n"
        "    theta = theta + movement\n"
        "    return theta, momentum * movement - lr * grad\n",
    ),
    Variant(
        "momentum.dampened",
        "momentum_step",
        "You averaged the gradient into the movement with weight (1 − λ); heavy-ball momentum "
        "adds the whole −η·g: m ← λ·m − η·g.",
        _CH["momentum"],
        "From a rolling ball to an update rule",
        "def momentum_step(theta, grad, movement, lr, momentum):\n"
        "    movement = momentum * movement - (1 - momentum) * lr * grad\n"
        "    return theta + movement, movement\n",
    ),
    Variant(
        "momentum.buffer_convention",
        "momentum_step",
        "You wrote torch's momentum_buffer convention (b ← λ·b + g, θ ← θ − η·b) and returned b "
        "as the movement; here the movement is the step itself, m ← λ·m − η·g and θ ← θ + m, so "
        "m = −η·b: θ follows the same path, but the movement you return is not the step.",
        _CH["momentum"],
        "The same rule in PyTorch",
        "def momentum_step(theta, grad, movement, lr, momentum):\n"
        "    buffer = momentum * movement + grad\n"
        "    return theta - lr * buffer, buffer\n",
    ),
    # ------------------------------------------------------------------ rmsprop
    Variant(
        "rmsprop.accumulates_like_adagrad",
        "rmsprop_step",
        "Your square_avg adds up every g² like Adagrad; RMSProp forgets old gradients: "
        "s ← α·s + (1 − α)·g².",
        _CH["adaptive"],
        "RMSProp: recent gradients count more",
        _RMS_HEAD + "    square_avg = square_avg + grad * grad\n"
        "    return theta - lr * grad / (torch.sqrt(square_avg) + eps), square_avg\n",
    ),
    Variant(
        "rmsprop.eps_inside_sqrt",
        "rmsprop_step",
        "You added ε inside the square root; torch.optim.RMSprop divides by √s + ε.",
        _CH["adaptive"],
        "RMSProp: recent gradients count more",
        _RMS_HEAD + "    square_avg = alpha * square_avg + (1 - alpha) * grad * grad\n"
        "    return theta - lr * grad / torch.sqrt(square_avg + eps), square_avg\n",
    ),
    Variant(
        "rmsprop.alpha_swapped",
        "rmsprop_step",
        "You swapped the weights of the average: α weighs the old square_avg and (1 − α) the "
        "new g².",
        _CH["adaptive"],
        "RMSProp: recent gradients count more",
        _RMS_HEAD + "    square_avg = (1 - alpha) * square_avg + alpha * grad * grad\n"
        "    return theta - lr * grad / (torch.sqrt(square_avg) + eps), square_avg\n",
    ),
    Variant(
        "rmsprop.no_sqrt",
        "rmsprop_step",
        "You divided by the mean square itself; divide by its square root (the root mean "
        "square σ).",
        _CH["adaptive"],
        "RMSProp: recent gradients count more",
        _RMS_HEAD + "    square_avg = alpha * square_avg + (1 - alpha) * grad * grad\n"
        "    return theta - lr * grad / (square_avg + eps), square_avg\n",
    ),
    # ------------------------------------------------------------------ adagrad
    Variant(
        "adagrad.forgets_like_rmsprop",
        "adagrad_step",
        "Your state_sum is a moving average like RMSProp's; Adagrad keeps the full sum G ← G + g².",
        _CH["adaptive"],
        "Adagrad: the root mean square of all past gradients",
        _ADAGRAD_HEAD + "    state_sum = 0.9 * state_sum + 0.1 * grad * grad\n"
        "    return theta - lr * grad / (torch.sqrt(state_sum) + eps), state_sum\n",
    ),
    Variant(
        "adagrad.eps_inside_sqrt",
        "adagrad_step",
        "You added ε inside the square root; torch.optim.Adagrad divides by √G + ε.",
        _CH["adaptive"],
        "Adagrad: the root mean square of all past gradients",
        _ADAGRAD_HEAD + "    state_sum = state_sum + grad * grad\n"
        "    return theta - lr * grad / torch.sqrt(state_sum + eps), state_sum\n",
    ),
    Variant(
        "adagrad.stale_sum",
        "adagrad_step",
        "You scaled the step with the old sum; add g² to G first, then divide by √G + ε.",
        _CH["adaptive"],
        "Adagrad: the root mean square of all past gradients",
        _ADAGRAD_HEAD + "    theta = theta - lr * grad / (torch.sqrt(state_sum) + eps)\n"
        "    return theta, state_sum + grad * grad\n",
    ),
    # ------------------------------------------------------------------ batchnorm
    Variant(
        "batchnorm.batch_stats_in_eval",
        "batchnorm_forward",
        "In evaluation you normalized with the statistics of the batch; evaluation must use "
        "running_mean and running_var, so a prediction does not depend on the other samples.",
        _CH["norm"],
        "Batch normalization at test time",
        _BN_HEAD + "    mean, var = x.mean(dim=dims), x.var(dim=dims, correction=0)\n"
        "    y = (x - mean.reshape(shape)) / (var.reshape(shape) + eps).sqrt()\n"
        "    y = gamma.reshape(shape) * y + beta.reshape(shape)\n"
        "    if not training:\n"
        "        return y, running_mean.clone(), running_var.clone()\n"
        "    rm = (1 - momentum) * running_mean + momentum * mean\n"
        "    rv = (1 - momentum) * running_var + momentum * var * n / (n - 1)\n"
        "    return y, rm, rv\n",
    ),
    Variant(
        "batchnorm.unbiased_normalize",
        "batchnorm_forward",
        "You used the unbiased variance (divide by n − 1) for the output too; the batch is "
        "normalized with the biased one (divide by n), only running_var blends in the unbiased "
        "one.",
        _CH["norm"],
        "Batch normalization at test time",
        _BN_HEAD + "    if not training:\n"
        "        y = (x - running_mean.reshape(shape))"
        " / (running_var.reshape(shape) + eps).sqrt()\n"
        "        y = gamma.reshape(shape) * y + beta.reshape(shape)\n"
        "        return y, running_mean.clone(), running_var.clone()\n"
        "    mean, var = x.mean(dim=dims), x.var(dim=dims, correction=1)\n"
        "    y = (x - mean.reshape(shape)) / (var.reshape(shape) + eps).sqrt()\n"
        "    y = gamma.reshape(shape) * y + beta.reshape(shape)\n"
        "    rm = (1 - momentum) * running_mean + momentum * mean\n"
        "    rv = (1 - momentum) * running_var + momentum * var\n"
        "    return y, rm, rv\n",
    ),
    Variant(
        "batchnorm.variances_swapped",
        "batchnorm_forward",
        "You swapped the two variances: the batch is normalized with the BIASED variance "
        "(divide by n) and running_var blends in the UNBIASED one (divide by n − 1).",
        _CH["norm"],
        "Batch normalization at test time",
        _BN_HEAD + "    if not training:\n"
        "        y = (x - running_mean.reshape(shape))"
        " / (running_var.reshape(shape) + eps).sqrt()\n"
        "        y = gamma.reshape(shape) * y + beta.reshape(shape)\n"
        "        return y, running_mean.clone(), running_var.clone()\n"
        "    mean = x.mean(dim=dims)\n"
        "    unbiased, biased = x.var(dim=dims, correction=1), x.var(dim=dims, correction=0)\n"
        "    y = (x - mean.reshape(shape)) / (unbiased.reshape(shape) + eps).sqrt()\n"
        "    y = gamma.reshape(shape) * y + beta.reshape(shape)\n"
        "    rm = (1 - momentum) * running_mean + momentum * mean\n"
        "    rv = (1 - momentum) * running_var + momentum * biased\n"
        "    return y, rm, rv\n",
    ),
    Variant(
        "batchnorm.running_not_updated",
        "batchnorm_forward",
        "In training you returned the running statistics unchanged; blend in the batch "
        "statistics: running ← (1 − momentum)·running + momentum·batch.",
        _CH["norm"],
        "Batch normalization at test time",
        _BN_HEAD + "    if training:\n"
        "        mean, var = x.mean(dim=dims), x.var(dim=dims, correction=0)\n"
        "    else:\n"
        "        mean, var = running_mean, running_var\n"
        "    y = (x - mean.reshape(shape)) / (var.reshape(shape) + eps).sqrt()\n"
        "    y = gamma.reshape(shape) * y + beta.reshape(shape)\n"
        "    return y, running_mean.clone(), running_var.clone()\n",
    ),
    Variant(
        "batchnorm.running_var_biased",
        "batchnorm_forward",
        "You updated running_var with the biased batch variance; torch stores the unbiased "
        "one, σ²·n/(n − 1).",
        _CH["norm"],
        "Batch normalization at test time",
        _BN_HEAD + "    if not training:\n"
        "        y = (x - running_mean.reshape(shape))"
        " / (running_var.reshape(shape) + eps).sqrt()\n"
        "        y = gamma.reshape(shape) * y + beta.reshape(shape)\n"
        "        return y, running_mean.clone(), running_var.clone()\n"
        "    mean, var = x.mean(dim=dims), x.var(dim=dims, correction=0)\n"
        "    y = (x - mean.reshape(shape)) / (var.reshape(shape) + eps).sqrt()\n"
        "    y = gamma.reshape(shape) * y + beta.reshape(shape)\n"
        "    rm = (1 - momentum) * running_mean + momentum * mean\n"
        "    rv = (1 - momentum) * running_var + momentum * var\n"
        "    return y, rm, rv\n",
    ),
    Variant(
        "batchnorm.momentum_reversed",
        "batchnorm_forward",
        "You weighted the running average the optimizer way round; in BatchNorm momentum is "
        "the weight of the NEW batch statistic: (1 − momentum)·running + momentum·batch.",
        _CH["norm"],
        "Batch normalization at test time",
        _BN_HEAD + "    if not training:\n"
        "        y = (x - running_mean.reshape(shape))"
        " / (running_var.reshape(shape) + eps).sqrt()\n"
        "        y = gamma.reshape(shape) * y + beta.reshape(shape)\n"
        "        return y, running_mean.clone(), running_var.clone()\n"
        "    mean, var = x.mean(dim=dims), x.var(dim=dims, correction=0)\n"
        "    y = (x - mean.reshape(shape)) / (var.reshape(shape) + eps).sqrt()\n"
        "    y = gamma.reshape(shape) * y + beta.reshape(shape)\n"
        "    rm = momentum * running_mean + (1 - momentum) * mean\n"
        "    rv = momentum * running_var + (1 - momentum) * var * n / (n - 1)\n"
        "    return y, rm, rv\n",
    ),
    Variant(
        "batchnorm.wrong_axes",
        "batchnorm_forward",
        "For images you averaged over the batch only; BatchNorm pools each channel over the "
        "batch AND every spatial position (all dims except dim 1).",
        _CH["norm"],
        "Batch normalization in convolutional networks",
        "def batchnorm_forward(x, gamma, beta, running_mean, running_var, training,"
        " momentum=0.1, eps=1e-5):\n"
        "    C = x.shape[1]\n"
        "    shape = [1, C] + [1] * (x.ndim - 2)\n"
        "    if not training:\n"
        "        y = (x - running_mean.reshape(shape))"
        " / (running_var.reshape(shape) + eps).sqrt()\n"
        "        y = gamma.reshape(shape) * y + beta.reshape(shape)\n"
        "        return y, running_mean.clone(), running_var.clone()\n"
        "    n = x.shape[0]\n"
        "    mean, var = x.mean(dim=0), x.var(dim=0, correction=0)\n"
        "    y = (x - mean) / (var + eps).sqrt()\n"
        "    y = gamma.reshape(shape) * y + beta.reshape(shape)\n"
        "    red = list(range(1, mean.ndim))\n"
        "    m_c = mean.mean(dim=red) if red else mean\n"
        "    v_c = var.mean(dim=red) if red else var\n"
        "    rm = (1 - momentum) * running_mean + momentum * m_c\n"
        "    rv = (1 - momentum) * running_var + momentum * v_c * n / (n - 1)\n"
        "    return y, rm, rv\n",
    ),
    # ------------------------------------------------------------------ he_init
    Variant(
        "he_init.fan_out",
        "he_init",
        "Your standard deviation uses fan_out; He initialization for the forward pass uses "
        "fan_in = shape[1]·prod(shape[2:]), the number of inputs of each unit.",
        _CH["init"],
        "He (Kaiming) initialization",
        "def he_init(shape, generator=None, dtype=None, device=None):\n"
        "    fan_out = shape[0] * math.prod(shape[2:])\n"
        "    w = torch.empty(tuple(shape), dtype=dtype, device=device)\n"
        "    return w.normal_(0.0, math.sqrt(2.0 / fan_out), generator=generator)\n",
    ),
    Variant(
        "he_init.lecun_variance",
        "he_init",
        "Your variance is 1/fan_in (LeCun); ReLU zeroes half the signal, so He uses 2/fan_in.",
        _CH["init"],
        "He (Kaiming) initialization",
        "def he_init(shape, generator=None, dtype=None, device=None):\n"
        "    fan_in = shape[1] * math.prod(shape[2:])\n"
        "    w = torch.empty(tuple(shape), dtype=dtype, device=device)\n"
        "    return w.normal_(0.0, math.sqrt(1.0 / fan_in), generator=generator)\n",
    ),
    Variant(
        "he_init.ignores_kernel",
        "he_init",
        "Your fan_in ignores the kernel size: a convolution unit sees in_channels·k·k inputs, "
        "so fan_in = shape[1]·prod(shape[2:]).",
        _CH["init"],
        "He (Kaiming) initialization",
        "def he_init(shape, generator=None, dtype=None, device=None):\n"
        "    w = torch.empty(tuple(shape), dtype=dtype, device=device)\n"
        "    return w.normal_(0.0, math.sqrt(2.0 / shape[1]), generator=generator)\n",
    ),
    Variant(
        "he_init.std_as_variance",
        "he_init",
        "You used 2/fan_in as the standard deviation; it is the variance, so the standard "
        "deviation is √(2/fan_in).",
        _CH["init"],
        "He (Kaiming) initialization",
        "def he_init(shape, generator=None, dtype=None, device=None):\n"
        "    fan_in = shape[1] * math.prod(shape[2:])\n"
        "    w = torch.empty(tuple(shape), dtype=dtype, device=device)\n"
        "    return w.normal_(0.0, 2.0 / fan_in, generator=generator)\n",
    ),
    Variant(
        "he_init.uniform",
        "he_init",
        "Your weights are uniformly distributed; this exercise asks for He NORMAL "
        "initialization (torch.randn scaled by √(2/fan_in)).",
        _CH["init"],
        "He (Kaiming) initialization",
        "def he_init(shape, generator=None, dtype=None, device=None):\n"
        "    fan_in = shape[1] * math.prod(shape[2:])\n"
        "    bound = math.sqrt(3.0) * math.sqrt(2.0 / fan_in)\n"
        "    w = torch.empty(tuple(shape), dtype=dtype, device=device)\n"
        "    return w.uniform_(-bound, bound, generator=generator)\n",
    ),
    Variant(
        "he_init.ignores_generator",
        "he_init",
        "You ignored the `generator` argument: draw with it (e.g. torch.randn(..., "
        "generator=generator)) so that a seeded generator gives reproducible weights.",
        _CH["init"],
        "He (Kaiming) initialization",
        "def he_init(shape, generator=None, dtype=None, device=None):\n"
        "    fan_in = shape[1] * math.prod(shape[2:])\n"
        "    if device is None and generator is not None:\n"
        "        device = generator.device\n"
        "    w = torch.empty(tuple(shape), dtype=dtype, device=device)\n"
        "    return w.normal_(0.0, math.sqrt(2.0 / fan_in))\n",
    ),
    # ------------------------------------------------------------------ dropout
    Variant(
        "dropout.no_rescale",
        "dropout",
        "You did not rescale the survivors: inverted dropout divides them by (1 − p) so that "
        "the expected output equals the input.",
        _CH["reg"],
        "Dropout",
        "def dropout(x, p, training, generator=None):\n"
        "    if not training or p == 0:\n"
        "        return x.clone()\n"
        "    mask = torch.rand(x.shape, generator=generator, device=x.device) >= p\n"
        "    return x * mask\n",
    ),
    Variant(
        "dropout.applied_in_eval",
        "dropout",
        "You dropped units in evaluation too; with training=False dropout returns x unchanged.",
        _CH["reg"],
        "Dropout",
        "def dropout(x, p, training, generator=None):\n"
        "    if p == 0:\n"
        "        return x.clone()\n"
        "    if p == 1:\n"
        "        return torch.zeros_like(x)\n"
        "    mask = torch.rand(x.shape, generator=generator, device=x.device) >= p\n"
        "    return x * mask / (1 - p)\n",
    ),
    Variant(
        "dropout.eval_scaled",
        "dropout",
        "You scaled by (1 − p) in evaluation, the original paper's convention; inverted "
        "dropout rescales while training, so evaluation returns x unchanged.",
        _CH["reg"],
        "Dropout",
        "def dropout(x, p, training, generator=None):\n"
        "    if not training:\n"
        "        return x * (1 - p)\n"
        "    if p == 1:\n"
        "        return torch.zeros_like(x)\n"
        "    mask = torch.rand(x.shape, generator=generator, device=x.device) >= p\n"
        "    return x * mask / (1 - p)\n",
    ),
    Variant(
        "dropout.p_as_keep",
        "dropout",
        "You used p as the probability of KEEPING a unit; p is the probability of dropping it.",
        _CH["reg"],
        "Dropout",
        "def dropout(x, p, training, generator=None):\n"
        "    if not training or p == 0:\n"
        "        return x.clone()\n"
        "    if p == 1:\n"
        "        return torch.zeros_like(x)\n"
        "    mask = torch.rand(x.shape, generator=generator, device=x.device) < p\n"
        "    return x * mask / p\n",
    ),
    Variant(
        "dropout.p_one_nan",
        "dropout",
        "With p = 1 you divide by 1 − p = 0 and get NaN; every unit is dropped, so return zeros.",
        _CH["reg"],
        "Dropout",
        "def dropout(x, p, training, generator=None):\n"
        "    if not training:\n"
        "        return x.clone()\n"
        "    mask = torch.rand(x.shape, generator=generator, device=x.device) >= p\n"
        "    return x * mask / (1 - p)\n",
    ),
    Variant(
        "dropout.ignores_generator",
        "dropout",
        "You ignored the `generator` argument: draw the mask with it (torch.rand(..., "
        "generator=generator)) so that a seeded generator gives the same mask.",
        _CH["reg"],
        "Dropout",
        "def dropout(x, p, training, generator=None):\n"
        "    if not training or p == 0:\n"
        "        return x.clone()\n"
        "    if p == 1:\n"
        "        return torch.zeros_like(x)\n"
        "    mask = torch.rand(x.shape, device=x.device) >= p\n"
        "    return x * mask / (1 - p)\n",
    ),
    # ------------------------------------------------------------------ hessian
    Variant(
        "hessian.zero_as_positive",
        "classify_critical_point",
        "You counted a zero eigenvalue as positive: with some |λ| ≤ tol and no sign "
        "disagreement the test is inconclusive, not a minimum or maximum.",
        _CH["critical"],
        "Reading the sign of $v^\\top H v$ from the eigenvalues",
        "def classify_critical_point(H, tol=1e-6):\n"
        "    lam = torch.linalg.eigvalsh(H)\n"
        "    if (lam > tol).any() and (lam < -tol).any():\n"
        "        return 'saddle point'\n"
        "    if (lam >= -tol).all():\n"
        "        return 'local minimum'\n"
        "    if (lam <= tol).all():\n"
        "        return 'local maximum'\n"
        "    return 'inconclusive'\n",
    ),
    Variant(
        "hessian.ratio_counts_zero",
        "minimum_ratio",
        "Your minimum ratio counts zero eigenvalues (|λ| ≤ tol) as positive; only λ > tol count.",
        _CH["critical"],
        "Reading the sign of $v^\\top H v$ from the eigenvalues",
        "def minimum_ratio(H, tol=1e-6):\n"
        "    lam = torch.linalg.eigvalsh(H)\n"
        "    return float((lam > -tol).sum().item()) / lam.numel()\n",
    ),
    Variant(
        "hessian.escape_row",
        "escape_direction",
        "You took a ROW of the eigenvector matrix; torch.linalg.eigh returns the eigenvectors "
        "as COLUMNS, so use eigenvectors[:, 0].",
        _CH["critical"],
        "Escaping a saddle along a negative-curvature eigenvector",
        "def escape_direction(H):\n"
        "    u = torch.linalg.eigh(H).eigenvectors[0]\n"
        "    return u / torch.linalg.vector_norm(u)\n",
    ),
    Variant(
        "hessian.escape_largest",
        "escape_direction",
        "You returned the eigenvector of the LARGEST eigenvalue; the way down is along the "
        "eigenvector of the most negative one (eigh sorts eigenvalues in ascending order).",
        _CH["critical"],
        "Escaping a saddle along a negative-curvature eigenvector",
        "def escape_direction(H):\n"
        "    u = torch.linalg.eigh(H).eigenvectors[:, -1]\n"
        "    return u / torch.linalg.vector_norm(u)\n",
    ),
    # ------------------------------------------------------------------ lr_schedule
    Variant(
        "lr_schedule.warmup_from_zero",
        "lr_at",
        "Your warm-up starts at 0 (η_0·s/W); step is 0-based and the first update already uses "
        "η_0·(s + 1)/W.",
        _CH["schedule"],
        "Warm-up: small steps first",
        _LR_HEAD + "    if step < W:\n"
        "        return base_lr * step / W\n"
        + _LR_TAIL
        + "    p = min(max((step - W) / max(1, T - W), 0.0), 1.0)\n"
        "    if decay == 'cosine':\n"
        "        return min_lr + (base_lr - min_lr) * (1 + math.cos(math.pi * p)) / 2\n"
        "    return min_lr + (base_lr - min_lr) * (1 - p)\n",
    ),
    Variant(
        "lr_schedule.ignores_min_lr",
        "lr_at",
        "Your decay ends at 0 instead of min_lr: decay from η_0 to η_min, "
        "η = η_min + (η_0 − η_min)·….",
        _CH["schedule"],
        "Experiment: six schedules, one training setup",
        _LR_HEAD + "    if step < W:\n"
        "        return base_lr * (step + 1) / W\n"
        + _LR_TAIL
        + "    p = min(max((step - W) / max(1, T - W), 0.0), 1.0)\n"
        "    if decay == 'cosine':\n"
        "        return base_lr * (1 + math.cos(math.pi * p)) / 2\n"
        "    return base_lr * (1 - p)\n",
    ),
    Variant(
        "lr_schedule.decay_over_total",
        "lr_at",
        "Your decay progress counts the warm-up steps too; it runs from s = W to s = T: "
        "p = (s − W)/(T − W).",
        _CH["schedule"],
        "Experiment: six schedules, one training setup",
        _LR_HEAD + "    if step < W:\n"
        "        return base_lr * (step + 1) / W\n"
        + _LR_TAIL
        + "    p = min(max(step / max(1, T), 0.0), 1.0)\n"
        "    if decay == 'cosine':\n"
        "        return min_lr + (base_lr - min_lr) * (1 + math.cos(math.pi * p)) / 2\n"
        "    return min_lr + (base_lr - min_lr) * (1 - p)\n",
    ),
    Variant(
        "lr_schedule.no_clamp",
        "lr_at",
        "After total_steps your learning rate keeps changing; clip the progress p to [0, 1] so "
        "it stays at min_lr.",
        _CH["schedule"],
        "Experiment: six schedules, one training setup",
        _LR_HEAD + "    if step < W:\n"
        "        return base_lr * (step + 1) / W\n"
        + _LR_TAIL
        + "    p = (step - W) / max(1, T - W)\n"
        "    if decay == 'cosine':\n"
        "        return min_lr + (base_lr - min_lr) * (1 + math.cos(math.pi * p)) / 2\n"
        "    return min_lr + (base_lr - min_lr) * (1 - p)\n",
    ),
    # ------------------------------------------------------------------ softmax / cross-entropy
    Variant(
        "softmax_cross_entropy.softmax_no_shift",
        "softmax",
        "Your softmax overflows for large logits: subtract the maximum before exp "
        "(softmax(z) = softmax(z − max z)).",
        _CH["loss"],
        "Numerical stability: never take the log of a softmax",
        "def softmax(z, dim=-1):\n"
        "    e = torch.exp(z)\n"
        "    return e / e.sum(dim=dim, keepdim=True)\n",
    ),
    Variant(
        "softmax_cross_entropy.softmax_ignores_dim",
        "softmax",
        "Your softmax always normalizes the last dimension; use the `dim` argument.",
        _CH["loss"],
        "Softmax: from logits to probabilities",
        "def softmax(z, dim=-1):\n"
        "    e = torch.exp(z - z.amax(dim=-1, keepdim=True))\n"
        "    return e / e.sum(dim=-1, keepdim=True)\n",
    ),
    Variant(
        "softmax_cross_entropy.ce_sum",
        "cross_entropy",
        "Your loss sums over the batch; cross_entropy is the MEAN over the N samples.",
        _CH["loss"],
        "Cross-entropy is maximum likelihood",
        _SOFTMAX + "def cross_entropy(logits, target):\n"
        "    m = logits.amax(dim=1, keepdim=True)\n"
        "    lse = m.squeeze(1) + torch.log(torch.exp(logits - m).sum(dim=1))\n"
        "    z_y = logits.gather(1, target.long().unsqueeze(1)).squeeze(1)\n"
        "    return (lse - z_y).sum()\n",
    ),
    Variant(
        "softmax_cross_entropy.ce_log_of_softmax",
        "cross_entropy",
        "You took the log of a softmax: a probability that underflows to 0 gives an infinite "
        "loss; compute log-softmax as z_y − logsumexp(z) with the max subtracted.",
        _CH["loss"],
        "Numerical stability: never take the log of a softmax",
        _SOFTMAX + "def cross_entropy(logits, target):\n"
        "    probs = softmax(logits, dim=1)\n"
        "    p_y = probs.gather(1, target.long().unsqueeze(1)).squeeze(1)\n"
        "    return -torch.log(p_y).mean()\n",
    ),
    Variant(
        "softmax_cross_entropy.ce_no_shift",
        "cross_entropy",
        "Your log-sum-exp overflows for large logits: subtract the row maximum m before exp "
        "and add it back, logsumexp(z) = m + log Σ exp(z − m).",
        _CH["loss"],
        "Numerical stability: never take the log of a softmax",
        _SOFTMAX + "def cross_entropy(logits, target):\n"
        "    lse = torch.log(torch.exp(logits).sum(dim=1))\n"
        "    z_y = logits.gather(1, target.long().unsqueeze(1)).squeeze(1)\n"
        "    return (lse - z_y).mean()\n",
    ),
    # ------------------------------------------------------------------ layernorm
    Variant(
        "layernorm.unbiased_variance",
        "layer_norm",
        "You normalized with the unbiased variance (divide by D − 1); layer norm uses the "
        "biased one (divide by D).",
        _CH["norm"],
        "Other normalizations",
        "def layer_norm(x, gamma, beta, eps=1e-5):\n"
        "    mean = x.mean(dim=-1, keepdim=True)\n"
        "    var = x.var(dim=-1, correction=1, keepdim=True)\n"
        "    return gamma * (x - mean) / (var + eps).sqrt() + beta\n",
    ),
    Variant(
        "layernorm.over_batch",
        "layer_norm",
        "You normalized over the batch (dim 0), like BatchNorm; layer norm normalizes each "
        "sample over its last dimension.",
        _CH["norm"],
        "Other normalizations",
        "def layer_norm(x, gamma, beta, eps=1e-5):\n"
        "    mean = x.mean(dim=0, keepdim=True)\n"
        "    var = x.var(dim=0, correction=0, keepdim=True)\n"
        "    return gamma * (x - mean) / (var + eps).sqrt() + beta\n",
    ),
    Variant(
        "layernorm.eps_outside_sqrt",
        "layer_norm",
        "You added ε to the standard deviation; it goes inside the square root: √(σ² + ε).",
        _CH["norm"],
        "Other normalizations",
        "def layer_norm(x, gamma, beta, eps=1e-5):\n"
        "    mean = x.mean(dim=-1, keepdim=True)\n"
        "    std = x.var(dim=-1, correction=0, keepdim=True).sqrt()\n"
        "    return gamma * (x - mean) / (std + eps) + beta\n",
    ),
    # ------------------------------------------------------------------ diagnose
    Variant(
        "diagnose.loss_curve_only",
        "diagnose",
        "You read only the loss curves; a flat or noisy loss has many causes (learning rate, "
        "dead or saturated units, vanishing gradients, a bug in the loop): read the gradient "
        "norms per layer, the update ratios, the activations and the inputs as well.",
        _CH["doctor"],
        "One symptom, three causes",
        "def diagnose(run):\n"
        "    losses = run['train_loss']\n"
        "    val = [p['loss'] for p in run['eval_phases']]\n"
        "    if not all(math.isfinite(x) for x in losses + val):\n"
        "        return 'lr_too_high'\n"
        "    first, k = losses[0], max(3, len(losses) // 5)\n"
        "    tail = sum(losses[-k:]) / k\n"
        "    if tail > 0.95 * first:\n"
        "        return 'lr_too_high' if max(losses) > 1.5 * first else 'lr_too_low'\n"
        "    if val[-1] > 1.5 * min(val):\n"
        "        return 'overfitting'\n"
        "    return 'healthy'\n",
    ),
    Variant(
        "diagnose.one_answer",
        "diagnose",
        "Your diagnoser names the same cause whatever the run shows; each cause leaves its own "
        "evidence in the instruments: look for it.",
        _CH["doctor"],
        "The method",
        "def diagnose(run):\n    return 'lr_too_high'\n",
    ),
    Variant(
        "diagnose.rate_before_init",
        "diagnose",
        "You blamed the learning rate for tiny updates before looking at the network as "
        "initialized: dead ReLUs and vanishing gradients also make the updates tiny; check the "
        "activations and the per-layer gradients first.",
        _CH["doctor"],
        "One symptom, three causes",
        _UPDATES + _AT_INIT + "def diagnose(run):\n"
        "    return _bugs(run) or _rate(run) or _init(run) or _overfit(run) or 'healthy'\n",
    ),
    Variant(
        "diagnose.no_validation",
        "diagnose",
        "You never compared the validation loss with the train loss: a train loss that keeps "
        "falling while the validation loss rises is overfitting.",
        _CH["guide"],
        "Two losses, four diagnoses",
        _UPDATES + _AT_INIT + "def diagnose(run):\n"
        "    return _bugs(run) or _init(run) or _rate(run) or 'healthy'\n",
    ),
    # ------------------------------------------------------------------ repair
    Variant(
        "repair.known_good_recipe",
        "repair",
        "You replaced the whole set-up with a known-good recipe: a repair changes only what "
        "the diagnosis blames, so that you learn what was wrong (and keep what was right).",
        _CH["doctor"],
        "From the doctor to the chapters",
        _RECIPE,
    ),
    Variant(
        "repair.unchanged",
        "repair",
        "You returned the set-up unchanged: diagnose the run first, then change what the "
        "cause calls for.",
        _CH["doctor"],
        "The method",
        "def repair(config, run):\n    return dict(config)\n",
    ),
    Variant(
        "repair.dead_relu_lower_lr",
        "repair",
        "You lowered the learning rate for ReLU units that are dead from the start: their "
        "biases switch them off before any step, so reset the biases (or use a leaky ReLU).",
        _CH["activation"],
        "ReLU: no saturation on the right, but dead units",
        _UPDATES + _AT_INIT + "def repair(config, run):\n"
        "    fixed = dict(config)\n"
        "    cause = _bugs(run) or _init(run) or _rate(run) or _overfit(run) or 'healthy'\n"
        "    if cause == 'grad_not_zeroed':\n"
        "        fixed['zero_grad'] = True\n"
        "    elif cause == 'unnormalized_inputs':\n"
        "        fixed['standardize'] = True\n"
        "    elif cause == 'dead_relu':\n"
        "        fixed['lr'] = config['lr'] / 10\n"
        "    elif cause == 'saturated_activations':\n"
        "        fixed['init'] = 'xavier'\n"
        "    elif cause == 'vanishing_gradients':\n"
        "        fixed.update(activation='relu', init='he')\n"
        "    elif cause in ('lr_too_high', 'lr_too_low'):\n"
        "        fixed['lr'] = {'adam': 3e-3, 'sgd': 0.05}[config['optimizer']]\n"
        "    elif cause == 'overfitting':\n"
        "        fixed.update(dropout=0.5, weight_decay=0.05)\n"
        "    return fixed\n",
    ),
)

BY_KEY: dict[str, Variant] = {v.key: v for v in VARIANTS}


def get(key: str) -> Variant:
    return BY_KEY[key]


def for_function(function: str) -> list[Variant]:
    return [v for v in VARIANTS if v.function == function]


def for_exercise(exercise: str) -> list[Variant]:
    return [v for v in VARIANTS if v.exercise == exercise]


@cache
def _compiled(key: str) -> Any:
    variant = BY_KEY[key]
    namespace: dict[str, Any] = {"__name__": f"autograder.misconceptions.{key}"}
    exec(compile(PREAMBLE, "<preamble>", "exec"), namespace)
    exec(compile(variant.source, f"<variant {key}>", "exec"), namespace)
    return namespace[variant.function]
