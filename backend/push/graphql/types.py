from __future__ import annotations

import graphene

from backend.graphql.core import error_type
from backend.push.errors import PushErrorCode
from backend.push.models import Platform

PlatformEnum = graphene.Enum.from_enum(
    Platform, name="DevicePlatform", description="The kind of app installation."
)
PushError = error_type("PushError", PushErrorCode)


class DeviceType(graphene.ObjectType):
    class Meta:
        name = "Device"
        description = "An app installation of the signed-in user that receives push messages."

    id = graphene.ID(required=True)
    platform = graphene.Field(PlatformEnum, required=True)
    created_at = graphene.DateTime(required=True)
    last_seen_at = graphene.DateTime(required=True, description="When it last registered.")
