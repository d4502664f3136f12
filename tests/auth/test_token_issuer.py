"""Tokens from the development issuer: RS256 access tokens carrying role and staff id."""

from __future__ import annotations

import jwt
import pytest

from ambulant.auth import issue_token, load_signing_key
from ambulant.config import Settings
from ambulant.errors import InvalidInput
from ambulant.models import Role


def test_token_header_and_claims(settings: Settings) -> None:
    """Header: RS256, typ at+jwt, the key's kid. Claims: iss, aud, sub, a lifetime of exactly
    ttl_min, nbf = iat, role and staff_id."""
    token = issue_token(settings, role=Role.NURSE, staff_id=7, ttl_min=15)
    header = jwt.get_unverified_header(token)
    assert header == {
        "alg": "RS256",
        "typ": "at+jwt",
        "kid": load_signing_key(settings.signing_key_path).kid,
    }
    claims = jwt.decode(
        token,
        load_signing_key(settings.signing_key_path).private_key.public_key(),
        algorithms=["RS256"],
        audience=settings.jwt_audience,
        issuer=settings.jwt_issuer,
    )
    assert claims["exp"] - claims["iat"] == 15 * 60
    assert claims["nbf"] == claims["iat"]
    assert (claims["sub"], claims["role"], claims["staff_id"]) == ("staff:7", "nurse", 7)


def test_defaults_come_from_settings(settings: Settings) -> None:
    """Without ttl_min the lifetime is settings.token_ttl_min; subject may be given."""
    token = issue_token(settings, role=Role.COORDINATOR, subject="kari@kommune.no")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == settings.token_ttl_min * 60
    assert (claims["sub"], claims["staff_id"]) == ("kari@kommune.no", None)


def test_a_nurse_token_needs_a_staff_id_and_a_lifetime_is_positive(settings: Settings) -> None:
    """Refused: a nurse token without staff_id, and a lifetime under a minute."""
    with pytest.raises(InvalidInput) as nurse:
        issue_token(settings, role=Role.NURSE)
    assert nurse.value.field == "staff_id"
    with pytest.raises(InvalidInput) as ttl:
        issue_token(settings, role=Role.ADMIN, ttl_min=0)
    assert ttl.value.field == "ttl_min"
