"""A bounded schemathesis run over every operation as a coordinator, as a nurse and with no token
at all: no answer is a 5xx, each answer has a status, content type and body that the OpenAPI
document gives for it, and without a token nothing but the public operations answers 2xx."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance
from sqlalchemy import Engine
from sqlmodel import Session

from ambulant.models import Role
from tests.api.builders import Headers
from tests.builders import TinyRegion, make_staff

# Small, so the whole run stays well under a minute on a shared machine.
MAX_EXAMPLES = 10
# An event stream does not end, so there is no answer to check.
SKIPPED = {"/api/v1/events"}
# The document cannot say every rule that spans fields (base_id when start_from is 'base', a
# window on one day), so a schema-valid body may rightly be a 422. Every case carries the
# coordinator's token, also those negative mode meant to send without one, so negative data
# rejection would count their (rightly) accepted requests as invalid input let through.
EXCLUDED = [positive_data_acceptance, negative_data_rejection]


# What anyone may read without a token: health, the issuer's public keys, the calendar feed
# (its secret link is its authorisation, and a wrong one is a 404).
PUBLIC = {
    "/api/v1/health",
    "/api/v1/.well-known/jwks.json",
    "/api/v1/staff/{staff_id}/schedule.ics",
}


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
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40
    failures: list[str] = []
    for operation, mode in itertools.product(operations, schemathesis.GenerationMode):
        if operation.path in SKIPPED:
            continue

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def answers_as_documented(case: schemathesis.Case) -> None:
            response = case.call_and_validate(headers=headers, excluded_checks=EXCLUDED)
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
