"""Write the DOP853 Butcher tableau (Hairer, Norsett & Wanner) as published by SciPy to
src/euroshield/flight/data/dop853.json.

The integrator reads the vendored copy so that importing euroshield does not import
scipy.integrate (0.6 s of every command's start-up); tests/unit/test_dop853_tableau.py checks the
copy against SciPy to the last bit. Usage: python tools/make_dop853_tableau.py
"""

import json
from pathlib import Path

from scipy.integrate import DOP853

OUT = Path(__file__).resolve().parents[1] / "src/euroshield/flight/data/dop853.json"


def main() -> None:
    data = {"source": "scipy.integrate.DOP853 (Hairer, Norsett & Wanner, Solving ODEs I)",
            **{k: getattr(DOP853, k).tolist() for k in ("A", "B", "C", "E3", "E5")}}
    OUT.write_text(json.dumps(data) + "\n", encoding="utf-8")  # repr floats round-trip exactly
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
