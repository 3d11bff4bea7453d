"""tools/chapter_links.py: the website address comes from the configured repository, is added
once next to each relative chapter link, and is corrected when the repository changes."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def chapter_links_tool():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import chapter_links
    finally:
        sys.path.pop(0)
    return chapter_links


def test_website_url_is_github_pages_of_the_repository(tmp_path):
    tool = chapter_links_tool()
    config = tmp_path / "_config.yml"
    config.write_text("repository:\n  url: https://github.com/someone/fork/\n")
    assert tool.website_url(config) == "https://someone.github.io/fork/"


def test_links_gain_their_address_once_and_follow_a_fork():
    tool = chapter_links_tool()
    text = "See [the chapter](../../chapters/04_momentum.ipynb) and [the other](../x.ipynb)."
    once = tool.with_website_links(text, "https://a.github.io/course/")
    assert once == (
        "See [the chapter](../../chapters/04_momentum.ipynb) "
        "(online: <https://a.github.io/course/chapters/04_momentum.html>) "
        "and [the other](../x.ipynb)."
    )
    assert tool.with_website_links(once, "https://a.github.io/course/") == once
    moved = tool.with_website_links(once, "https://b.github.io/fork/")
    assert "<https://b.github.io/fork/chapters/04_momentum.html>" in moved
    assert "a.github.io" not in moved
