"""Print the README's validation table (case, reference, result, tolerance) from fresh runs.

The assertions live in tests/validation; this script only reports the measured numbers so the
README can quote them. Usage: python tools/validation_table.py
"""

from __future__ import annotations

import numpy as np

from euroshield import catalog
from euroshield.earth import geodesy
from euroshield.earth.constants import OMEGA_EARTH
from euroshield.flight import aiming, kepler
from euroshield.flight.engine import Physics, fly_ballistic
from euroshield.flight.summary import burnout_state
from euroshield.flight.vehicles import ballistic_rv

rows: list[tuple[str, str, str, str]] = []
MU_BMW, R_BMW = 3.986012e14, 6378.145e3

r = R_BMW + 1275.6e3
ff = kepler.free_flight(r, 5270.2, np.radians(51.318), r, mu=MU_BMW)
rows.append(("BMW p.290/243 free-flight range angle", "36.4 deg",
             f"{np.degrees(ff.range_angle_rad):.2f} deg", "0.05 deg"))
tu = np.sqrt(R_BMW**3 / MU_BMW)
psi = 8000 * 1852.0 / R_BMW
rb = R_BMW + 344 * 1852.0
v, g, _, _ = kepler.minimum_energy(psi, rb, rb, mu=MU_BMW)
rows.append(("BMW p.295 min-energy burnout speed, 8,000 nmi", "0.933 DU/TU",
             f"{v / (R_BMW / tu):.4f} DU/TU", "0.0006"))
R = 6371e3
for d, vref, tref in ((2000, 4.11, 11.7), (10000, 7.20, 32.2)):
    v, g, tof, _ = kepler.minimum_energy(d * 1e3 / R, R, R)
    rows.append((f"Min-energy {d:,} km (sphere 6,371 km)", f"{vref} km/s, {tref} min",
                 f"{v / 1e3:.3f} km/s, {tof / 60:.2f} min", "0.03 km/s, 0.5 min"))

R0 = 6371.0088e3
ph = Physics(rotating=False, j2=False, drag=False, sphere_radius_m=R0)
v, g, tof, _ = kepler.minimum_energy(10_000e3 / R0, R0, R0)
y0 = burnout_state(10.0, 20.0, 0.0, v, np.degrees(g), 37.0, ph, relative_to_earth=False)
b = fly_ballistic(y0, 0.0, ballistic_rv(0.0), ph, launch_lat_deg=10.0, launch_lon_deg=20.0)
rows.append(("Integrator vs Kepler, 10,000 km (no drag/J2/rotation)",
             "10,000 km, closed-form time",
             f"range error {b.ground_range_m()[0] - 10_000e3:+.3f} m, "
             f"time error {b.flight_time_s[0] - tof:+.4f} s", "100 m, 0.5 s"))

ph_c = Physics(rotating=False, j2=True, drag=False, rtol=1e-10, record_max_step_s=5.0)
y0 = burnout_state(35.0, 40.0, 150e3, 7000.0, 25.0, 320.0, ph_c, relative_to_earth=False)
y = fly_ballistic(y0, 0.0, ballistic_rv(0.0), ph_c, record=True)[0].eci()
from euroshield.earth.gravity import j2_potential  # noqa: E402

en = 0.5 * np.sum(y[:, 3:] ** 2, axis=1) + j2_potential(y[:, :3])
hz = y[:, 0] * y[:, 4] - y[:, 1] * y[:, 3]
rows.append(("Conservation with J2 (energy, h_z)", "constant",
             f"drift {np.ptp(en) / abs(en[0]):.1e}, {np.ptp(hz) / abs(hz[0]):.1e}", "1e-9"))

RHO0, H = 1.225, 7200.0
worst_v, worst_h = 0.0, 0.0
for beta, gam in ((1000.0, 75.0), (700.0, 70.0), (3000.0, 80.0)):
    pa = Physics(rotating=False, j2=False, gravity=False, sphere_radius_m=6371e3,
                 exponential_atmosphere=(RHO0, H), record_max_step_s=0.01, rtol=1e-10)
    y0 = burnout_state(0.0, 0.0, 120e3, 7000.0, -gam, 90.0, pa, relative_to_earth=False)
    tr = fly_ballistic(y0, 0.0, ballistic_rv(beta), pa, record=True)[0]
    h, vv = tr.altitude_km() * 1e3, tr.speed_m_s()
    k = RHO0 * H / (2 * beta * np.sin(np.radians(gam)))
    for hc in (40e3, 25e3, 15e3, 8e3):
        vn = np.interp(hc, h[::-1], vv[::-1])
        va = 7000.0 * np.exp(-k * (np.exp(-hc / H) - np.exp(-120e3 / H)))
        worst_v = max(worst_v, abs(vn / va - 1))
    dec = RHO0 * np.exp(-h / H) * vv**2 / (2 * beta)
    i = int(np.argmax(dec))
    c = np.polyfit(h[i - 1:i + 2], dec[i - 1:i + 2], 2)
    hp = H * np.log(RHO0 * H / (beta * np.sin(np.radians(gam))))
    worst_h = max(worst_h, abs(-c[1] / (2 * c[0]) / hp - 1))
rows.append(("Allen-Eggers re-entry (3 cases)", "closed form",
             f"velocity {worst_v * 100:.3f} %, peak-decel altitude {worst_h * 100:.3f} %", "2 %"))

pr = Physics(rotating=True, j2=False, drag=False, sphere_radius_m=R0)
out = {}
for az in (90.0, 270.0):
    y0 = burnout_state(0.0, 0.0, 0.0, 6000.0, 30.0, az, pr, relative_to_earth=True)
    out[az] = float(fly_ballistic(y0, 0.0, ballistic_rv(0.0), pr, launch_lat_deg=0.0,
                                  launch_lon_deg=0.0).ground_range_m()[0])
gg = np.radians(30.0)
pred = {}
for az, sgn in ((90.0, 1), (270.0, -1)):
    vh = 6000 * np.cos(gg) + sgn * OMEGA_EARTH * R0
    f2 = kepler.free_flight(R0, np.hypot(vh, 6000 * np.sin(gg)),
                            np.arctan2(6000 * np.sin(gg), abs(vh)), R0)
    pred[az] = R0 * (float(f2.range_angle_rad) - sgn * OMEGA_EARTH * float(f2.flight_time_s))
rows.append(("Earth rotation, 6 km/s at 30 deg, east vs west",
             f"east-west {(pred[90] - pred[270]) / 1e3:,.1f} km (derived)",
             f"{(out[90] - out[270]) / 1e3:,.1f} km; errors "
             f"{out[90] - pred[90]:+.1f} / {out[270] - pred[270]:+.1f} m", "100 m each"))

m = catalog.get_missile("topol-m-like")
rng = np.random.default_rng(1)
la0, lo0 = rng.uniform(25, 60, 100), rng.uniform(-10, 120, 100)
la1, lo1, _ = geodesy.direct(la0, lo0, rng.uniform(0, 360, 100), rng.uniform(1500, 8000, 100) * 1e3)
res = aiming.aim(m, la0, lo0, la1, lo1)
rows.append(("Aiming, 100 random pairs (topol-m-like, min-energy)", "miss < 1 km",
             f"{res.converged.sum()}/100 converged, max miss {np.nanmax(res.miss_m):.0f} m",
             "1 km"))
for name, mm in catalog.missiles().items():
    rr = aiming.reach(mm, 40.0, 45.0, 0.0)
    p = mm.published_range
    rows.append((f"Flown max range {name} (north, rotating Earth)",
                 f"{p.min_km:,.0f}-{p.max_km:,.0f} km published",
                 f"{float(rr.max_ground_range_m[0]) / 1e3:,.0f} km", "inside band"))

print("| case | reference | result | tolerance |")
print("|---|---|---|---|")
for row in rows:
    print("| " + " | ".join(row) + " |")
