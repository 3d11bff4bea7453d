"""The trusted comparisons every check uses: exact kind first, then values within tolerance.

`expect_call(submission, "adam_step", inputs, ref.adam_step, r)` calls the learner's function
(on copies of the inputs), computes the reference on other copies, and compares:

1. the exact kind: Python type (a Tensor is not an ndarray, a tuple not a list, a float not
   a Tensor), then dtype, shape and device of every tensor;
2. only then the values, within a tolerance that depends on dtype and device.

On a mismatch it raises `CheckFailure` with a sentence a learner can act on and, if one of the
known-wrong variants (`autograder.misconceptions`) reproduces the learner's output on the same
inputs, the name of that misconception. Messages about hidden inputs give shapes, dtypes and
the size of the error, never input or expected values.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from autograder import misconceptions
from autograder.cases import Round
from autograder.errors import CheckFailure
from autograder.protocol import FnSpec, GenSpec, Opaque

SHOW_VALUES_UP_TO = 12  # public cases show tensors with at most this many elements


def fail(message: str, misconception: str | None = None) -> CheckFailure:
    """A CheckFailure naming a misconception by key (for the statistical checks)."""
    return CheckFailure(message, misconceptions.get(misconception) if misconception else None)


# --------------------------------------------------------------------------- tolerances


def tolerance(dtype: torch.dtype, device: torch.device | str = "cpu") -> tuple[float, float]:
    """(rtol, atol) for comparing results of this dtype computed on this device."""
    on_gpu = torch.device(device).type != "cpu"
    if dtype == torch.float64:
        return (1e-7, 1e-9) if not on_gpu else (1e-6, 1e-8)
    if dtype == torch.float32:
        return (1e-4, 1e-5) if not on_gpu else (1e-3, 1e-4)
    if dtype in (torch.float16, torch.bfloat16):
        return (2e-2, 1e-2)
    return (0.0, 0.0)


# --------------------------------------------------------------------------- descriptions


def _device(d: torch.device) -> str:
    if d.type == "cpu":
        return "cpu"
    return f"{d.type}:{d.index or 0}"


def describe(value: Any) -> str:
    """A short learner-readable description of a value's kind (never its contents)."""
    if isinstance(value, torch.Tensor):
        shape = tuple(value.shape)
        dtype = str(value.dtype).removeprefix("torch.")
        return f"a {dtype} Tensor of shape {shape} on {_device(value.device)}"
    if isinstance(value, np.ndarray):
        return f"a numpy array ({value.dtype}, shape {value.shape}), not a torch Tensor"
    if isinstance(value, np.generic):
        return f"a numpy {type(value).__name__}"
    if isinstance(value, Opaque):
        return f"an object of type {value.type}"
    if isinstance(value, tuple):
        return f"a tuple of {len(value)}"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if value is None:
        return "None"
    if isinstance(value, FnSpec):
        return f"the loss function {value.name!r}"
    if isinstance(value, GenSpec):
        return f"a torch.Generator on {value.device}"
    return f"a Python {type(value).__name__}"


def show(value: Any) -> str:
    """A value as shown for public cases (small tensors in full, larger ones by kind)."""
    if isinstance(value, torch.Tensor):
        if value.numel() <= SHOW_VALUES_UP_TO:
            with np.printoptions(precision=6, suppress=False):
                body = np.array2string(
                    value.detach().cpu().to(torch.float64).numpy()
                    if value.is_floating_point()
                    else value.detach().cpu().numpy(),
                    separator=", ",
                )
            return f"tensor({body}, dtype={str(value.dtype).removeprefix('torch.')})"
        return f"<{describe(value)}>"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, tuple | list) and len(value) <= 6:
        inner = ", ".join(show(v) for v in value)
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    if isinstance(value, FnSpec):
        return f"<loss {value.name}>"
    if isinstance(value, GenSpec):
        return f"<generator seeded {value.seed} on {value.device}>"
    if isinstance(value, str | int | bool | torch.dtype | torch.device) or value is None:
        return _literal(value)
    return f"<{describe(value)}>"


def _literal(value: Any) -> str:
    """How the value is written in Python code (`torch.float64`, `torch.device('cpu')`)."""
    if isinstance(value, torch.device):
        return f"torch.device({str(value)!r})"
    return repr(value)


def hide(value: Any) -> str:
    """A value as shown for hidden cases: its kind only."""
    if isinstance(value, torch.Tensor):
        dtype = str(value.dtype).removeprefix("torch.")
        return f"<{dtype} {tuple(value.shape)} on {_device(value.device)}>"
    if isinstance(value, FnSpec):
        return f"<loss {value.name}>"
    if isinstance(value, GenSpec):
        return f"<generator on {value.device}>"
    if isinstance(value, bool | str | torch.dtype | torch.device) or value is None:
        return _literal(value)  # modes, flags, dtypes and devices are not secrets
    return f"<{type(value).__name__}>"


def call_text(function: str, inputs: dict[str, Any], public: bool) -> str:
    render = show if public else hide
    args = ", ".join(f"{k}={render(v)}" for k, v in inputs.items())
    kind = "public case" if public else "hidden case"
    return f"{function}({args}) [{kind}]"


# --------------------------------------------------------------------------- comparison


def clone(value: Any) -> Any:
    """A deep copy of tensors inside tuples/lists/dicts (so no one can modify another's inputs)."""
    if isinstance(value, torch.Tensor):
        return value.detach().clone()
    if isinstance(value, tuple):
        return tuple(clone(v) for v in value)
    if isinstance(value, list):
        return [clone(v) for v in value]
    if isinstance(value, dict):
        return {k: clone(v) for k, v in value.items()}
    return value


def kind_mismatch(got: Any, want: Any, what: str) -> str | None:
    """Why `got` is not the same kind of value as `want`, or None."""
    if isinstance(want, torch.Tensor):
        if not isinstance(got, torch.Tensor):
            return f"{what} is {describe(got)}; expected {describe(want)}"
        if got.dtype != want.dtype:
            return (
                f"{what} has dtype {str(got.dtype).removeprefix('torch.')}; expected "
                f"{str(want.dtype).removeprefix('torch.')} (keep the dtype of the inputs)"
            )
        if tuple(got.shape) != tuple(want.shape):
            return f"{what} has shape {tuple(got.shape)}; expected {tuple(want.shape)}"
        if _device(got.device) != _device(want.device):
            return (
                f"{what} is on {_device(got.device)}; expected {_device(want.device)} "
                "(create new tensors on the device of the inputs)"
            )
        return None
    if isinstance(want, tuple | list):
        if type(got) is not type(want):
            names = "tuple" if isinstance(want, tuple) else "list"
            return f"{what} is {describe(got)}; expected a {names} of {len(want)}"
        if len(got) != len(want):
            return f"{what} has {len(got)} items; expected {len(want)}"
        return None
    if isinstance(want, bool):
        return None if isinstance(got, bool) else f"{what} is {describe(got)}; expected a bool"
    if isinstance(want, float):
        if isinstance(got, float) and not isinstance(got, np.floating):
            return None
        return f"{what} is {describe(got)}; expected a Python float"
    if isinstance(want, int):
        ok = isinstance(got, int) and not isinstance(got, bool)
        return None if ok else f"{what} is {describe(got)}; expected a Python int"
    if isinstance(want, str):
        return None if isinstance(got, str) else f"{what} is {describe(got)}; expected a str"
    if want is None:
        return None if got is None else f"{what} is {describe(got)}; expected None"
    return None


def value_mismatch(
    got: Any,
    want: Any,
    what: str,
    public: bool,
    tol: tuple[float, float] | None = None,
    up_to_sign: bool = False,
) -> str | None:
    """Why `got` (already of the right kind) differs from `want`, or None."""
    if isinstance(want, torch.Tensor):
        return _tensor_mismatch(got, want, what, public, tol, up_to_sign)
    if isinstance(want, float):
        rtol, atol = tol or (1e-9, 1e-12)
        if math.isnan(want) or math.isnan(got):  # NaN only where NaN is expected
            if math.isnan(want) and math.isnan(got):
                return None
        elif math.isinf(want) or math.isinf(got):  # infinities match exactly
            if got == want:
                return None
        elif got == want or abs(got - want) <= atol + rtol * abs(want):
            return None
        if public:
            return f"{what} is {got:.8g}; expected {want:.8g}"
        return f"{what} is off by {abs(got - want):.3g} (relative error {_relative(got, want)})"
    if got == want:
        return None
    if public or isinstance(want, str):
        return f"{what} is {got!r}; expected {want!r}"
    return f"{what} is not the expected value"


def _relative(got: float, want: float) -> str:
    if want == 0:
        return "inf"
    return f"{abs(got - want) / abs(want):.2g}"


def _tensor_mismatch(
    got: torch.Tensor,
    want: torch.Tensor,
    what: str,
    public: bool,
    tol: tuple[float, float] | None,
    up_to_sign: bool,
) -> str | None:
    g = got.detach().cpu()
    w = want.detach().cpu()
    if g.is_complex() != w.is_complex():
        return f"{what} is {'complex' if g.is_complex() else 'real'}; expected " + (
            "complex values" if w.is_complex() else "real values (no imaginary part)"
        )
    if w.is_complex():  # real and imaginary parts, each with the tolerance of its real dtype
        tol = tol or tolerance(w.real.dtype, want.device)
        for part, pick in (("real", torch.real), ("imaginary", torch.imag)):
            g_part, w_part = (pick(t.resolve_conj()).resolve_neg() for t in (g, w))
            problem = _tensor_mismatch(
                g_part, w_part, f"the {part} part of {what}", public, tol, False
            )
            if problem:
                return problem
        return None
    if not (w.is_floating_point() or w.is_complex()):
        bad = int((g != w).sum())
        if bad == 0:
            return None
        detail = f"; expected {show(want)}, got {show(got)}" if public else ""
        return f"{what} differs at {bad} of {w.numel()} entries{detail}"
    g, w = g.to(torch.float64), w.to(torch.float64)
    if up_to_sign and g.numel() and float((g * w).sum()) < 0:
        g = -g
    rtol, atol = tol or tolerance(want.dtype, want.device)
    nan_g, nan_w = torch.isnan(g), torch.isnan(w)
    if bool((nan_g != nan_w).any()):
        n = int((nan_g & ~nan_w).sum())
        if n:
            return f"{what} is NaN at {n} of {w.numel()} entries where a finite value is expected"
        return f"{what} is finite where the expected value is NaN"
    inf_g, inf_w = torch.isinf(g), torch.isinf(w)
    if bool((inf_g != inf_w).any()) or bool((g[inf_g] != w[inf_w]).any() if inf_g.any() else False):
        n = int((inf_g & ~inf_w).sum())
        return (
            f"{what} contains ±inf at {n} of {w.numel()} entries where the expected value is finite"
        )
    finite = ~(nan_w | inf_w)
    err = (g - w).abs()[finite]
    allowed = (atol + rtol * w.abs())[finite]
    bad = err > allowed
    if not bool(bad.any()):
        return None
    text = (
        f"{what} differs from the expected value at {int(bad.sum())} of {w.numel()} entries, "
        f"by up to {float(err.max()):.3g} (allowed: {atol:.0e} + {rtol:.0e}·|expected|)"
    )
    if public and want.numel() <= SHOW_VALUES_UP_TO:
        sign = " (either sign is accepted)" if up_to_sign else ""
        text += f"; expected {show(want)}{sign}, got {show(got)}"
    return text


def mismatch(
    got: Any,
    want: Any,
    what: str = "the result",
    *,
    public: bool = True,
    names: Sequence[str] | None = None,
    tol: tuple[float, float] | None = None,
    up_to_sign: bool = False,
) -> str | None:
    """The first difference between `got` and `want` (kind before values), or None."""
    problem = kind_mismatch(got, want, what)
    if problem:
        return problem
    if isinstance(want, tuple | list):
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            label = names[i] if names and i < len(names) else f"item {i} of {what}"
            problem = mismatch(g, w, label, public=public, tol=tol, up_to_sign=up_to_sign)
            if problem:
                return problem
        return None
    return value_mismatch(got, want, what, public, tol, up_to_sign)


def identify(
    function: str,
    got: Any,
    want: Any,
    recompute: Callable[[Callable], Any],
    tol: tuple[float, float] | None = None,
    up_to_sign: bool = False,
) -> misconceptions.Variant | None:
    """The known-wrong variant of `function` that reproduces `got` (and differs from `want`)."""
    for variant in misconceptions.for_function(function):
        try:
            theirs = recompute(variant.impl)
        except Exception:
            continue
        if mismatch(theirs, want, tol=tol, up_to_sign=up_to_sign) is None:
            continue  # on these inputs the variant is right: it cannot explain a wrong answer
        if mismatch(got, theirs, tol=tol, up_to_sign=up_to_sign) is None:
            return variant
    return None


def expect_equal(
    got: Any,
    want: Any,
    *,
    function: str,
    r: Round,
    inputs: dict[str, Any] | None = None,
    names: Sequence[str] | None = None,
    recompute: Callable[[Callable], Any] | None = None,
    tol: tuple[float, float] | None = None,
    up_to_sign: bool = False,
    context: str | None = None,
) -> None:
    """Raise CheckFailure unless `got` matches `want` (see the module docstring)."""
    what = "the result" if not names else "the result"
    problem = mismatch(
        got, want, what, public=r.public, names=names, tol=tol, up_to_sign=up_to_sign
    )
    if problem is None:
        return
    variant = None
    if recompute is not None:
        variant = identify(function, got, want, recompute, tol, up_to_sign)
    where = context or (call_text(function, inputs, r.public) if inputs is not None else function)
    raise CheckFailure(f"{where}: {problem}.", variant)


def expect_call(
    submission: Any,
    function: str,
    inputs: dict[str, Any],
    reference: Callable,
    r: Round,
    *,
    names: Sequence[str] | None = None,
    tol: tuple[float, float] | None = None,
    up_to_sign: bool = False,
    select: Sequence[int] | None = None,
) -> Any:
    """Call the learner's `function(**inputs)` and compare with `reference(**inputs)`.

    `select`: for a tuple result, the items this check judges (after the kind of the whole
    tuple): a check of the running statistics names `running_var`, not the output `y`."""
    from autograder.catalogue import materialize

    got = getattr(submission, function)(**clone(inputs))
    want = reference(**materialize(clone(inputs)))

    def recompute(impl: Callable) -> Any:
        return impl(**materialize(clone(inputs)))

    if select is None:
        expect_equal(
            got,
            want,
            function=function,
            r=r,
            inputs=inputs,
            names=names,
            recompute=recompute,
            tol=tol,
            up_to_sign=up_to_sign,
        )
        return got
    expect_kind(got, want, function=function, r=r, inputs=inputs)
    problem = mismatch(
        tuple(got[i] for i in select),
        tuple(want[i] for i in select),
        public=r.public,
        names=[names[i] for i in select] if names else None,
        tol=tol,
        up_to_sign=up_to_sign,
    )
    if problem is not None:  # the misconception is recognised on the whole result
        variant = identify(function, got, want, recompute, tol, up_to_sign)
        raise CheckFailure(f"{call_text(function, inputs, r.public)}: {problem}.", variant)
    return got


def expect_raises(
    submission: Any,
    function: str,
    inputs: dict[str, Any],
    error: type[Exception],
    r: Round,
    *,
    rule: str,
    valid: dict[str, Any],
) -> None:
    """Call the learner's `function(**inputs)` with arguments the contract rejects: it must raise
    `error` (by its exact name); `rule` is the contract's sentence, quoted in the feedback.

    `valid` is the same call with arguments the contract accepts: the function must not raise
    there, so a function that raises on every call does not earn the point for validating."""
    from autograder.errors import LearnerRaised

    try:  # the submission materializes catalogue specs (FnSpec, GenSpec) itself, as in expect_call
        getattr(submission, function)(**clone(valid))
    except LearnerRaised as raised:
        if raised.error.get("type") != error.__name__:
            raise  # reported like any exception (not implemented, a missing helper, ...)
        raise CheckFailure(
            f"{call_text(function, valid, r.public)}: raised {error.__name__} for arguments the "
            f"contract accepts; validation must reject only what the contract rejects ({rule})."
        ) from None
    where = call_text(function, inputs, r.public)
    try:
        got = getattr(submission, function)(**clone(inputs))
    except LearnerRaised as raised:
        kind = raised.error.get("type", "an exception")
        if kind == error.__name__:
            return
        message = raised.error.get("message", "")
        raise CheckFailure(
            f"{where}: raised {kind}: {message}; expected {error.__name__} (the contract: {rule})."
        ) from None
    raise CheckFailure(
        f"{where}: returned {describe(got)} instead of raising {error.__name__} "
        f"(the contract: {rule})."
    )


def expect_kind(got: Any, want: Any, *, function: str, r: Round, inputs: dict[str, Any]) -> None:
    """Raise CheckFailure unless `got` has the exact kind (type, dtype, shape, device) of `want`."""
    problem = mismatch_kind_deep(got, want)
    if problem:
        raise CheckFailure(f"{call_text(function, inputs, r.public)}: {problem}.")


def mismatch_kind_deep(got: Any, want: Any, what: str = "the result") -> str | None:
    problem = kind_mismatch(got, want, what)
    if problem or not isinstance(want, tuple | list):
        return problem
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        problem = mismatch_kind_deep(g, w, f"item {i} of {what}")
        if problem:
            return problem
    return None
