"""Heritage routes: walks, rides and boat trips as lines with ordered stops (POIs), GPX and walker progress."""
