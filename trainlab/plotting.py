"""Plot helpers shared by the chapters, so every figure has the same look."""

from collections.abc import Mapping

import matplotlib.pyplot as plt

from trainlab.training import History


def use_course_style() -> None:
    """A clean, readable default style for the book's figures."""
    plt.rcParams.update(
        {
            "figure.figsize": (7.0, 3.6),
            "figure.dpi": 110,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "legend.frameon": False,
        }
    )


def plot_histories(runs: Mapping[str, History], title: str = "") -> plt.Figure:
    """Loss (left) and accuracy (right) per epoch for several runs; solid train, dashed test."""
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.4))
    for i, (name, h) in enumerate(runs.items()):
        color = f"C{i}"
        ax_loss.plot(h.train_loss, color=color, label=f"{name} (train)")
        ax_loss.plot(h.test_loss, color=color, ls="--", label=f"{name} (test)")
        ax_acc.plot(h.train_acc, color=color)
        ax_acc.plot(h.test_acc, color=color, ls="--")
    ax_loss.set(xlabel="epoch", ylabel="loss")
    ax_acc.set(xlabel="epoch", ylabel="accuracy")
    ax_loss.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
