from __future__ import annotations

import graphene

from backend.accounts.graphql.types import MeType, RoleEnum, SkpdType, UserConnection
from backend.accounts.models import Role, Skpd, User
from backend.graphql.core import guarded, paginate
from backend.permissions import ADMIN, PUBLIC, SIGNED_IN


class AccountQueries(graphene.ObjectType):
    me = graphene.Field(MeType, description="The signed-in user.")
    skpds = graphene.List(
        graphene.NonNull(SkpdType),
        required=True,
        description="The city agencies (a short reference list, not paginated).",
    )
    users = graphene.Field(
        UserConnection,
        required=True,
        first=graphene.Int(),
        after=graphene.String(),
        role=graphene.Argument(RoleEnum),
        search=graphene.String(description="Part of a name or phone number."),
        description="Admin: find accounts, newest first.",
    )

    @staticmethod
    @guarded(SIGNED_IN)
    async def resolve_me(root, info):
        return (await info.context.principal()).user

    @staticmethod
    @guarded(PUBLIC)
    async def resolve_skpds(root, info):
        return await Skpd.all().order_by("code")

    @staticmethod
    @guarded(ADMIN)
    async def resolve_users(root, info, first=None, after=None, role=None, search=None):
        queryset = User.all()
        if role is not None:
            queryset = queryset.filter(roles__role=Role(role))
        term = (search or "").strip()
        if term:
            digits = term.lstrip("+")
            if digits.isdigit():
                # 0812… and +62812… both mean the national number 812…
                national = (
                    digits.removeprefix("62") if digits.startswith("62") else digits.lstrip("0")
                )
                queryset = queryset.filter(phone__contains=national)
            else:
                queryset = queryset.filter(name__icontains=term)
        return await paginate(queryset.distinct(), UserConnection, first=first, after=after)
