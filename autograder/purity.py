"""The contracts' rule "the inputs are left unchanged": which input tensors a call modified.

Every exercise function returns new tensors and never modifies its arguments in place. Before a
learner's function is called (in the sandboxed child, and in `check()`'s in-process runner) the
tensor arguments are copied (`snapshot`); after it returns, `modified` names the arguments whose
shape, dtype or values changed (NaN equals NaN). The judge then fails the check with
`errors.InputModified`. Imported by the child before learner code runs: standard library and
torch only.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import torch

Snapshot = list[tuple[str, torch.Tensor, torch.Tensor]]


_SIGNATURES: dict[Callable, inspect.Signature] = {}


def _signature(function: Callable) -> inspect.Signature:
    """inspect.signature, computed once per function (the checks call each one many times);
    a callable that cannot be a dict key gets it computed every time."""
    try:
        known = _SIGNATURES.get(function)
    except Exception:  # a learner's __hash__ or __eq__ may raise anything
        return inspect.signature(function)
    if known is None:
        known = _SIGNATURES[function] = inspect.signature(function)
    return known


def _named_arguments(function: Callable, args: tuple, kwargs: dict) -> dict[str, Any]:
    try:
        return dict(_signature(function).bind(*args, **kwargs).arguments)
    except Exception:  # no signature, or one that does not bind: name them by position
        named = {f"argument {i + 1}": a for i, a in enumerate(args)}
        return {**named, **kwargs}


def snapshot(function: Callable, args: tuple, kwargs: dict) -> Snapshot:
    """(name, the tensor passed, a copy of it) for every tensor argument, nested ones included
    (empty if copying fails: learner code may have patched torch; the check then sees nothing)."""
    found: Snapshot = []

    def walk(name: str, value: Any) -> None:
        if isinstance(value, torch.Tensor):
            found.append((name, value, value.detach().clone()))
        elif isinstance(value, tuple | list):
            for i, item in enumerate(value):
                walk(f"{name}[{i}]", item)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(f"{name}[{key!r}]", item)

    try:
        for name, value in _named_arguments(function, args, kwargs).items():
            walk(name, value)
    except Exception:
        return []
    return found


def modified(taken: Snapshot) -> list[str]:
    """The names of the arguments that no longer equal their copy."""
    changed = []
    with torch.no_grad():
        for name, now, before in taken:
            try:
                if now.shape != before.shape or now.dtype != before.dtype:
                    changed.append(name)
                    continue
                if torch.equal(now, before):  # the common case, in one call
                    continue
                same = (now == before) | (torch.isnan(now) & torch.isnan(before))
                if not bool(same.all()):
                    changed.append(name)
            except Exception:  # a tensor learner code made unreadable: not judged here
                continue
    return changed
