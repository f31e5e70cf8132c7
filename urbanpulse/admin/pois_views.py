"""POI pages: the searchable list with its map, create, edit (map marker, language tabs), status, history."""

from __future__ import annotations

from flask import jsonify, request, url_for
from flask_admin import expose
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from urbanpulse.admin import pois_forms, queries
from urbanpulse.admin.i18n import label, translated
from urbanpulse.admin.item_views import ItemView
from urbanpulse.core.errors import ValidationFailed, flatten_validation_messages
from urbanpulse.pois import service
from urbanpulse.pois.categories import CATEGORY_LABELS
from urbanpulse.pois.models import POI_STATUSES, Poi
from urbanpulse.pois.schemas import PoiFeaturePatchSchema
from urbanpulse.web.schemas_common import BBox

STATUS_ACTIONS = {"published": "Publish", "draft": "Unpublish", "archived": "Archive"}


def _marker(row) -> dict:
    poi = row.Poi
    return {
        "id": str(poi.id),
        "name": translated(poi.name) or poi.slug,
        "category": label(CATEGORY_LABELS.get(poi.category), poi.category),
        "status": poi.status,
        "url": url_for("admin_pois.edit", item_id=poi.id),
        "lon": row.lon,
        "lat": row.lat,
    }


class PickerArgsSchema(Schema):
    """GET /admin/pois/search: a name, an area, how many."""

    class Meta:
        unknown = EXCLUDE

    q = fields.String(load_default=None, validate=validate.Length(max=100))
    bbox = BBox(load_default=None, max_span_deg=2.0)
    limit = fields.Integer(load_default=queries.PICKER_LIMIT, validate=validate.Range(1, queries.PICKER_MAX))


def picker_item(row) -> dict:
    """A POI as the edit pages' pickers show it (a row of queries.poi_choices)."""
    return {
        "id": str(row.id),
        "name": translated(row.name) or row.slug,
        "category": label(CATEGORY_LABELS.get(row.category), row.category),
        "status": row.status,
        "lon": row.lon,
        "lat": row.lat,
    }


class PoisView(ItemView):
    """Places: list, create (click the map to place it), edit, publish or archive, history."""

    forms = pois_forms
    service = service
    model = Poi
    patch_schema = PoiFeaturePatchSchema
    edit_template = "upadmin/poi_edit.html"
    edit_script = "poi-edit.js"
    status_actions = STATUS_ACTIONS

    def get_item(self, item_id) -> Poi:
        """The POI, drafts and archived ones included."""
        return service.get_poi(poi_id=item_id, include_unpublished=True)

    def create_item(self, form) -> Poi:
        """Create the POI as POST /api/v1/pois would."""
        return service.create_poi_from_feature(pois_forms.new_feature(form), actor=self.actor())

    def update(self, item, data: dict, etag: str) -> Poi:
        """Apply the patch as PATCH /api/v1/pois/{id} does."""
        return service.update_poi(
            poi_id=item.id,
            if_match=etag,
            actor=self.actor(),
            geometry=data.get("geometry"),
            properties=data.get("properties"),
        )

    def history_entries(self, item) -> list:
        """The POI's history."""
        return service.poi_history(poi_id=item.id)

    @expose("/search")
    def search(self):
        """JSON for the pickers: at most `limit` POIs named like `q` and/or inside `bbox`, drafts included."""
        try:
            args = PickerArgsSchema().load(request.args)
        except ValidationError as error:
            raise ValidationFailed(
                "Invalid input", errors=flatten_validation_messages({"query": error.messages})
            ) from None
        rows = queries.poi_choices(q=args["q"], bbox=args["bbox"], limit=args["limit"])
        return jsonify({"items": [picker_item(row) for row in rows]})

    @expose("/")
    def index(self):
        """The list: text search, category and status filters, and a map of the page's results."""
        q = request.args.get("q", "").strip()[:100]
        category = request.args.get("category") if request.args.get("category") in CATEGORY_LABELS else None
        status = request.args.get("status") if request.args.get("status") in POI_STATUSES else None
        page = queries.pois(q=q or None, category=category, status=status, page=request.args.get("page", 1, int))
        categories = sorted(((k, label(v, k)) for k, v in CATEGORY_LABELS.items()), key=lambda c: c[1].lower())
        return self.render(
            "upadmin/poi_list.html",
            page=page,
            markers=[_marker(row) for row in page.items],
            filters={"q": q, "category": category or "", "status": status or ""},
            categories=categories,
            category_labels=CATEGORY_LABELS,
            statuses=POI_STATUSES,
            uses_map=True,
            page_scripts=["poi-list.js"],
        )
