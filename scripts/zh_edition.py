"""The Chinese edition (中文版): extract and merge the message catalogs, build the website.

The English notebooks and pages are the single source. Their prose is extracted by Sphinx's
gettext builder (one catalog per page, ``gettext_compact: false`` in ``_config.yml``) and merged
by sphinx-intl into ``locale/zh_CN/LC_MESSAGES/chapters/<page>.po``, where the translation lives.

    python scripts/zh_edition.py translations   # `make translations`: after an English edit
    python scripts/zh_edition.py build -W --keep-going   # part of `make book`: _build/html/zh/
    python scripts/zh_edition.py status         # translated / fuzzy / untranslated per page

``translations`` re-extracts and merges: a new paragraph arrives untranslated, a changed one
arrives *fuzzy* (its old translation kept for reference, but not used in the build), a deleted
one becomes obsolete. ``tests/test_translations.py`` fails, per page, until all are translated.
"""

from __future__ import annotations

import fnmatch
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LANGUAGE = "zh_CN"
LOCALE = ROOT / "locale"
CATALOGS = LOCALE / LANGUAGE / "LC_MESSAGES"
# The gettext build gets its own output folder: its environment cannot be shared with the
# html builds'.
I18N_BUILD = ROOT / "_build" / "i18n"
GETTEXT = I18N_BUILD / "_build" / "gettext"
ZH_BUILD = ROOT / "_build" / "zh"
ZH_HTML = ROOT / "_build" / "html" / "zh"

#: Pages that stay English in the Chinese edition (the API reference: docstrings of mlpabc).
#: They get no catalog, so they are never reported as untranslated.
ENGLISH_ONLY = ["chapters/api", "chapters/api/*", "chapters/api_*"]


def english_only(docname: str) -> bool:
    """Whether the page ``docname`` (``chapters/api``) stays English."""
    return any(fnmatch.fnmatch(docname, pattern) for pattern in ENGLISH_ONLY)


def _run(*command) -> None:
    print("+", " ".join(str(c) for c in command), flush=True)
    subprocess.run([str(c) for c in command], cwd=ROOT, check=True)


def translations() -> None:
    """Re-extract the English messages and merge them into the catalogs (sphinx-intl update)."""
    shutil.rmtree(GETTEXT, ignore_errors=True)
    _run(
        BIN / "jupyter-book",
        "build",
        ".",
        "--builder",
        "custom",
        "--custom-builder",
        "gettext",
        "--path-output",
        I18N_BUILD,
        "--quiet",
    )
    for pot in GETTEXT.rglob("*.pot"):
        docname = pot.relative_to(GETTEXT).with_suffix("").as_posix()
        if english_only(docname) or docname == "sphinx":
            pot.unlink()
    _run(BIN / "sphinx-intl", "update", "-p", GETTEXT, "-l", LANGUAGE, "-d", LOCALE)
    fill_code_messages()
    status()


def is_code(message: str) -> bool:
    r"""Whether a message is displayed source code (the LaTeX form Pygments gives a highlighted
    ``IPython.display.Code`` output), which the Chinese edition shows unchanged.

    >>> is_code("\\begin{Verbatim}[commandchars=\\\\\\{\\}]\n\\PY{k}{def}\n\\end{Verbatim}")
    True
    >>> is_code("The sigmoid, `activations.Sigmoid.forward`:")
    False
    """
    text = message.strip()
    return text.startswith("\\begin{Verbatim}") and text.endswith("\\end{Verbatim}")


def fill_code_messages() -> int:
    """Give every code message its own text as translation (and clear a fuzzy flag on it): code is
    never translated, so a change of the package's source never leaves work for the translator."""
    from babel.messages.pofile import read_po, write_po

    filled = 0
    for po in sorted(CATALOGS.rglob("*.po")):
        with po.open("rb") as f:
            catalog = read_po(f)
        todo = [m for m in catalog if m.id and is_code(m.id) and (m.fuzzy or m.string != m.id)]
        for message in todo:
            message.string = message.id
            message.flags.discard("fuzzy")
        if todo:
            with po.open("wb") as f:
                write_po(f, catalog)
            filled += len(todo)
    if filled:
        print(f"{filled} code messages filled with their own text (code is shown unchanged)")
    return filled


def status() -> int:
    """Print translated / total, fuzzy and untranslated per catalog.

    Return the number left to do.
    """
    from babel.messages.pofile import read_po

    left = 0
    print(f"{'catalog':<48}{'translated':>12}{'fuzzy':>8}{'untranslated':>14}")
    for po in sorted(CATALOGS.rglob("*.po")):
        with po.open("rb") as f:
            catalog = read_po(f)
        messages = [m for m in catalog if m.id]
        fuzzy = sum(1 for m in messages if m.fuzzy)
        empty = sum(1 for m in messages if not m.fuzzy and not m.string)
        done = len(messages) - fuzzy - empty
        left += fuzzy + empty
        print(
            f"{po.relative_to(CATALOGS).as_posix():<48}{f'{done}/{len(messages)}':>12}{fuzzy:>8}{empty:>14}"
        )
    return left


def build(*jupyter_book_args: str) -> None:
    """Build the Chinese edition into _build/html/zh/ (after the English one is in _build/html/)."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    sphinx = config.setdefault("sphinx", {})
    sphinx.setdefault("config", {})["language"] = LANGUAGE
    # jupyter-book resolves local extensions against the configuration file's folder.
    sphinx["local_extensions"] = {
        name: str((ROOT / path).resolve())
        for name, path in (sphinx.get("local_extensions") or {}).items()
    }
    ZH_BUILD.mkdir(parents=True, exist_ok=True)
    zh_config = ZH_BUILD / "_config.yml"
    zh_config.write_text(
        yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    _run(
        BIN / "jupyter-book",
        "build",
        ".",
        "--config",
        zh_config,
        "--path-output",
        ZH_BUILD,
        *jupyter_book_args,
    )
    shutil.rmtree(ZH_HTML, ignore_errors=True)
    ZH_HTML.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ZH_BUILD / "_build" / "html", ZH_HTML)
    where = ZH_HTML.relative_to(ROOT)
    print(f"The Chinese edition (中文版) is in {where}: open {where}/index.html")


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"translations", "build", "status"}:
        print(__doc__)
        return 2
    if argv[0] == "translations":
        translations()
    elif argv[0] == "build":
        build(*argv[1:])
    else:
        status()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
