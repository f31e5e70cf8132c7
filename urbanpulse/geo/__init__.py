"""Geometry shared by every domain: GeoJSON fields, bbox parsing, distance SQL helpers."""
