"""HTTP plumbing every blueprint shares: the problem+json Api, conditional requests, input guards, limits, logs."""
