"""He and Xavier initialization: the distribution and the fan conventions of torch.nn.init."""

import pytest
import torch
from reference_oracles import INIT_SHAPES, check_he_init, check_xavier_init

from autograder.reference import he_init, xavier_init


@pytest.mark.parametrize("shape", INIT_SHAPES, ids=str)
def test_he_init_statistics_match_kaiming_normal(device, dtype, shape):
    """Draw from N(0, 2/fan_in) with fan_in = shape[1]·prod(shape[2:]) (not fan_out)."""
    check_he_init(he_init, device, dtype, shape)


@pytest.mark.parametrize("shape", INIT_SHAPES, ids=str)
def test_xavier_init_statistics_match_xavier_normal(device, dtype, shape):
    """Draw from N(0, 2/(fan_in + fan_out)), fan_out = shape[0]·prod(shape[2:])."""
    check_xavier_init(xavier_init, device, dtype, shape)


@pytest.mark.parametrize(
    ("fn", "torch_init"),
    [(he_init, torch.nn.init.kaiming_normal_), (xavier_init, torch.nn.init.xavier_normal_)],
    ids=["he", "xavier"],
)
def test_init_draws_torchs_numbers_from_the_same_generator(device, dtype, fn, torch_init):
    """With the same seeded generator, the reference draws exactly what torch.nn.init draws."""
    shape = (6, 4, 3)
    w = fn(shape, generator=torch.Generator(device).manual_seed(3), dtype=dtype, device=device)
    w_torch = torch.empty(shape, dtype=dtype, device=device)
    torch_init(w_torch, generator=torch.Generator(device).manual_seed(3))
    torch.testing.assert_close(w, w_torch)


@pytest.mark.parametrize("fn", [he_init, xavier_init], ids=lambda f: f.__name__)
def test_init_generator_makes_it_reproducible(device, fn):
    """The same seed gives the same weights; another seed gives other weights."""
    draws = [fn((8, 5), generator=torch.Generator(device).manual_seed(s)) for s in (1, 1, 2)]
    assert torch.equal(draws[0], draws[1]) and not torch.equal(draws[0], draws[2])
    assert draws[0].device.type == device.type  # device=None follows the generator


@pytest.mark.parametrize("fn", [he_init, xavier_init], ids=lambda f: f.__name__)
def test_init_defaults_to_the_default_dtype(fn):
    """dtype=None means torch.get_default_dtype(); device=None without a generator means CPU."""
    w = fn([4, 3])
    assert w.shape == (4, 3) and w.dtype == torch.get_default_dtype() and w.device.type == "cpu"


@pytest.mark.parametrize("fn", [he_init, xavier_init], ids=lambda f: f.__name__)
def test_init_rejects_shapes_without_fan_in(fn):
    """A weight needs (out, in, ...): fan_in and fan_out are undefined for fewer than 2 dims."""
    with pytest.raises(ValueError, match="at least 2 dims"):
        fn((10,))


@pytest.mark.parametrize("fn", [he_init, xavier_init], ids=lambda f: f.__name__)
def test_init_rejects_a_generator_on_another_device(fn):
    """The generator must live on the device of the result."""
    with pytest.raises(ValueError, match="generator"):
        fn((4, 3), generator=torch.Generator(), device="meta")
