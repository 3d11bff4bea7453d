"""Helpers shared by the check modules (not a check module itself)."""

import weakref
from collections.abc import Callable

import torch

from autograder.cases import Round
from autograder.errors import CheckFailure
from autograder.judge import expect_equal, mismatch_kind_deep


def quadratic_problem(r: Round, device: torch.device, n: int = 4):
    """A positive-definite A (n, n) and a start θ0 (n,), float64, for optimizer trajectories."""
    A = r.randn(n, n, device=device)
    A = A @ A.T / n + 0.5 * torch.eye(n, dtype=torch.float64, device=device)
    return A, r.randn(n, device=device)


def torch_trajectory(make_optimizer, A: torch.Tensor, theta0: torch.Tensor, steps: int):
    """θ after `steps` updates of a torch.optim optimizer on L(θ) = ½ θᵀAθ."""
    p = theta0.clone().requires_grad_(True)
    opt = make_optimizer([p])
    for _ in range(steps):
        opt.zero_grad()
        p.grad = A @ p.detach()
        opt.step()
    return p.detach()


def expect_trajectory(got, want, run, *, function: str, r: Round, device, steps: int) -> None:
    """Compare the learner's θ after `steps` updates with torch's (naming a misconception)."""
    kind = "public" if r.public else "hidden"
    expect_equal(
        got,
        want,
        function=function,
        r=r,
        recompute=run,
        context=f"theta after {steps} calls of {function} ({kind} case, float64, {device.type})",
    )


def next_state(out, state: tuple, *, function: str, r: Round, call: int, calls: int) -> tuple:
    """The learner's result of one call in a trajectory, once it has the kind of the `state` it
    replaces (a tuple of tensors of the same dtype, shape and device): checked before the
    grader computes with it (the next gradient), so a wrong kind is a verdict, not a crash."""
    problem = mismatch_kind_deep(out, state, "its result")
    if problem:
        raise CheckFailure(
            f"{function}, call {call} of {calls} on a quadratic ({r.label} case): {problem}."
        )
    return out


def learner_trajectory(
    step, A: torch.Tensor, theta0: torch.Tensor, steps: int, *, function: str, r: Round
):
    """θ after `steps` calls of `step(theta, grad, state) -> (theta, state)` on L(θ) = ½ θᵀAθ,
    from a zero state; each result is kind-checked (`next_state`) before the next gradient."""
    theta, state = theta0.clone(), torch.zeros_like(theta0)
    for i in range(steps):
        out = step(theta, A @ theta, state)
        theta, state = next_state(
            out, (theta, state), function=function, r=r, call=i + 1, calls=steps
        )
    return theta


_VERDICTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def once_per_submission(submission, key: str, check: Callable[..., None], *args) -> None:
    """Run a precondition `check(*args)` once per submission and key (its name, the device);
    later calls raise its remembered CheckFailure again, or pass. A learner error (not
    implemented, raised, delegated) is not remembered: each check reports it."""
    try:
        done = _VERDICTS.setdefault(submission, {})
    except TypeError:  # not weak-referenceable: no memory
        done = {}
    if key not in done:
        try:
            check(*args)
        except CheckFailure as failure:
            done[key] = failure
            raise
        done[key] = None
    if done[key] is not None:
        raise done[key]
