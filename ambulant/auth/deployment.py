"""Settings that must never reach production: checked when the API starts, with a clear error."""

from __future__ import annotations

from ambulant.config import Settings

MIN_SECRET_CHARS = 32
PLACEHOLDER_SECRETS = frozenset({"changeme", "change-me", "secret", "development", "ambulant"})


class UnsafeConfiguration(RuntimeError):
    """The settings would run production with development shortcuts."""


def uses_development_issuer(settings: Settings) -> bool:
    return not settings.oidc_jwks_url


def check_deployment(settings: Settings) -> None:
    """Raises UnsafeConfiguration naming every problem; development and test pass the issuer
    checks (tests exercise the development issuer through the real verifier)."""
    problems = []
    if "*" in settings.cors_origins:
        problems.append("AMBULANT_CORS_ORIGINS must list origins; '*' would allow any site")
    if settings.environment == "production":
        problems.extend(_production_problems(settings))
    if problems:
        raise UnsafeConfiguration("refusing to start: " + "; ".join(problems))


def _production_problems(settings: Settings) -> list[str]:
    problems = []
    if uses_development_issuer(settings):
        problems.append(
            "production needs AMBULANT_OIDC_JWKS_URL (the identity provider's keys); the "
            "development issuer signs its own tokens"
        )
    elif not settings.oidc_jwks_url or not settings.oidc_jwks_url.startswith("https://"):
        problems.append("AMBULANT_OIDC_JWKS_URL must be an https:// URL")
    if settings.jwt_issuer == Settings.model_fields["jwt_issuer"].default:
        problems.append("AMBULANT_JWT_ISSUER must name the identity provider, not the default")
    if settings.session_secret is not None:
        secret = settings.session_secret.get_secret_value()
        if len(secret) < MIN_SECRET_CHARS or secret.lower() in PLACEHOLDER_SECRETS:
            problems.append(
                f"AMBULANT_SESSION_SECRET must be a random value of at least {MIN_SECRET_CHARS} "
                "characters, not a default"
            )
    return problems
