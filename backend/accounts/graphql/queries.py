from __future__ import annotations

import graphene
from tortoise.expressions import Q

from backend.accounts import rights
from backend.accounts.graphql.types import MeType, RoleEnum, SkpdType, UserConnection
from backend.accounts.identity import normalize_phone
from backend.accounts.models import Role, Skpd, User
from backend.accounts.personal_data import ExportContext
from backend.graphql.core import guarded, paginate
from backend.permissions import ADMIN, PUBLIC, SIGNED_IN


class AccountQueries(graphene.ObjectType):
    me = graphene.Field(MeType, description="The signed-in user.")
    my_data = graphene.JSONString(
        required=True,
        description="Everything BATT holds about you, as one JSON document: account, roles, "
        "sessions, complaints with photos, devices, … and `personalDataAccess`: who among "
        "the staff read your personal data, when, and what.",
    )
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
        search=graphene.String(
            description="Part of a name, or a whole phone number or NIK."),
        description="Admin: find accounts, newest first.",
    )

    @staticmethod
    @guarded(SIGNED_IN)
    async def resolve_me(root, info):
        return (await info.context.principal()).user

    @staticmethod
    @guarded(SIGNED_IN)
    async def resolve_my_data(root, info):
        context = info.context
        principal = await context.principal()
        return await rights.export_my_data(principal, ExportContext(
            user_id=principal.user.id, settings=context.settings, services=context.services,
            language=context.language))

    @staticmethod
    @guarded(PUBLIC)
    async def resolve_skpds(root, info):
        return await Skpd.all().order_by("code")

    @staticmethod
    @guarded(ADMIN)
    async def resolve_users(root, info, first=None, after=None, role=None, search=None):
        queryset = User.filter(erased_at=None)
        if role is not None:
            queryset = queryset.filter(roles__role=Role(role))
        term = (search or "").strip()
        if term:
            # Phones and NIKs are encrypted at rest: they are found whole (through their keyed
            # hashes), never by a fragment. 0812… and +62812… are the same number.
            phone = normalize_phone(term) if any(c.isdigit() for c in term) else None
            if len(term) == 16 and term.isdigit():
                queryset = queryset.filter(Q(User.identified_by(nik=term),
                                             *([User.identified_by(phone=phone)] if phone else []),
                                             join_type=Q.OR))
            elif phone is not None:
                queryset = queryset.filter(User.identified_by(phone=phone))
            else:
                queryset = queryset.filter(name__icontains=term)
        return await paginate(queryset.distinct(), UserConnection, first=first, after=after)
