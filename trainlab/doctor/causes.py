"""The doctor's vocabulary: every cause it can name, the fix to try, and the chapter behind it.

One place for the cause ids (the diagnosis gym of issue 15 reuses them): a rule may only return
a cause listed in `CAUSES`, and the report takes the fix text and the chapter from here.

Chapter links point at the course website, whose address GitHub Pages derives from the
repository in `_config.yml` (``https://github.com/OWNER/NAME`` is served at
``https://OWNER.github.io/NAME/``); a chapter ``chapters/NN_name.ipynb`` is the page
``chapters/NN_name.html``. A test keeps `BOOK_URL` equal to that derivation.
"""

from __future__ import annotations

from dataclasses import dataclass

BOOK_URL = "https://why-wont-my-network-train.github.io/course/"

HEALTHY = "healthy"


@dataclass(frozen=True)
class Cause:
    """A cause the doctor can name: a one-line title, the fix to try first, its chapter file."""

    title: str
    fix: str
    chapter: str  # "NN_name", the notebook's file name without its suffix

    @property
    def url(self) -> str:
        return f"{BOOK_URL}chapters/{self.chapter}.html"


CAUSES: dict[str, Cause] = {
    "lr_too_high": Cause(
        "learning rate too high",
        "divide the learning rate by 10 (or find it with a learning-rate range test)",
        "15_training_recipe",
    ),
    "lr_too_low": Cause(
        "learning rate too low",
        "multiply the learning rate by 10 until the loss falls clearly within ~100 iterations",
        "15_training_recipe",
    ),
    "vanishing_gradients": Cause(
        "vanishing gradients",
        "use ReLU-family activations with He initialization, normalization layers or "
        "residual connections; fewer saturating layers",
        "10_activation_functions",
    ),
    "exploding_gradients": Cause(
        "exploding gradients",
        "rescale the initialization (He/Xavier), clip the gradient norm "
        "(torch.nn.utils.clip_grad_norm_), or add residual connections",
        "12_weight_initialization",
    ),
    "dead_relu": Cause(
        "dead ReLU units",
        "lower the learning rate, use a non-negative bias or Leaky ReLU / ELU, "
        "and He initialization",
        "10_activation_functions",
    ),
    "saturated_activations": Cause(
        "saturated tanh/sigmoid units",
        "shrink the initial weights (Xavier for tanh), normalize the inputs, "
        "or switch to ReLU-family activations",
        "10_activation_functions",
    ),
    "bad_init_scale": Cause(
        "badly scaled initialization",
        "initialize with the scale that keeps the activation variance constant "
        "(He for ReLU, Xavier for tanh), or keep PyTorch's default",
        "12_weight_initialization",
    ),
    "unnormalized_inputs": Cause(
        "inputs not normalized",
        "standardize every input feature with the training set's mean and std",
        "11_data_preprocessing",
    ),
    "grad_not_zeroed": Cause(
        "gradients never zeroed",
        "call optimizer.zero_grad() once per step, before loss.backward()",
        "01_general_guide",
    ),
    "eval_mode_missing": Cause(
        "evaluating in training mode",
        "call model.eval() before evaluating or predicting (and model.train() before "
        "training again); dropout and batch norm behave differently in the two modes",
        "13_regularization",
    ),
    "softmax_before_cross_entropy": Cause(
        "softmax fed to cross-entropy",
        "pass the raw logits to F.cross_entropy / nn.CrossEntropyLoss: they apply "
        "log-softmax themselves",
        "07_classification_loss",
    ),
    "mse_for_classification": Cause(
        "mean squared error used for classification",
        "use cross-entropy on the logits with class-index targets",
        "07_classification_loss",
    ),
    "labels_shuffled": Cause(
        "labels misaligned with the inputs",
        "check that inputs and labels are indexed, shuffled and split together",
        "15_training_recipe",
    ),
    "unshuffled_data": Cause(
        "class-sorted batches",
        "shuffle the training set every epoch (DataLoader(..., shuffle=True))",
        "03_batch_size",
    ),
    "overfitting": Cause(
        "overfitting",
        "regularize: early stopping, weight decay, dropout, augmentation or more data",
        "13_regularization",
    ),
    "underfitting": Cause(
        "underfitting",
        "use a larger model or train longer; check that the model can overfit a tiny sample",
        "01_general_guide",
    ),
    HEALTHY: Cause(
        "no problem found",
        "keep going: tune the remaining hyper-parameters",
        "15_training_recipe",
    ),
}
