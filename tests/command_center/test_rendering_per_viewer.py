"""Per-viewer rendering is declared by the fields, never decided by the WebSocket layer from
field names: a subscription field says its rendering may be shared; a field that depends on
the viewer says so; everything else is rendered per viewer."""

from __future__ import annotations

from gql import gql as parse
from graphql import get_operation_ast
from graphql import parse as parse_document

from backend.accounts.models import Role
from backend.graphql.subscriptions import rendering_is_shared
from backend.schema import current_schema
from tests.command_center.conftest import submit_complaint, ws_client


def shared(query: str) -> bool:
    document = parse_document(query)
    return rendering_is_shared(current_schema().graphql_schema, document,
                               get_operation_ast(document))


def test_the_declarations_decide_not_the_names():
    # commandCenterEvents is declared shared; CaseEvent.complaint per viewer.
    assert shared("subscription { commandCenterEvents { cursor type case { id } } }")
    assert not shared("subscription { commandCenterEvents { cursor complaint { id } } }")
    assert not shared("subscription { e: commandCenterEvents { ...F } } "
                      "fragment F on CaseEvent { complaint { isMine } }")
    assert not shared("subscription { commandCenterEvents { ... on CaseEvent { "
                      "complaint { id } } } }")
    # An alias named like a per-viewer field changes nothing: declarations, not names.
    assert shared("subscription { complaint: commandCenterEvents { cursor } }")


async def test_two_subscribers_with_different_rights_never_get_each_others_rendering(
    live_server, gql, client, make_user
):
    """Same document, same variables, replayed one after the other (the second after the
    first's rendering exists): each gets the complaint as they may see it."""
    _, operator = await make_user(Role.OPERATOR)
    resident, resident_token = await make_user(Role.CITIZEN, name="Warga Pelapor")
    await submit_complaint(gql, client, resident_token, visibility="ANONYMOUS")
    query = parse("""subscription($after: String) { commandCenterEvents(after: $after) {
        cursor complaint { isMine reporterName reporter { phone } } } }""")
    query.variable_values = {"after": "0"}

    async def first_event(token):
        async with ws_client(live_server, token) as session:
            async for result in session.subscribe(query):
                return result["commandCenterEvents"]

    by_operator = await first_event(operator)
    by_reporter = await first_event(resident_token)
    assert by_operator["cursor"] == by_reporter["cursor"]
    assert by_operator["complaint"]["isMine"] is False
    assert by_operator["complaint"]["reporter"]["phone"] == resident.phone
    assert by_reporter["complaint"]["isMine"] is True
    assert by_reporter != by_operator
