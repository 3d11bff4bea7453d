"""The course website, defined once: chapter links in feedback point here.

The book is published by GitHub Pages from the repository named in `_config.yml`
(`repository.url: https://github.com/<owner>/<name>`), so the website is
`https://<owner>.github.io/<name>/` and a chapter `chapters/04_momentum.ipynb` is the page
`<website>chapters/04_momentum.html`. A test keeps `WEBSITE` equal to what `_config.yml` gives
(the Gradescope image has no `_config.yml`); change both when you fork the course.
"""

from __future__ import annotations

import re

WEBSITE = "https://why-wont-my-network-train.github.io/course/"

_CHAPTER = re.compile(r"(?<![\w/.])chapters/([\w-]+)\.(?:ipynb|md)(#[\w-]+)?")


def website_of_repository(url: str) -> str:
    """`https://github.com/<owner>/<name>` → `https://<owner>.github.io/<name>/`."""
    match = re.fullmatch(r"https://github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?/?", url.strip())
    if match is None:
        raise ValueError(f"{url!r} is not a GitHub repository URL")
    owner, name = match.groups()
    return f"https://{owner.lower()}.github.io/{name}/"


def chapter_url(stem: str, anchor: str = "") -> str:
    """The web page of `chapters/<stem>.ipynb` (`anchor`: a heading's slug, without `#`)."""
    return f"{WEBSITE}chapters/{stem}.html" + (f"#{anchor}" if anchor else "")


def link_chapters(text: str) -> str:
    """Every repository path `chapters/<stem>.ipynb[#anchor]` in `text` as its website URL."""
    return _CHAPTER.sub(lambda m: chapter_url(m.group(1), (m.group(2) or "#")[1:]), text)
