"""Server-sent events: plans published, schedules changed, visit status reported.

A nurse hears only about themselves (their schedule changed); a coordinator hears every event in
their scope. Each event has an id; reconnect with Last-Event-ID to get what was missed (the
process keeps the last thousand).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from sse_starlette import EventSourceResponse

from ambulant.notify import get_broadcaster, visible_to
from ambulant.notify.events import Event
from api.deps import PrincipalDep, SettingsDep

router = APIRouter(tags=["events"])

PING_S = 15

EVENT_SCHEMA = {
    "type": "object",
    "required": ["event", "data"],
    "properties": {
        "id": {"type": "string", "description": "Send it back as Last-Event-ID to resume."},
        "event": {"type": "string", "description": "Its kind, e.g. `ready`, `plan_published`."},
        "data": {"type": "string", "contentMediaType": "application/json"},
        "retry": {"type": "integer"},
    },
}


@router.get(
    "/events",
    response_class=EventSourceResponse,
    responses={
        200: {
            "description": "Server-sent events: `id`, `event` (its kind) and `data` (JSON).",
            # OpenAPI 3.1: for an event stream, `schema` describes each event.
            "content": {"text/event-stream": {"schema": EVENT_SCHEMA}},
        }
    },
)
async def events(
    request: Request,
    settings: SettingsDep,
    principal: PrincipalDep,
    last_event_id: Annotated[str | None, Header()] = None,
) -> EventSourceResponse:
    broadcaster = get_broadcaster(settings)
    subscription, missed = broadcaster.subscribe(
        lambda e: visible_to(principal, e), last_event_id=last_event_id
    )

    async def stream() -> AsyncIterator[dict[str, Any]]:
        try:
            for event in missed:
                yield _message(event)
            yield {"event": "ready", "data": json.dumps({"role": str(principal.role)})}
            while (news := await subscription.next()) is not None:
                yield _message(news)
        finally:
            broadcaster.unsubscribe(subscription)

    return EventSourceResponse(stream(), ping=PING_S)


def _message(event: Event) -> dict[str, Any]:
    return {"id": event.id, "event": event.kind, "data": json.dumps(event.data)}
