"""Live events: recurring occurrences, calendars, imports and a live feed."""
