"""A bounded schemathesis run with every check over every operation as a coordinator, as a nurse
and with no token at all: no answer is a 5xx; each answer has a status, content type and body that
the OpenAPI document gives for it; schema-valid input is accepted, or refused by a rule the
document states on that operation's 422; invalid input is refused; and without a token nothing
but the public operations answers 2xx.

The settings are the repository's schemathesis.toml, the same a `schemathesis run` from the root
reads: a 422 for schema-valid input is accepted only on the operations that document one, and the
event stream is read up to its first event (the `ready` every connection gets), so it ends."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.config import SchemathesisConfig
from sqlalchemy import Engine
from sqlmodel import Session

from ambulant.models import Role
from api.beyond_schema import RULES_KEY
from tests.api.builders import Headers
from tests.builders import TinyRegion, make_staff

# Examples per operation and generation mode: small, so the three runs together stay under a
# minute on a shared machine. Most of the time is drawing inputs, not answering them. A nurse is
# refused (403) on most operations and no token is a 401 on all but the public ones, before the
# input is read, so fewer examples see as much of the server there.
MAX_EXAMPLES = {"coordinator": 6, "nurse": 4, "nobody": 4}
CONFIG = Path(__file__).resolve().parents[2] / "schemathesis.toml"

# What anyone may read without a token: health, the issuer's public keys, the calendar feed
# (its secret link is its authorisation, and a wrong one is a 404).
PUBLIC = {
    "/api/v1/health",
    "/api/v1/.well-known/jwks.json",
    "/api/v1/staff/{staff_id}/schedule.ics",
}


def refused_by_a_documented_rule(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    """A 422 for schema-valid input names a field whose rule the operation's 422 documents.

    schemathesis.toml lets positive_data_acceptance take that 422 on those operations; this
    keeps it from hiding a rule the schema could have stated (a format, a range) on a field the
    document says nothing about."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    if response.status_code != 422:
        return None
    documented = case.operation.definition.raw["responses"]["422"].get(RULES_KEY, {})
    body = response.json()
    fields = {body["field"], *(error["field"] for error in body.get("errors") or [])}
    undocumented = fields - set(documented)
    assert not undocumented, (
        f"schema-valid input refused on {sorted(undocumented)}, a rule the document does not "
        f"state: {body['detail']}"
    )
    return None


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("caller", ["coordinator", "nurse", "nobody"])
def test_every_operation_answers_as_documented(
    client: TestClient,
    db: Engine,
    headers_for: Callable[..., Headers],
    region: TinyRegion,
    caller: str,
) -> None:
    if caller == "coordinator":
        headers = headers_for(Role.COORDINATOR)
    elif caller == "nurse":
        with Session(db, expire_on_commit=False) as session:
            nurse = make_staff(session, region)
            session.commit()
        headers = headers_for(Role.NURSE, nurse.id)
    else:
        headers = {}
    config = SchemathesisConfig.from_path(CONFIG)
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app, config=config)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40
    failures: list[str] = []
    for operation, mode in itertools.product(operations, schemathesis.GenerationMode):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=MAX_EXAMPLES[caller],
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def answers_as_documented(case: schemathesis.Case) -> None:
            # The transport leaves out a header a case is meant to go without (a negative case
            # "without Authorization"), so the caller's token does not turn it into a valid one.
            response = case.call_and_validate(
                headers=headers, additional_checks=[refused_by_a_documented_rule]
            )
            if caller == "nobody" and case.operation.path not in PUBLIC:
                assert response.status_code >= 400, f"{response.status_code} without a token"

        try:
            answers_as_documented()
        except Unsatisfiable:
            # An operation without parameters or body has no invalid input to send.
            assert mode is schemathesis.GenerationMode.NEGATIVE, operation.path
        except (Exception, BaseExceptionGroup) as error:
            failures.append(f"{mode} {operation.method.upper()} {operation.path}: {error}")
    assert not failures, "\n\n".join(failures)
