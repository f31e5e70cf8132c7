"""Geodesic distances on the WGS84 ellipsoid (GeographicLib via pyproj), the one ranking every path uses."""

from __future__ import annotations

import math

import numpy as np
from pyproj import Geod

WGS84 = Geod(ellps="WGS84")
_A = 6378137.0
_E2 = 6.69437999014e-3


def distances_m(lon: float, lat: float, lons, lats) -> np.ndarray:
    """Exact geodesic distances in metres from (lon, lat) to each (lons[i], lats[i])."""
    lons = np.asarray(lons, dtype=float)
    lats = np.asarray(lats, dtype=float)
    if lons.size == 0:
        return np.empty(0)
    _, _, dist = WGS84.inv(np.full(lons.shape, lon), np.full(lats.shape, lat), lons, lats)
    return np.asarray(dist, dtype=float)


def approx_distances_m(lon: float, lat: float, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """Fast local (equirectangular, ellipsoidal radii) distances; within ~0.5 % of geodesic below 50 km."""
    phi = math.radians(lat)
    w = 1 - _E2 * math.sin(phi) ** 2
    meridional = _A * (1 - _E2) / w**1.5
    prime_vertical = _A / math.sqrt(w)
    dy = np.radians(lats - lat) * meridional
    dx = np.radians(lons - lon) * prime_vertical * math.cos(phi)
    return np.hypot(dx, dy)
