"""Load the built pages in headless Chromium, served on loopback, and look at the live DOM.

This is what a reader sees, in both editions (English, and Chinese under zh_CN/): MathJax
(vendored, no CDN) must have typeset the math, no TeX source may be left in the text outside the
typeset math, notebook pages must offer the Colab launch link, and the language switch must lead
to the twin page. Needs Debian's `chromium` and, for the screenshots of the Chinese pages, a CJK
font (`make test` installs chromium and fonts-noto-cjk as root).
"""

import functools
import http.server
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from site_pages import EDITIONS, raw_tex, site_pages

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "_build" / "screenshots"

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def server(html):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(html))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail(
            "chromium is not installed (apt-get install chromium); `make test` installs it as root"
        )
    return path


def rendered_dom(chromium: str, url: str, tmp_path) -> str:
    """The DOM after scripts ran (MathJax typesets asynchronously, hence the time budget)."""
    result = subprocess.run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path}",
            "--virtual-time-budget=20000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.mark.parametrize("edition", EDITIONS.values())
def test_mathjax_typesets_the_math(chromium, server, tmp_path, edition):
    dom = rendered_dom(chromium, f"{server}/{edition}intro.html", tmp_path)
    assert "<mjx-container" in dom, "MathJax did not typeset the math on the introduction page"
    assert "<mjx-merror" not in dom, "MathJax reported a TeX error"


@pytest.mark.parametrize("edition", EDITIONS.values())
def test_notebook_page_math_and_colab_link(chromium, server, tmp_path, edition):
    dom = rendered_dom(chromium, f"{server}/{edition}chapters/01_general_guide.html", tmp_path)
    assert "colab.research.google.com/github/" in dom
    assert "<mjx-container" in dom or "math" not in dom


def test_the_language_switch_leads_to_the_twin_and_back(chromium, server, tmp_path):
    """The reader clicks 中文 on an English chapter and lands on the same chapter in Chinese,
    whose English button leads back (hrefs as the browser resolves them)."""
    page = "chapters/03_batch_size.html"
    english = rendered_dom(chromium, f"{server}/{page}", tmp_path)
    assert '<html lang="en"' in english
    href = re.search(r'class="btn btn-sm language-switch" href="([^"]+)"', english)
    assert href and href.group(1) == f"../zh_CN/{page}", href
    chinese = rendered_dom(chromium, f"{server}/zh_CN/{page}", tmp_path)
    assert '<html lang="zh-CN"' in chinese and "我的网络为什么训练不起来？" in chinese
    back = re.search(r'class="btn btn-sm language-switch" href="([^"]+)"', chinese)
    assert back and back.group(1) == f"../../{page}", back


@pytest.mark.parametrize("edition", EDITIONS)
def test_screenshot_of_each_edition(chromium, server, tmp_path, edition):
    """What a reader sees, kept in _build/screenshots/ for a person to look at. The Chinese
    page needs a CJK font, or its characters render as empty boxes."""
    if edition != "en":
        fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
        assert fonts.strip(), "no CJK font: apt-get install fonts-noto-cjk (make browser)"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{edition}-03_batch_size.png"
    target.unlink(missing_ok=True)
    result = subprocess.run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path}",
            "--virtual-time-budget=20000",
            "--window-size=1280,1000",
            "--hide-scrollbars",
            f"--screenshot={target}",
            f"{server}/{EDITIONS[edition]}chapters/03_batch_size.html",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert target.stat().st_size > 20_000, "the screenshot is (nearly) blank"


@pytest.mark.parametrize("doc", site_pages())
def test_no_tex_left_outside_typeset_math(chromium, server, tmp_path, doc):
    """After MathJax ran, the text outside <mjx-container> (and outside code and scripts) holds no
    TeX: no `$$`, `\\begin` or `\\frac`, and no `$` or other control word either. That TeX was
    never typeset and shows as source."""
    dom = rendered_dom(chromium, f"{server}/{doc}.html", tmp_path)
    leftovers = raw_tex(dom, skip_math_elements=False)
    assert not leftovers, "TeX source shown to the reader:\n  " + "\n  ".join(leftovers)
