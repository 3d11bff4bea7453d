"""Comparison helpers ("oracles") and Hypothesis strategies for the reference implementations.

Every `check_*` takes the implementation under test as its first argument and raises
AssertionError when it disagrees with the torch built-in (or a closed form). The reference
tests call them with `autograder.reference`; `test_reference_sensitivity.py` calls the very
same helpers with deliberately broken variants and asserts that each one is rejected, which
is what makes the reference tests worth trusting.

The test modules beside it import it by name (`from reference_oracles import ...`): the
`conftest.py` of this folder registers it, because pytest's importlib import mode puts no test
folder on sys.path.
"""

import math
from collections.abc import Callable, Sequence
from typing import Any

import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from torch import Tensor

Case = dict[str, Any]

# The `device` and `dtype` fixtures are plain values, so reusing them across examples is safe.
fixture_settings = settings(
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)

STEPS = 60  # optimizer steps per comparison: long enough for bias correction to fade


def tolerances(dtype: torch.dtype) -> dict[str, float]:
    """rtol/atol for values that went through a few dozen floating-point operations."""
    if dtype == torch.float64:
        return {"rtol": 1e-9, "atol": 1e-10}
    return {"rtol": 1e-4, "atol": 1e-5}


def log_uniform(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Floats spread evenly in log-scale over [lo, hi]: adversarial ranges cover decades."""
    return st.floats(math.log10(lo), math.log10(hi)).map(lambda e: 10.0**e)


def rejected(
    check: Callable[[Case], None], cases: st.SearchStrategy[Case], *examples: Case
) -> bool:
    """Whether `check` raises AssertionError on an explicit example or a generated case.

    Generation is derandomized, as in the course profile, and not shrunk: only the verdict
    matters.
    """
    for case in examples:
        try:
            check(case)
        except AssertionError:
            return True

    @settings(
        phases=[Phase.generate],
        derandomize=True,
        deadline=None,
        database=None,
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def run(case: Case) -> None:
        check(case)

    try:
        run()
    except AssertionError:
        return True
    return False


def assert_pure(
    fn: Callable[..., Any], *args: Any, like: Tensor | None = None, **kwargs: Any
) -> Any:
    """Call fn; check inputs unchanged and not aliased, outputs on like's device and dtype."""
    tensors = [a for a in [*args, *kwargs.values()] if isinstance(a, Tensor)]
    before = [(t.detach().clone(), t.requires_grad, t.grad) for t in tensors]
    out = fn(*args, **kwargs)
    for t, (copy, requires_grad, grad) in zip(tensors, before, strict=True):
        assert torch.equal(t.detach(), copy), f"{fn.__name__} modified an input in place"
        assert t.requires_grad == requires_grad, f"{fn.__name__} changed an input's requires_grad"
        assert t.grad is grad, f"{fn.__name__} changed an input's .grad"
    outputs = out if isinstance(out, tuple) else (out,)
    for o in outputs:
        if not isinstance(o, Tensor):
            continue
        if like is not None:
            assert o.device == like.device, f"{fn.__name__} returned a tensor on {o.device}"
            assert o.dtype == like.dtype, f"{fn.__name__} returned {o.dtype}, not {like.dtype}"
        for t in tensors:
            shared = o.untyped_storage().data_ptr() == t.untyped_storage().data_ptr()
            assert not shared, f"{fn.__name__} returned (a view of) an input, not a new tensor"
    return out


# --------------------------------------------------------------------------------- optimizers

_optimizer_common = {
    "seed": st.integers(0, 2**16),
    "shape": st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple),
    "grad_scale": log_uniform(1e-3, 10.0),
}
MOMENTUM_CASES = st.fixed_dictionaries(
    {**_optimizer_common, "lr": log_uniform(1e-3, 1.0), "momentum": st.floats(0.0, 0.99)}
)
RMSPROP_CASES = st.fixed_dictionaries(
    {
        **_optimizer_common,
        "lr": log_uniform(1e-4, 1e-1),
        "alpha": st.floats(0.0, 0.999),
        "eps": log_uniform(1e-8, 1e-1),  # up to 0.1: ε inside vs outside the root is visible
    }
)
ADAM_CASES = st.fixed_dictionaries(
    {
        **_optimizer_common,
        "lr": log_uniform(1e-4, 1e-1),
        "beta1": st.floats(0.0, 0.99),
        "beta2": st.floats(0.5, 0.9999),
        "eps": log_uniform(1e-8, 1e-1),
    }
)
ADAGRAD_CASES = st.fixed_dictionaries(
    {**_optimizer_common, "lr": log_uniform(1e-3, 1.0), "eps": log_uniform(1e-10, 1e-1)}
)
# One hand-picked adversarial case per optimizer, run before the generated ones.
MOMENTUM_EXAMPLE: Case = {"seed": 0, "shape": (3, 4), "grad_scale": 1.0, "lr": 0.1, "momentum": 0.9}
RMSPROP_EXAMPLE: Case = {
    "seed": 1, "shape": (3, 4), "grad_scale": 1.0, "lr": 0.01, "alpha": 0.9, "eps": 0.1,
}  # fmt: skip
ADAM_EXAMPLE: Case = {
    "seed": 2, "shape": (3, 4), "grad_scale": 1.0, "lr": 0.01, "beta1": 0.9, "beta2": 0.99,
    "eps": 0.1,
}  # fmt: skip
ADAGRAD_EXAMPLE: Case = {"seed": 3, "shape": (3, 4), "grad_scale": 1.0, "lr": 0.1, "eps": 0.1}


def gradient_sequence(
    case: Case, device: torch.device, dtype: torch.dtype
) -> tuple[Tensor, Tensor]:
    """θ_0 (shape) and a fixed sequence of STEPS gradients (STEPS, *shape), same on every device."""
    g = torch.Generator().manual_seed(case["seed"])
    theta0 = torch.randn(case["shape"], generator=g, dtype=torch.float64)
    grads = torch.randn((STEPS, *case["shape"]), generator=g, dtype=torch.float64)
    return theta0.to(device, dtype), (grads * case["grad_scale"]).to(device, dtype)


def torch_trajectory(
    make_optimizer: Callable[[list[Tensor]], torch.optim.Optimizer], theta0: Tensor, grads: Tensor
) -> list[tuple[Tensor, dict[str, Tensor]]]:
    """Drive a torch optimizer with the given gradients: (θ, state) after every step."""
    p = torch.nn.Parameter(theta0.clone())
    optimizer = make_optimizer([p])
    trajectory = []
    for g in grads:
        p.grad = g.clone()
        optimizer.step()
        state = {k: v.clone() for k, v in optimizer.state[p].items() if isinstance(v, Tensor)}
        trajectory.append((p.detach().clone(), state))
    return trajectory


def _close(actual: Tensor, expected: Tensor, what: str, dtype: torch.dtype) -> None:
    """assert_close with a cheap path for the common passing case (thousands of calls)."""
    tol = tolerances(dtype)
    same_kind = (actual.shape, actual.dtype, actual.device) == (
        expected.shape,
        expected.dtype,
        expected.device,
    )
    if same_kind and torch.allclose(actual, expected, rtol=tol["rtol"], atol=tol["atol"]):
        return
    torch.testing.assert_close(
        actual, expected, **tolerances(dtype), msg=lambda m: f"{what} differs from torch: {m}"
    )


def check_momentum(step: Callable[..., tuple[Tensor, Tensor]], device, dtype, case: Case) -> None:
    """θ and movement = −η·momentum_buffer follow torch.optim.SGD(momentum) for STEPS steps."""
    theta0, grads = gradient_sequence(case, device, dtype)
    lr, mu = case["lr"], case["momentum"]
    expected = torch_trajectory(lambda ps: torch.optim.SGD(ps, lr=lr, momentum=mu), theta0, grads)
    theta, movement = theta0.clone(), torch.zeros_like(theta0)
    for k, (g, (theta_t, state)) in enumerate(zip(grads, expected, strict=True)):
        theta, movement = step(theta, g, movement, lr, mu)
        buf = state.get("momentum_buffer", g)  # torch keeps no buffer when momentum == 0
        _close(theta, theta_t, f"theta after step {k + 1}", dtype)
        _close(movement, -lr * buf, f"movement after step {k + 1}", dtype)


def check_rmsprop(step: Callable[..., tuple[Tensor, Tensor]], device, dtype, case: Case) -> None:
    """θ and square_avg follow torch.optim.RMSprop for STEPS steps."""
    theta0, grads = gradient_sequence(case, device, dtype)
    hyper = {"lr": case["lr"], "alpha": case["alpha"], "eps": case["eps"]}
    expected = torch_trajectory(lambda ps: torch.optim.RMSprop(ps, **hyper), theta0, grads)
    theta, square_avg = theta0.clone(), torch.zeros_like(theta0)
    for k, (g, (theta_t, state)) in enumerate(zip(grads, expected, strict=True)):
        theta, square_avg = step(theta, g, square_avg, **hyper)
        _close(theta, theta_t, f"theta after step {k + 1}", dtype)
        _close(square_avg, state["square_avg"], f"square_avg after step {k + 1}", dtype)


def check_adam(
    step: Callable[..., tuple[Tensor, Tensor, Tensor]], device, dtype, case: Case
) -> None:
    """θ, m = exp_avg and v = exp_avg_sq follow torch.optim.Adam for STEPS steps."""
    theta0, grads = gradient_sequence(case, device, dtype)
    lr, betas, eps = case["lr"], (case["beta1"], case["beta2"]), case["eps"]
    expected = torch_trajectory(
        lambda ps: torch.optim.Adam(ps, lr=lr, betas=betas, eps=eps), theta0, grads
    )
    theta, m, v = theta0.clone(), torch.zeros_like(theta0), torch.zeros_like(theta0)
    for t, (g, (theta_t, state)) in enumerate(zip(grads, expected, strict=True), start=1):
        theta, m, v = step(theta, g, m, v, t, lr=lr, beta1=betas[0], beta2=betas[1], eps=eps)
        _close(theta, theta_t, f"theta after step {t}", dtype)
        _close(m, state["exp_avg"], f"m (exp_avg) after step {t}", dtype)
        _close(v, state["exp_avg_sq"], f"v (exp_avg_sq) after step {t}", dtype)


def check_adagrad(step: Callable[..., tuple[Tensor, Tensor]], device, dtype, case: Case) -> None:
    """θ and state_sum follow torch.optim.Adagrad for STEPS steps."""
    theta0, grads = gradient_sequence(case, device, dtype)
    lr, eps = case["lr"], case["eps"]
    expected = torch_trajectory(lambda ps: torch.optim.Adagrad(ps, lr=lr, eps=eps), theta0, grads)
    theta, state_sum = theta0.clone(), torch.zeros_like(theta0)
    for k, (g, (theta_t, state)) in enumerate(zip(grads, expected, strict=True)):
        theta, state_sum = step(theta, g, state_sum, lr, eps=eps)
        _close(theta, theta_t, f"theta after step {k + 1}", dtype)
        _close(state_sum, state["sum"], f"state_sum after step {k + 1}", dtype)


# ------------------------------------------------------------------------------ normalization

BATCHNORM_CASES = st.fixed_dictionaries(
    {
        "seed": st.integers(0, 2**16),
        "N": st.integers(2, 5),
        "C": st.integers(1, 4),
        "spatial": st.lists(st.integers(1, 4), max_size=2).map(tuple),  # (N, C), (N, C, L), 4-D
        "momentum": st.floats(0.0, 1.0),
        "eps": log_uniform(1e-5, 1e-1),
        "calls": st.integers(1, 4),
    }
)
BATCHNORM_EXAMPLE: Case = {
    "seed": 0, "N": 2, "C": 3, "spatial": (), "momentum": 0.5, "eps": 1e-5, "calls": 3,
}  # fmt: skip


def check_batchnorm(
    fn: Callable[..., tuple[Tensor, Tensor, Tensor]], device, dtype, case: Case
) -> None:
    """`calls` training calls then one eval call agree with F.batch_norm: y and running stats."""
    g = torch.Generator().manual_seed(case["seed"])
    C, shape = case["C"], (case["N"], case["C"], *case["spatial"])

    def draw(*size: int, scale: float = 1.0, shift: float = 0.0) -> Tensor:
        return (torch.randn(size, generator=g, dtype=torch.float64) * scale + shift).to(
            device, dtype
        )

    gamma, beta = draw(C, shift=1.0), draw(C)
    running_mean, running_var = (
        draw(C),
        draw(C).abs() + 0.5,
    )  # not the defaults: eval must read them
    rm_torch, rv_torch = running_mean.clone(), running_var.clone()
    hyper = {"momentum": case["momentum"], "eps": case["eps"]}
    for k in range(case["calls"] + 1):
        training = k < case["calls"]
        x = draw(*shape, scale=3.0, shift=2.0)  # a nonzero mean, a non-unit variance
        y, running_mean, running_var = fn(
            x, gamma, beta, running_mean, running_var, training, **hyper
        )
        y_torch = F.batch_norm(
            x, rm_torch, rv_torch, gamma, beta, training, **hyper
        )  # updates in place
        what = f"{'training' if training else 'eval'} call {k + 1}, x {tuple(shape)}"
        _close(y, y_torch, f"y ({what})", dtype)
        _close(running_mean, rm_torch, f"running_mean ({what})", dtype)
        _close(running_var, rv_torch, f"running_var ({what})", dtype)


LAYERNORM_CASES = st.fixed_dictionaries(
    {
        "seed": st.integers(0, 2**16),
        "shape": st.lists(st.integers(1, 5), min_size=1, max_size=3).map(tuple),
        "D": st.integers(2, 8),
        "eps": log_uniform(1e-5, 1e-1),
    }
)


def check_layer_norm(fn: Callable[..., Tensor], device, dtype, case: Case) -> None:
    """y agrees with F.layer_norm(x, x.shape[-1:], gamma, beta, eps)."""
    g = torch.Generator().manual_seed(case["seed"])
    x = torch.randn((*case["shape"], case["D"]), generator=g, dtype=torch.float64) * 3 + 2
    gamma = torch.randn(case["D"], generator=g, dtype=torch.float64) + 1
    beta = torch.randn(case["D"], generator=g, dtype=torch.float64)
    x, gamma, beta = (t.to(device, dtype) for t in (x, gamma, beta))
    y = fn(x, gamma, beta, eps=case["eps"])
    _close(y, F.layer_norm(x, x.shape[-1:], gamma, beta, case["eps"]), "y", dtype)


# ---------------------------------------------------------------------------- critical points

HESSIAN_CASES = st.fixed_dictionaries({"seed": st.integers(0, 2**16), "n": st.integers(1, 5)})


def random_smooth_loss(case: Case, device, dtype) -> tuple[Callable[[Tensor], Tensor], Tensor]:
    """A smooth non-quadratic loss of θ ∈ R^n with a dense, indefinite Hessian, and a point θ."""
    g = torch.Generator().manual_seed(case["seed"])
    n = case["n"]
    W, a, b, theta = (
        torch.randn(size, generator=g, dtype=torch.float64).to(device, dtype)
        for size in [(n + 1, n), (n + 1,), (n,), (n,)]
    )

    def loss(th: Tensor) -> Tensor:
        return (a * torch.tanh(W @ th) ** 2).sum() + (b @ th) ** 3 / 6 + torch.sin(th).prod()

    return loss, theta


def check_hessian(fn: Callable[..., Tensor], device, dtype, case: Case) -> None:
    """H agrees with torch.autograd.functional.hessian and is symmetric."""
    loss, theta = random_smooth_loss(case, device, dtype)
    H = fn(loss, theta)
    _close(H, torch.autograd.functional.hessian(loss, theta), "H", dtype)
    _close(H, H.T, "H transposed", dtype)


SPECTRUM_CASES = st.fixed_dictionaries(
    {
        "seed": st.integers(0, 2**16),
        "eigenvalues": st.lists(
            st.one_of(
                st.just(0.0), log_uniform(1e-2, 10.0), log_uniform(1e-2, 10.0).map(lambda x: -x)
            ),
            min_size=1,
            max_size=6,
        ),
    }
)


def planted_hessian(case: Case, device, dtype) -> tuple[Tensor, Tensor]:
    """H = Q diag(λ) Qᵀ with a random rotation Q; returns (H, Q), Q's columns the eigenvectors."""
    lam = torch.tensor(case["eigenvalues"], dtype=torch.float64)
    g = torch.Generator().manual_seed(case["seed"])
    Q, _ = torch.linalg.qr(torch.randn(len(lam), len(lam), generator=g, dtype=torch.float64))
    H = Q @ torch.diag(lam) @ Q.T
    return ((H + H.T) / 2).to(device, dtype), Q.to(device, dtype)


def zero_tolerance(dtype: torch.dtype) -> float:
    """A tol that the eigensolver's rounding (≈ machine ε · ‖H‖) cannot cross: |λ| ≥ 1e-2."""
    return 1e-6 if dtype == torch.float64 else 1e-4


def expected_kind(eigenvalues: Sequence[float]) -> str:
    """The second-derivative test on an exactly known spectrum."""
    if any(x > 0 for x in eigenvalues) and any(x < 0 for x in eigenvalues):
        return "saddle point"
    if all(x > 0 for x in eigenvalues):
        return "local minimum"
    if all(x < 0 for x in eigenvalues):
        return "local maximum"
    return "inconclusive"


def check_classify(fn: Callable[..., str], device, dtype, case: Case) -> None:
    """The label matches the planted spectrum (exact zeros → "inconclusive")."""
    H, _ = planted_hessian(case, device, dtype)
    label = fn(H, tol=zero_tolerance(dtype))
    expected = expected_kind(case["eigenvalues"])
    assert label == expected, (
        f"spectrum {case['eigenvalues']}: got {label!r}, expected {expected!r}"
    )


def check_minimum_ratio(fn: Callable[..., float], device, dtype, case: Case) -> None:
    """The ratio is the fraction of planted eigenvalues > 0, as a Python float."""
    H, _ = planted_hessian(case, device, dtype)
    ratio = fn(H, tol=zero_tolerance(dtype))
    lam = case["eigenvalues"]
    expected = sum(x > 0 for x in lam) / len(lam)
    assert isinstance(ratio, float), f"minimum_ratio must return a Python float, got {type(ratio)}"
    assert math.isclose(ratio, expected), f"spectrum {lam}: got {ratio}, expected {expected}"


def check_escape(fn: Callable[..., Tensor], device, dtype, case: Case) -> None:
    """u is a unit vector with H u = λ_min u, ± the planted eigenvector when λ_min is simple."""
    H, Q = planted_hessian(case, device, dtype)
    lam = case["eigenvalues"]
    lam_min = min(lam)
    u = fn(H)
    tol = {"rtol": 0.0, "atol": 1e-9 if dtype == torch.float64 else 1e-4}
    assert u.shape == (len(lam),), f"expected shape ({len(lam)},), got {tuple(u.shape)}"
    norm = torch.linalg.vector_norm(u)
    torch.testing.assert_close(norm, torch.ones_like(norm), **tol, msg=lambda m: f"‖u‖ ≠ 1: {m}")
    torch.testing.assert_close(
        H @ u, lam_min * u, **tol, msg=lambda m: f"H u ≠ λ_min u, spectrum {lam}: {m}"
    )
    gap = min((x - lam_min for x in lam if x != lam_min), default=math.inf)
    if sum(x == lam_min for x in lam) == 1 and gap >= 0.1:  # a well-separated, simple λ_min
        overlap = (Q[:, lam.index(lam_min)] @ u).abs()
        torch.testing.assert_close(overlap, torch.ones_like(overlap), **tol)


# ----------------------------------------------------------------------------- initialization

# Linear and Conv weight shapes, each with fan_in ≠ fan_out so the conventions are told apart.
INIT_SHAPES = [(256, 64), (64, 256), (128, 32, 5), (64, 16, 3, 3)]
Z = 6.0  # width of every confidence band, in standard errors: a false alarm is ~1e-9


def _assert_normal(w: Tensor, std: float, what: str) -> None:
    """Mean, std and the share within one std of a N(0, std²) sample, within Z standard errors."""
    w = w.detach().double().flatten()
    n = w.numel()
    mean, sample_std = w.mean().item(), w.std().item()
    assert abs(mean) <= Z * std / math.sqrt(n), f"{what}: mean {mean:.3g}, expected 0"
    band = Z / math.sqrt(2 * n)
    assert abs(sample_std / std - 1) <= band, f"{what}: std {sample_std:.4g}, expected {std:.4g}"
    inside, p = (w.abs() < std).double().mean().item(), math.erf(1 / math.sqrt(2))
    band = Z * math.sqrt(p * (1 - p) / n)
    assert abs(inside - p) <= band, f"{what}: {inside:.3f} within one std; a normal has {p:.3f}"


def check_init(
    fn: Callable[..., Tensor],
    torch_init: Callable[..., Tensor],
    std_of: Callable[[int, int], float],
    device,
    dtype,
    shape: tuple[int, ...],
) -> None:
    """A normal sample of the right shape, dtype, device and std; torch_init's sample agrees."""
    receptive_field = math.prod(shape[2:])
    std = std_of(shape[1] * receptive_field, shape[0] * receptive_field)
    w = fn(shape, generator=torch.Generator(device).manual_seed(0), dtype=dtype, device=device)
    assert w.shape == shape and w.dtype == dtype and w.device.type == device.type
    _assert_normal(w, std, f"{fn.__name__}{shape}")
    w_torch = torch.empty(shape, dtype=dtype, device=device)
    torch_init(w_torch, generator=torch.Generator(device).manual_seed(1))
    _assert_normal(w_torch, std, f"torch's {shape}")  # the closed form is torch's convention


def check_he_init(fn: Callable[..., Tensor], device, dtype, shape: tuple[int, ...]) -> None:
    """Normal with std √(2/fan_in), like nn.init.kaiming_normal_(mode="fan_in", "relu")."""
    check_init(
        fn, torch.nn.init.kaiming_normal_, lambda fi, fo: math.sqrt(2 / fi), device, dtype, shape
    )


def check_xavier_init(fn: Callable[..., Tensor], device, dtype, shape: tuple[int, ...]) -> None:
    """Normal with std √(2/(fan_in + fan_out)), like nn.init.xavier_normal_."""
    std_of = lambda fi, fo: math.sqrt(2 / (fi + fo))
    check_init(fn, torch.nn.init.xavier_normal_, std_of, device, dtype, shape)


# ---------------------------------------------------------------------------- regularization

DROPOUT_PS = [0.1, 0.2, 0.5, 0.8]


def check_dropout(fn: Callable[..., Tensor], device, dtype, p: float) -> None:
    """Keep rate 1 − p (binomial band, as F.dropout's), survivors x/(1 − p), the dropped 0."""
    x = (torch.rand(200, 500, generator=torch.Generator().manual_seed(0)) + 0.5).to(device, dtype)
    n = x.numel()
    y = fn(x, p, True, generator=torch.Generator(device).manual_seed(1))
    assert y.shape == x.shape and y.dtype == dtype and y.device == x.device
    kept = y != 0  # x has no zeros, so the zeros of y are exactly the dropped elements
    band = Z * math.sqrt(p * (1 - p) / n)
    with torch.random.fork_rng(devices=[x.device] if x.device.type == "cuda" else []):
        torch.manual_seed(2)  # F.dropout draws from the global generator: fix it, then restore
        torch_kept = F.dropout(x, p, True) != 0
    rate, torch_rate = kept.double().mean().item(), torch_kept.double().mean().item()
    assert abs(rate - (1 - p)) <= band, f"keep rate {rate:.4f} for p={p}, expected {1 - p:.4f}"
    assert abs(torch_rate - (1 - p)) <= band  # the band is right for torch's own dropout
    eps = torch.finfo(dtype).eps
    torch.testing.assert_close(
        y[kept],
        x[kept] / (1 - p),
        rtol=4 * eps,
        atol=0.0,
        msg=lambda m: f"survivors ≠ x/(1−p): {m}",
    )


# ------------------------------------------------------------------------------------- losses

SOFTMAX_CASES = st.fixed_dictionaries(
    {
        "seed": st.integers(0, 2**16),
        "shape": st.lists(st.integers(1, 6), min_size=1, max_size=3).map(tuple),
        "scale": log_uniform(1e-2, 1e4),  # 1e4: exp overflows without the max shift
        "dim": st.integers(-1, 2),
    }
)
CROSS_ENTROPY_CASES = st.fixed_dictionaries(
    {
        "seed": st.integers(0, 2**16),
        "N": st.integers(1, 8),
        "C": st.integers(2, 6),
        "scale": log_uniform(1e-2, 1e4),
    }
)
LARGE_LOGITS_EXAMPLE: Case = {"seed": 0, "shape": (4, 5), "N": 4, "C": 5, "scale": 1e4, "dim": -1}


def _logits(case: Case, shape: tuple[int, ...], device, dtype) -> Tensor:
    g = torch.Generator().manual_seed(case["seed"])
    return (torch.randn(shape, generator=g, dtype=torch.float64) * case["scale"]).to(device, dtype)


def check_softmax(fn: Callable[..., Tensor], device, dtype, case: Case) -> None:
    """Agrees with torch.softmax, also for logits of magnitude 1e4."""
    z = _logits(case, case["shape"], device, dtype)
    dim = case["dim"] % z.ndim - (case["dim"] < 0) * z.ndim  # a valid dim, negative if asked
    _close(fn(z, dim=dim), torch.softmax(z, dim=dim), f"softmax along dim {dim}", dtype)


def check_cross_entropy(fn: Callable[..., Tensor], device, dtype, case: Case) -> None:
    """Agrees with F.cross_entropy (mean over the batch), finite for logits of magnitude 1e4."""
    logits = _logits(case, (case["N"], case["C"]), device, dtype)
    g = torch.Generator().manual_seed(case["seed"] + 1)
    target = torch.randint(case["C"], (case["N"],), generator=g).to(device)
    loss = fn(logits, target)
    assert loss.ndim == 0, f"the loss must be a 0-dim tensor, got shape {tuple(loss.shape)}"
    _close(loss, F.cross_entropy(logits, target), "cross-entropy", dtype)


# ---------------------------------------------------------------------------------- schedules

SCHEDULE_CASES = st.integers(1, 60).flatmap(
    lambda total: st.fixed_dictionaries(
        {
            "total_steps": st.just(total),
            "warmup_steps": st.integers(0, total),
            "base_lr": log_uniform(1e-4, 1.0),
            "min_lr_fraction": st.sampled_from([0.0, 0.01, 0.1, 0.5]),
            "decay": st.sampled_from(["cosine", "linear", "inverse_sqrt", "constant"]),
        }
    )
)
SCHEDULE_EXAMPLE: Case = {
    "total_steps": 20, "warmup_steps": 5, "base_lr": 0.1, "min_lr_fraction": 0.1,
    "decay": "cosine",
}  # fmt: skip


def torch_learning_rates(case: Case) -> list[float]:
    """The lr torch schedulers give for each of the total_steps updates (read before each)."""
    T, W, base_lr = case["total_steps"], case["warmup_steps"], case["base_lr"]
    min_lr = case["min_lr_fraction"] * base_lr
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=base_lr)
    sched = torch.optim.lr_scheduler
    if case["decay"] == "inverse_sqrt":  # Vaswani et al.'s formula, normalised to peak at base_lr
        if W == 0:
            factor = lambda s: (s + 1) ** -0.5
        else:
            factor = lambda s: math.sqrt(W) * min((s + 1) ** -0.5, (s + 1) * W**-1.5)
        scheduler: sched.LRScheduler = sched.LambdaLR(optimizer, factor)
    else:
        warmup = (
            sched.LinearLR(optimizer, start_factor=1 / W, end_factor=1.0, total_iters=W - 1)
            if W >= 2
            else sched.LambdaLR(optimizer, lambda s: 1.0)  # W = 1: one step at base_lr
        )
        decay_steps = max(1, T - W)
        decay = {
            "cosine": lambda: sched.CosineAnnealingLR(optimizer, T_max=decay_steps, eta_min=min_lr),
            "linear": lambda: sched.LinearLR(
                optimizer, start_factor=1.0, end_factor=min_lr / base_lr, total_iters=decay_steps
            ),
            "constant": lambda: sched.LambdaLR(optimizer, lambda s: 1.0),
        }[case["decay"]]()
        scheduler = decay if W == 0 else sched.SequentialLR(optimizer, [warmup, decay], [W])
    learning_rates = []
    for _ in range(T):
        learning_rates.append(scheduler.get_last_lr()[0])
        optimizer.step()
        scheduler.step()
    return learning_rates


def check_lr_at(fn: Callable[..., float], case: Case) -> None:
    """lr_at(s) equals torch's scheduled lr for every update s, and η_min (or η_0) after T."""
    T, W, base_lr, decay = case["total_steps"], case["warmup_steps"], case["base_lr"], case["decay"]
    min_lr = case["min_lr_fraction"] * base_lr
    args = {
        "base_lr": base_lr,
        "warmup_steps": W,
        "total_steps": T,
        "decay": decay,
        "min_lr": min_lr,
    }
    ours = [fn(s, **args) for s in range(T)]
    expected = torch_learning_rates(case)
    for s, (a, e) in enumerate(zip(ours, expected, strict=True)):
        assert isinstance(a, float), f"lr_at must return a Python float, got {type(a)}"
        assert math.isclose(a, e, rel_tol=1e-9, abs_tol=1e-12), f"step {s} of {args}: {a} ≠ {e}"
    if decay in ("cosine", "linear") and W < T:  # the decay ends at s = T and stays at η_min
        for s in (T, T + 1, 2 * T + 5):
            assert math.isclose(fn(s, **args), min_lr, abs_tol=1e-12), f"step {s} ≥ T of {args}"
