from __future__ import annotations

import graphene

from backend.graphql.core import BaseMutation
from backend.permissions import SIGNED_IN
from backend.push import services
from backend.push.graphql.types import DeviceType, PlatformEnum, PushError
from backend.push.models import Platform


class RegisterDevice(BaseMutation):
    class Arguments:
        token = graphene.String(required=True, description="The app's FCM registration token.")
        platform = PlatformEnum(required=True)

    class Meta:
        description = (
            "Receive push messages on this installation. Call it on every app start and "
            "whenever FCM hands the app a new token; a token signed in by someone else before "
            "moves to the caller."
        )
        need = SIGNED_IN
        error_type = PushError

    device = graphene.Field(DeviceType)

    @classmethod
    async def perform(cls, root, info, principal, token, platform):
        device = await services.register_device(
            principal.user, token=token, platform=Platform(getattr(platform, "value", platform))
        )
        return {"device": device}


class UnregisterDevice(BaseMutation):
    class Arguments:
        token = graphene.String(required=True)

    class Meta:
        description = "Stop push messages to this installation (on sign-out). Idempotent."
        need = SIGNED_IN
        error_type = PushError

    removed = graphene.Boolean(
        required=True, description="False when the caller had no device with this token."
    )

    @classmethod
    async def perform(cls, root, info, principal, token):
        return {"removed": await services.unregister_device(principal.user, token=token)}


class PushMutations(graphene.ObjectType):
    register_device = RegisterDevice.Field()
    unregister_device = UnregisterDevice.Field()
