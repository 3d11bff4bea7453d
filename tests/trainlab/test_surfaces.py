"""`descend` records the path of a torch optimizer on a small error surface."""

import numpy as np
import torch

from trainlab.surfaces import descend


def bowl(p: torch.Tensor) -> torch.Tensor:
    return 0.5 * (p[0] ** 2 + 4 * p[1] ** 2)


def test_path_follows_gradient_descent_exactly():
    path, losses, grad_norms = descend(bowl, torch.optim.SGD, (1.0, 1.0), steps=3, lr=0.1)
    # GD on a diagonal quadratic: each coordinate contracts by (1 - η·curvature) per step
    expected = np.array([[0.9**t, 0.6**t] for t in range(4)])
    np.testing.assert_allclose(path, expected, rtol=1e-12)
    np.testing.assert_allclose(losses, [0.5 * (x**2 + 4 * y**2) for x, y in expected])
    np.testing.assert_allclose(grad_norms, [np.hypot(x, 4 * y) for x, y in expected])


def test_hyper_parameters_reach_the_optimizer():
    plain, _, _ = descend(bowl, torch.optim.SGD, (1.0, 1.0), steps=5, lr=0.1)
    heavy, _, _ = descend(bowl, torch.optim.SGD, (1.0, 1.0), steps=5, lr=0.1, momentum=0.9)
    assert not np.allclose(plain[-1], heavy[-1])
    assert plain.shape == heavy.shape == (6, 2)
