"""The built website, loaded page by page in headless Chromium, offline.

Run by `make test` after the book build (`make test-book`); skipped when
Chromium is not installed. For every entry of _toc.yml it checks that the page
was built, that MathJax (served with the site) typeset its math, that it shows
no traceback or error output, and that every internal link resolves; that no
page logs a JavaScript error, shows raw LaTeX outside math, shows a figure with
fewer than 1.8 pixels per displayed pixel (blurred on a high-DPI screen) or is
wider than a 420-px phone screen. Without a browser it checks the numbering,
the API reference (one page per public module, linked both ways), the
bibliography and the glossary's A-Z index.

Measurements are taken inside Chromium by a small script added to a copy of
each page (``_measure.js`` below): it runs after MathJax finished, and writes
what it found into the DOM that ``--dump-dom`` returns.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
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
CHROMIUM = (
    shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
)


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


_MEASURE_JS = r"""
<script>
window.addEventListener("load", function () {
  function measure() {
    var figures = [];
    document.querySelectorAll(".cell_output img, figure img").forEach(function (img) {
      var r = img.getBoundingClientRect();
      if (img.naturalWidth > 0 && r.width > 0) {
        figures.push({src: img.getAttribute("src").slice(0, 80), natural: img.naturalWidth,
                      shown: Math.round(r.width)});
      }
    });
    // Visible content reaching past the right edge, unless a box that scrolls holds it
    // (a wide formula or table may scroll inside the page; the page itself must not).
    // Off-canvas parts of the theme (fixed or hidden sidebars) are not content.
    var vw = document.documentElement.clientWidth, wide = [];
    document.querySelectorAll(".bd-article *").forEach(function (el) {
      var r = el.getBoundingClientRect();
      if (r.right > vw + 1 && r.width > 0 && wide.length < 5) {
        var p = el.parentElement, held = false;
        for (; p; p = p.parentElement) {
          var st = getComputedStyle(p);
          if (st.overflowX === "auto" || st.overflowX === "scroll" || st.position === "fixed"
              || st.visibility === "hidden") { held = true; break; }
        }
        if (!held) wide.push(el.tagName + "." + (el.className || "").toString().slice(0, 40) + " "
                             + (el.textContent || "").trim().slice(0, 40));
      }
    });
    var data = JSON.stringify({viewport: vw, scroll: document.documentElement.scrollWidth,
                               figures: figures, wide: wide});
    var out = document.createElement("script");
    out.type = "application/json";
    out.id = "mlpabc-measure";
    out.textContent = data;
    document.body.appendChild(out);
    if (window.parent !== window) window.parent.postMessage(data, "*");
  }
  var ready = (window.MathJax && MathJax.startup && MathJax.startup.promise) || Promise.resolve();
  ready.then(function () { setTimeout(measure, 300); });
});
</script>
"""


# Headless Chromium will not make a window narrower than 500 px, so a phone's 420 px is an
# iframe of that width; the page inside posts its measurements to this frame's DOM.
_PHONE_FRAME = """<!DOCTYPE html><html><body style="margin:0">
<iframe src="{src}" style="width:{width}px;height:900px;border:0"></iframe>
<script>window.addEventListener("message", function (e) {{
  var out = document.createElement("script");
  out.type = "application/json"; out.id = "mlpabc-measure"; out.textContent = e.data;
  document.body.appendChild(out);
}});</script></body></html>"""


def _render(page: Path, width: int | None = None) -> tuple[str, str, dict]:
    """(DOM after the scripts ran, Chromium's log, measurements) of ``page``, offline.

    The page is loaded from a copy beside it with the measuring script added, so that its
    relative links still resolve; the copy is removed afterwards. With ``width`` the page
    is shown in a frame that wide (a phone) and the DOM returned is the frame's.
    """
    html = page.read_text(encoding="utf-8")
    copy = page.with_name(f"_measure_{width}_{page.name}")
    copy.write_text(html.replace("</body>", _MEASURE_JS + "</body>", 1), encoding="utf-8")
    target = copy
    if width is not None:
        target = page.with_name(f"_frame_{width}_{page.name}")
        target.write_text(_PHONE_FRAME.format(src=copy.name, width=width), encoding="utf-8")
    try:
        with tempfile.TemporaryDirectory() as profile:
            proc = subprocess.run(
                [
                    CHROMIUM,
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    f"--user-data-dir={profile}",
                    "--virtual-time-budget=20000",
                    "--enable-logging=stderr",
                    "--v=0",
                    "--hide-scrollbars",
                    "--window-size=1280,900",
                    "--dump-dom",
                    target.as_uri(),
                ],
                capture_output=True,
                text=True,
                timeout=180,
            )
    finally:
        copy.unlink(missing_ok=True)
        target.unlink(missing_ok=True)
    found = re.search(
        r'<script type="application/json" id="mlpabc-measure">(.*?)</script>', proc.stdout, re.S
    )
    measured = json.loads(found.group(1)) if found else {}
    return proc.stdout, proc.stderr, measured


@pytest.fixture(scope="module")
def rendered_full():
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    if not (HTML / "index.html").is_file():
        pytest.skip("the website is not built: run `make test-book` (or `make book`) first")
    pages = [HTML / f"{entry}.html" for entry in _toc_pages()]
    missing = [str(p.relative_to(HTML)) for p in pages if not p.is_file()]
    assert not missing, f"_toc.yml entries that did not become pages: {missing}"
    pages += sorted(set(HTML.glob("chapters/api/*.html")) - set(pages))  # the API pages
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(pages, pool.map(_render, pages)))
    print(f"\nbrowser check: {len(results)} pages rendered in headless Chromium")
    return results


@pytest.fixture(scope="module")
def rendered(rendered_full):
    """Page -> its DOM after the scripts ran (desktop width)."""
    return {page: dom for page, (dom, _, _) in rendered_full.items()}


@pytest.fixture(scope="module")
def phone(rendered_full):
    """Page -> measurements at a phone's width (420 px)."""
    pages = list(rendered_full)
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(pages, (m for _, _, m in pool.map(lambda p: _render(p, 420), pages))))


def test_every_toc_entry_became_a_page_and_rendered(rendered):
    for page, dom in rendered.items():
        assert "</html>" in dom, f"{page.name}: Chromium returned no page"


def test_math_is_typeset_offline(rendered):
    with_math = 0
    for page, dom in rendered.items():
        source = page.read_text(encoding="utf-8")
        if 'class="math' in source:
            with_math += 1
            assert "<mjx-container" in dom, (
                f"{page.name}: math was not typeset (MathJax did not load offline?)"
            )
            assert "<mjx-merror" not in dom, f"{page.name}: MathJax reports an error in a formula"
    assert with_math > 0, "no page with math was found"


_DOCTEST = re.compile(r'<div class="doctest[^"]*">.*?</pre>', re.S)
# A chapter cell tagged `raises-exception` shows an error on purpose (chapter 5: the booklet's
# b1 does not broadcast, it raises); such a cell runs up to the next cell or section.
_INTENDED_ERROR = re.compile(
    r'<div class="cell tag_raises-exception[^"]*">.*?(?=<div class="cell |<section|</section>)',
    re.S,
)


def without_intended_errors(dom: str) -> str:
    """``dom`` without the API's doctest examples and the chapters' `raises-exception` cells."""
    return _INTENDED_ERROR.sub("", _DOCTEST.sub("", dom))


def test_no_page_shows_an_error(rendered):
    for page, dom in rendered.items():
        # The API reference's doctest examples show the expected error of a misspelt name on
        # purpose, and so does a chapter cell tagged `raises-exception`; everything else
        # (notebook outputs above all) must be free of tracebacks.
        text = without_intended_errors(dom)
        assert "Traceback (most recent call last)" not in text, f"{page.name} shows a traceback"
        assert 'class="output stderr"' not in text, f"{page.name} shows stderr output"
        assert "output traceback" not in text, f"{page.name} shows an error output"


def test_the_intended_errors_are_shown():
    """The exemption above covers exactly the tagged cells: chapter 5's raises its ValueError."""
    html = _built("chapters/05_backprop.html")
    cells = _INTENDED_ERROR.findall(html)
    assert len(cells) == 1 and "ValueError" in cells[0], "chapter 5's raises-exception cell"


def test_no_page_loads_anything_from_the_network():
    if not (HTML / "index.html").is_file():
        pytest.skip("the website is not built")
    remote = re.compile(r"""<(?:script|link)[^>]+(?:src|href)=["']https?://""", re.I)
    for page in HTML.rglob("*.html"):
        assert not remote.search(page.read_text(encoding="utf-8")), (
            f"{page.name} loads a remote script or style"
        )


def broken_links(root: Path, label: str = "") -> list[str]:
    """Internal links (files and anchors) of the chapters and the home page under ``root``
    that lead nowhere, as ``"<label><page>: <href>"``."""
    broken, parsed = [], {}
    for page in sorted(root.glob("chapters/*.html")) + [root / "index.html"]:
        for href in _parse(page).hrefs:
            parts = urlsplit(href)
            if parts.scheme or href.startswith(("mailto:", "javascript:")):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{label}{page.name}: {href}")
                continue
            if parts.fragment and target.suffix == ".html":
                if target not in parsed:  # (not setdefault: it would parse on every link)
                    parsed[target] = _parse(target).ids
                if unquote(parts.fragment) not in parsed[target]:
                    broken.append(f"{label}{page.name}: {href} (no such anchor)")
    return broken


def test_internal_links_resolve():
    if not (HTML / "index.html").is_file():
        pytest.skip("the website is not built")
    broken = broken_links(HTML)
    assert not broken, "broken internal links:\n" + "\n".join(broken)


# -- issue 16: a clean, sharp, numbered site -----------------------------------------------------

_CONSOLE_ERROR = re.compile(r"Uncaught [^\n]*|CONSOLE[^\n]*(?:Error|error)[^\n]*")


def test_no_javascript_error_on_any_page(rendered_full):
    errors = []
    for page, (_, log, _) in rendered_full.items():
        errors += [
            f"{page.relative_to(HTML)}: {line.strip()[:200]}"
            for line in _CONSOLE_ERROR.findall(log)
        ]
    assert not errors, "JavaScript errors in the browser console:\n" + "\n".join(errors)


# TeX commands that must never reach the reader as text: MathJax turns them into math, so
# seeing one means a formula escaped its $...$ (a broken delimiter, a list marker inside it...).
_RAW_TEX = re.compile(
    r"\\(?:mathbf|mathrm|boldsymbol|frac|sqrt|sum|prod|partial|hat|tilde|sigma|"
    r"alpha|beta|gamma|delta|eta|lambda|epsilon|nabla|cdot|times|left|right|top|"
    r"text|operatorname|begin|end)\b"
)
_NOT_PROSE = re.compile(
    r"<(script|style|pre|code|mjx-container|mjx-assistive-mml|math)\b.*?</\1>|<[^>]+>", re.S | re.I
)


def test_no_raw_latex_outside_math(rendered):
    bad = []
    for page, dom in rendered.items():
        body = dom.split("<body", 1)[-1]
        text = _NOT_PROSE.sub(" ", body)
        found = sorted(set(_RAW_TEX.findall(text)))
        if found:
            where = _RAW_TEX.search(text).start()
            excerpt = " ".join(text[max(0, where - 60) : where + 40].split())
            bad.append(f"{page.relative_to(HTML)}: {found} e.g. ...{excerpt}...")
    assert not bad, "raw LaTeX in the rendered text (outside math):\n" + "\n".join(bad)


def test_figures_are_sharp(rendered_full):
    """Every figure has at least 1.8 image pixels per displayed pixel (a retina PNG has 2)."""
    soft, count = [], 0
    for page, (_, _, measured) in rendered_full.items():
        assert measured, f"{page.relative_to(HTML)}: the measuring script did not run"
        for fig in measured["figures"]:
            count += 1
            if fig["natural"] < 1.8 * fig["shown"]:
                soft.append(
                    f"{page.relative_to(HTML)}: {fig['natural']} px shown at {fig['shown']} px"
                )
    print(f"\nfigures: {count - len(soft)} sharp of {count}")
    assert count > 0, "no figure found"
    assert not soft, f"{len(soft)} of {count} figures are soft on a high-DPI screen:\n" + "\n".join(
        soft
    )


def test_no_page_is_wider_than_a_phone(phone):
    wide = []
    for page, measured in phone.items():
        assert measured, f"{page.relative_to(HTML)}: the measuring script did not run"
        if measured["scroll"] > measured["viewport"] + 1 or measured["wide"]:
            wide.append(
                f"{page.relative_to(HTML)}: {measured['scroll']} px wide "
                f"in a {measured['viewport']}-px viewport; too wide: {measured['wide']}"
            )
    assert not wide, "pages wider than a 420-px phone screen:\n" + "\n".join(wide)


def _built(name: str) -> str:
    path = HTML / name
    if not (HTML / "index.html").is_file():
        pytest.skip("the website is not built")
    assert path.is_file(), f"{name} was not built"
    return path.read_text(encoding="utf-8")


def test_chapters_and_figures_are_numbered_from_the_toc():
    html = _built("chapters/12_bn_dropout_residual.html")
    assert re.search(r'<h1>\s*<span class="section-number">12\. </span>', html), (
        "chapter 12 is not numbered 12"
    )
    assert re.search(r'<span class="section-number">12\.1\. </span>', html), (
        "sections are not numbered 12.1, ..."
    )
    assert re.search(r'<span class="caption-number">Fig\. 12\.1 </span>', html), (
        "figures are not numbered Fig. 12.1, ..."
    )
    preface = _built("chapters/00_preface.html")
    assert 'class="section-number"' not in preface.split("<h1", 1)[1].split("</h1>", 1)[0], (
        "the preface is numbered"
    )


def _public_modules() -> list[str]:
    """mlpabc's public modules: every module or package of mlpabc whose name has no leading
    underscore, and the public submodules a package's docs name (optimizers.schedules)."""
    import pkgutil

    mlpabc = importlib.import_module("mlpabc")
    names = {
        f"mlpabc.{info.name}"
        for info in pkgutil.iter_modules(mlpabc.__path__)
        if not info.name.startswith("_")
    }
    return sorted(names | {"mlpabc.optimizers.schedules"})


def test_every_public_module_has_an_api_page():
    pages = {p.stem for p in (ROOT / "chapters" / "api").glob("*.md")}
    missing = [m for m in _public_modules() if m.removeprefix("mlpabc.") not in pages]
    assert not missing, (
        f"public modules without an API page: {missing}. Add chapters/api/<name>.md:\n"
        "# `mlpabc.<name>`\n\n```{eval-rst}\n.. mlpabc-module:: mlpabc.<name>\n```"
    )
    stale = [p for p in pages if importlib.util.find_spec(f"mlpabc.{p}") is None]
    assert not stale, f"API pages of modules that do not exist: {stale}"


def test_api_pages_link_to_chapters_and_back():
    html = _built("chapters/api/activations.html")
    assert re.search(
        r"Introduced in the chapter\s*"
        r'<a class="reference internal" href="\.\./03_activations\.html">'
        r"<em>Activation functions</em></a>",
        html,
    ), "'Introduced in the chapter *Activation functions*' is not a link to the chapter"
    assert "<em>Activation functions</em></a>" in html
    chapter = _built("chapters/03_activations.html")
    assert re.search(r'href="api/activations\.html"', chapter), (
        "chapter 3 does not link to the API page of mlpabc.activations"
    )
    for page in sorted((HTML / "chapters" / "api").glob("*.html")):
        text = page.read_text(encoding="utf-8")
        assert "Introduced in the chapter <em>" not in text, (
            f"{page.name}: an 'Introduced in the chapter' is not a link"
        )


def test_bibliography_is_author_year_with_no_duplicate_ids():
    html = _built("chapters/bibliography.html")
    labels = re.findall(
        r'<span class="label"><span class="fn-bracket">\[</span>'
        r'(.*?)<span class="fn-bracket">\]</span>',
        html,
    )
    assert labels, "no bibliography labels found"
    not_author_year = [lab for lab in labels if not re.fullmatch(r".+, (\d{4}|n\.d\.)[a-z]?", lab)]
    assert not not_author_year, f"labels not in author-year form: {not_author_year}"
    assert "Chen et al., 2020" in labels
    for title in ("AI Computing Systems", "RMSprop", "Adam"):
        assert title in html, f"the title word {title!r} lost its capitals"
    ids = re.findall(r"arXiv:(\d{4}\.\d{4,5})", re.sub(r"<[^>]+>", "", html))
    assert len(ids) == len(set(ids)), (
        f"an arXiv id appears twice: {sorted(i for i in ids if ids.count(i) > 1)}"
    )


def test_logo_and_favicon():
    html = _built("chapters/01_regression.html")
    assert re.search(r'<link rel="icon" href="[^"]*favicon\.png"', html), "no favicon"
    assert re.search(r'<img src="[^"]*logo\.svg" class="logo__image', html), "no logo"


def test_glossary_has_letter_anchors():
    html = _built("chapters/glossary.html")
    # links to one anchor per letter: "#a", "#letter-a", "#glossary-a", ...
    letters = set(re.findall(r'href="#(?:[\w]+-)?([a-z])"', html))
    assert len(letters) >= 10, f"the glossary has no A-Z jump links (found {sorted(letters)})"
    ids = set(re.findall(r'id="(?:[\w]+-)?([a-z])"', html))
    assert letters <= ids, f"letter links without a target: {sorted(letters - ids)}"
    assert "residual connection" in html.lower()


def test_no_page_shows_the_build_machines_paths():
    if not (HTML / "index.html").is_file():
        pytest.skip("the website is not built")
    root = str(ROOT.resolve())
    leaks = [
        str(p.relative_to(HTML))
        for p in HTML.rglob("*.html")
        if root in p.read_text(encoding="utf-8")
    ]
    assert not leaks, (
        f"pages showing the absolute path {root!r} of the machine that built them: {leaks}"
    )
