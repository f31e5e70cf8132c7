"""The Redis connection and the hot-result cache."""
