"""purity: which input tensors a call modified (names, nesting, NaN, resizing)."""

import torch

from autograder import purity


def step(theta, grad, state=None, lr=0.1):
    return theta - lr * grad


def test_an_untouched_call_modifies_nothing_even_with_nan():
    theta, grad = torch.tensor([1.0, float("nan")]), torch.ones(2)
    taken = purity.snapshot(step, (theta, grad), {"lr": 0.5})
    step(theta, grad, lr=0.5)
    assert purity.modified(taken) == []


def test_in_place_changes_are_named_by_parameter():
    theta, grad, state = torch.ones(3), torch.ones(3), (torch.zeros(2), [torch.zeros(1)])
    taken = purity.snapshot(step, (theta, grad), {"state": state})
    grad.mul_(2)
    state[1][0].add_(1)
    assert purity.modified(taken) == ["grad", "state[1][0]"]


def test_a_resized_or_retyped_input_is_modified():
    theta = torch.ones(3)
    taken = purity.snapshot(step, (theta, torch.ones(3)), {})
    theta.resize_(2)
    assert purity.modified(taken) == ["theta"]


def test_without_a_bindable_signature_arguments_are_named_by_position():
    x = torch.ones(2)
    taken = purity.snapshot(step, (x,), {"nonsense": 1})  # does not bind
    x.zero_()
    assert purity.modified(taken) == ["argument 1"]
