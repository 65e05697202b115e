"""Default routes: every catalogue missile flown on its demonstration routes (the main job until
the deterrence and report studies take over)."""

from __future__ import annotations

from importlib import resources

import numpy as np

from euroshield import catalog
from euroshield.catalog import load_yaml_text
from euroshield.flight import aiming
from euroshield.flight.summary import flight_record


def default_routes() -> dict[str, list[dict]]:
    """Missile name -> routes ({launch, target} place names) from ``catalog/routes.yaml``."""
    text = resources.files("euroshield.catalog").joinpath("routes.yaml").read_text("utf-8")
    routes = load_yaml_text(text, "catalog/routes.yaml")["routes"]
    for rs in routes.values():
        for r in rs:
            catalog.get_place(r["launch"])
            catalog.get_place(r["target"])
    return routes


def fly_default_routes() -> list[dict]:
    """Aim (minimum energy) and fly each missile's routes; one record per route."""
    rows = []
    for mname, rs in default_routes().items():
        m = catalog.get_missile(mname)
        launch = [catalog.get_place(r["launch"]) for r in rs]
        target = [catalog.get_place(r["target"]) for r in rs]
        lat0, lon0 = np.array([p.lat for p in launch]), np.array([p.lon for p in launch])
        lat1, lon1 = np.array([p.lat for p in target]), np.array([p.lon for p in target])
        res = aiming.aim(m, lat0, lon0, lat1, lon1)
        for i, r in enumerate(rs):
            rec = flight_record(res.batch, i)
            rows.append({
                "missile": mname,
                "route": f"{r['launch']} -> {r['target']}",
                **rec,
                # azimuth of the pitch-over plane at the launch point (the solved guidance)
                "launch_azimuth_deg": round(float(res.azimuth_deg[i]), 3),
                "heading_deg": round(float(res.azimuth_deg[i]), 3),  # deprecated alias
                "miss_km": round(float(res.miss_m[i]) / 1e3, 4)
                if np.isfinite(res.miss_m[i]) else None,
                "converged": bool(res.converged[i]),
            })
    return rows
