"""All settings, read from the environment (prefix AMBULANT_) in this one place."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AMBULANT_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    # DATABASE_URL (no prefix) is the conventional name; AMBULANT_DATABASE_URL also works.
    database_url: str = Field(
        default="sqlite:///./ambulant.db",
        validation_alias=AliasChoices("DATABASE_URL", "AMBULANT_DATABASE_URL"),
    )
    data_dir: Path = Path(".ambulant")

    # Jobs: "local" runs solves in a process pool beside the API; "rq" hands them to RQ workers.
    queue: Literal["local", "rq"] = "local"
    redis_url: str = "redis://127.0.0.1:6379/0"

    # Travel times
    travel_provider: Literal["geodesic"] = "geodesic"
    travel_speed_kmh: float = 60.0
    travel_circuity: float = 1.4

    # Planning
    solve_time_limit_s: float = 20.0
    solve_seed: int = 0
    max_overtime_min: int = 30

    # Tokens: the development issuer signs with a local RSA key; an OIDC issuer will replace it.
    jwt_issuer: str = "ambulant-dev"
    jwt_audience: str = "ambulant"
    token_ttl_min: int = 12 * 60

    # Server
    host: str = "127.0.0.1"
    port: int = 8000
    timezone: str = "Europe/Oslo"

    @property
    def signing_key_path(self) -> Path:
        return self.data_dir / "dev-signing-key.pem"


@lru_cache
def get_settings() -> Settings:
    return Settings()
