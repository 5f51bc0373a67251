"""Who may edit which content: a ``content_editor`` edits the content of the SKPD their role is
granted for; admins and Diskominfo's editors (who run the city's channels) edit anything.
Decided here and nowhere else."""

from __future__ import annotations

from among_kota.errors import KotaErrorCode as C
from backend.accounts.models import Role, Skpd
from backend.accounts.services import Principal
from backend.errors import ServiceError
from backend.permissions import any_role

# Editors of this SKPD edit every SKPD's content.
CITY_EDITORS_SKPD = "diskominfo"

EDITOR = any_role(Role.CONTENT_EDITOR, Role.ADMIN)


def editor_skpd(principal: Principal | None) -> Skpd | None:
    if principal is None:
        return None
    return principal.skpd_for(Role.CONTENT_EDITOR)


def edits_anything(principal: Principal | None) -> bool:
    if principal is None:
        return False
    if principal.has(Role.ADMIN):
        return True
    skpd = editor_skpd(principal)
    return skpd is not None and skpd.code == CITY_EDITORS_SKPD


def may_edit(principal: Principal | None, skpd_id: int) -> bool:
    if edits_anything(principal):
        return True
    skpd = editor_skpd(principal)
    return skpd is not None and skpd.id == skpd_id


def check_may_edit(principal: Principal | None, skpd_id: int, field: str = "id") -> None:
    if not may_edit(principal, skpd_id):
        own = editor_skpd(principal)
        raise ServiceError(C.NOT_YOUR_SKPD, field, skpd=own.code if own else "-")


async def owner_for_new(principal: Principal | None, skpd_code: str | None) -> Skpd:
    """The SKPD a new item belongs to: the editor's own; another one only for those who
    edit anything (and they must name it)."""
    own = editor_skpd(principal)
    if skpd_code:
        if own is not None and own.code == skpd_code:
            return own
        skpd = await Skpd.get_or_none(code=skpd_code[:32])
        if skpd is None:
            raise ServiceError(C.UNKNOWN_SKPD, "skpdCode", skpd=skpd_code[:32])
        check_may_edit(principal, skpd.id, "skpdCode")
        return skpd
    if own is None:
        raise ServiceError(C.SKPD_REQUIRED, "skpdCode")
    return own
