"""Default routes: every catalogue missile flown on its demonstration routes (the main job until
the deterrence and report studies take over)."""

from __future__ import annotations

from importlib import resources

import numpy as np

from euroshield import catalog
from euroshield.catalog import load_yaml_text
from euroshield.errors import InputError
from euroshield.flight import aiming
from euroshield.flight.summary import flight_record


def default_routes() -> tuple[dict, dict]:
    """(points, routes) from the packaged ``catalog/routes.yaml``."""
    text = resources.files("euroshield.catalog").joinpath("routes.yaml").read_text("utf-8")
    data = load_yaml_text(text, "catalog/routes.yaml")
    points, routes = data["points"], data["routes"]
    for mname, rs in routes.items():
        for r in rs:
            for end in ("launch", "target"):
                if r[end] not in points:
                    raise InputError(f"catalog/routes.yaml: {mname}: unknown point {r[end]!r}")
    return points, routes


def fly_default_routes() -> list[dict]:
    """Aim (minimum energy) and fly each missile's routes; one record per route."""
    points, routes = default_routes()
    rows = []
    for mname, rs in routes.items():
        m = catalog.get_missile(mname)
        lat0 = np.array([points[r["launch"]]["lat"] for r in rs])
        lon0 = np.array([points[r["launch"]]["lon"] for r in rs])
        lat1 = np.array([points[r["target"]]["lat"] for r in rs])
        lon1 = np.array([points[r["target"]]["lon"] for r in rs])
        res = aiming.aim(m, lat0, lon0, lat1, lon1)
        for i, r in enumerate(rs):
            rec = flight_record(res.batch, i)
            rows.append({
                "missile": mname,
                "route": f"{r['launch']} -> {r['target']}",
                **rec,
                "heading_deg": round(float(res.azimuth_deg[i]), 3),
                "miss_km": round(float(res.miss_m[i]) / 1e3, 4)
                if np.isfinite(res.miss_m[i]) else None,
                "converged": bool(res.converged[i]),
            })
    return rows
