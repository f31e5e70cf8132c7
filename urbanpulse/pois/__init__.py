"""Points of interest: the tourism office's places and the nearby search."""
