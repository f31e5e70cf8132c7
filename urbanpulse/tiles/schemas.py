"""Tile query arguments."""

from __future__ import annotations

from marshmallow import Schema, fields, validate
from webargs.fields import DelimitedList

from urbanpulse.pois.categories import CATEGORIES
from urbanpulse.tiles.layers import by_name
from urbanpulse.web.schemas_common import lang_field


class TileQueryArgsSchema(Schema):
    """GET /tiles/{z}/{x}/{y}.mvt."""

    layers = DelimitedList(
        fields.String(validate=validate.OneOf(tuple(by_name()))),
        validate=validate.Length(min=1),
        metadata={"description": f"Comma-separated layers (default all: {','.join(by_name())})"},
    )
    category = DelimitedList(
        fields.String(validate=validate.OneOf(CATEGORIES)),
        validate=validate.Length(min=1, max=len(CATEGORIES)),
        metadata={"description": "Only POIs of these categories (comma-separated); clusters count only them"},
    )
    lang = lang_field()
