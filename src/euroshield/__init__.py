"""euroshield: an open, validated physics model of the U.S.-NATO European missile defence.

Data flows one way: scenario -> trajectories -> detections/tracks -> engagements -> results
-> report.
Inside the numeric core every quantity is a plain float in SI units (m, s, kg, rad); accessors and
field names at the boundary carry their unit (``altitude_km``, ``burn_time_s``).
"""

__version__ = "0.1.0"

from euroshield import _jitcache

_jitcache.configure()
