"""Give every link from an exercise to a chapter the chapter's website address as well.

A relative link such as `[the chapter on momentum](../../chapters/04_momentum.ipynb)` works in
the repository and on the website, but not in a notebook handed out alone (downloaded, or opened
in Colab). So each one is followed by the page's address on the course website, GitHub Pages of
the repository configured in `_config.yml`:

    https://github.com/<owner>/<repo>  ->  https://<owner>.github.io/<repo>/chapters/<name>.html

giving `[the chapter on momentum](../../chapters/04_momentum.ipynb)
(online: <https://<owner>.github.io/<repo>/chapters/04_momentum.html>)`. Run it after changing
the repository URL, then `make exercises`.

Usage:
    python tools/chapter_links.py          # rewrite the links in solutions/
    python tools/chapter_links.py --check  # exit 1 and list the notebooks whose links differ
"""

import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
# A relative chapter link, and the website address that may already follow it.
LINK = re.compile(
    r"(?P<link>\[[^\]\n]+\]\(\.\./\.\./chapters/(?P<name>[^)/\s]+)\.ipynb\))"
    r"(?P<online> \(online: <[^>\s]*>\))?"
)


def website_url(config: Path = ROOT / "_config.yml") -> str:
    """The GitHub Pages address of the repository in `config`, ending with a slash."""
    url = yaml.safe_load(config.read_text())["repository"]["url"].rstrip("/")
    owner, repo = url.removeprefix("https://github.com/").split("/")
    return f"https://{owner}.github.io/{repo}/"


def with_website_links(markdown: str, base: str) -> str:
    """`markdown` with each chapter link followed by its page's website address."""
    return LINK.sub(lambda m: f"{m['link']} (online: <{base}chapters/{m['name']}.html>)", markdown)


def main(argv: list[str]) -> int:
    base = website_url()
    stale = []
    for path in sorted((ROOT / "solutions").glob("*/*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        changed = False
        for cell in nb["cells"]:
            if cell["cell_type"] != "markdown":
                continue
            source = "".join(cell["source"])
            new = with_website_links(source, base)
            if new != source:
                cell["source"] = new.splitlines(keepends=True)
                changed = True
        if changed:
            stale.append(path)
            if "--check" not in argv:
                text = json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
                path.write_text(text, encoding="utf-8")
    for path in stale:
        verb = "lacks website addresses" if "--check" in argv else "updated"
        print(f"{path.relative_to(ROOT)}: {verb} (then run make exercises)")
    return 1 if stale and "--check" in argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
