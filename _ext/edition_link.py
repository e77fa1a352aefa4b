"""Link every page of the book to the same page in the other edition; translate toc captions.

The English edition is built into ``_build/html/`` and the Chinese edition (``language =
"zh_CN"``, translated through the message catalogs in ``locale/``) into ``_build/html/zh/``.
This extension puts one plain link at the top of every page's body, to the same page in the
other edition. The link is relative, so it works on any host and offline from ``file://``;
no JavaScript is involved.

It also translates the captions of the table of contents ("Part I: ..."). sphinx-external-toc
inserts the toctrees after Sphinx's own translation step has run, so their captions, although
extracted into the root page's catalog, would otherwise stay English in the Chinese edition.
"""

from __future__ import annotations

import html
from pathlib import Path

from sphinx import addnodes
from sphinx.locale import init as init_locale
from sphinx.transforms import SphinxTransform
from sphinx.util.i18n import docname_to_domain

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
        f'hreflang="{lang}" lang="{lang}" title="{html.escape(text)}">'
        f"{html.escape(label)} →</a></p>\n"
    )
    context["body"] = link + context["body"]


class TranslateTocCaptions(SphinxTransform):
    """Translate toctree captions from the page's catalog (after sphinx-external-toc, 100)."""

    default_priority = 101

    def apply(self, **kwargs):
        language = self.config.language
        if not language or language == "en" or not self.config.locale_dirs:
            return
        domain = docname_to_domain(self.env.docname, self.config.gettext_compact)
        dirs = [str(Path(self.env.srcdir) / d) for d in self.config.locale_dirs]
        catalog, found = init_locale(dirs, language, domain)
        if not found:
            return
        for toctree in self.document.findall(addnodes.toctree):
            caption = toctree.get("caption")
            translated = catalog.gettext(caption) if caption else None
            if translated and translated != caption:
                toctree["caption"] = toctree["rawcaption"] = translated


def setup(app):
    app.add_transform(TranslateTocCaptions)
    app.connect("html-page-context", add_edition_link)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
