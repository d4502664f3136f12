"""The development issuer's key file: made once, private, and named by its thumbprint."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa

from ambulant.auth import issue_token, jwks, keys, load_signing_key
from ambulant.auth.keys import thumbprint
from ambulant.config import Settings


def test_key_is_created_on_first_use_readable_only_by_its_owner(tmp_path: Path) -> None:
    """The first token creates the directory and a 0600 key file; nothing else is left there."""
    settings = Settings(data_dir=tmp_path / "nested" / "data")
    assert not settings.signing_key_path.exists()
    issue_token(settings, subject="ops")
    assert stat.S_IMODE(settings.signing_key_path.stat().st_mode) == 0o600
    assert [p.name for p in settings.signing_key_path.parent.iterdir()] == ["dev-signing-key.pem"]


def test_key_survives_restarts(tmp_path: Path) -> None:
    """A second load (another process, a restart) reads the same key rather than making one."""
    path = tmp_path / "key.pem"
    first = load_signing_key(path)
    content = path.read_bytes()
    keys._load.cache_clear()  # as a restarted process, which has no key in memory
    assert load_signing_key(path).kid == first.kid
    assert path.read_bytes() == content


def test_kid_is_the_rfc7638_thumbprint() -> None:
    """RFC 7638 section 3.1's example key has the thumbprint the RFC prints."""
    n = (
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECP"
        "ebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY"
        "368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0f"
        "M4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
    )
    public = rsa.RSAPublicNumbers(e=65537, n=_b64_int(n)).public_key()
    assert thumbprint(public) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_jwks_publishes_only_the_public_key(settings: Settings) -> None:
    """The key set holds one RSA signing key under its kid, with no private parts."""
    (key,) = jwks(settings)["keys"]
    assert key["kid"] == load_signing_key(settings.signing_key_path).kid
    assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig")
    assert not {"d", "p", "q", "dp", "dq", "qi"} & key.keys()


def _b64_int(text: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), "big")
