"""Tokens from the development issuer: RS256 access tokens that say who, never what role."""

from __future__ import annotations

import jwt
import pytest

from ambulant.auth import issue_token, load_signing_key
from ambulant.config import Settings
from ambulant.errors import InvalidInput


def test_token_header_and_claims(settings: Settings) -> None:
    """Header: RS256, typ at+jwt, the key's kid. Claims: iss, aud, sub, a lifetime of exactly
    ttl_min, nbf = iat, a jti; no role or staff id (those live in the user table)."""
    token = issue_token(settings, subject="staff:7", ttl_min=15)
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
    assert claims["sub"] == "staff:7" and len(claims["jti"]) == 32
    assert "role" not in claims and "staff_id" not in claims


def test_defaults_come_from_settings_and_hpr_goes_in_its_claim(settings: Settings) -> None:
    """Without ttl_min the lifetime is settings.token_ttl_min; an HPR number is carried under
    the configured claim name, as HelseID does."""
    token = issue_token(settings, subject="kari@kommune.no", hpr_number="9144")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == settings.token_ttl_min * 60
    assert (claims["sub"], claims[settings.oidc_hpr_claim]) == ("kari@kommune.no", "9144")


def test_a_subject_is_needed_and_a_lifetime_is_positive(settings: Settings) -> None:
    """Refused: an empty subject, and a lifetime under a minute."""
    with pytest.raises(InvalidInput) as subject:
        issue_token(settings, subject="")
    assert subject.value.field == "subject"
    with pytest.raises(InvalidInput) as ttl:
        issue_token(settings, subject="ops", ttl_min=0)
    assert ttl.value.field == "ttl_min"
