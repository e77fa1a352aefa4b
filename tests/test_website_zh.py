"""The Chinese edition (中文版) of the website, loaded page by page in headless Chromium, offline.

`make book` / `make test-book` build it into _build/html/zh/ after the English edition in
_build/html/. For every entry of _toc.yml this checks that the Chinese page was built, that
MathJax typeset its math, that it shows no error, that its internal links resolve, and that
each edition's page links to the same page in the other edition. The helpers are those of
tests/test_website.py.
"""

from __future__ import annotations

import re
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import test_website as en  # noqa: E402  (the English edition's browser test: its helpers)

pytestmark = pytest.mark.browser

HTML = en.HTML
ZH = HTML / "zh"


def _built():
    if not (ZH / "index.html").is_file():
        pytest.skip("the Chinese edition is not built: run `make test-book` (or `make book`) first")


def _pages(root: Path) -> list[Path]:
    return [root / f"{entry}.html" for entry in en._toc_pages()]


def _edition_link(page: Path) -> str:
    """The href of the page's link to the other edition."""
    match = re.search(
        r'<p class="edition-link"><a [^>]*href="([^"]+)"', page.read_text(encoding="utf-8")
    )
    assert match, f"{page.relative_to(HTML)}: no link to the other edition"
    return match.group(1)


@pytest.fixture(scope="module")
def rendered_full():
    if en.CHROMIUM is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    _built()
    pages = _pages(ZH)
    missing = [str(p.relative_to(HTML)) for p in pages if not p.is_file()]
    assert not missing, f"_toc.yml entries that did not become Chinese pages: {missing}"
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(pages, pool.map(en._render, pages)))
    print(f"\nbrowser check: {len(results)} Chinese pages rendered in headless Chromium")
    return results


@pytest.fixture(scope="module")
def rendered(rendered_full):
    """Chinese page -> its DOM after the scripts ran."""
    return {page: dom for page, (dom, _, _) in rendered_full.items()}


def test_no_chinese_page_logs_a_javascript_error(rendered_full):
    for page, (_, log, _) in rendered_full.items():
        errors = [line for line in log.splitlines() if "Uncaught" in line]
        assert not errors, f"zh/{page.name}: JavaScript errors in the console: {errors[:3]}"


def test_every_toc_entry_became_a_chinese_page_and_rendered(rendered):
    for page, dom in rendered.items():
        assert "</html>" in dom, f"{page.name}: Chromium returned no page"
        assert re.search(r'<html[^>]*\blang="zh[-_]CN"', dom), (
            f"zh/{page.name}: not marked as Chinese"
        )


def test_math_is_typeset_offline_in_chinese(rendered):
    with_math = 0
    for page, dom in rendered.items():
        if 'class="math' in page.read_text(encoding="utf-8"):
            with_math += 1
            assert "<mjx-container" in dom, (
                f"zh/{page.name}: math was not typeset (MathJax did not load offline?)"
            )
            assert "<mjx-merror" not in dom, (
                f"zh/{page.name}: MathJax reports an error in a formula"
            )
    assert with_math > 0, "no Chinese page with math was found"


def test_no_chinese_page_shows_an_error(rendered):
    for page, dom in rendered.items():
        text = en.without_intended_errors(dom)
        assert "Traceback (most recent call last)" not in text, f"zh/{page.name} shows a traceback"
        assert 'class="output stderr"' not in text, f"zh/{page.name} shows stderr output"
        assert "output traceback" not in text, f"zh/{page.name} shows an error output"


def test_the_chinese_pages_are_in_chinese(rendered):
    for page, dom in rendered.items():
        body = re.sub(r"<(script|style)\b.*?</\1>", "", dom, flags=re.S)
        body = re.search(r"<main\b.*?</main>", body, re.S)
        assert body, f"zh/{page.name}: no <main>"
        han = len(re.findall(r"[\u4e00-\u9fff]", body.group(0)))
        assert han > 20, f"zh/{page.name}: hardly any Chinese text ({han} characters)"


def test_each_page_links_to_the_same_page_in_the_other_edition():
    _built()
    for english, chinese in zip(_pages(HTML), _pages(ZH)):
        to_zh = (english.parent / _edition_link(english)).resolve()
        assert to_zh == chinese.resolve(), (
            f"{english.relative_to(HTML)} links to {to_zh}, not its Chinese page"
        )
        to_en = (chinese.parent / _edition_link(chinese)).resolve()
        assert to_en == english.resolve(), (
            f"{chinese.relative_to(HTML)} links to {to_en}, not its English page"
        )


def test_chinese_internal_links_resolve():
    _built()
    broken = en.broken_links(ZH, label="zh/")
    assert not broken, "broken internal links in the Chinese edition:\n" + "\n".join(broken)
