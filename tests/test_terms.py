"""Every glossary term is spelled as the glossary spells it, in English and in Chinese.

The glossary (``chapters/glossary.md``) gives each term one Chinese form, the sources' own,
optionally followed by aliases in full-width parentheses: ``丢弃法（随机失活）``. A chapter
links a term with ``{term}`...``` and, at the term's first use in that chapter, gives its
Chinese form in parentheses right after it. These tests check that

* every ``{term}`` reference names a glossary entry;
* the first reference to a term in each chapter is followed by its Chinese form, and that
  form is the glossary's first one (the sources' own), aliases only beside it;
* every Chinese form written after a glossary term (linked or not) is the glossary's form
  or one of its aliases, so one concept has one Chinese term across the book;
* the English spelling of terms with ``-isation`` follows the glossary's (British) spelling.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
GLOSSARY = CHAPTERS / "glossary.md"

CJK = re.compile(r"[\u3400-\u9fff]")
TERM_ROLE = re.compile(r"\{term\}`([^`]+)`")
# what may follow a term: "(中文)" or, inside a parenthesis of its own, ", 中文"
PAREN = re.compile(r"^(?:e?s)?\**\s*(?:[(（]([^()（）]*)[)）]|[,，]\s*([^,，()（）]*))")


@lru_cache(maxsize=1)
def glossary() -> dict:
    """Glossary term (lower case) -> (primary Chinese form, set of allowed Chinese forms)."""
    text = GLOSSARY.read_text(encoding="utf-8")
    blocks = [part.split("\n```", 1)[0] for part in text.split("```{glossary}")[1:]]
    entries = {}
    lines = "\n".join(blocks).splitlines()
    for i, line in enumerate(lines):
        if (
            line
            and not line.startswith(" ")
            and i + 1 < len(lines)
            and lines[i + 1].startswith("  ")
        ):
            first = lines[i + 1].strip()
            chinese = first.split(". ", 1)[0].rstrip(".")
            primary = chinese.split("（", 1)[0].strip()
            allowed = {primary}
            if "（" in chinese:
                inner = chinese.split("（", 1)[1].rsplit("）", 1)[0]
                allowed |= {a.strip() for a in re.split(r"[、，,/；;]", inner) if CJK.search(a)}
            entries[line.strip().lower()] = (primary, allowed)
    return entries


def _markdown_of(path: Path) -> str:
    if path.suffix == ".md":
        return path.read_text(encoding="utf-8")
    nb = json.loads(path.read_text(encoding="utf-8"))
    return "\n\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def _prose(text: str) -> str:
    """The text without fenced code, inline code and math, where terms are not prose."""
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    text = TERM_ROLE.sub(lambda m: _term_name(m.group(1)), text)
    text = re.sub(r"\{[a-z]+\}`[^`]*`", " ", text)  # citations and references
    text = re.sub(r"`[^`]*`", " ", text)  # inline code
    return text


def _term_name(role_text: str) -> str:
    match = re.search(r"<([^>]+)>\s*$", role_text)
    return (match.group(1) if match else role_text).strip().lower()


def _chinese_forms(inner: str) -> list[str]:
    return [" ".join(part.split()) for part in re.split(r"[,，;；]", inner) if CJK.search(part)]


CHAPTER_FILES = sorted(CHAPTERS.glob("[0-9][0-9]_*.ipynb")) + sorted(
    CHAPTERS.glob("[0-9][0-9]_*.md")
)


def test_glossary_gives_every_term_a_chinese_form():
    entries = glossary()
    assert len(entries) > 100
    missing = [
        term
        for term, (primary, _) in entries.items()
        if not CJK.search(primary) and not any(CJK.search(a) for a in entries[term][1])
    ]
    assert not missing, f"glossary entries without a Chinese form: {missing}"


def test_glossary_has_one_chinese_term_per_concept():
    seen = {}
    for term, (primary, _) in glossary().items():
        if CJK.search(primary):
            assert primary not in seen, (
                f"{primary!r} is the Chinese form of both {seen[primary]!r} and {term!r}"
            )
            seen[primary] = term


@pytest.mark.parametrize("path", CHAPTER_FILES, ids=lambda p: p.name)
def test_term_references_name_glossary_entries(path):
    entries = glossary()
    unknown = sorted(
        {_term_name(m.group(1)) for m in TERM_ROLE.finditer(_markdown_of(path))} - set(entries)
    )
    assert not unknown, f"{path.name}: {{term}} references with no glossary entry: {unknown}"


@pytest.mark.parametrize("path", CHAPTER_FILES, ids=lambda p: p.name)
def test_first_use_of_a_term_gives_its_chinese_form(path):
    text = _markdown_of(path)
    entries = glossary()
    seen, missing = set(), []
    for match in TERM_ROLE.finditer(text):
        name = _term_name(match.group(1))
        if name in seen or name not in entries:
            continue
        seen.add(name)
        paren = PAREN.match(text[match.end() :])
        forms = _chinese_forms(paren.group(1) or paren.group(2) or "") if paren else []
        primary = entries[name][0]
        if not forms:
            missing.append(match.group(1))
        elif CJK.search(primary) and primary not in forms:
            missing.append(
                f"{match.group(1)} ({'、'.join(forms)}: the glossary's first form is {primary})"
            )
    assert not missing, f"{path.name}: first use without its Chinese form in parentheses: {missing}"


@pytest.mark.parametrize("path", CHAPTER_FILES, ids=lambda p: p.name)
def test_chinese_forms_are_the_glossarys(path):
    text = _prose(_markdown_of(path))
    entries = glossary()
    names = sorted(entries, key=len, reverse=True)
    wrong = []
    for paren in re.finditer(r"[(（]([^()（）]*)[)）]", text):
        forms = _chinese_forms(paren.group(1))
        if not forms:
            continue
        inner_english = re.split(r"[,，;；]", paren.group(1))[0]
        if CJK.search(inner_english):  # "term (中文)": the term precedes the parenthesis
            before = text[max(0, paren.start() - 80) : paren.start()]
        else:  # "(term, 中文)": the term is inside it
            before = inner_english
        before = " ".join(re.sub(r"\*+", "", before).split()).lower()
        term = next((n for n in names if before.endswith(n) or before.endswith(n + "s")), None)
        if term is None:
            continue
        allowed = entries[term][1]
        bad = [f for f in forms if f not in allowed]
        if bad:
            wrong.append(f"{term}: {bad} (glossary: {sorted(allowed)})")
    assert not wrong, f"{path.name}: Chinese forms that differ from the glossary's: {wrong}"


@pytest.mark.parametrize("path", CHAPTER_FILES + [GLOSSARY], ids=lambda p: p.name)
def test_english_spelling_follows_the_glossary(path):
    text = _prose(_markdown_of(path)).lower()
    wrong = []
    for term in glossary():
        if "isation" in term:
            american = term.replace("isation", "ization")
            if re.search(r"\b" + re.escape(american), text):
                wrong.append(american)
    assert not wrong, f"{path.name}: American spellings of glossary terms: {wrong}"


def test_glossary_definitions_do_not_break_into_lists():
    """A continuation line starting with '+', '-', '*' or '1.' would become a list item."""
    bad = [
        line
        for line in GLOSSARY.read_text(encoding="utf-8").splitlines()
        if re.match(r"^ +([+\-*]|\d+[.)])(\s|$)", line)
    ]
    assert not bad, f"glossary lines that Markdown reads as list items: {bad}"


def test_glossary_has_a_letter_bar_with_a_section_per_letter():
    text = GLOSSARY.read_text(encoding="utf-8")
    labels = re.findall(r"^\((glossary-[a-z0-9-]+)\)=\n## ", text, re.M)
    assert len(labels) >= 20
    bar = next(line for line in text.splitlines() if line.startswith("[0–9]"))
    for label in labels:
        assert f"(#{label})" in bar, f"the letter bar does not link to {label}"
