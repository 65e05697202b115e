"""The offline 3-D globe: a project-owned CesiumJS page next to the study's CZML, and a
localhost server for it (CesiumJS does not run from ``file://``).

The CesiumJS build comes from the npm package ``cesium`` pinned in ``package.json``;
``tools/build_cesium.sh`` (run by ``make run``) copies ``node_modules/cesium/Build/Cesium`` to
``build/cesium/Cesium``. The page uses only that folder: the Natural Earth II imagery shipped
with CesiumJS, no Cesium ion token, no network.
"""

from __future__ import annotations

import errno
import functools
import html
import json
import os
import shutil
import threading
import webbrowser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from string import Template

from euroshield.errors import InputError

ENV_CESIUM_DIR = "EUROSHIELD_CESIUM_DIR"
HOST = "127.0.0.1"
_STAMP = ".euroshield-cesium-source"
DEFAULT_TITLE = "euroshield: deterrence study on the globe"

GLOBE_TEMPLATE = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<script src="cesium/Cesium.js"></script>
<link href="cesium/Widgets/widgets.css" rel="stylesheet">
<style>
  html, body, #cesiumContainer { width: 100%; height: 100%; margin: 0; padding: 0;
                                 overflow: hidden; font-family: sans-serif; }
  #status { position: absolute; top: 8px; left: 8px; padding: 4px 8px; color: #fff;
            background: rgba(0, 0, 0, 0.6); border-radius: 4px; font-size: 13px; }
</style>
</head>
<body>
<div id="cesiumContainer"></div>
<div id="status">$title: loading...</div>
<script>
"use strict";
window.euroshieldReady = false;
window.euroshieldEntityCount = 0;
window.euroshieldError = null;
(async function () {
  const status = document.getElementById("status");
  try {
    const viewer = new Cesium.Viewer("cesiumContainer", {
      baseLayer: Cesium.ImageryLayer.fromProviderAsync(
        Cesium.TileMapServiceImageryProvider.fromUrl(
          Cesium.buildModuleUrl("Assets/Textures/NaturalEarthII"))),
      baseLayerPicker: false,
      geocoder: false,
      timeline: true,
      animation: true,
      navigationInstructionsInitiallyVisible: false,
    });
    window.euroshieldViewer = viewer;
    const source = await Cesium.CzmlDataSource.load($czml);
    await viewer.dataSources.add(source);
    // zoomTo waits for the entities' bounding spheres; do not let a slow one block readiness
    await Promise.race([viewer.zoomTo(source),
                        new Promise((resolve) => setTimeout(resolve, 5000))]);
    window.euroshieldEntityCount = source.entities.values.length;
    window.euroshieldReady = true;
    status.textContent = $title_js + ": " + window.euroshieldEntityCount +
      " objects (red: engageable routes; grey-blue: not engageable; green: schematic " +
      "fly-outs; yellow: intercept points). Click an object for its verdict.";
  } catch (err) {
    window.euroshieldError = String(err);
    status.textContent = "The globe could not be drawn: " + String(err);
  }
})();
</script>
</body>
</html>
""")

NO_CESIUM_TEMPLATE = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>$title</title>
<style>body { font-family: sans-serif; max-width: 46em; margin: 3em auto; line-height: 1.5; }
code { background: #eee; padding: 0 0.2em; }</style>
</head>
<body>
<h1>$title</h1>
<p><b>The 3-D globe is not available here: it needs the CesiumJS build, which was not found.</b></p>
<p><code>make run</code> builds it with npm (Node.js): <code>tools/build_cesium.sh</code> installs
the pinned npm package <code>cesium</code> and copies its <code>Build/Cesium</code> folder to
<code>build/cesium/Cesium</code> in the repository. Alternatively, set the environment variable
<code>$env</code> to a CesiumJS <code>Build/Cesium</code> folder, and export again.</p>
<p>The study's data are written next to this page anyway: <code>$czml</code> (CZML, for any
Cesium viewer), and the KML file if one was exported (for Google Earth).</p>
</body>
</html>
""")


def _repo_root() -> Path | None:
    """The repository when euroshield runs from its source tree (editable install), else None."""
    here = Path(__file__).resolve()
    src = here.parents[2]  # .../src/euroshield/report/globe.py -> .../src
    root = src.parent
    if src.name == "src" and (root / "pyproject.toml").is_file():
        return root
    return None


def _is_cesium(path: Path) -> bool:
    return (path / "Cesium.js").is_file()


def cesium_build_dir() -> Path | None:
    """The CesiumJS build folder (the one holding ``Cesium.js``), or None.

    ``$EUROSHIELD_CESIUM_DIR`` when set (None if it holds no ``Cesium.js``: the variable is
    authoritative); else ``<repo>/build/cesium/Cesium`` when running from the source tree.
    """
    env = os.environ.get(ENV_CESIUM_DIR)
    if env:
        p = Path(env).expanduser()
        return p.resolve() if _is_cesium(p) else None
    root = _repo_root()
    if root is not None and _is_cesium(root / "build" / "cesium" / "Cesium"):
        return root / "build" / "cesium" / "Cesium"
    return None


def _source_stamp(src: Path) -> str:
    st = (src / "Cesium.js").stat()
    return f"{src.resolve()}\n{st.st_size}\n{st.st_mtime_ns}\n"


def copy_cesium(src: Path, dest: Path) -> bool:
    """Copy the CesiumJS build ``src`` to ``dest`` unless ``dest`` already holds this build
    (same source, same Cesium.js size and time). Returns True if it copied."""
    stamp = dest / _STAMP
    want = _source_stamp(src)
    if _is_cesium(dest) and stamp.is_file() and stamp.read_text() == want:
        return False
    shutil.copytree(src, dest, dirs_exist_ok=True)
    stamp.write_text(want)
    return True


def _js(value: str) -> str:
    """A JavaScript string literal safe inside a <script> element."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e")


def reuse_cesium(old_out: Path, new_out: Path) -> None:
    """Hard-link the CesiumJS copy of a report folder being replaced (``old_out``) into the
    new one when it is the current build, so that :func:`write_globe` need not copy it again
    (the old folder is deleted afterwards, so nothing stays shared)."""
    src, old = cesium_build_dir(), Path(old_out) / "cesium"
    dest = Path(new_out) / "cesium"
    try:
        if (src is None or not (old / _STAMP).is_file()
                or (old / _STAMP).read_text() != _source_stamp(src)):
            return
        shutil.copytree(old, dest, symlinks=True, copy_function=os.link)
        if (dest / _STAMP).read_text() == _source_stamp(src):
            return
    except OSError:  # another file system, no hard links, ...: copy_cesium copies
        pass
    shutil.rmtree(dest, ignore_errors=True)  # never write through the links


def write_globe(out_dir, czml_name: str = "trajectories.czml",
                title: str = DEFAULT_TITLE) -> bool:
    """Write ``out_dir/globe.html`` for the CZML file ``out_dir/czml_name`` (written separately,
    e.g. by :func:`euroshield.report.czml.write_czml`) and copy CesiumJS to ``out_dir/cesium``.

    Returns True when the globe is complete; without a CesiumJS build (see
    :func:`cesium_build_dir`) it writes a page that says what is missing and returns False.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    src = cesium_build_dir()
    if src is None:
        (out / "globe.html").write_text(NO_CESIUM_TEMPLATE.substitute(
            title=html.escape(title), env=ENV_CESIUM_DIR, czml=html.escape(czml_name)),
            encoding="utf-8")
        return False
    copy_cesium(src, out / "cesium")
    (out / "globe.html").write_text(GLOBE_TEMPLATE.substitute(
        title=html.escape(title), title_js=_js(title), czml=_js(czml_name)), encoding="utf-8")
    return True


class _Handler(SimpleHTTPRequestHandler):
    """Static files, quiet, with the MIME types Cesium and the exports need."""

    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".wasm": "application/wasm",
        ".json": "application/json",
        ".czml": "application/json",
        ".kml": "application/vnd.google-earth.kml+xml",
        ".glb": "model/gltf-binary",
    }

    def log_message(self, format, *args):
        pass


def _make_server(directory, port: int) -> ThreadingHTTPServer:
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(f"serve: {directory} is not a folder; export the globe first")
    if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= 65535:
        raise InputError(f"--port: {port!r} is not a TCP port; use 1-65535 (0: any free port)")
    handler = functools.partial(_Handler, directory=str(directory.resolve()))
    try:
        return ThreadingHTTPServer((HOST, port), handler)
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            raise InputError(
                f"--port: {HOST}:{port} is in use; choose another with --port") from None
        raise InputError(f"--port: cannot listen on {HOST}:{port} ({e.strerror}); "
                         "choose another with --port") from None


def _url(server: ThreadingHTTPServer, directory) -> str:
    page = "globe.html" if (Path(directory) / "globe.html").is_file() else ""
    return f"http://{HOST}:{server.server_address[1]}/{page}"


def start_server(directory, port: int = 0) -> tuple[ThreadingHTTPServer, threading.Thread, str]:
    """Serve ``directory`` on 127.0.0.1 in a daemon thread (port 0: any free port).
    Returns (server, thread, url of globe.html or of the folder); stop with
    ``server.shutdown(); server.server_close()``."""
    server = _make_server(directory, port)
    thread = threading.Thread(target=server.serve_forever, name="euroshield-serve", daemon=True)
    thread.start()
    return server, thread, _url(server, directory)


def serve(directory, port: int = 8000, open_browser: bool = False) -> None:
    """Serve ``directory`` on http://127.0.0.1:port until Ctrl-C (the globe needs http://)."""
    server = _make_server(directory, port)
    url = _url(server, directory)
    print(f"Serving {Path(directory).resolve()} at {url}  (Ctrl-C to stop)", flush=True)
    if open_browser:
        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nstopped", flush=True)
    finally:
        server.server_close()
