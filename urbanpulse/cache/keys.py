"""Grid cells (for candidate sets) and coarse regions (for targeted invalidation) on WGS84."""

from __future__ import annotations

import math

from urbanpulse.core.redis_client import database_namespace

METRES_PER_DEGREE_LAT = 111_320.0
REGION_DEG = 0.05  # about 5.6 km north-south, 3.6 km east-west at Boulogne's latitude


def region_of(lon: float, lat: float) -> str:
    """The coarse region holding a point."""
    return f"{math.floor(lat / REGION_DEG)}:{math.floor(lon / REGION_DEG)}"


def regions_for_disk(lon: float, lat: float, radius_m: float) -> list[str]:
    """Every coarse region a disk of `radius_m` around (lon, lat) may touch (a conservative cover)."""
    dlat = radius_m / METRES_PER_DEGREE_LAT * 1.01
    cos_lat = max(math.cos(math.radians(min(abs(lat) + dlat, 89.9))), 0.01)
    dlon = min(radius_m / (METRES_PER_DEGREE_LAT * cos_lat) * 1.01, 180.0)
    rows = range(math.floor((lat - dlat) / REGION_DEG), math.floor((lat + dlat) / REGION_DEG) + 1)
    cols = range(math.floor((lon - dlon) / REGION_DEG), math.floor((lon + dlon) / REGION_DEG) + 1)
    return [f"{row}:{col}" for row in rows for col in cols]


def region_generation_key(domain: str, region: str) -> str:
    """Redis key of a region's generation counter for one domain."""
    return f"up:rg:{database_namespace()}:{domain}:{region}"


def domain_generation_key(domain: str) -> str:
    """Redis key of a domain-wide generation counter."""
    return f"up:gen:{database_namespace()}:{domain}"


def cell_of(lon: float, lat: float, cell_m: float) -> tuple[int, int, float, float, float]:
    """(row, col, centre lon, centre lat, max metres from the centre to any point of the cell)."""
    dlat = cell_m / METRES_PER_DEGREE_LAT
    row = math.floor(lat / dlat)
    centre_lat = (row + 0.5) * dlat
    dlon = cell_m / (METRES_PER_DEGREE_LAT * max(math.cos(math.radians(centre_lat)), 0.01))
    col = math.floor(lon / dlon)
    centre_lon = (col + 0.5) * dlon
    # Half-diagonal with a 3 % margin for the ellipsoid and the row's latitude span, plus a metre.
    half_diagonal_m = cell_m * math.sqrt(2) / 2 * 1.03 + 1.0
    return row, col, centre_lon, centre_lat, half_diagonal_m


def epoch_key() -> str:
    """Redis key of the global epoch: bumping it retires every cached answer of this database."""
    return f"up:epoch:{database_namespace()}"
