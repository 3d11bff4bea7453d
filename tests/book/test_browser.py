"""Load the built pages in headless Chromium, served on loopback, and look at the live DOM.

This is what a reader sees: MathJax (vendored, no CDN) must have typeset the math, no TeX source
may be left in the text outside the typeset math, and notebook pages must offer the Colab launch
link. Needs Debian's `chromium` (`make test` installs it as root).
"""

import functools
import http.server
import shutil
import subprocess
import threading

import pytest
from site_pages import raw_tex, toc_files

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


def test_mathjax_typesets_the_math(chromium, server, tmp_path):
    dom = rendered_dom(chromium, f"{server}/intro.html", tmp_path)
    assert "<mjx-container" in dom, "MathJax did not typeset the math on the introduction page"
    assert "<mjx-merror" not in dom, "MathJax reported a TeX error"


def test_notebook_page_math_and_colab_link(chromium, server, tmp_path):
    dom = rendered_dom(chromium, f"{server}/chapters/01_general_guide.html", tmp_path)
    assert "colab.research.google.com/github/" in dom
    assert "<mjx-container" in dom or "math" not in dom


@pytest.mark.parametrize("doc", toc_files())
def test_no_tex_left_outside_typeset_math(chromium, server, tmp_path, doc):
    """After MathJax ran, the text outside <mjx-container> (and outside code and scripts) holds no
    TeX: no `$$`, `\\begin` or `\\frac`, and no `$` or other control word either. That TeX was
    never typeset and shows as source."""
    dom = rendered_dom(chromium, f"{server}/{doc}.html", tmp_path)
    leftovers = raw_tex(dom, skip_math_elements=False)
    assert not leftovers, "TeX source shown to the reader:\n  " + "\n  ".join(leftovers)
