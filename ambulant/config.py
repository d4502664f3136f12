"""All settings, read from the environment (prefix AMBULANT_) in this one place."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The checkout's parent holds the public data sets (benchmarks, OSM extracts) beside the repository.
_BESIDE_REPOSITORY = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AMBULANT_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    # DATABASE_URL (no prefix) is the conventional name; AMBULANT_DATABASE_URL also works.
    database_url: str = Field(
        default="sqlite:///./ambulant.db",
        validation_alias=AliasChoices("DATABASE_URL", "AMBULANT_DATABASE_URL"),
    )
    data_dir: Path = Path(".ambulant")
    # Database connections an API process keeps, and so requests that use the database at once
    # (more wait their turn without taking a thread); as many again are there for the work a
    # request does beside its own session (a replan waiting for its solve).
    db_pool_size: int = Field(default=10, ge=1, le=100)

    # Jobs: "local" runs solves in a process pool beside the API; "rq" hands them to RQ workers.
    queue: Literal["local", "rq"] = "local"
    redis_url: str = "redis://127.0.0.1:6379/0"
    # RQ: a worker killed mid-solve leaves its job behind; RQ notices once the worker has missed
    # its heartbeats (heartbeat + 60 s) at the next maintenance of any worker, then runs the job
    # again on a worker that is alive, up to `job_retries` more times, and the plan fails after.
    job_retries: int = Field(default=2, ge=0, le=10)
    worker_heartbeat_s: int = Field(default=10, ge=1, le=600)
    worker_maintenance_s: int = Field(default=30, ge=1, le=3600)
    # RQ: how long a solving job's heartbeat may lapse before its worker counts as dead (RQ's
    # own fixed value is 60 s); shorter finds a dead worker sooner, but must stay well above the
    # heartbeat, or a slow heartbeat of a live worker gets its job run twice (harmless: the first
    # to finish stores the plan, the other writes nothing; but the work is done twice).
    worker_grace_s: int = Field(default=60, ge=2, le=3600)

    # Travel times
    travel_provider: Literal["geodesic", "osrm"] = "geodesic"
    travel_speed_kmh: float = 60.0
    travel_circuity: float = 1.4

    # Road travel and geocoding (docs/operations.md explains each choice)
    # OSRM: the server's URL and its --max-table-size; a failed request is retried with backoff,
    # then its legs fall back to geodesic estimates and the plan says so.
    osrm_url: str = "http://127.0.0.1:5000"
    osrm_max_table_size: int = Field(default=100, ge=2)
    osrm_timeout_s: float = Field(default=10.0, gt=0)
    osrm_retries: int = Field(default=2, ge=0)
    # Names the road data when the server reports no data_version; change it after a rebuild.
    osrm_version_label: str = ""
    # A point farther than this from any road in the OSRM data gets estimated legs.
    osrm_max_snap_m: float = Field(default=1000.0, gt=0)
    # `ambulant osrm build` writes here; empty means <data_dir>/osrm.
    osrm_data_dir: Path | None = None
    # Keep road legs in the database so a replan asks the engine only for new ones.
    travel_cache: bool = True
    # Calibration, per provider name: road speed x factor (0.8 in winter = 20 % slower).
    # JSON in the environment: AMBULANT_TRAVEL_SPEED_FACTORS='{"osrm": 0.8}'.
    travel_speed_factors: dict[str, float] = Field(default_factory=dict)
    # Added to every leg between two different places: parking, walking to the door.
    travel_leg_extra_s: int = Field(default=0, ge=0)
    # Expected wait at the quay for legs that cross by ferry (osrm only).
    travel_ferry_wait_s: int = Field(default=0, ge=0)
    # Geocoding: "local" (the imported address register, the default: patients' addresses do
    # not leave the system), "kartverket" (Norway's address API) or "nominatim" (OpenStreetMap).
    geocoder: Literal["local", "kartverket", "nominatim"] = "local"
    kartverket_url: str = "https://ws.geonorge.no/adresser/v1"
    nominatim_url: str = "https://nominatim.openstreetmap.org"
    nominatim_user_agent: str = "ambulant"
    # The public Nominatim's usage policy allows one request a second; a self-hosted one may set 0.
    nominatim_min_delay_s: float = Field(default=1.0, ge=0)
    geocoding_timeout_s: float = Field(default=10.0, gt=0)

    # Planning. A day beyond these limits is refused (422) before anything is queued: the
    # travel matrix grows with the square of the places, the search with visits x staff.
    solve_time_limit_s: float = Field(default=20.0, gt=0, le=3600)
    max_plan_visits: int = Field(default=2000, ge=1)
    max_plan_staff: int = Field(default=200, ge=1)
    solve_seed: int = 0
    max_overtime_min: int = 30
    # A fixed amount of search per day plan instead of "until the time limit": this many
    # ruin-and-recreate iterations, then OR-Tools' descent to its local optimum. The plan then
    # does not depend on the machine's speed or load (benchmarks; reproducible plans). None:
    # search until the time limit or until the search has settled.
    solve_max_iterations: int | None = Field(default=None, ge=1)

    # Objective weights (docs/planning.md), in cost units: 1 = one second of driving. The
    # defaults are the solver's (solver.Weights); a plan request may override them per plan.
    weight_travel_per_s: int = Field(default=1, ge=0)
    weight_overtime_per_s: int = Field(default=4, ge=0)
    # Leaving a visit out, by priority: urgent, high, normal, low.
    weight_unassigned: tuple[int, int, int, int] = (10_000_000, 1_000_000, 200_000, 50_000)
    weight_preferred_staff_bonus: int = Field(default=600, ge=0)
    weight_overqualification_per_level: int = Field(default=120, ge=0)
    weight_outside_home_municipality: int = Field(default=300, ge=0)
    weight_workload_per_s: int = Field(default=1, ge=0)
    # Continuity over the days: each visit part by someone the patient has not seen in the
    # published plans of the last days (ambulant/planning/seen_staff.py).
    weight_new_staff_per_visit: int = Field(default=600, ge=0)

    # Replanning during the day (docs/replanning.md): a replan solves briefly in a worker while
    # the request waits up to replan_wait_s; moving a planned visit to another staff member, or
    # by more than the tolerance, costs (cost units: 1 = one second of driving).
    replan_time_limit_s: float = Field(default=1.0, gt=0, le=600)
    replan_wait_s: float = Field(default=8.0, ge=0)
    replan_reassign_cost: int = Field(default=3000, ge=0)
    replan_move_cost_per_min: int = Field(default=120, ge=0)
    replan_move_tolerance_min: int = Field(default=15, ge=0)

    # Tokens: the development issuer signs with a local RSA key; an OIDC issuer will replace it.
    jwt_issuer: str = "ambulant-dev"
    jwt_audience: str = "ambulant"
    token_ttl_min: int = 12 * 60

    # Identity and hardening (docs/security.md). With oidc_jwks_url set, tokens are checked
    # against that provider's keys (iss = jwt_issuer, aud = jwt_audience) and the development
    # issuer is off; without it the development issuer is used, which production refuses.
    oidc_jwks_url: str | None = None
    # The claim carrying the HPR number (HelseID's name), matched when the subject is unknown.
    oidc_hpr_claim: str = "helseid://claims/hpr/hpr_number"
    # For the server-side web login (cookie session) to come; refused in production if weak.
    session_secret: SecretStr | None = None
    # The pages' login (docs/pages.md): authorization code flow with PKCE. Without an OIDC
    # provider's endpoints the development issuer's login page (pick a demo user) is used.
    oidc_authorization_url: str | None = None
    oidc_token_url: str | None = None
    oidc_client_id: str = "ambulant-web"
    oidc_client_secret: SecretStr | None = None
    oidc_scope: str = "openid"
    web_session_ttl_min: int = Field(default=12 * 60, ge=1)
    # The board's map tiles, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png; empty draws
    # the routes on a plain background (the page needs no tile server to work).
    map_tile_url: str | None = None
    # Browser origins allowed to call the API (CORS); empty allows none. "*" is refused.
    cors_origins: list[str] = Field(default_factory=list)
    max_request_bytes: int = Field(default=1024 * 1024, ge=1024)
    # Token-related endpoints (the JWKS), per client address, in the `limits` notation.
    token_rate_limit: str = "60/minute"
    # A calendar feed, per link (not per address: the calendar services of many phones fetch
    # from a few addresses of their own).
    calendar_feed_rate_limit: str = "30/minute"
    # The routes a phone retries (a status report, its schedule), per caller (the token's
    # subject): generous for a retrying phone, a bound on a runaway one (429 with Retry-After).
    field_rate_limit: str = "120/minute"
    # A status report's `at` may lie this far ahead of the server's clock (a phone's clock
    # drifts); farther is a wrong clock, refused (422). Past: from the day before the visit's day.
    status_clock_skew_s: int = Field(default=600, ge=0, le=3600)
    # Privacy by date (docs/security.md): a nurse's schedule shows patients' names, addresses and
    # notes for today and her next this-many working days (days with a shift); later days 403.
    schedule_days_ahead: int = Field(default=1, ge=0, le=7)

    # Public data for `ambulant bench` and the tests; both live outside the repository.
    benchmarks_dir: Path = _BESIDE_REPOSITORY / "shared" / "benchmarks"
    osm_extract: Path = _BESIDE_REPOSITORY / "shared" / "osm" / "helsinki.osm.pbf"

    # Server
    host: str = "127.0.0.1"
    port: int = 8000
    timezone: str = "Europe/Oslo"

    @field_validator("weight_unassigned")
    @classmethod
    def _penalties(cls, v: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        if any(p < 0 for p in v):
            raise ValueError("weight_unassigned must not be negative")
        return v

    @property
    def signing_key_path(self) -> Path:
        return self.data_dir / "dev-signing-key.pem"


@lru_cache
def get_settings() -> Settings:
    return Settings()
