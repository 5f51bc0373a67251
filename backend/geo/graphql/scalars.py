"""A GeoJSON geometry as input: an object, or the same as JSON text. Malformed input is a
coded BAD_USER_INPUT (``invalid_geojson``), never an internal error; whether it is a valid
parcel polygon or a city-condition notice's geometry is the domain service's decision
(INVALID_GEOMETRY, SELF_INTERSECTING …)."""

from __future__ import annotations

import json
from typing import Any

import graphene
from graphql import GraphQLError, StringValueNode, ValueNode, value_from_ast_untyped

MAX_CHARS = 200_000


def _refuse(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT",
                                             "reason": "invalid_geojson"})


def _parse(value: Any) -> Any:
    if isinstance(value, str):
        if len(value) > MAX_CHARS:
            raise _refuse("GeoJSON text is too long.")
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            raise _refuse("GeoJSON must be a JSON object such as "
                          "{\"type\": \"Polygon\", \"coordinates\": [...]}.") from None
    if not isinstance(value, dict):
        raise _refuse("GeoJSON must be an object with a \"type\".")
    return value


class GeoJSONGeometry(graphene.Scalar):
    """An RFC 7946 geometry (lon, lat), as a JSON object or as JSON text."""

    @staticmethod
    def serialize(value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    @staticmethod
    def parse_value(value: Any) -> Any:
        return _parse(value)

    @staticmethod
    def parse_literal(node: ValueNode, _variables: Any = None) -> Any:
        if isinstance(node, StringValueNode):
            return _parse(node.value)
        return _parse(value_from_ast_untyped(node, _variables))
