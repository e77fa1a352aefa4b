"""The Chinese edition (中文版): its message catalogs are complete, current and consistent.

The English pages and notebooks are the single source; their prose is translated in
``locale/zh_CN/LC_MESSAGES/chapters/<page>.po`` (see ``scripts/zh_edition.py``). After an English
edit, ``make translations`` merges the catalogs: a changed paragraph becomes *fuzzy*, a new one
arrives untranslated. These tests then say, page by page, which messages are left, and check
what a translation must keep:

* every message of every translated page is translated and none is fuzzy;
* the catalogs hold exactly the messages of the current English sources;
* formulas, inline code, references and citations, and numbers are carried over unchanged;
* a glossary term in the English text is rendered by the glossary's Chinese form (see
  :func:`glossary_terms` for the rule).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

babel_pofile = pytest.importorskip("babel.messages.pofile")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import zh_edition  # noqa: E402  (scripts/zh_edition.py)

CATALOGS = zh_edition.CATALOGS


def _toc_pages() -> list[str]:
    text = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    return re.findall(r"(?:root|file):\s*(\S+)", text)


TRANSLATED_PAGES = [page for page in _toc_pages() if not zh_edition.english_only(page)]


def _catalog_path(page: str) -> Path:
    return CATALOGS / f"{page}.po"


def _messages(page: str):
    """The catalog's current (not obsolete) messages."""
    with _catalog_path(page).open("rb") as f:
        catalog = babel_pofile.read_po(f)
    return [m for m in catalog if m.id]


def _short(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _existing(pages):
    return [page for page in pages if _catalog_path(page).is_file()]


# -- completeness ------------------------------------------------------------------------------


def test_every_translated_page_has_a_catalog():
    missing = [page for page in TRANSLATED_PAGES if not _catalog_path(page).is_file()]
    assert not missing, f"pages of _toc.yml without a catalog (run `make translations`): {missing}"


@pytest.mark.parametrize("page", _existing(TRANSLATED_PAGES))
def test_every_message_is_translated_and_none_is_fuzzy(page):
    messages = _messages(page)
    fuzzy = [m for m in messages if m.fuzzy]
    empty = [m for m in messages if not m.fuzzy and not m.string]
    if fuzzy or empty:
        lines = [f"{page}: {len(messages) - len(fuzzy) - len(empty)}/{len(messages)} translated"]
        lines += [f"  fuzzy (the English changed): {_short(m.id)}" for m in fuzzy]
        lines += [f"  untranslated: {_short(m.id)}" for m in empty]
        pytest.fail("\n".join(lines))


@pytest.mark.parametrize("page", _existing(TRANSLATED_PAGES))
def test_displayed_code_is_shown_unchanged(page):
    """A highlighted-code output (its Pygments LaTeX form reaches the catalog) is never translated:
    ``make translations`` gives it its own text, so a change of the package's source leaves no
    fuzzy message behind."""
    changed = [
        _short(m.id) for m in _messages(page) if zh_edition.is_code(m.id) and m.string != m.id
    ]
    assert not changed, f"{page}: displayed code translated or stale: {changed}"


def test_english_only_pages_have_no_catalog():
    stray = [
        p.relative_to(CATALOGS).as_posix()
        for p in CATALOGS.rglob("*.po")
        if zh_edition.english_only(p.relative_to(CATALOGS).with_suffix("").as_posix())
    ]
    assert not stray, f"catalogs of pages that stay English (remove them): {stray}"


@pytest.mark.slow
def test_catalogs_hold_the_messages_of_the_current_english_sources(tmp_path):
    """Extract the messages afresh and compare: an English edit not yet merged fails here."""
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [
            str(bin_dir / "jupyter-book"),
            "build",
            str(ROOT),
            "--builder",
            "custom",
            "--custom-builder",
            "gettext",
            "--path-output",
            str(tmp_path),
            "--quiet",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    templates = tmp_path / "_build" / "gettext"
    problems = []
    for page in _existing(TRANSLATED_PAGES):
        pot = templates / f"{page}.pot"
        with pot.open("rb") as f:
            wanted = {m.id for m in babel_pofile.read_po(f) if m.id}
        have = {m.id for m in _messages(page)}
        problems += [f"{page}: not in the catalog: {_short(i)}" for i in sorted(wanted - have)]
        problems += [
            f"{page}: no longer in the English: {_short(i)}" for i in sorted(have - wanted)
        ]
    assert not problems, "the catalogs are out of date: run `make translations`\n" + "\n".join(
        problems
    )


_BLOCK_START = re.compile(r"\s*(?:\d+[.)]\s|[-*+]\s|#{1,6}\s|>\s)")


@pytest.mark.parametrize("page", _existing(TRANSLATED_PAGES))
def test_translations_parse_as_the_text_they_replace(page):
    """A translation that starts like a list item or heading ("5. 反向传播") parses as a block, and
    Sphinx then silently keeps the English: escape the marker ("5\\. 反向传播")."""
    bad = [
        f"  {_short(m.string, 70)}"
        for m in _messages(page)
        if m.string and not m.fuzzy and _BLOCK_START.match(m.string)
    ]
    assert not bad, (
        f"{page}: translations that would be ignored (escape the leading marker):\n"
        + "\n".join(bad)
    )


# -- what a translation must keep ---------------------------------------------------------------

_ROLE = re.compile(r"\{([\w:-]+)\}`([^`]*)`")
_MATH = re.compile(r"\$\$.+?\$\$|(?<![\\$])\$[^$\n]+?\$", re.S)
_CODE = re.compile(r"``.+?``|`[^`\n]+`", re.S)
_LINK_TARGET = re.compile(r"\]\(([^)\s]*)\)|<(https?://[^>]+)>")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w])")


def _term_target(text: str) -> str:
    match = re.search(r"<([^<>]+)>\s*$", text)
    return " ".join((match.group(1) if match else text).lower().split())


def _tokens(text: str) -> Counter:
    """Formulas, inline code, references (their targets for {term}), link targets, numbers."""
    found = Counter()
    for role, content in _ROLE.findall(text):
        found[
            f"{{{role}}}→{_term_target(content)}" if role == "term" else f"{{{role}}}`{content}`"
        ] += 1
    rest = _ROLE.sub(" ", text)
    for pattern in (_MATH, _LINK_TARGET):
        for match in pattern.finditer(rest):
            found[match.group(0) if pattern is _MATH else (match.group(1) or match.group(2))] += 1
        rest = pattern.sub(" ", rest)
    for match in _CODE.finditer(rest):
        found[match.group(0)] += 1
    rest = _CODE.sub(" ", rest)
    for number in _NUMBER.findall(rest):
        found[f"number {number}"] += 1
    return found


@pytest.mark.parametrize("page", _existing(TRANSLATED_PAGES))
def test_formulas_code_references_and_numbers_are_kept(page):
    problems = []
    for m in _messages(page):
        if not m.string or m.fuzzy:
            continue
        missing = _tokens(m.id) - _tokens(m.string)
        if missing:
            problems.append(f"  {_short(m.id, 70)}\n    lost in the translation: {sorted(missing)}")
    assert not problems, f"{page}:\n" + "\n".join(problems)


# -- the glossary's terms ------------------------------------------------------------------------

#: Trailing head nouns a sentence may reasonably leave out ("最小二乘法" → "最小二乘拟合"). A
#: "函数" is dropped only after a Latin name ("Sigmoid 函数" → "Sigmoid").
_GENERIC_SUFFIX = re.compile(r"(?:(?<=[A-Za-z])函数|法|模型|架构)$")


#: English headwords that also have an everyday or statistical sense, with the Chinese word of
#: that other sense. "bias" is a neuron's offset (偏置) and also the systematic error of an
#: estimate, as in Adam's bias correction (偏差修正, the glossary's own term). "weight" is also a
#: body weight (体重), "baseline" also a patient's baseline measurement (基线).
OTHER_SENSES = {"bias": ("偏差",), "weight": ("体重",), "baseline": ("基线",)}


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def glossary_terms() -> dict[str, tuple[str, ...]]:
    """English headword → the Chinese forms that render it, from ``chapters/glossary.md``.

    The rule the test applies, per translated message:

    * The glossary's headwords are the terms. A headword is found in the English text case-
      insensitively, as whole words (a plural ``s``/``es`` allowed, hyphen or space alike,
      British ``-isation`` or American ``-ization``), outside formulas, code, link targets and
      the targets of references; longer headwords are matched first and their text removed,
      so "batch normalisation" is not also counted as "batch".
    * Its Chinese form is the first term of the glossary entry, before any parenthesised alias
      ("丢弃法（随机失活）" → 丢弃法; "隐层（隐藏层）" → 隐层). A generic trailing head noun
      (法, 模型, 架构, or 函数 after a Latin name) may be left out.
    * For names that Chinese courses write in Latin letters (a one-word headword with a capital,
      such as ReLU, Adam, Transformer; and tanh, softmax, logits), the English name also counts.
    * The translation must contain one of the accepted forms (spaces and case ignored).
    * :data:`OTHER_SENSES` lists the few headwords whose English word also has a second meaning,
      and the Chinese word of that meaning, which is then accepted too.
    * In the glossary page itself, each definition starts with its Chinese term ("激活函数. The
      nonlinear …"); that label is the headword's, not prose, and is left out of the match.
    """
    text = (ROOT / "chapters" / "glossary.md").read_text(encoding="utf-8")
    # one glossary directive per letter section
    body = "\n".join(re.findall(r"```\{glossary\}\n(.*?)\n```", text, re.S))
    terms: dict[str, tuple[str, ...]] = {}
    for match in re.finditer(r"^(\S[^\n]*)\n[ \t]+(\S[^\n]*)", body, re.M):
        headword, definition = match.group(1).strip(), match.group(2)
        chinese = re.match(r"(.+?)\.(?:\s|$)", definition).group(1)
        main = re.split(r"[（(]", chinese)[0].strip()
        forms = {_squash(main), _squash(_GENERIC_SUFFIX.sub("", main.strip()).strip() or main)}
        if (" " not in headword and re.search(r"[A-Z]", headword)) or headword.lower() in {
            "tanh",
            "softmax",
            "logits",
        }:
            forms.add(_squash(headword))
        forms.update(OTHER_SENSES.get(headword, ()))
        terms[headword] = tuple(sorted(forms))
    return terms


def _english_pattern(headword: str) -> re.Pattern:
    words = [re.escape(w) for w in re.split(r"[\s\-]+", headword)]
    body = r"[\s\-]?".join(words)
    body = body.replace("isation", "i[sz]ation")
    return re.compile(rf"(?<![\w\-–]){body}(?:s|es)?(?![\w\-–])", re.I)


def _prose(text: str) -> str:
    """The English text a reader sees as words: no formulas, code, link or reference targets."""
    text = _ROLE.sub(
        lambda m: (
            " " + re.sub(r"\s*<[^<>]+>\s*$", "", m.group(2)) + " " if m.group(1) == "term" else " "
        ),
        text,
    )
    for pattern in (_MATH, _CODE, _LINK_TARGET):
        text = pattern.sub(" ", text)
    # a display-math message has no $ delimiters: the words of its \text{...} are formula too
    return re.sub(r"\\text\{[^{}]*\}", " ", text)


def test_the_glossary_rule_reads_the_glossary():
    terms = glossary_terms()
    assert len(terms) > 100
    assert terms["back-propagation"] == ("反向传播",)
    assert "丢弃法" in terms["dropout"] and "随机失活" not in terms["dropout"]
    assert "relu" in terms["ReLU"]
    assert _english_pattern("batch normalisation").search("Batch normalization layers")
    assert not _english_pattern("bias").search("the bias–variance trade-off")


@pytest.mark.parametrize("page", _existing(TRANSLATED_PAGES))
def test_glossary_terms_use_the_glossarys_chinese_form(page):
    terms = glossary_terms()
    patterns = sorted(((h, _english_pattern(h)) for h in terms), key=lambda item: -len(item[0]))
    problems = []
    for m in _messages(page):
        if not m.string or m.fuzzy or zh_edition.is_code(m.id):  # displayed code stays English
            continue
        english, chinese = _prose(m.id), _squash(m.string)
        if page == "chapters/glossary":
            english = re.sub(r"^[^.\n]{1,40}\.\s", " ", english)  # the definition's Chinese label
        for headword, pattern in patterns:
            if pattern.search(english):
                english = pattern.sub(" ", english)
                if not any(form in chinese for form in terms[headword]):
                    problems.append(
                        f"  '{headword}' should read {' / '.join(terms[headword])} "
                        f"in: {_short(m.string, 70)}"
                    )
    assert not problems, (
        f"{page}: glossary terms not rendered by their Chinese form:\n" + "\n".join(problems)
    )
