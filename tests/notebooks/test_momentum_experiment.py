"""The momentum exercise's experiment compares the movement too: torch's momentum_buffer
convention gives the same θ as torch.optim.SGD, so only the movement can tell it apart."""

import contextlib
import io
import json
from pathlib import Path

import matplotlib
import pytest

from autograder import misconceptions
from autograder import reference as ref

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "solutions" / "02_momentum" / "momentum.ipynb"


def experiment_output(momentum_step) -> str:
    """What the experiment cells print with this momentum_step."""
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cells = ["".join(c["source"]) for c in json.loads(NOTEBOOK.read_text())["cells"]]
    code = [c for c in cells if "def run_torch_sgd" in c or "run_torch_sgd(momentum=0.9)" in c]
    assert len(code) == 2, "the experiment cells moved: update this test"
    namespace = {"momentum_step": momentum_step}
    exec("import torch\nfrom torch import Tensor\nimport matplotlib.pyplot as plt\n", namespace)
    exec("from autograder import not_implemented_ok\n", namespace)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for source in code:
            exec(source, namespace)
    plt.close("all")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "step", "verdict"),
    [
        ("correct", ref.momentum_step, "your momentum_step matches torch.optim.SGD"),
        (
            "buffer convention",
            misconceptions.get("momentum.buffer_convention").impl,
            "θ follows torch.optim.SGD, but your movement is not −η·b",
        ),
        (
            "sign flipped",
            misconceptions.get("momentum.sign_flipped").impl,
            "does not match torch.optim.SGD",
        ),
    ],
)
def test_the_experiment_says_whether_theta_and_movement_match_torch(name, step, verdict):
    printed = experiment_output(step)
    assert verdict in printed, printed
    if name != "correct":
        assert "matches torch.optim.SGD" not in printed
