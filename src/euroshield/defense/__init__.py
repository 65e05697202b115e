"""Defence: interceptors and their fly-out reach (sensors and engagement windows come next)."""
