"""The editorial mutations every kind of content has — save a draft, publish (now or at a
time), roll back to a revision, withdraw — made once from the kind's
:class:`~among_kota.content.services.ContentKind`, its input and its payload. A kind names
what differs (how its input is cleaned, how the saved item is read back for the payload)
and gets ``save<Kind>``, ``publish<Kind>``, ``rollback<Kind>`` and ``withdraw<Kind>`` with
the same arguments, rights and errors as every other kind."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import graphene

from among_kota.content import services as editorial
from among_kota.content.graphql.types import KotaError
from among_kota.content.rights import EDITOR
from among_kota.content.services import ContentKind
from among_kota.errors import KotaErrorCode as C
from backend.accounts.services import Principal
from backend.graphql.core import BaseMutation, parse_int_id

# Turn the GraphQL input into the kind's validated content (raises ServiceError).
Clean = Callable[[Any, int | None, Principal], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class EditorialMutations:
    kind: ContentKind
    name: str  # "Place": the mutations' names (savePlace …)
    input: type[graphene.InputObjectType]  # has id and skpdCode
    payload_field: str  # "place"
    payload_type: Any  # the GraphQL type of the payload's item (or a lambda for it)
    load: Callable[[int], Awaitable[Any]]  # the item by id, as payload_type resolves it
    clean: Clean
    descriptions: dict[str, str] = field(default_factory=dict)

    def _mutation(self, verb: str, arguments: dict[str, Any], default: str,
                  perform: Callable[..., Awaitable[Any]]) -> type[BaseMutation]:
        async def run(cls: Any, root: Any, info: Any, principal: Principal, **data: Any
                      ) -> dict[str, Any]:
            item = await perform(principal, **data)
            return {self.payload_field: await self.load(item.id)}

        meta = type("Meta", (), {"description": self.descriptions.get(verb, default),
                                 "need": EDITOR, "error_type": KotaError})
        return type(f"{verb.capitalize()}{self.name}", (BaseMutation,), {
            self.payload_field: graphene.Field(self.payload_type),
            "Arguments": type("Arguments", (), arguments),
            "Meta": meta,
            "perform": classmethod(run),
            "__module__": self.input.__module__,
        })

    def save(self) -> type[BaseMutation]:
        async def perform(principal: Principal, input: Any) -> Any:
            item_id = parse_int_id(input.id, C.NOT_FOUND, "id") if input.id else None
            content = await self.clean(input, item_id, principal)
            return await editorial.save_draft(self.kind, principal, item_id, content,
                                              skpd_code=input.skpd_code)

        return self._mutation("save", {"input": self.input(required=True)},
                              f"Create a {self.kind.name} (a draft) or save edits to one.",
                              perform)

    def publish(self) -> type[BaseMutation]:
        async def perform(principal: Principal, id: str, at: Any = None) -> Any:
            return await editorial.publish(self.kind, principal,
                                           parse_int_id(id, C.NOT_FOUND, "id"), at)

        return self._mutation(
            "publish", {"id": graphene.ID(required=True), "at": graphene.DateTime(
                description="Publish at this time; omitted: now.")},
            f"Publish a {self.kind.name}'s pending values now or at a set time.", perform)

    def rollback(self) -> type[BaseMutation]:
        async def perform(principal: Principal, id: str, revision: int) -> Any:
            return await editorial.rollback(self.kind, principal,
                                            parse_int_id(id, C.NOT_FOUND, "id"), revision)

        return self._mutation(
            "rollback", {"id": graphene.ID(required=True),
                         "revision": graphene.Int(required=True)},
            f"Publish an earlier revision of a {self.kind.name} again.", perform)

    def withdraw(self) -> type[BaseMutation]:
        async def perform(principal: Principal, id: str) -> Any:
            return await editorial.withdraw(self.kind, principal,
                                            parse_int_id(id, C.NOT_FOUND, "id"))

        return self._mutation(
            "withdraw", {"id": graphene.ID(required=True)},
            f"Take a {self.kind.name} off the public pages (publishing brings it back).",
            perform)

    def fields(self) -> tuple[graphene.Field, graphene.Field, graphene.Field, graphene.Field]:
        """The four root fields, in the order save, publish, rollback, withdraw."""
        return (self.save().Field(), self.publish().Field(), self.rollback().Field(),
                self.withdraw().Field())
