"""Mapbox Vector Tiles built by PostGIS, POI clustering at low zooms, and exact per-tile cache invalidation."""
