"""The /map page: MapLibre GL JS (served by the app itself) drawing the vector tiles, for people to look at."""
