"""Weight initialization that keeps the scale of activations from layer to layer."""

import math
from collections.abc import Sequence

import torch
from torch import Tensor


def he_init(
    shape: Sequence[int],
    generator: torch.Generator | None = None,
    dtype: torch.dtype | None = None,
    device: torch.device | str | None = None,
) -> Tensor:
    """He (Kaiming) normal initialization for a layer followed by ReLU.

    W_ij ~ N(0, σ²) independently, σ = √(2 / fan_in),
    fan_in = shape[1]·prod(shape[2:])   (inputs per output unit: in_features, or in_channels·k·k)

    Symbols: shape = the weight's shape (out, in, *kernel), std = σ, fan_in = fan_in.

    Args:
        shape: weight shape with at least 2 dims: (out_features, in_features) for Linear,
            (out_channels, in_channels, *kernel_size) for Conv.
        generator: source of randomness; must live on the output's device.
        dtype: floating dtype of the result; None → `torch.get_default_dtype()`.
        device: device of the result; None → the generator's device, else torch's default.

    Returns:
        A new tensor of the given shape, dtype and device.

    Convention: `torch.nn.init.kaiming_normal_(w, mode="fan_in", nonlinearity="relu")`
    (a=0, gain √2); with the same generator state it draws the same numbers.
    Reference: He, Zhang, Ren & Sun 2015, "Delving Deep into Rectifiers", eq. (10).
    """
    fan_in, _ = _fans(shape)
    std = math.sqrt(2.0 / fan_in) if fan_in > 0 else 0.0
    return _normal(shape, std, generator, dtype, device)


def xavier_init(
    shape: Sequence[int],
    generator: torch.Generator | None = None,
    dtype: torch.dtype | None = None,
    device: torch.device | str | None = None,
) -> Tensor:
    """Xavier (Glorot) normal initialization, balancing the forward and backward scales.

    W_ij ~ N(0, σ²) independently, σ = √(2 / (fan_in + fan_out)),
    fan_in = shape[1]·prod(shape[2:]),   fan_out = shape[0]·prod(shape[2:])

    Symbols: shape = the weight's shape (out, in, *kernel), std = σ, fan_in, fan_out.

    Args:
        shape: weight shape with at least 2 dims: (out_features, in_features) for Linear,
            (out_channels, in_channels, *kernel_size) for Conv.
        generator: source of randomness; must live on the output's device.
        dtype: floating dtype of the result; None → `torch.get_default_dtype()`.
        device: device of the result; None → the generator's device, else torch's default.

    Returns:
        A new tensor of the given shape, dtype and device.

    Convention: `torch.nn.init.xavier_normal_(w, gain=1.0)`; with the same generator state
    it draws the same numbers.
    Reference: Glorot & Bengio 2010, "Understanding the difficulty of training deep
    feedforward neural networks", eq. (12) (the normal variant of the same variance).
    """
    fan_in, fan_out = _fans(shape)
    std = math.sqrt(2.0 / (fan_in + fan_out)) if fan_in + fan_out > 0 else 0.0
    return _normal(shape, std, generator, dtype, device)


def _fans(shape: Sequence[int]) -> tuple[int, int]:
    """(fan_in, fan_out) with torch's convention: the receptive field multiplies both."""
    if len(shape) < 2:
        raise ValueError(f"a weight shape needs at least 2 dims (out, in, ...), got {shape}")
    receptive_field = math.prod(shape[2:])  # 1 for Linear, k·k for a 2-D convolution
    return shape[1] * receptive_field, shape[0] * receptive_field


def _normal(
    shape: Sequence[int],
    std: float,
    generator: torch.Generator | None,
    dtype: torch.dtype | None,
    device: torch.device | str | None,
) -> Tensor:
    if device is None and generator is not None:
        device = generator.device
    if generator is not None and generator.device.type != torch.device(device).type:
        raise ValueError(f"the generator lives on {generator.device}, the result on {device}")
    dtype = torch.get_default_dtype() if dtype is None else dtype
    w = torch.empty(tuple(shape), dtype=dtype, device=device)
    return w.normal_(0.0, std, generator=generator)
