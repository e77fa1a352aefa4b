"""Link every page of the book to the same page in the other edition.

The English edition is built into ``_build/html/`` and the Chinese edition (``language =
"zh_CN"``, translated through the message catalogs in ``locale/``) into ``_build/html/zh/``.
This extension puts one plain link at the top of every page's body, to the same page in the
other edition. The link is relative, so it works on any host and offline from ``file://``;
no JavaScript is involved.
"""

from __future__ import annotations

import html

#: Sub-folder of the English edition's output that holds the Chinese edition.
ZH_FOLDER = "zh"


def is_chinese(language: str | None) -> bool:
    """Whether ``language`` (Sphinx's ``language`` setting) is the Chinese edition's."""
    return bool(language) and language.replace("-", "_").lower().startswith("zh")


def other_edition_href(pagename: str, target_uri: str, chinese: bool) -> str:
    """The relative address of ``pagename`` in the other edition.

    ``target_uri`` is the page's file name in this edition (``chapters/01_regression.html``).

    >>> other_edition_href("chapters/01_regression", "chapters/01_regression.html", False)
    '../zh/chapters/01_regression.html'
    >>> other_edition_href("chapters/01_regression", "chapters/01_regression.html", True)
    '../../chapters/01_regression.html'
    """
    up = "../" * pagename.count("/")
    if chinese:
        return f"{up}../{target_uri}"
    return f"{up}{ZH_FOLDER}/{target_uri}"


def add_edition_link(app, pagename, templatename, context, doctree):
    if doctree is None or "body" not in context:  # search, genindex: no counterpart page
        return
    chinese = is_chinese(app.config.language)
    href = other_edition_href(pagename, app.builder.get_target_uri(pagename), chinese)
    if chinese:
        label, lang, text = "English edition", "en", "Read this page in English"
    else:
        label, lang, text = "中文版", "zh-CN", "本页的中文版"
    link = (
        f'<p class="edition-link"><a class="reference external" href="{html.escape(href)}" '
        f'hreflang="{lang}" lang="{lang}" title="{html.escape(text)}">{html.escape(label)} →</a></p>\n'
    )
    context["body"] = link + context["body"]


def setup(app):
    app.connect("html-page-context", add_edition_link)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
