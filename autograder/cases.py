"""Inputs of the checks: seeded, public or hidden, identical on every device.

A check iterates over `cases` and gets one `Round` per kind of input:

    for r in cases:                       # public round, then hidden round when grading
        for device in r.devices:          # cpu, and cuda when present
            theta = r.randn(5, device=device)

- The PUBLIC round uses a fixed seed: `check("adam")` in a notebook and the graders see the
  same inputs, and feedback may show their values.
- The HIDDEN round uses a seed derived with HMAC-SHA256 from the course secret, the student
  id and the exercise name, so every learner gets different hidden inputs and hard-coding the
  public answers does not pay. Feedback on hidden rounds shows shapes and errors, never values.
- nbgrader's graded test cells use one fixed non-public round (`GRADED_CELL`).

Every test draws from its own stream (the seed mixes in the test's name), so running one test
alone gives it the same inputs as running the whole module.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

PUBLIC_SEED = 20_240_901
GRADED_CELL_SEED = 73_019_557
SECRET_ENV = "AUTOGRADER_SECRET"
# Without a configured secret hidden inputs still differ per student, but anyone who reads this
# file can predict them: instructors must set a secret (see autograder/README.md).
DEFAULT_SECRET = b"why-wont-my-network-train: set AUTOGRADER_SECRET for real grading"

MODES = ("grade", "public", "graded_cell")


def load_secret(secret_file: str | os.PathLike | None = None) -> bytes:
    """The course secret: from a file, else the AUTOGRADER_SECRET variable, else the default."""
    if secret_file:
        return Path(secret_file).read_bytes().strip()
    if os.environ.get(SECRET_ENV):
        return os.environ[SECRET_ENV].encode()
    return DEFAULT_SECRET


def hidden_seed(secret: bytes, student_id: str, exercise: str) -> int:
    """HMAC-SHA256(secret, student id ␀ exercise), folded to 63 bits."""
    digest = hmac.new(secret, f"{student_id}\0{exercise}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def _mix(seed: int, tag: str) -> int:
    digest = hashlib.sha256(f"{seed}:{tag}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def available_devices() -> list[torch.device]:
    return [torch.device("cpu")] + ([torch.device("cuda")] if torch.cuda.is_available() else [])


class Round:
    """One seeded set of inputs for one test. Data are drawn on the CPU, then moved."""

    def __init__(self, seed: int, public: bool, label: str, devices: Sequence[torch.device]):
        self.seed = seed
        self.public = public
        self.label = label
        self.devices = list(devices)
        self._g = torch.Generator().manual_seed(seed)

    def __repr__(self) -> str:
        return f"Round({self.label})"

    def randn(
        self,
        *shape: int,
        dtype: torch.dtype = torch.float64,
        device: torch.device | str = "cpu",
        scale: float = 1.0,
    ) -> torch.Tensor:
        x = torch.randn(shape, generator=self._g, dtype=torch.float64) * scale
        return x.to(dtype=dtype, device=device)

    def rand(
        self, *shape: int, dtype: torch.dtype = torch.float64, device: torch.device | str = "cpu"
    ) -> torch.Tensor:
        return torch.rand(shape, generator=self._g, dtype=torch.float64).to(
            dtype=dtype, device=device
        )

    def uniform(self, low: float, high: float) -> float:
        u = torch.rand((), generator=self._g, dtype=torch.float64).item()
        return low + (high - low) * u

    def log_uniform(self, low: float, high: float) -> float:
        return math.exp(self.uniform(math.log(low), math.log(high)))

    def integer(self, low: int, high: int) -> int:
        """Uniform in [low, high] (both included)."""
        return int(torch.randint(low, high + 1, (), generator=self._g).item())

    def choice(self, options: Sequence):
        return options[self.integer(0, len(options) - 1)]

    def spread(
        self,
        n: int,
        low: float,
        high: float,
        *,
        dtype: torch.dtype = torch.float64,
        device: torch.device | str = "cpu",
    ) -> torch.Tensor:
        """n values whose magnitudes cover [low, high] on a log scale in every draw (log-spaced,
        each jittered by a factor in [0.8, 1.25], random signs, shuffled): the extremes that
        expose a mistake (ε against a tiny gradient) are in every round, not in lucky ones."""
        grid = torch.logspace(math.log10(low), math.log10(high), n, dtype=torch.float64)
        jitter = torch.exp(
            (torch.rand(n, generator=self._g, dtype=torch.float64) * 2 - 1) * math.log(1.25)
        )
        signs = torch.where(torch.rand(n, generator=self._g) < 0.5, -1.0, 1.0).double()
        order = torch.randperm(n, generator=self._g)
        x = (grid * jitter).clamp(low, high) * signs
        return x[order].to(dtype=dtype, device=device)

    def seed_for(self, tag: str) -> int:
        """A seed (for a generator handed to the learner) that depends on the round and tag."""
        return _mix(self.seed, tag) % (2**31)

    def orthogonal(self, n: int) -> torch.Tensor:
        """A random n×n orthogonal matrix (float64, CPU): the Q of the QR decomposition of a
        Gaussian matrix with R's diagonal positive, by modified Gram–Schmidt (for these small
        matrices torch.linalg.qr costs ~40 ms per call once torch runs more than one thread)."""
        columns = list(self.randn(n, n).unbind(1))
        for i in range(n):
            for j in range(i):
                columns[i] = columns[i] - (columns[j] @ columns[i]) * columns[j]
            columns[i] = columns[i] / torch.linalg.vector_norm(columns[i])
        return torch.stack(columns, dim=1)


@dataclass
class Cases:
    """The rounds of one test: iterate to get them (see the module docstring)."""

    exercise: str
    test: str
    mode: str = "public"
    secret: bytes = DEFAULT_SECRET
    student_id: str = "anonymous"
    devices: Sequence[torch.device] | None = None

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {self.mode!r}")
        if self.devices is None:
            self.devices = available_devices()

    def rounds(self) -> list[Round]:
        tag = f"{self.exercise}/{self.test}"
        public = Round(_mix(PUBLIC_SEED, tag), True, "public", self.devices)
        if self.mode == "public":
            return [public]
        if self.mode == "graded_cell":
            return [Round(_mix(GRADED_CELL_SEED, tag), False, "graded", self.devices)]
        hidden = hidden_seed(self.secret, self.student_id, self.exercise)
        return [public, Round(_mix(hidden, tag), False, "hidden", self.devices)]

    def __iter__(self) -> Iterator[Round]:
        return iter(self.rounds())
