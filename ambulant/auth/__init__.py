"""Authentication (who is calling), users (what they may do) and the rules for what they may
touch."""

from ambulant.auth.issuer import TOKEN_TYPE, issue_token, jwks
from ambulant.auth.keys import SigningKey, load_signing_key
from ambulant.auth.principal import Identity, Principal
from ambulant.auth.verifier import JwtVerifier, KeySource, LocalKeySet, TokenVerifier, verifier_for

__all__ = [
    "TOKEN_TYPE",
    "Identity",
    "JwtVerifier",
    "KeySource",
    "LocalKeySet",
    "Principal",
    "SigningKey",
    "TokenVerifier",
    "issue_token",
    "jwks",
    "load_signing_key",
    "verifier_for",
]
