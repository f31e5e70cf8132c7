"""Run by Debian's python3 (which has QGIS's bindings) from tests/ogc/test_qgis.py: loads the OGC API as QGIS
layers headless and prints what QGIS saw as JSON. Usage: python3 qgis_probe.py <root url of /ogc>"""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import QgsApplication, QgsVectorLayer, QgsVectorTileLayer

root = sys.argv[1]
app = QgsApplication([], False)
app.initQgis()
pois = QgsVectorLayer(f"url='{root}' typename='pois' pageSize='50'", "pois", "OAPIF")
names = sorted(feature["name"] for feature in pois.getFeatures()) if pois.isValid() else []
routes = QgsVectorLayer(f"url='{root}' typename='routes'", "routes", "OAPIF")
tiles = QgsVectorTileLayer(f"type=xyz&url={root}/tiles/WebMercatorQuad/{{z}}/{{y}}/{{x}}&zmin=0&zmax=22", "tiles")
print(
    json.dumps(
        {
            "pois_valid": pois.isValid(),
            "pois_count": len(names),
            "pois_names": names,
            "pois_fields": [field.name() for field in pois.fields()],
            "routes_valid": routes.isValid(),
            "routes_geometry": routes.geometryType() if routes.isValid() else None,
            "routes_count": sum(1 for _ in routes.getFeatures()) if routes.isValid() else 0,
            "tiles_valid": tiles.isValid(),
            "tiles_max_zoom": tiles.sourceMaxZoom() if tiles.isValid() else None,
        }
    )
)
app.exitQgis()
