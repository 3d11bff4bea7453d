"""Progress bars that render the same in a terminal, a notebook and the static website."""

import sys
from collections.abc import Iterable
from typing import TypeVar

from tqdm import tqdm

T = TypeVar("T")


def progress(iterable: Iterable[T], desc: str | None = None, total: int | None = None) -> tqdm:
    """A plain-text tqdm bar on stdout.

    Text (not widget) output keeps the executed notebooks readable on the website, and stdout
    (not stderr) keeps graders and the book build from treating it as an error stream.
    """
    return tqdm(iterable, desc=desc, total=total, file=sys.stdout, ncols=80, mininterval=2.0)
