"""Links from the exercises to the chapters also work in a notebook handed out alone.

Each relative link `[...](../../chapters/<name>.ipynb)` must be followed by the page's address on
the course website, `(online: <https://<owner>.github.io/<repo>/chapters/<name>.html>)`, with the
owner and repository taken from `_config.yml`, and the page must be one the website builds (a
`_toc.yml` entry). `python tools/chapter_links.py` writes these addresses.
"""

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*/*.ipynb")) + sorted(
    (ROOT / "exercises").glob("[0-9][0-9]_*/*.ipynb")
)
RELATIVE = re.compile(r"\]\(\.\./\.\./(chapters/[^)\s]+)\.ipynb\)")
ONLINE = re.compile(r"https://[^/\s]+\.github\.io/[^/\s]+/([^\s>)]+)\.html")


def site() -> str:
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    owner, repo = url.rstrip("/").removeprefix("https://github.com/").split("/")
    return f"https://{owner}.github.io/{repo}/"


def toc_pages() -> set[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return {toc["root"]} | {c["file"] for part in toc["parts"] for c in part["chapters"]}


def markdown_of(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


@pytest.mark.parametrize(
    "path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)).removesuffix(".ipynb")
)
def test_chapter_links_carry_their_website_address(path):
    markdown = markdown_of(path)
    links = list(RELATIVE.finditer(markdown))
    assert links, "the notebook links to its chapter"
    for link in links:
        page = link[1]
        assert (ROOT / f"{page}.ipynb").exists(), f"{page}.ipynb does not exist"
        assert page in toc_pages(), f"{page} is not in _toc.yml, so the website has no such page"
        expected = f" (online: <{site()}{page}.html>)"
        following = markdown[link.end() : link.end() + len(expected)]
        assert following == expected, (
            f"the link to {page} is followed by {following!r}, not by its website address "
            f"{expected!r} (run python tools/chapter_links.py, then make exercises)"
        )
    for address in ONLINE.finditer(markdown):
        assert address[0].startswith(site()), f"{address[0]} is not on the course website"
        assert address[1] in toc_pages(), f"{address[0]}: no such page in _toc.yml"
