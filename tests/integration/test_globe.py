"""The offline globe page and its localhost server.

* without a CesiumJS build, ``write_globe`` writes a page that says what is missing and returns
  False;
* with a (fake, minimal) CesiumJS build it copies it next to the page, once, and writes
  globe.html for trajectories.czml with no online address and no Cesium ion token;
* ``start_server`` serves the folder on 127.0.0.1; a port in use is an InputError.
"""

from __future__ import annotations

import os
import socket
import time
import urllib.request

import pytest

from euroshield.errors import InputError
from euroshield.report import globe

XSS = "<script>alert(1)</script>"


@pytest.fixture
def fake_cesium(tmp_path, monkeypatch):
    src = tmp_path / "Build" / "Cesium"
    (src / "Widgets").mkdir(parents=True)
    (src / "Cesium.js").write_text("/* fake CesiumJS */ window.Cesium = {};\n")
    (src / "Widgets" / "widgets.css").write_text("/* fake */\n")
    monkeypatch.setenv(globe.ENV_CESIUM_DIR, str(src))
    return src


def test_without_cesium_the_page_explains_and_returns_false(tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv(globe.ENV_CESIUM_DIR, str(empty))
    assert globe.cesium_build_dir() is None
    out = tmp_path / "report"
    assert globe.write_globe(out, title=f"study {XSS}") is False
    page = (out / "globe.html").read_text(encoding="utf-8")
    assert "needs the CesiumJS build" in page and "make run" in page and "npm" in page
    assert "trajectories.czml" in page
    assert XSS not in page and "&lt;script&gt;" in page
    assert not (out / "cesium").exists()
    assert "<script" not in page  # a plain page: nothing to run


def test_with_cesium_the_build_is_copied_once_and_the_page_written(tmp_path, fake_cesium):
    assert globe.cesium_build_dir() == fake_cesium.resolve()
    out = tmp_path / "report"
    assert globe.write_globe(out, title=f"study {XSS}") is True
    copied = out / "cesium" / "Cesium.js"
    assert copied.read_text() == (fake_cesium / "Cesium.js").read_text()
    assert (out / "cesium" / "Widgets" / "widgets.css").is_file()
    page = (out / "globe.html").read_text(encoding="utf-8")
    assert 'src="cesium/Cesium.js"' in page and "cesium/Widgets/widgets.css" in page
    assert 'Cesium.CzmlDataSource.load("trajectories.czml")' in page
    assert "NaturalEarthII" in page and "TileMapServiceImageryProvider" in page
    assert "baseLayerPicker: false" in page and "geocoder: false" in page
    assert "window.euroshieldReady = true" in page and "euroshieldEntityCount" in page
    assert "http://" not in page and "https://" not in page  # offline: nothing remote
    assert "accessToken" not in page  # no Cesium ion token
    assert XSS not in page  # the title is escaped in HTML and in the script

    # up to date: not copied again (a local edit survives) ...
    copied.write_text("edited")
    assert globe.write_globe(out) is True
    assert copied.read_text() == "edited"
    # ... outdated (the build changed): copied again
    (fake_cesium / "Cesium.js").write_text("/* fake CesiumJS, rebuilt */\n")
    os.utime(fake_cesium / "Cesium.js", ns=(time.time_ns(), time.time_ns() + 10**9))
    assert globe.write_globe(out, czml_name="other.czml") is True
    assert copied.read_text() == "/* fake CesiumJS, rebuilt */\n"
    assert 'load("other.czml")' in (out / "globe.html").read_text(encoding="utf-8")


def test_start_server_serves_the_folder_on_localhost(tmp_path, fake_cesium):
    out = tmp_path / "report"
    globe.write_globe(out)
    (out / "trajectories.czml").write_text('[{"id": "document", "version": "1.0"}]')
    server, thread, url = globe.start_server(out, port=0)
    try:
        assert url.startswith("http://127.0.0.1:") and url.endswith("/globe.html")
        assert thread.is_alive()
        with urllib.request.urlopen(url, timeout=10) as r:
            assert r.status == 200
            assert "euroshieldReady" in r.read().decode("utf-8")
        base = url.rsplit("/", 1)[0]
        with urllib.request.urlopen(f"{base}/trajectories.czml", timeout=10) as r:
            assert r.status == 200 and r.headers["Content-Type"] == "application/json"
        with urllib.request.urlopen(f"{base}/cesium/Cesium.js", timeout=10) as r:
            assert r.status == 200 and "javascript" in r.headers["Content-Type"]
    finally:
        server.shutdown()
        server.server_close()
    thread.join(timeout=5)
    assert not thread.is_alive()


def test_port_in_use_is_an_input_error(tmp_path):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        with pytest.raises(InputError) as e:
            globe.start_server(tmp_path, port=port)
        assert str(e.value) == f"--port: 127.0.0.1:{port} is in use; choose another with --port"
        with pytest.raises(InputError) as e:
            globe.serve(tmp_path, port=port)
        assert "is in use" in str(e.value) and "\n" not in str(e.value)


def test_bad_port_and_missing_folder_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="--port"):
        globe.start_server(tmp_path, port=70000)
    with pytest.raises(InputError, match="not a folder"):
        globe.start_server(tmp_path / "missing", port=0)
