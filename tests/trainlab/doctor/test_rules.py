"""Rules on hand-made records: each fires past its threshold and not before it, and a root
cause explains its symptoms away (but a symptom that appeared in training never explains a
fault present from the start)."""

import math
import random

from trainlab.doctor.rules import (
    REPORT_THRESHOLD,
    diagnose,
    grad_not_zeroed,
    lr_too_high,
    softmax_before_cross_entropy,
    unshuffled_data,
)


def record(**fields) -> dict:
    base = {
        "steps": 100, "forwards": 100, "layers": [], "optimizers": [], "train_loss": [],
        "loss_calls": [], "eval_phases": [], "grad_rms": [], "update_ratios": [],
        "activations": [], "inputs": [], "stale_gradients": {"checks": 0, "stale": 0},
        "train_mode_eval": {"no_grad": 0, "unused": 0, "modules": []},
    }  # fmt: skip
    return {**base, **fields}


def ce_call(counts: list[int], probabilities: bool = False) -> dict:
    return {"kind": "cross_entropy", "train": True, "value": 2.3, "n": sum(counts), "step": 0,
            "grad": True, "num_classes": len(counts), "probabilities": probabilities,
            "acc": 0.1, "class_counts": counts}  # fmt: skip


def test_lr_too_high_on_a_nan_or_a_rising_loss_only():
    assert lr_too_high(record(train_loss=[2.3] * 10 + [math.nan])).confidence == 0.95
    assert lr_too_high(record(train_loss=[2.3] * 10 + [2.6] * 5)) is not None  # +13 %
    assert lr_too_high(record(train_loss=[2.3] * 10 + [2.45] * 5)) is None  # +6.5 %
    assert lr_too_high(record(train_loss=[2.3 - 0.01 * i for i in range(20)])) is None


def test_grad_not_zeroed_needs_half_of_the_steps_stale():
    assert grad_not_zeroed(record(stale_gradients={"checks": 10, "stale": 4})) is None
    found = grad_not_zeroed(record(stale_gradients={"checks": 10, "stale": 5}))
    assert found is not None and found.confidence >= REPORT_THRESHOLD
    assert grad_not_zeroed(record(stale_gradients={"checks": 1, "stale": 1})) is None


def test_unshuffled_data_compares_batches_with_random_ones():
    rng = random.Random(0)
    shuffled = [ce_call([sum(rng.random() < 0.1 for _ in range(50)) + 1 for _ in range(10)])
                for _ in range(40)]  # fmt: skip
    assert unshuffled_data(record(loss_calls=shuffled)) is None
    sorted_batches = [ce_call([50 if k == i // 4 else 0 for k in range(10)]) for i in range(40)]
    found = unshuffled_data(record(loss_calls=sorted_batches))
    assert found is not None and found.confidence > 0.85  # every batch a single class
    # tiny random batches differ a lot from the data's histogram by chance alone
    tiny = [ce_call([int(k == rng.randrange(10)) for k in range(10)]) for _ in range(40)]
    assert unshuffled_data(record(loss_calls=tiny)) is None


def test_softmax_before_cross_entropy_needs_most_calls_on_probabilities():
    half = [ce_call([5] * 10, probabilities=i % 3 == 0) for i in range(30)]
    assert softmax_before_cross_entropy(record(loss_calls=half)) is None
    most = [ce_call([5] * 10, probabilities=i % 3 != 0) for i in range(30)]
    assert softmax_before_cross_entropy(record(loss_calls=most)).confidence == 0.95


def relu_samples(dead_first: float, dead_later: float) -> list[dict]:
    return [
        {"step": s, "forward": s, "layers": [
            {"name": "1", "kind": "relu", "mean": 0.1, "std": 0.1, "dead_frac": d}]}
        for s, d in ((0, dead_first), (50, dead_later), (90, dead_later))
    ]  # fmt: skip


def test_a_symptom_of_training_never_explains_a_fault_present_from_the_start():
    rising = [2.3] * 20 + [2.3 + 0.05 * i for i in range(1, 20)]
    died = diagnose(record(train_loss=rising, activations=relu_samples(0.0, 0.9)))
    assert [f.cause for f in died][:2] == ["lr_too_high", "dead_relu"]
    assert died[1].explained_by == "lr_too_high" and died[1].confidence < REPORT_THRESHOLD
    born_dead = diagnose(record(train_loss=rising, activations=relu_samples(0.9, 0.9)))
    assert born_dead[0].cause == "dead_relu" and not born_dead[0].explained_by
