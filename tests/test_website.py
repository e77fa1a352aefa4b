"""The built website, loaded page by page in headless Chromium, offline.

Run by `make test` after the book build (`make test-book`); skipped when
Chromium is not installed. For every entry of _toc.yml it checks that the page
was built, that MathJax (served with the site) typeset its math, that it shows
no traceback or error output, and that every internal link resolves.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def _toc_pages():
    text = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    return re.findall(r"(?:root|file):\s*(\S+)", text)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _render(page: Path) -> str:
    """The DOM of ``page`` after its scripts ran, from headless Chromium with no network."""
    with tempfile.TemporaryDirectory() as profile:
        proc = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={profile}", "--virtual-time-budget=20000",
             "--dump-dom", page.as_uri()],
            capture_output=True, text=True, timeout=120,
        )
    return proc.stdout


@pytest.fixture(scope="module")
def rendered():
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    if not (HTML / "index.html").is_file():
        pytest.skip("the website is not built: run `make test-book` (or `make book`) first")
    pages = [HTML / f"{entry}.html" for entry in _toc_pages()]
    missing = [str(p.relative_to(HTML)) for p in pages if not p.is_file()]
    assert not missing, f"_toc.yml entries that did not become pages: {missing}"
    with ThreadPoolExecutor(max_workers=2) as pool:
        doms = dict(zip(pages, pool.map(_render, pages)))
    print(f"\nbrowser check: {len(doms)} pages rendered in headless Chromium")
    return doms


def test_every_toc_entry_became_a_page_and_rendered(rendered):
    for page, dom in rendered.items():
        assert "</html>" in dom, f"{page.name}: Chromium returned no page"


def test_math_is_typeset_offline(rendered):
    with_math = 0
    for page, dom in rendered.items():
        source = page.read_text(encoding="utf-8")
        if 'class="math' in source:
            with_math += 1
            assert "<mjx-container" in dom, f"{page.name}: math was not typeset (MathJax did not load offline?)"
            assert "<mjx-merror" not in dom, f"{page.name}: MathJax reports an error in a formula"
    assert with_math > 0, "no page with math was found"


_DOCTEST = re.compile(r'<div class="doctest[^"]*">.*?</pre>', re.S)


def test_no_page_shows_an_error(rendered):
    for page, dom in rendered.items():
        # The API reference's doctest examples show the expected error of a misspelt name on
        # purpose; everything else (notebook outputs above all) must be free of tracebacks.
        text = _DOCTEST.sub("", dom)
        assert "Traceback (most recent call last)" not in text, f"{page.name} shows a traceback"
        assert 'class="output stderr"' not in dom, f"{page.name} shows stderr output"
        assert "output traceback" not in dom, f"{page.name} shows an error output"


def test_no_page_loads_anything_from_the_network():
    if not (HTML / "index.html").is_file():
        pytest.skip("the website is not built")
    remote = re.compile(r"""<(?:script|link)[^>]+(?:src|href)=["']https?://""", re.I)
    for page in HTML.rglob("*.html"):
        assert not remote.search(page.read_text(encoding="utf-8")), f"{page.name} loads a remote script or style"


def test_internal_links_resolve():
    if not (HTML / "index.html").is_file():
        pytest.skip("the website is not built")
    broken = []
    parsed = {}
    for page in sorted(HTML.glob("chapters/*.html")) + [HTML / "index.html"]:
        for href in _parse(page).hrefs:
            parts = urlsplit(href)
            if parts.scheme or href.startswith(("mailto:", "javascript:")):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.name}: {href}")
                continue
            if parts.fragment and target.suffix == ".html":
                if target not in parsed:  # (not setdefault: it would parse on every link)
                    parsed[target] = _parse(target).ids
                ids = parsed[target]
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{page.name}: {href} (no such anchor)")
    assert not broken, "broken internal links:\n" + "\n".join(broken)
