"""GraphQL types every kind of Among Kota content shares: bilingual input, the editorial
state (editors only) and revisions."""

from __future__ import annotations

from typing import Any

import graphene

from among_kota.content.models import ContentStatus, Revision, RevisionAction
from among_kota.content.rights import may_edit
from among_kota.errors import KotaErrorCode
from backend.graphql.core import BaseLoader, error_type
from backend.i18n import localized

KotaError = error_type("KotaError", KotaErrorCode)
ContentStatusEnum = graphene.Enum.from_enum(ContentStatus, name="ContentStatus")
RevisionActionEnum = graphene.Enum.from_enum(RevisionAction, name="RevisionAction")


class TextInput(graphene.InputObjectType):
    id = graphene.String(required=True, description="Indonesian (always).")
    en = graphene.String(description="English (optional; readers fall back to Indonesian).")


class RevisionChangeType(graphene.ObjectType):
    class Meta:
        name = "RevisionChange"

    field = graphene.String(required=True)
    before = graphene.JSONString()
    after = graphene.JSONString()


class RevisionAuthorType(graphene.ObjectType):
    class Meta:
        name = "RevisionAuthor"
        description = "The editor who made a revision: a name, never a phone."

    id = graphene.ID(required=True)
    name = graphene.String()


class RevisionType(graphene.ObjectType):
    class Meta:
        name = "Revision"

    number = graphene.Int(required=True)
    action = graphene.Field(RevisionActionEnum, required=True)
    at = graphene.DateTime(required=True)
    author = graphene.Field(RevisionAuthorType)
    changes = graphene.List(graphene.NonNull(RevisionChangeType), required=True)
    data = graphene.JSONString(required=True, description="The whole item as it was.")
    publish_at = graphene.DateTime(description="SCHEDULED: when it is to be published.")
    restored = graphene.Int(description="ROLLED_BACK: the revision published again.")

    @staticmethod
    def resolve_at(revision: Revision, info: Any):
        return revision.created_at

    @staticmethod
    def resolve_author(revision: Revision, info: Any):
        user = revision.author
        if user is None:
            return None
        return RevisionAuthorType(id=str(user.id), name=user.name)

    @staticmethod
    def resolve_changes(revision: Revision, info: Any):
        return [RevisionChangeType(**c) for c in revision.changes]


class RevisionsByItemLoader(BaseLoader):
    """Revisions of (kind, id) items, newest first, for a whole page at once."""

    default: list[Revision] = []

    async def fetch(self, keys: list[tuple[str, int]]) -> dict[Any, Any]:
        found: dict[tuple[str, int], list[Revision]] = {}
        for kind in {k for k, _ in keys}:
            ids = [i for k, i in keys if k == kind]
            for revision in await Revision.filter(kind=kind, entity_id__in=ids).order_by(
                    "-number").select_related("author"):
                found.setdefault((kind, revision.entity_id), []).append(revision)
        return found


class EditorialType(graphene.ObjectType):
    class Meta:
        name = "Editorial"
        description = "The editorial state of a content item; only its editors see it."

    status = graphene.Field(ContentStatusEnum, required=True)
    skpd_code = graphene.String(required=True)
    publish_at = graphene.DateTime(description="Scheduled publishing time, if any.")
    published_at = graphene.DateTime(description="When it was first published.")
    revision = graphene.Int(required=True, description="The latest revision's number.")
    pending_changes = graphene.JSONString(
        description="Edits saved since publishing, not yet public (the whole item).")
    revisions = graphene.List(graphene.NonNull(RevisionType), required=True,
                              description="Newest first.")

    @staticmethod
    def resolve_skpd_code(root: Any, info: Any) -> str:
        return root["skpd_code"]

    @staticmethod
    async def resolve_revisions(root: Any, info: Any):
        return await info.context.loader(RevisionsByItemLoader).load((root["kind"], root["id"]))


async def editorial_of(kind: str, item: Any, info: Any) -> dict[str, Any] | None:
    """The editorial state for callers who may edit the item; None for everyone else (so
    anonymous answers never depend on who asks)."""
    principal = await info.context.principal()
    if principal is None or not may_edit(principal, item.skpd_id):
        return None
    skpd = await item.skpd  # the editor's page: a few items; fine per item
    return {
        "kind": kind, "id": item.id, "status": item.status, "skpd_code": skpd.code,
        "publish_at": item.publish_at, "published_at": item.published_at,
        "revision": item.revision, "pending_changes": item.draft,
    }


def text_of(root: Any, attr: str, info: Any) -> str | None:
    return localized(root, attr, info.context.language)
