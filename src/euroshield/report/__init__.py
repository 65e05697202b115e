"""Report layer: maps and documents drawn from plain study results (never imported by physics)."""
