"""What an operation needs from its caller — declared by every query and mutation, checked
here and nowhere else."""

from __future__ import annotations

from dataclasses import dataclass

from backend.accounts.models import Role


@dataclass(frozen=True)
class Need:
    description: str
    authenticated: bool
    roles: frozenset[Role] = frozenset()

    def __str__(self) -> str:
        return self.description


PUBLIC = Need("anyone, signed in or not", authenticated=False)
SIGNED_IN = Need("any signed-in user", authenticated=True)


def any_role(*roles: Role) -> Need:
    names = ", ".join(r.value for r in roles)
    return Need(f"one of the roles: {names}", authenticated=True, roles=frozenset(roles))


ADMIN = any_role(Role.ADMIN)
OPERATOR = any_role(Role.OPERATOR, Role.ADMIN)
