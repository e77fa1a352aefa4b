"""Sphinx extension of the MLP ABC website (loaded by _config.yml's ``local_extensions``).

It does three small things with Sphinx's own events and nodes:

1. **API pages and chapters link each other.** Every public docstring of
   ``mlpabc`` ends with "Introduced in the chapter *Title*." (or "the chapters
   *A* and *B*"). An ``autodoc-process-docstring`` hook turns each *Title* into
   the ``mlpabc-chapter`` role; once every page is read, the role becomes a link
   to the page with that title (a misspelt title is a build warning). In the
   other direction, each chapter gets a closing line "The package modules this
   chapter introduces: ...", linking the API page of every module whose module
   docstring names the chapter.
2. **The ``mlpabc-module`` directive** writes one API page's body:
   ``automodule`` with ``:members:`` (and ``:imported-members:`` for a package,
   whose ``__init__`` re-exports what its submodules define). A new module gets
   its page from a five-line file in ``chapters/api/`` (see ``chapters/api.md``);
   it is used inside ``{eval-rst}``, so that autodoc's output is parsed as RST.
3. **No script twice.** Sphinx 7.4 adds a body-only ``<script>`` registered
   after the builder started (sphinx-thebe's ``const THEBE_JS_URL = ...``) twice:
   once as ``filename=None``, once as ``filename=''`` from the registry, and a
   second ``const`` declaration is a JavaScript ``SyntaxError`` on every page.
   The page context's script list is de-duplicated on ``html-page-context``.
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

API_DIR = "chapters/api"  # one page per public module: chapters/api/<module without "mlpabc.">.md
INTRODUCED = re.compile(
    r"(Introduced in the (?:chapters?|preface,?)\s+)((?:\*[^*]+\*)(?:(?:,\s*|\s+and\s+)\*[^*]+\*)*)"
)
TITLE = re.compile(r"\*([^*]+)\*")


def _norm(title: str) -> str:
    return " ".join(title.split())


# -- 1. "Introduced in the chapter *Title*" -> a link ----------------------------------------------


class chapter_ref(nodes.Inline, nodes.TextElement):
    """Placeholder for a link to the page titled ``self['title']``.

    Resolved once all pages are read.
    """


def chapter_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    return [chapter_ref(rawtext, text, title=_norm(text))], []


# The sentence as a paragraph of its own, up to the full stop that ends a line.
SENTENCE = re.compile(r"(?m)^[ \t]*Introduced in the (?:chapters?|preface)\b[\s\S]*?\.[ \t]*$")
_held: dict[int, list[str]] = {}


def hold_introduced_sentence(app, what, name, obj, options, lines):
    """Before napoleon: take the sentence out, or napoleon reads it as one more parameter
    when it follows a Parameters section (it ends a section only at the next header)."""
    text = "\n".join(lines)
    found = SENTENCE.search(text)
    if found is None:
        return
    _held[id(lines)] = found.group(0).strip().split("\n")
    lines[:] = (text[: found.start()] + text[found.end() :]).rstrip().split("\n")


def link_chapters_in_docstring(app, what, name, obj, options, lines):
    """After napoleon: put the sentence back as the last paragraph, each title a link."""
    held = _held.pop(id(lines), None)
    if held is None:
        return

    def titles(match):
        return match.group(1) + TITLE.sub(
            lambda t: f":mlpabc-chapter:`{_norm(t.group(1))}`", match.group(2)
        )

    sentence = INTRODUCED.sub(titles, " ".join(line.strip() for line in held))
    lines[:] = [*lines, "", sentence, ""]


_HEADING = re.compile(r"^(?:\(([\w-]+)\)=\s*\n)?(#{1,6}) +(.+?)\s*$", re.M)


def _source_titles(srcdir: Path) -> dict[str, tuple[str, str]]:
    """Title -> (docname, anchor) from the sources' own headings (labelled or page titles).

    The docstrings are English; in a translated build (Sphinx gettext) the pages' titles are
    not, so the English titles of the sources are the key that always works.
    """
    found = {}
    for path in sorted((srcdir / "chapters").rglob("*")):
        if path.suffix == ".md":
            text = path.read_text(encoding="utf-8")
        elif path.suffix == ".ipynb":
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
            text = "\n\n".join(
                "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                for c in cells
                if c.get("cell_type") == "markdown"
            )
        else:
            continue
        docname = path.relative_to(srcdir).with_suffix("").as_posix()
        for label, hashes, title in _HEADING.findall(text):
            title = _norm(title)
            if hashes == "#":
                found.setdefault(title, (docname, ""))
            elif label:
                found.setdefault(title, (docname, label))
    return found


def _titles(env):
    """Page title and section titles -> (docname, anchor), from the sources and what Sphinx read."""
    found = dict(getattr(env, "mlpabc_source_titles", {}))
    for _label, (docname, anchor, sectname) in env.domaindata["std"]["labels"].items():
        if sectname:
            found.setdefault(_norm(sectname), (docname, anchor))
    for docname, title in env.titles.items():
        found.setdefault(_norm(title.astext()), (docname, ""))
    return found


def resolve_chapter_refs(app, doctree, fromdocname):
    if not any(True for _ in doctree.findall(chapter_ref)):
        return
    titles = _titles(app.env)
    for node in list(doctree.findall(chapter_ref)):
        target = titles.get(node["title"])
        if target is None:
            logger.warning(
                f"'Introduced in the chapter *{node['title']}*': no page or section has this title",
                location=node,
            )
            node.replace_self(nodes.emphasis(node["title"], node["title"]))
            continue
        docname, anchor = target
        uri = app.builder.get_relative_uri(fromdocname, docname) + (f"#{anchor}" if anchor else "")
        ref = nodes.reference("", "", internal=True, refuri=uri)
        ref += nodes.emphasis(node["title"], node["title"])
        node.replace_self(ref)


# -- chapter -> its modules' API pages ------------------------------------------------------------


def _api_modules(app):
    """Module names of the API pages, from the files in chapters/api/."""
    folder = Path(app.srcdir) / API_DIR
    return sorted(f"mlpabc.{p.stem}" for p in folder.glob("*.md"))


def collect_module_chapters(app):
    """Chapter title -> the modules whose module docstring says it introduces them."""
    by_title = {}
    for module in _api_modules(app):
        try:
            doc = importlib.import_module(module).__doc__ or ""
        except ImportError as exc:
            logger.warning(f"API page for {module}, which cannot be imported: {exc}")
            continue
        for match in INTRODUCED.finditer(doc):
            for title in TITLE.findall(match.group(2)):
                by_title.setdefault(_norm(title), []).append(module)
    app.env.mlpabc_modules_by_chapter = by_title
    app.env.mlpabc_source_titles = _source_titles(Path(app.srcdir))


def link_api_pages_from_chapter(app, doctree):
    by_title = getattr(app.env, "mlpabc_modules_by_chapter", {})
    docname = app.env.docname
    if docname.startswith(API_DIR + "/"):
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None or not section.children or not isinstance(section[0], nodes.title):
        return
    sources = getattr(app.env, "mlpabc_source_titles", {})
    titles = [t for t, (doc, anchor) in sources.items() if doc == docname and not anchor]
    titles.append(_norm(section[0].astext()))  # (the same title, unless the page is translated)
    modules = next((by_title[t] for t in titles if t in by_title), [])
    if not modules:
        return
    para = nodes.paragraph()
    para += nodes.Text(
        "The package modules this chapter introduces, in the API reference: "
        if len(modules) > 1
        else "The package module this chapter introduces, in the API reference: "
    )
    for i, module in enumerate(modules):
        if i:
            para += nodes.Text(", ")
        ref = addnodes.pending_xref(
            "",
            refdomain="std",
            reftype="doc",
            reftarget="/" + API_DIR + "/" + module.removeprefix("mlpabc."),
            refexplicit=True,
            refdoc=docname,
            refwarn=True,
        )
        ref += nodes.literal(module, module)
        para += ref
    para += nodes.Text(".")
    box = nodes.admonition(classes=["seealso", "mlpabc-api-links"])
    box += nodes.title("", "API reference")
    box += para
    section += box


# -- 2. one API page ------------------------------------------------------------------------------


class ModuleDirective(SphinxDirective):
    """``mlpabc-module``: the body of one API page (the automodule of the named module)."""

    required_arguments = 1
    option_spec = {"no-imported-members": directives.flag}

    def run(self):
        name = self.arguments[0]
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            raise self.error(f"mlpabc-module: cannot import {name!r}: {exc}") from exc
        rst = [f".. automodule:: {name}", "   :members:"]
        if hasattr(module, "__path__") and "no-imported-members" not in self.options:
            rst.append("   :imported-members:")
        container = nodes.section()
        self.state.nested_parse(
            StringList(rst, source=self.get_source_info()[0]), self.content_offset, container
        )
        return container.children


def hide_build_paths(app, doctree):
    """A module constant such as ``Path(__file__).with_name(...)`` would show the absolute path of
    the machine that built the site in its signature: shorten it to the package's own path."""
    root = str(Path(app.srcdir).resolve())
    for sig in doctree.findall(addnodes.desc_signature):
        for text in list(sig.findall(nodes.Text)):
            if root in text:
                text.parent.replace(text, nodes.Text(str(text).replace(root, "…")))


# -- 3. each script once --------------------------------------------------------------------------


def dedupe_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for js in scripts:
        key = (js.filename or "", js.priority, tuple(sorted(js.attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    scripts[:] = unique


def setup(app):
    import mlpabc_bibstyle  # noqa: F401 (registers the "mlpabc" bibliography style with pybtex)

    app.add_node(chapter_ref)
    app.add_role("mlpabc-chapter", chapter_role)
    app.add_directive("mlpabc-module", ModuleDirective)
    app.connect("autodoc-process-docstring", hold_introduced_sentence, priority=100)
    app.connect("autodoc-process-docstring", link_chapters_in_docstring, priority=900)
    app.connect("builder-inited", collect_module_chapters)
    app.connect("doctree-read", link_api_pages_from_chapter)
    app.connect("doctree-read", hide_build_paths)
    app.connect("doctree-resolved", resolve_chapter_refs)
    app.connect("html-page-context", dedupe_scripts, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
