"""The study report as a user sees it: Debian's headless Chromium, driven by Playwright.

* ``index.html`` opened from disk renders (not blank), states the route count, shows its
  inlined figures and makes no network request at all;
* the Cesium globe, served on 127.0.0.1, loads the trajectories with no external request;
* scenario text is escaped: a scenario named ``<script>alert(1)</script>`` runs nothing.
"""

from __future__ import annotations

import io
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest
import yaml

from euroshield import scenario

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
MIN_STD = 10.0  # grey-level standard deviation (0-255) below which a screenshot is "blank"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
XSS_NAME = "<script>alert(1)</script>"
XSS_DESCRIPTION = "escaping check <img src=x onerror=alert(2)> (must show as text)"
# Chromium's own background traffic (updates, components, sign-in), not the page's: harmless,
# and excluded when asserting "no external requests".
CHROMIUM_OWN_HOSTS = ("update.googleapis.com", "clients2.google.com", "accounts.google.com")
CHROMIUM_OWN_SUFFIXES = (".gvt1.com",)


def chromium_own(url: str) -> bool:
    """True for requests Chromium makes for itself (updates etc.), whatever page is open."""
    host = urlsplit(url).hostname or ""
    return host in CHROMIUM_OWN_HOSTS or host.endswith(CHROMIUM_OWN_SUFFIXES)


def grey(png: bytes) -> np.ndarray:
    """The grey levels (0-255) of a PNG."""
    from PIL import Image  # Pillow: always present, matplotlib depends on it

    with Image.open(io.BytesIO(png)) as img:
        return np.asarray(img.convert("L"), dtype=float)


def pixel_std(png: bytes) -> float:
    """Standard deviation of the grey levels: about 0 for a blank page."""
    return float(grey(png).std())


def pixel_mean(png: bytes) -> float:
    return float(grey(png).mean())


def default_routes() -> int:
    """Routes in the default scenario: every base to every target (11 x 10 = 110)."""
    sc = scenario.load(None)
    return len(sc.threats.bases) * len(sc.threats.targets)


def record_requests(ctx) -> list[str]:
    urls: list[str] = []
    ctx.on("request", lambda req: urls.append(req.url))
    return urls


def short(url: str) -> str:
    return url if len(url) <= 100 else url[:97] + "..."


def test_index_html_from_disk(context, study_dir: Path):
    n_routes = default_routes()
    assert n_routes == 110  # the default scenario as built today: 11 bases x 10 targets
    urls = record_requests(context)
    page = context.new_page()
    page.goto((study_dir / "index.html").as_uri(), wait_until="load")

    text = page.inner_text("body")
    assert f"of {n_routes} routes" in text

    images = page.evaluate(
        "Array.from(document.images, i => ({alt: i.alt, complete: i.complete,"
        " w: i.naturalWidth, h: i.naturalHeight}))")
    loaded = [i for i in images if i["complete"] and i["w"] > 0 and i["h"] > 0]
    assert len(loaded) >= 3, f"only {len(loaded)} of {len(images)} figures loaded: {images}"

    png = page.screenshot(full_page=True)
    std = pixel_std(png)
    print(f"\nindex.html: {len(loaded)} figures, screenshot {len(png)} bytes, pixel std "
          f"{std:.1f}; requests: {[short(u) for u in urls]}")
    assert std > MIN_STD, f"the page looks blank (grey-level std {std:.2f})"

    assert urls, "no request recorded at all (the page itself should be one)"
    external = [u for u in urls if urlsplit(u).scheme not in ("file", "data")
                and not chromium_own(u)]
    assert external == [], f"index.html must be self-contained, but it requested {external}"


def has_globe(report: Path) -> bool:
    """globe.html is always written; only with the CesiumJS copy next to it is it the globe
    (without it, it is a page explaining what is missing)."""
    return (report / "globe.html").is_file() and (report / "cesium" / "Cesium.js").is_file()


def globe_url(server_url: str) -> str:
    """``start_server`` returns the folder's URL or already globe.html's: use its origin."""
    parts = urlsplit(server_url)
    return f"{parts.scheme}://{parts.netloc}/globe.html"


def _globe_or_skip(report: Path, ci: bool) -> None:
    """Skip (visibly) when the study wrote no Cesium globe; under CI fail instead when the
    CesiumJS build exists, since then the globe must have been written."""
    if has_globe(report):
        return
    built = REPO / "build" / "cesium" / "Cesium" / "Cesium.js"
    if ci and built.is_file():
        pytest.fail(f"{built} exists but the study wrote no working globe (globe.html with "
                    f"cesium/Cesium.js) into "
                    f"{report}: {sorted(p.name for p in report.iterdir())}")
    pytest.skip("no 3-D globe in the report: the CesiumJS build is missing "
                "(tools/build_cesium.sh or `make cesium` builds it with npm)")


@contextmanager
def served_globe(page, report: Path):
    """Serve ``report`` on 127.0.0.1, open its globe.html in ``page`` and wait until the CZML
    has loaded; yields the page URL and the page's errors (console errors, exceptions)."""
    from euroshield.report.globe import start_server

    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("console", lambda m: errors.append(f"console: {m.text}")
            if m.type == "error" else None)
    server, thread, url = start_server(report, port=0)
    try:
        page.goto(globe_url(url), wait_until="load")
        try:  # SwiftShader renders WebGL on the CPU: slow, hence the long timeout
            page.wait_for_function("window.euroshieldReady === true", timeout=60_000)
        except Exception as exc:
            state = page.evaluate("[window.euroshieldError, document.body.innerText]")
            raise AssertionError(f"globe.html never set euroshieldReady: {state}; "
                                 f"{errors}") from exc
        yield globe_url(url), errors
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_globe_served_locally(context, study_dir: Path, ci: bool):
    _globe_or_skip(study_dir, ci)
    n_routes = default_routes()
    urls = record_requests(context)
    page = context.new_page()
    with served_globe(page, study_dir) as (url, errors):
        count = page.evaluate("window.euroshieldEntityCount")
        page.wait_for_timeout(1_000)  # let the first imagery tiles draw
        png = page.screenshot()
        # the middle of the view is the globe itself (the camera looks at the routes), not
        # black space nor the widgets: a canvas that WebGL never drew would be black there
        vw, vh = page.viewport_size["width"], page.viewport_size["height"]
        middle = page.screenshot(clip={"x": vw / 4, "y": vh / 4, "width": vw / 2,
                                       "height": vh / 2})
    std, mid_std, mid_mean = pixel_std(png), pixel_std(middle), pixel_mean(middle)
    hosts = sorted({urlsplit(u).hostname or urlsplit(u).scheme for u in urls})
    print(f"\nglobe.html at {url}: {count} entities; pixel std {std:.1f} (whole), "
          f"{mid_std:.1f} (middle, mean {mid_mean:.1f}); {len(urls)} requests to {hosts}; "
          f"errors: {errors}")
    assert isinstance(count, int) and count >= n_routes, f"entity count {count!r}"
    # (a console error for /favicon.ico, 404, is expected: globe.html names no icon)
    assert [e for e in errors if e.startswith("pageerror")] == []
    assert std > MIN_STD, f"the globe looks blank (grey-level std {std:.2f})"
    assert mid_std > MIN_STD and mid_mean > 40, (
        f"no globe drawn in the middle of the view (std {mid_std:.1f}, mean {mid_mean:.1f})")

    def local(u: str) -> bool:
        parts = urlsplit(u)
        return parts.scheme in ("data", "blob") or (
            parts.scheme in ("http", "https") and parts.hostname in LOCAL_HOSTS)

    external = [u for u in urls if not local(u) and not chromium_own(u)]
    assert external == [], f"the globe must be offline, but it requested {external}"


@pytest.fixture(scope="module")
def xss_report(browser, run_study, tmp_path_factory) -> Path:
    """A report on a one-route scenario whose name and description are HTML (a few seconds)."""
    data = scenario.load(None).model_dump(mode="json")
    data["name"] = XSS_NAME
    data["description"] = XSS_DESCRIPTION
    data["threats"]["bases"] = data["threats"]["bases"][:1]
    data["threats"]["targets"] = data["threats"]["targets"][:1]
    data["sites"] = data["sites"][:1]
    folder = tmp_path_factory.mktemp("xss")
    sc_file = folder / "xss.yaml"
    sc_file.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    seconds = run_study(folder / "report", sc_file)
    print(f"\nescaping: one-route study written in {seconds:.1f} s")
    return folder / "report"


def record_dialogs(page) -> list[str]:
    dialogs: list[str] = []

    def on_dialog(dialog):  # dismiss, or the page would hang on the alert
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return dialogs


def test_scenario_name_is_escaped(context, xss_report: Path):
    raw = (xss_report / "index.html").read_text(encoding="utf-8")
    assert "<script" not in raw.lower(), "index.html must contain no script element at all"
    assert "<img src=x" not in raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw

    page = context.new_page()
    dialogs = record_dialogs(page)
    page.goto(xss_report.joinpath("index.html").as_uri(), wait_until="load")
    page.wait_for_timeout(300)  # an injected onerror handler would fire right after load
    h1 = page.inner_text("h1")
    sub = page.inner_text("p.sub")
    print(f"\nescaping: h1 {h1!r}; dialogs {dialogs}")
    assert dialogs == []
    assert XSS_NAME in h1
    assert page.title().endswith(XSS_NAME)
    assert "<img src=x onerror=alert(2)>" in sub
    assert page.evaluate("document.querySelectorAll('script').length") == 0
    assert page.evaluate(
        "Array.from(document.images).filter(i => i.getAttribute('src') === 'x').length") == 0


def test_globe_title_is_escaped(context, xss_report: Path, ci: bool):
    """globe.html puts the scenario name into its <title> and into a script string."""
    raw = (xss_report / "globe.html").read_text(encoding="utf-8")
    assert XSS_NAME not in raw
    assert "<img src=x" not in raw
    _globe_or_skip(xss_report, ci)
    page = context.new_page()
    dialogs = record_dialogs(page)
    with served_globe(page, xss_report):
        title = page.title()
        status = page.inner_text("#status")
    print(f"\nescaping: globe title {title!r}; dialogs {dialogs}")
    assert dialogs == []
    assert title.endswith(XSS_NAME)
    assert status.startswith(f"euroshield: {XSS_NAME}: ")
