"""Studies: pure functions of validated inputs that return plain results (no printing)."""
