"""Author-year labels for the bibliography, matching the citations' "Chen et al., 2020".

sphinxcontrib-bibtex cites in author-year form (``bibtex_reference_style =
"author_year"``), but its list of references uses the label of the formatting
style (``[BKH16]`` with the default "alpha"). This pybtex style labels each
entry the way it is cited: "Rosenblatt, 1958", "McCulloch and Pitts, 1943",
"Chen et al., 2020" (a, b, ... when two entries would share a label), and sorts
the list by author, year and title. Use it with ``bibtex_default_style: mlpabc``.
"""

from __future__ import annotations

from collections import Counter

from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting.author_year_title import SortingStyle


def _last(person) -> str:
    return " ".join(str(Text.from_latex(part)) for part in person.last_names)


class AuthorYearLabelStyle(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        labels = [self.format_label(entry) for entry in sorted_entries]
        count, seen = Counter(labels), Counter()
        for label in labels:
            if count[label] == 1:
                yield label
            else:
                yield label + chr(ord("a") + seen[label])
                seen[label] += 1

    def format_label(self, entry):
        persons = entry.persons.get("author") or entry.persons.get("editor") or []
        names = [_last(p) for p in persons]
        others = "others" in names
        names = [n for n in names if n != "others"]
        if not names:
            who = entry.key
        elif len(names) == 1 and not others:
            who = names[0]
        elif len(names) == 2 and not others:
            who = f"{names[0]} and {names[1]}"
        else:
            who = f"{names[0]} et al."
        year = entry.fields.get("year", "n.d.")
        return f"{who}, {year}"


class AuthorYearStyle(UnsrtStyle):
    default_label_style = "mlpabc-author-year"
    default_sorting_style = "mlpabc-author-year-title"


register_plugin("pybtex.style.labels", "mlpabc-author-year", AuthorYearLabelStyle)
register_plugin("pybtex.style.sorting", "mlpabc-author-year-title", SortingStyle)
register_plugin("pybtex.style.formatting", "mlpabc", AuthorYearStyle)
