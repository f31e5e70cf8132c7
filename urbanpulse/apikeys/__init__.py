"""Third parties' API keys: per-key restrictions, quotas (the shared rate limiter) and daily usage."""
