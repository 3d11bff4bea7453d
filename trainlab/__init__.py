"""Learner-facing helpers of the course: data, tiny models, training loops, plots.

Chapters and exercises import from here instead of copying helper code between notebooks.
"""

from trainlab import doctor
from trainlab.claims import claim
from trainlab.data import MNIST1D, load_mnist1d
from trainlab.models import mlp
from trainlab.progress import progress
from trainlab.seed import set_seed
from trainlab.training import History, evaluate, fit

__all__ = [
    "MNIST1D",
    "History",
    "claim",
    "doctor",
    "evaluate",
    "fit",
    "load_mnist1d",
    "mlp",
    "progress",
    "set_seed",
]
