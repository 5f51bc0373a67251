"""Who may share one rendering of a subscription event.

The WebSocket layer executes a subscription's document once per event and subscriber — unless
the subscription field says that one rendering may be shared by everyone the event bus let
the event through to (same document, same variables). That is a declaration on the field, in
the domain's own schema; the default is **per viewer**, so a field nobody thought about can
never leak one viewer's rendering to another::

    from backend.graphql.subscriptions import per_viewer, shared_rendering

    class CaseEventType(graphene.ObjectType):
        ...
        # Depends on who is looking: a document selecting it is rendered per viewer even
        # under a shared subscription field.
        complaint = per_viewer(graphene.Field(ComplaintType))

    class CommandCenterSubscriptions(graphene.ObjectType):
        command_center_events = shared_rendering(graphene.Field(CaseEventType, ...))

A rendering is shared when the subscription's root field is declared shared and the document
selects no field declared :func:`per_viewer` (anywhere in it, through fragments too). Per
viewer means per (user, roles, SKPD): the rights the socket was opened with.

The declarations are graphene attributes copied onto the built schema's fields as
``extensions["batt_rendering"]`` by :func:`apply_declarations` (``backend.schema`` does it);
the WebSocket layer reads them through :func:`rendering_is_shared`.
"""

from __future__ import annotations

from typing import Any

import graphene
from graphene.utils.str_converters import to_camel_case
from graphql import (
    DocumentNode,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    TypeInfo,
    TypeInfoVisitor,
    visit,
)
from graphql.language import FieldNode, FragmentDefinitionNode, InlineFragmentNode
from graphql.language.visitor import Visitor

EXTENSION = "batt_rendering"
SHARED = "shared"
VIEWER = "viewer"
_ATTRIBUTE = "_batt_rendering"


def _mark(field: Any, value: str) -> Any:
    if not isinstance(field, graphene.Field):
        raise TypeError("declare rendering on a graphene.Field(...)")
    setattr(field, _ATTRIBUTE, value)
    return field


def shared_rendering(field: graphene.Field) -> graphene.Field:
    """A subscription field whose event renders the same for every subscriber it reaches."""
    return _mark(field, SHARED)


def per_viewer(field: graphene.Field) -> graphene.Field:
    """A field whose value depends on who is looking (forces per-viewer rendering)."""
    return _mark(field, VIEWER)


def apply_declarations(schema: graphene.Schema) -> None:
    """Copy the declarations onto the built schema's fields (once, after building)."""
    auto_camelcase = getattr(schema, "auto_camelcase", True)
    for gql_type in schema.graphql_schema.type_map.values():
        graphene_type = getattr(gql_type, "graphene_type", None)
        meta = getattr(graphene_type, "_meta", None)
        if not isinstance(gql_type, GraphQLObjectType) or meta is None:
            continue
        for name, field in getattr(meta, "fields", {}).items():
            value = getattr(field, _ATTRIBUTE, None)
            if value is None:
                continue
            gql_name = field.name or (to_camel_case(name) if auto_camelcase else name)
            gql_field = gql_type.fields[gql_name]
            gql_field.extensions = {**(gql_field.extensions or {}), EXTENSION: value}


def rendering_is_shared(schema: GraphQLSchema, document: DocumentNode,
                        operation: OperationDefinitionNode) -> bool:
    """True when one rendering of this subscription may serve every subscriber."""
    root = schema.subscription_type
    if root is None:
        return False
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    roots: list[str] = []
    _root_fields(operation.selection_set, fragments, roots)
    if not roots:
        return False
    for name in roots:
        field = root.fields.get(name)
        if field is None or (field.extensions or {}).get(EXTENSION) != SHARED:
            return False
    return not _selects_per_viewer(schema, document)


def _root_fields(selection_set: Any, fragments: dict[str, Any], out: list[str]) -> None:
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            out.append(selection.name.value)
        elif isinstance(selection, InlineFragmentNode):
            _root_fields(selection.selection_set, fragments, out)
        else:
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                _root_fields(fragment.selection_set, fragments, out)


def _selects_per_viewer(schema: GraphQLSchema, document: DocumentNode) -> bool:
    type_info = TypeInfo(schema)
    found = False

    class Finder(Visitor):
        def enter_field(self, node: FieldNode, *_: Any) -> None:
            nonlocal found
            field = type_info.get_field_def()
            if field is not None and (field.extensions or {}).get(EXTENSION) == VIEWER:
                found = True

    visit(document, TypeInfoVisitor(type_info, Finder()))
    return found
