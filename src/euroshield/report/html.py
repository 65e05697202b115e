"""The study report page: one self-contained ``index.html`` (images inlined, no scripts, no
network), built from plain study outputs. Every string that came from a user (scenario, site and
place names, descriptions, sources) goes through :func:`esc`.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1100px;
margin:2em auto;padding:0 1em;color:#1b1f24;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em}h2{margin-top:1.8em;border-bottom:1px solid #ccd;
padding-bottom:.2em}.sub{color:#556;margin-top:0}
table{border-collapse:collapse;margin:.8em 0;font-size:.9em}
th,td{border:1px solid #d6d9de;padding:.25em .55em;text-align:right}
th{background:#f1f3f6}td.l,th.l{text-align:left}
.finding{background:#f6f8fb;border-left:4px solid #3b6ea8;padding:.5em 1em;margin:.5em 0}
figure{margin:1em 0}figure img{max-width:100%;border:1px solid #e1e4e8}
figcaption{color:#556;font-size:.9em}pre{background:#f6f8fa;padding:.8em;overflow-x:auto;
font-size:.85em}code{background:#f2f3f5;padding:0 .2em}.warn{color:#8a4b00}
"""


def esc(value) -> str:
    """HTML-escape anything for text and attribute positions."""
    return html.escape("" if value is None else str(value), quote=True)


def img_tag(path: Path, alt: str) -> str:
    """An <img> with the PNG inlined as a data URI, so the page needs no other file."""
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f'<img alt="{esc(alt)}" src="data:image/png;base64,{data}">'


def figure(path: Path | None, caption: str) -> str:
    if path is None or not Path(path).exists():
        return f'<p class="warn">{esc(caption)}: not drawn.</p>'
    return f"<figure>{img_tag(path, caption)}<figcaption>{esc(caption)}</figcaption></figure>"


def _numeric(v) -> bool:
    text = str(v).replace(",", "").replace(" / ", "").replace("±", "").replace(" ", "")
    try:
        float(text)
    except ValueError:
        return text in ("-", "")
    return True


def table(columns: list[str], rows: list[list], left: int = 1, row_class: str = "") -> str:
    """A table; the first ``left`` columns, and any column holding text rather than numbers,
    are left-aligned."""
    text_cols = {i for i in range(len(columns))
                 if i < left or any(not _numeric(r[i]) for r in rows if i < len(r))}
    head = "".join(f'<th class="{"l" if i in text_cols else ""}">{esc(c)}</th>'
                   for i, c in enumerate(columns))
    body = []
    for r in rows:
        cells = "".join(f'<td class="{"l" if i in text_cols else ""}">{esc(v)}</td>'
                        for i, v in enumerate(r))
        body.append(f'<tr class="{esc(row_class)}">{cells}</tr>')
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def page(title: str, subtitle: str, sections: list[tuple[str, str]]) -> str:
    """The whole document; ``sections`` are (heading, already-escaped HTML body)."""
    parts = [f"<h2>{esc(h)}</h2>\n{body}" for h, body in sections]
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
            f"<h1>{esc(title)}</h1><p class=\"sub\">{esc(subtitle)}</p>\n"
            + "\n".join(parts) + "\n</body></html>\n")
