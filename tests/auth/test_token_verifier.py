"""The verifier accepts exactly the tokens it should: right key, issuer, audience, time, type
and claims, and reads the identity from them. Anything else is Unauthorized."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import jwt
import pytest
import time_machine
from cryptography.hazmat.primitives import serialization

from ambulant.auth import Identity, JwtVerifier, issue_token, jwks, load_signing_key, verifier_for
from ambulant.auth.verifier import VerifiedTokens
from ambulant.config import Settings
from ambulant.errors import Unauthorized
from tests.auth.forge import UNSET, forge_token, other_key, valid_claims


def test_issued_tokens_verify_to_their_identity(settings: Settings) -> None:
    """What the issuer signs, the verifier reads back as the same subject and HPR number."""
    verify = verifier_for(settings).verify
    assert verify(issue_token(settings, subject="staff:12")) == Identity("staff:12")
    signed = issue_token(settings, subject="ops", hpr_number="9144")
    assert verify(signed) == Identity(subject="ops", hpr_number="9144")


def test_role_claims_are_ignored(settings: Settings) -> None:
    """A token claiming a role or staff id yields only the identity: roles are ambulant's."""
    claims = valid_claims(settings, role="admin", staff_id=3)
    assert verifier_for(settings).verify(forge_token(settings, claims=claims)) == Identity(
        "test-user"
    )


# Times are offsets from the moment the token is made, not from the import of this module: a
# long run would otherwise reach the "not yet valid" instant before the test signs it.
BAD_CLAIMS: dict[str, dict[str, Any]] = {
    "expired": {"exp": -dt.timedelta(minutes=5), "iat": -dt.timedelta(hours=1)},
    "not yet valid": {"nbf": dt.timedelta(minutes=5)},
    "wrong audience": {"aud": "another-api"},
    "wrong issuer": {"iss": "https://login.example"},
    "no exp": {"exp": UNSET},
    "no nbf": {"nbf": UNSET},
    "no iat": {"iat": UNSET},
    "no sub": {"sub": UNSET},
    "empty sub": {"sub": ""},
    "sub not a string": {"sub": 12},
    "HPR number not a string": {"helseid://claims/hpr/hpr_number": 9144},
}


@pytest.mark.parametrize("case", BAD_CLAIMS)
def test_bad_claims_are_unauthorized(settings: Settings, case: str) -> None:
    """Each broken or missing claim makes the token invalid."""
    now = dt.datetime.now(dt.UTC)
    claims = {
        name: now + value if isinstance(value, dt.timedelta) else value
        for name, value in BAD_CLAIMS[case].items()
    }
    token = forge_token(settings, claims=valid_claims(settings, **claims))
    with pytest.raises(Unauthorized):
        verifier_for(settings).verify(token)


def test_expiry_says_so(settings: Settings) -> None:
    """An expired token is told apart from a forged one, so clients know to refresh."""
    claims = valid_claims(settings, exp=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5))
    with pytest.raises(Unauthorized, match="expired"):
        verifier_for(settings).verify(forge_token(settings, claims=claims))


@pytest.mark.parametrize("typ", ["JWT", "at+JWS", "", UNSET])
def test_only_access_tokens_are_accepted(settings: Settings, typ: object) -> None:
    """An ID token or any other JWT (typ not at+jwt) is refused even with a good signature."""
    with pytest.raises(Unauthorized, match="type"):
        verifier_for(settings).verify(forge_token(settings, headers={"typ": typ}))


def test_the_full_media_type_is_an_access_token_too(settings: Settings) -> None:
    """RFC 9068 lets typ be written application/at+jwt."""
    token = forge_token(settings, headers={"typ": "application/at+jwt"})
    assert verifier_for(settings).verify(token).subject == "test-user"


def test_a_foreign_signature_is_unauthorized(settings: Settings) -> None:
    """Signed by another key under our kid, or under an unknown kid: refused."""
    stranger = other_key()
    for headers in ({}, {"kid": "someone-elses"}):
        with pytest.raises(Unauthorized):
            verifier_for(settings).verify(forge_token(settings, key=stranger, headers=headers))


def test_algorithm_confusion_is_refused(settings: Settings) -> None:
    """HS256 keyed with our public key (the classic RS/HS confusion) and alg none are refused."""
    public_pem = (
        load_signing_key(settings.signing_key_path)
        .private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    kid = load_signing_key(settings.signing_key_path).kid
    header = {"kid": kid, "typ": "at+jwt"}
    claims = valid_claims(settings)

    # PyJWT itself refuses to HMAC with a PEM key, so the confused token is built by hand.
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    def segment(value: dict[str, Any]) -> str:
        return b64(json.dumps(value, default=lambda d: int(d.timestamp())).encode())

    signing_input = f"{segment({**header, 'alg': 'HS256'})}.{segment(claims)}"
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    confused = f"{signing_input}.{b64(mac)}"
    unsigned = f"{segment({**header, 'alg': 'none'})}.{segment(claims)}."
    for token in (confused, unsigned):
        with pytest.raises(Unauthorized):
            verifier_for(settings).verify(token)


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "eyJ0eXAiOiJhdCtqd3QifQ.e30."])
def test_malformed_tokens_are_unauthorized(settings: Settings, token: str) -> None:
    """Anything that is not a JWT at all is Unauthorized, not a crash."""
    with pytest.raises(Unauthorized):
        verifier_for(settings).verify(token)


@pytest.fixture
def jwks_server(settings: Settings) -> Iterator[str]:
    """A real HTTP server on localhost publishing the key set, as an OIDC provider would."""
    document = json.dumps(jwks(settings)).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(document)

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json"
    server.shutdown()
    server.server_close()


def test_a_remote_jwks_plugs_in_through_pyjwkclient(settings: Settings, jwks_server: str) -> None:
    """The same verifier class checks tokens against keys fetched from a JWKS URL."""
    verifier = JwtVerifier(
        jwt.PyJWKClient(jwks_server),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
    )
    token = issue_token(settings, subject="staff:3")
    assert verifier.verify(token) == Identity("staff:3")
    with pytest.raises(Unauthorized):
        verifier.verify(forge_token(settings, key=other_key(), headers={"kid": "rotated-away"}))


def test_a_verified_token_is_not_accepted_past_its_expiry(settings: Settings) -> None:
    """A token is checked once and then known by its hash, but only until its exp: after
    that (and the leeway) the same token is refused as expired."""
    verifier = verifier_for(settings)
    token = forge_token(settings)
    assert verifier.verify(token) == Identity("test-user")
    assert verifier.verify(token) == Identity("test-user")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=11)
    with time_machine.travel(later, tick=False), pytest.raises(Unauthorized, match="expired"):
        verifier.verify(token)


def test_verified_tokens_are_kept_until_expiry_and_bounded() -> None:
    """An entry answers until its expiry instant and not at it; past `max_entries` the oldest
    goes first."""
    now = [1000.0]
    kept = VerifiedTokens(max_entries=2, clock=lambda: now[0])
    kept.put(b"a", Identity("a"), expires=1010.0)
    kept.put(b"b", Identity("b"), expires=2000.0)
    assert kept.get(b"a") == Identity("a")
    now[0] = 1010.0
    assert kept.get(b"a") is None
    kept.put(b"c", Identity("c"), expires=2000.0)
    kept.put(b"d", Identity("d"), expires=2000.0)
    assert (kept.get(b"b"), kept.get(b"c"), kept.get(b"d")) == (None, Identity("c"), Identity("d"))
