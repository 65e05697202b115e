"""The study report page: one self-contained ``index.html`` (images inlined, no scripts, no
network), rendered from Jinja2 templates with autoescaping on.

The page is *data*: a list of :class:`Section` (a heading and a list of blocks), turned into
HTML by :func:`render_page` through ``templates/page.html.j2`` and the macros of
``templates/blocks.html.j2``. No HTML string is ever built in Python: every text (scenario,
site and place names, descriptions, sources, numbers) reaches the template as plain text and
is escaped by Jinja2, so escaping holds by default rather than by discipline.

Blocks (each a small frozen dataclass with a ``kind``, which names its macro):

* :class:`P` - a paragraph; :class:`Finding` - a highlighted finding; :class:`Warn` - a warning
  paragraph. Their ``text`` is a string or a list of runs: strings (plain text) and
  :class:`Run` s with a style, e.g. ``P(["Edit ", code("scenario.yaml"), " and rerun."])`` for
  an inline ``<code>`` part.
* :class:`Table` - columns and rows; the first ``left`` columns, and any column holding text
  rather than numbers, are left-aligned (decided in Python by :func:`text_columns`).
* :class:`Figure` - a PNG inlined as a ``data:`` URI (:func:`data_uri`) with its caption, or a
  "not drawn" warning paragraph when the file is missing.
* :class:`Pre` - preformatted text.

How to add a section (e.g. "Defence of Europe" with maps, an area table and a capitals table):

1. compute its numbers and draw its PNGs where the study runs (``report.study.run_study``);
2. write a function returning ``Section("Defence of Europe", [P(...), Figure(path, caption),
   Table(columns, rows), ...])`` from those plain values (no HTML: plain strings and numbers);
3. hand it to ``report.study.render(..., extra_sections=[section])`` (placed after the study
   sections, before "Assumptions and parameters") or append it in ``render`` itself;
4. only a new *kind* of block needs template work: a dataclass here with ``kind = "name"`` and
   a ``view()`` that returns plain values, its name in :data:`KINDS`, plus a macro ``name``
   in ``blocks.html.j2`` and a branch in its ``block`` macro. Never mark user data ``|safe``.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import ClassVar

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

# inline styles a run of text may have (the macro ``runs`` in blocks.html.j2 knows them)
STYLES = ("", "code")
# block kinds the macro ``block`` in blocks.html.j2 renders
KINDS = ("p", "finding", "warn", "table", "figure", "pre")


@dataclass(frozen=True)
class Run:
    """A piece of paragraph text with a style: ``""`` (plain) or ``"code"`` (``<code>``)."""

    text: str
    style: str = ""

    def __post_init__(self):
        if self.style not in STYLES:
            raise ValueError(f"unknown text style {self.style!r}; known: {STYLES}")
        object.__setattr__(self, "text", _plain(self.text))


def code(text) -> Run:
    """An inline ``<code>`` run."""
    return Run(text, "code")


Text = str | Run | Sequence[str | Run]


def runs(text: Text) -> list[Run]:
    """Normalise paragraph text (a string, a run, or a list of both) to a list of runs."""
    if isinstance(text, str | Run):
        text = [text]
    return [t if isinstance(t, Run) else Run(t) for t in text]


@dataclass(frozen=True)
class P:
    """A paragraph of text (a string or a list of strings and :class:`Run` s)."""

    text: Text
    kind: ClassVar[str] = "p"

    def view(self) -> dict:
        return {"kind": self.kind, "runs": runs(self.text)}


class Finding(P):
    """A finding: a sentence generated from the numbers, highlighted."""

    kind: ClassVar[str] = "finding"


class Warn(P):
    """A warning paragraph (something missing or not drawn)."""

    kind: ClassVar[str] = "warn"


@dataclass(frozen=True)
class Table:
    """A table of plain values; the first ``left`` columns, and any column holding text rather
    than numbers, are left-aligned."""

    columns: Sequence[str]
    rows: Sequence[Sequence]
    left: int = 1
    kind: ClassVar[str] = "table"

    def view(self) -> dict:
        lefts = text_columns(self.columns, self.rows, self.left)
        return {"kind": self.kind,
                "head": [(_plain(c), i in lefts) for i, c in enumerate(self.columns)],
                "rows": [[(_plain(v), i in lefts) for i, v in enumerate(r)]
                         for r in self.rows]}


@dataclass(frozen=True)
class Figure:
    """A PNG inlined into the page, with its caption (also its alt text); a warning paragraph
    "<caption>: not drawn." when ``path`` is None or missing."""

    path: Path | str | None
    caption: str
    kind: ClassVar[str] = "figure"

    def view(self) -> dict:
        ok = self.path is not None and Path(self.path).exists()
        return {"kind": self.kind, "src": data_uri(self.path) if ok else None,
                "caption": _plain(self.caption)}


@dataclass(frozen=True)
class Pre:
    """Preformatted text (e.g. the effective scenario as YAML)."""

    text: str
    kind: ClassVar[str] = "pre"

    def view(self) -> dict:
        return {"kind": self.kind, "text": _plain(self.text)}


Block = P | Table | Figure | Pre


@dataclass(frozen=True)
class Section:
    """A ``<h2>`` heading and its blocks, in order."""

    heading: str
    blocks: Sequence[Block] = field(default_factory=list)


def _plain(value) -> str:
    """Any value as the text the page shows (None shows as nothing)."""
    return "" if value is None else str(value)


def esc(value) -> str:
    """The escaped form of a value, exactly as the templates write it (for tests and for
    callers that compare against the page)."""
    return str(escape(_plain(value)))


def _numeric(v) -> bool:
    text = str(v).replace(",", "").replace(" / ", "").replace("±", "").replace(" ", "")
    try:
        float(text)
    except ValueError:
        return text in ("-", "")
    return True


def text_columns(columns: Sequence, rows: Sequence[Sequence], left: int = 1) -> set[int]:
    """Indices of the left-aligned columns: the first ``left`` and any holding non-numeric
    text (``-`` and empty cells count as numeric)."""
    return {i for i in range(len(columns))
            if i < left or any(not _numeric(r[i]) for r in rows if i < len(r))}


def data_uri(path: Path | str) -> str:
    """A PNG file as a ``data:`` URI, so the page needs no other file. Base64 holds no
    character HTML escapes, so it goes into the ``src`` attribute as generated."""
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f"data:image/png;base64,{data}"


@cache
def environment() -> Environment:
    """The report's Jinja2 environment: package templates, autoescape on for everything,
    undefined names are errors."""
    return Environment(loader=PackageLoader("euroshield.report", "templates"),
                       autoescape=True, undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def _view(block: Block) -> dict:
    if block.kind not in KINDS:
        raise ValueError(f"no template macro for block kind {block.kind!r}; known: {KINDS}")
    return block.view()


def render_page(title: str, subtitle: str, sections: Sequence[Section]) -> str:
    """The whole self-contained document."""
    view = [{"heading": _plain(s.heading), "blocks": [_view(b) for b in s.blocks]}
            for s in sections]
    return environment().get_template("page.html.j2").render(
        title=_plain(title), subtitle=_plain(subtitle), sections=view)


def render_block(block: Block) -> Markup:
    """One block as HTML (a fragment; for tests and previews)."""
    macro = environment().get_template("blocks.html.j2").module.block
    return Markup(macro(_view(block)))


def table(columns: Sequence[str], rows: Sequence[Sequence], left: int = 1) -> Markup:
    """A :class:`Table` rendered on its own, as an HTML fragment."""
    return render_block(Table(columns, rows, left))
