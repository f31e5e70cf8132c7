"""The tourists' app at `/`: server-rendered pages (around me, a place) with small ES modules on top."""
