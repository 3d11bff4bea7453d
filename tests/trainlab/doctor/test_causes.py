"""The vocabulary: the required cause ids, each linked to an existing chapter of the book."""

import re
from pathlib import Path

from trainlab.doctor.causes import BOOK_URL, CAUSES, HEALTHY

ROOT = Path(__file__).resolve().parents[3]

REQUIRED = {
    "lr_too_high", "lr_too_low", "vanishing_gradients", "exploding_gradients", "dead_relu",
    "saturated_activations", "bad_init_scale", "unnormalized_inputs", "grad_not_zeroed",
    "eval_mode_missing", "softmax_before_cross_entropy", "mse_for_classification",
    "labels_shuffled", "unshuffled_data", "overfitting", "underfitting", HEALTHY,
}  # fmt: skip


def test_the_cause_ids_are_exactly_the_issues():
    assert set(CAUSES) == REQUIRED


def test_the_book_url_is_the_github_pages_address_of_the_configured_repository():
    """GitHub Pages serves github.com/OWNER/NAME at OWNER.github.io/NAME/."""
    config = (ROOT / "_config.yml").read_text()
    owner, name = re.search(r"url:\s*https://github\.com/([^/\s]+)/([^/\s]+)", config).groups()
    assert BOOK_URL == f"https://{owner}.github.io/{name}/"


def test_every_cause_links_a_chapter_of_the_table_of_contents():
    toc = (ROOT / "_toc.yml").read_text()
    for cause in CAUSES.values():
        assert list((ROOT / "chapters").glob(f"{cause.chapter}.*")), cause.chapter
        assert f"chapters/{cause.chapter}" in toc
        assert cause.url == f"{BOOK_URL}chapters/{cause.chapter}.html"
