"""The report page is rendered from Jinja2 templates with autoescaping on: user text in any
position (title, headings, table cells, captions, paragraphs, code, preformatted) comes out
escaped once, and tables keep their alignment rule."""

import base64
import re
from html.parser import HTMLParser

import pytest

from euroshield.report.html import (
    Figure,
    Finding,
    P,
    Pre,
    Section,
    Table,
    Warn,
    code,
    esc,
    render_block,
    render_page,
    text_columns,
)

SCRIPT = "<script>alert(1)</script>"
QUOTES = '"quotes" & ampersands'
NASTY = f"{SCRIPT} {QUOTES}"
# a 1x1 PNG
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5E"
    "rkJggg==")


class _Texts(HTMLParser):
    """Tags (with attributes) and the text of each element, as a browser would see them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> _Texts:
    p = _Texts()
    p.feed(html)
    p.close()
    return p


@pytest.fixture
def nasty_page(tmp_path) -> str:
    png = tmp_path / "fig.png"
    png.write_bytes(PNG)
    sections = [
        Section(f"Heading {NASTY}", [
            P(f"Paragraph {NASTY}"),
            P(["Run ", code(f"code {NASTY}"), f" after {NASTY}"]),
            Finding(f"Finding {NASTY}"),
            Warn(f"Warning {NASTY}"),
            Table([f"column {NASTY}", "value"], [[f"cell {NASTY}", "1.5"], ["x", NASTY]]),
            Figure(png, f"Caption {NASTY}"),
            Figure(tmp_path / "missing.png", f"Missing {NASTY}"),
            Pre(f"pre {NASTY}\n  indented"),
        ]),
    ]
    return render_page(f"Title {NASTY}", f"Subtitle {NASTY}", sections)


def test_user_strings_are_escaped(nasty_page):
    page = nasty_page
    assert SCRIPT not in page
    assert "<script" not in page.lower()
    assert QUOTES not in page
    assert '"quotes"' not in page
    assert "& ampersands" not in page
    # the escaped forms are there, once per place (title twice: <title> and <h1>)
    escaped = esc(NASTY)
    assert escaped == ("&lt;script&gt;alert(1)&lt;/script&gt; "
                       "&#34;quotes&#34; &amp; ampersands")
    for where in ("Title", "Subtitle", "Heading", "Paragraph", "<code>code", "after",
                  "Finding", "Warning", "column", "cell", "Caption", "Missing", "pre"):
        assert f"{where} {escaped}" in page, where
    assert page.count(f"Title {escaped}") == 2
    assert page.count(f'alt="Caption {escaped}"') == 1  # attribute position too
    assert "&amp;lt;" not in page and "&amp;#34;" not in page  # escaped once, not twice


def test_browser_sees_the_text(nasty_page):
    """Parsed back, the page has exactly the intended elements and shows the strings as text."""
    parsed = parse(nasty_page)
    tags = [t for t, _ in parsed.tags]
    assert "script" not in tags
    assert tags.count("img") == 1 and tags.count("code") == 1 and tags.count("pre") == 1
    text = "".join(parsed.text)
    for where in ("Title", "Heading", "Paragraph", "cell", "Caption", "pre"):
        assert f"{where} {NASTY}" in text, where
    assert f"Missing {NASTY}: not drawn." in text
    img = next(a for t, a in parsed.tags if t == "img")
    assert img["alt"] == f"Caption {NASTY}"
    assert img["src"] == "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert ("p", {"class": "warn"}) in parsed.tags
    assert ("p", {"class": "finding"}) in parsed.tags
    assert len([t for t in tags if t == "h2"]) == 1


def _cells(html: str) -> list[tuple[str, str, str]]:
    return re.findall(r'<(th|td)( class="l")?>([^<]*)</\1>', html)


def test_table_alignment():
    """The first ``left`` columns and any column with text are left-aligned; numbers (with
    thousands separators, "a / b", "±", "-" and empty cells) are right-aligned."""
    html = str(render_block(Table(["name", "count", "ratio", "note", "spread"],
                                  [["Paris", "1,234", "3 / 4", "big city", "1 ± 0.5"],
                                   ["Berlin", "-", "", "capital", "2"]])))
    left = {text: bool(cls) for _, cls, text in _cells(html)}
    assert left == {"name": True, "count": False, "ratio": False, "note": True, "spread": False,
                    "Paris": True, "1,234": False, "3 / 4": False, "big city": True,
                    "1 ± 0.5": False, "Berlin": True, "-": False, "": False,
                    "capital": True, "2": False}
    assert text_columns(["a", "b", "c"], [[1, 2.5, "x"]], left=2) == {0, 1, 2}
    assert text_columns(["a", "b", "c"], [[1, 2.5, 3]], left=0) == set()


def test_missing_figure_is_a_warning():
    html = str(render_block(Figure(None, "Map")))
    assert html == '<p class="warn">Map: not drawn.</p>'


def test_runs_and_values():
    """Only known styles; None shows as nothing, numbers as text."""
    with pytest.raises(ValueError):
        code("x").__class__("x", "script")
    html = str(render_block(P(["a ", code("b"), None, 3])))
    assert html == "<p>a <code>b</code>3</p>"


def test_templates_ship_with_the_package():
    from importlib.resources import files

    templates = files("euroshield.report") / "templates"
    assert (templates / "page.html.j2").is_file()
    assert (templates / "blocks.html.j2").is_file()
