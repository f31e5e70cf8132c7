"""OGC API - Features (Part 1) and Tiles over the published content, for GIS tools (QGIS, GDAL, OWSLib)."""
