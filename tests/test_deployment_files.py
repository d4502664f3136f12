"""docker-compose.yml, the Dockerfile and .env.example agree with the code they deploy.

No Docker engine runs here, so the files are read as data and every name in them is checked
against what it names: the commands are real `ambulant` commands with real options, the settings
are ones `Settings` reads, the health checks ask real endpoints on the ports the services listen
on, the services' URLs point at services of the file, and volumes and dependencies are declared.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from pydantic import AliasChoices
from typer.testing import CliRunner

from ambulant import healthcheck
from ambulant.cli import app as cli
from ambulant.config import Settings
from ambulant.travel.osrm_server import READY_PROBE
from api.main import create_app

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENV_EXAMPLE = ROOT / ".env.example"
AMBULANT_SERVICES = {"migrate", "api", "worker", "osrm-prepare", "osrm", "replan-worker"}
# The images' own health-check tools: pg_isready ships in postgres's image, redis-cli in redis's.
IMAGE_TOOLS = {"postgres": "pg_isready", "redis": "redis-cli"}
# The console scripts pyproject.toml installs, and the command lines they run.
CONSOLE_SCRIPTS = {"ambulant": cli, "ambulant-healthcheck": healthcheck.app}
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
INTERPOLATION = re.compile(r"\$\{([A-Z0-9_]+)(?::?[-?][^}]*)?\}")


def settings_variables() -> set[str]:
    """Every environment variable Settings reads, from the class itself."""
    prefix = Settings.model_config.get("env_prefix", "")
    names = set()
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names.update(str(choice).upper() for choice in alias.choices)
        else:
            names.add(f"{prefix}{name}".upper())
    return names


def env_example() -> dict[str, str]:
    pairs = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


def resolve(value: str) -> str:
    """A compose value with `${NAME:-default}` replaced by the default (or .env.example's)."""
    example = env_example()

    def one(match: re.Match[str]) -> str:
        text = match.group(0)
        if ":-" in text:
            return text.split(":-", 1)[1][:-1]
        return example[match.group(1)]

    return INTERPOLATION.sub(one, value)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose["services"]
    return found


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def command_of(service: dict[str, Any]) -> list[str]:
    command = service.get("command", [])
    assert isinstance(command, list), "commands are exec arrays, not shell strings"
    return [str(part) for part in command]


def check_ambulant_command(argv: list[str]) -> None:
    """`argv` runs a real command of an ambulant console script: the words name a command (not
    a group), each option passed is one of its options, the arguments fit, and its help
    prints."""
    assert argv[0] in CONSOLE_SCRIPTS, f"{argv[0]} is not an ambulant console script"
    command = typer.main.get_command(CONSOLE_SCRIPTS[argv[0]])
    path: list[str] = []
    rest = argv[1:]
    while hasattr(command, "commands"):  # a group of commands
        assert rest and rest[0] in command.commands, f"{argv}: no such command"
        path.append(rest[0])
        command = command.commands[rest[0]]
        rest = rest[1:]
    options = {o for p in command.params for o in (*p.opts, *p.secondary_opts)}
    passed = [a for a in rest if a.startswith("-")]
    assert set(passed) <= options, f"{argv}: {sorted(set(passed) - options)} unknown"
    context = command.make_context(argv[0], list(rest), resilient_parsing=False)
    assert context is not None
    result = CliRunner().invoke(CONSOLE_SCRIPTS[argv[0]], [*path, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output, result.output


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def test_every_service_has_an_image_or_a_build_with_a_dockerfile(
    services: dict[str, dict[str, Any]],
) -> None:
    """A build context holds a Dockerfile; a pulled image names a tag, never an implied latest."""
    assert {"api", "worker", "postgres", "redis", "osrm"} <= set(services)
    for name, service in services.items():
        build = service.get("build")
        if build is not None:
            context = build if isinstance(build, str) else build.get("context", ".")
            assert (ROOT / context / "Dockerfile").is_file(), name
        else:
            image = service["image"]
            assert ":" in image and not image.endswith(":latest"), f"{name}: pin {image}"


def test_the_dockerfile_names_its_base_images_and_copies_what_exists() -> None:
    """Every FROM names a tagged image, every COPY source exists here (or is an earlier stage),
    and the image's command is a real ambulant command."""
    stages: set[str] = set()
    instructions = dockerfile_instructions()
    for keyword, rest in instructions:
        if keyword == "FROM":
            image, *alias = rest.split()
            assert ":" in image and not image.endswith(":latest"), image
            if alias:
                assert alias[0].upper() == "AS"
                stages.add(alias[1])
        elif keyword == "COPY":
            parts = rest.split()
            stage = next((p.split("=", 1)[1] for p in parts if p.startswith("--from=")), None)
            sources = [p for p in parts if not p.startswith("--")][:-1]
            if stage is not None:
                assert stage in stages, f"COPY from unknown stage {stage}"
                continue
            for source in sources:
                assert (ROOT / source).exists(), f"COPY {source}: no such file here"
    commands = [json.loads(rest) for keyword, rest in instructions if keyword == "CMD"]
    assert commands, "the image needs a CMD"
    for command in commands:
        check_ambulant_command(command)
    assert not [k for k, _ in instructions if k == "ENTRYPOINT"], "CMD alone, so compose's wins"


def test_the_console_scripts_are_installed_and_run_these_command_lines() -> None:
    """pyproject.toml installs `ambulant` and `ambulant-healthcheck` as the commands the image
    runs, pointing at the command lines checked here; the light one answers as installed."""
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["ambulant"] == "ambulant.cli:main"
    assert scripts["ambulant-healthcheck"] == "ambulant.healthcheck:main"
    script = Path(sys.executable).with_name("ambulant-healthcheck")
    result = subprocess.run(
        [str(script), "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0 and "--worker" in result.stdout, result.stderr


def test_every_service_command_is_a_real_ambulant_command(
    services: dict[str, dict[str, Any]],
) -> None:
    """What compose runs in the ambulant image: commands and options ambulant has."""
    for name in AMBULANT_SERVICES:
        check_ambulant_command(command_of(services[name]))


def test_every_environment_variable_is_a_setting_ambulant_reads(
    services: dict[str, dict[str, Any]],
) -> None:
    """The ambulant services' environment holds only variables Settings reads (a typo would be
    ignored silently), with values Settings accepts."""
    known = settings_variables()
    for name in AMBULANT_SERVICES:
        env = environment(services[name])
        assert set(env) <= known, f"{name}: {sorted(set(env) - known)} are not settings"
        # By field name, or by alias (DATABASE_URL): as Settings reads them from the environment.
        values = {
            key if key == "DATABASE_URL" else key.removeprefix("AMBULANT_").lower(): resolve(v)
            for key, v in env.items()
        }
        Settings(_env_file=None, **values)


def test_env_example_holds_settings_and_the_compose_file_s_own_variables(
    compose: dict[str, Any],
) -> None:
    """Every line of .env.example is a setting ambulant reads or a variable the compose file
    uses; every variable compose needs without a default is in it; and its values load."""
    used = set(INTERPOLATION.findall(COMPOSE.read_text()))
    required = {
        m.group(1) for m in INTERPOLATION.finditer(COMPOSE.read_text()) if ":-" not in m.group(0)
    }
    example = env_example()
    settings = settings_variables()
    assert set(example) <= settings | used, sorted(set(example) - settings - used)
    assert required <= set(example), sorted(required - set(example))
    Settings(_env_file=ENV_EXAMPLE)  # the values parse: JSON lists and maps, numbers


def test_health_checks_ask_real_endpoints_on_the_ports_listened_on(
    services: dict[str, dict[str, Any]],
) -> None:
    """The API's check asks its health route on its own port; OSRM's the probe ambulant uses
    to know the server is ready; the worker's is `ambulant-healthcheck --worker`; PostgreSQL and
    Redis use their images' own tools. Every long-running service has one."""
    routes = set(create_app(Settings()).openapi()["paths"])
    for name, service in services.items():
        if service.get("restart") == "no":
            continue  # a one-shot job: done, not healthy
        test = service["healthcheck"]["test"]
        assert test[0] == "CMD", f"{name}: exec form, no shell"
        argv = [resolve(part) for part in test[1:]]
        if argv[0] in CONSOLE_SCRIPTS:
            assert argv[0] == "ambulant-healthcheck", f"{name}: use the light health check"
            check_ambulant_command(argv)
            urls = [a for a in argv if a.startswith("http")]
            if name in ("worker", "replan-worker"):
                assert argv[1:] == ["--worker"]
                continue
            assert len(urls) == 1, name
            url = urls[0]
            port = int(re.match(r"http://127\.0\.0\.1:(\d+)/", url).group(1))  # type: ignore[union-attr]
            assert port == listening_port(name, service), name
            path = "/" + url.split("/", 3)[3]
            if name == "api":
                assert path in routes
            else:
                assert name == "osrm" and path == READY_PROBE
        else:
            image = service["image"].split(":")[0]
            assert argv[0] == IMAGE_TOOLS[image], name


def listening_port(name: str, service: dict[str, Any]) -> int:
    """The port the service's process binds inside its container."""
    argv = command_of(service)
    if "--port" in argv:
        return int(argv[argv.index("--port") + 1])
    if name == "api":
        return int(environment(service).get("AMBULANT_PORT", Settings().port))
    raise AssertionError(f"{name}: no port")


def test_published_ports_are_on_loopback_and_reach_the_listening_port(
    services: dict[str, dict[str, Any]],
) -> None:
    """Only the API is published, on 127.0.0.1 (a TLS proxy faces users), to the port it
    listens on (0.0.0.0 inside its container); scaled services publish nothing."""
    for name, service in services.items():
        for mapping in service.get("ports", []):
            host_ip, _, container = resolve(mapping).split(":")
            assert host_ip == "127.0.0.1", name
            assert int(container) == listening_port(name, service)
            assert environment(service)["AMBULANT_HOST"] == "0.0.0.0"
    assert [n for n, s in services.items() if s.get("ports")] == ["api"]
    worker = services["worker"]
    assert "container_name" not in worker and "ports" not in worker, "one name or port: no scale"
    assert int(resolve(str(worker["deploy"]["replicas"]))) >= 1


def test_service_urls_point_at_services_of_the_file(services: dict[str, dict[str, Any]]) -> None:
    """The database, Redis and OSRM URLs name services here, on the ports they listen on."""
    env = {k: resolve(v) for k, v in environment(services["worker"]).items()}
    assert re.search(r"@postgres:5432/", env["DATABASE_URL"])
    assert env["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert env["AMBULANT_REDIS_URL"].startswith("redis://redis:6379/")
    assert env["AMBULANT_OSRM_URL"] == f"http://osrm:{listening_port('osrm', services['osrm'])}"
    assert env["AMBULANT_QUEUE"] == "rq"
    assert (
        environment(services["api"])["DATABASE_URL"]
        == environment(services["worker"])["DATABASE_URL"]
    )


def test_dependencies_wait_for_what_they_need(services: dict[str, dict[str, Any]]) -> None:
    """depends_on names services of the file with a condition each: healthy only where a
    health check exists, completed only for one-shot jobs; the API and the workers start after
    the migration and with PostgreSQL and Redis healthy, the workers with OSRM healthy."""
    for name, service in services.items():
        for dependency, spec in service.get("depends_on", {}).items():
            assert dependency in services, f"{name} -> {dependency}"
            condition = spec["condition"]
            assert condition in CONDITIONS
            if condition == "service_healthy":
                assert "healthcheck" in services[dependency], f"{dependency} has no health check"
            if condition == "service_completed_successfully":
                assert services[dependency].get("restart") == "no", f"{dependency} is not one-shot"
    needs = {
        "migrate": "service_completed_successfully",
        "postgres": "service_healthy",
        "redis": "service_healthy",
    }
    for name in ("api", "worker", "replan-worker"):
        depends = {k: v["condition"] for k, v in services[name]["depends_on"].items()}
        assert needs.items() <= depends.items(), name
    for name in ("worker", "replan-worker"):
        assert services[name]["depends_on"]["osrm"]["condition"] == "service_healthy"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_data_lives_in_declared_volumes_and_redis_keeps_an_append_only_file(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    """Every named volume a service mounts is declared (and every declared one is used):
    PostgreSQL's data, Redis's append-only file, the road network; Redis runs with AOF on."""
    declared = set(compose["volumes"])
    mounted = set()
    for service in services.values():
        for volume in service.get("volumes", []):
            source = resolve(volume).split(":")[0]
            if not source.startswith((".", "/")):
                mounted.add(source)
    assert mounted == declared
    assert any(v.endswith(":/var/lib/postgresql/data") for v in services["postgres"]["volumes"])
    assert any(v.endswith(":/data") for v in services["redis"]["volumes"])
    redis = command_of(services["redis"])
    assert redis[redis.index("--appendonly") + 1] == "yes"
    assert redis[redis.index("--appendfsync") + 1] == "always"  # no acknowledged job lost


def test_the_build_context_leaves_out_secrets_and_local_environments() -> None:
    """.env (secrets) and the local virtualenv never enter the image."""
    ignored = set(ROOT.joinpath(".dockerignore").read_text().split())
    assert {".env", ".venv", ".git"} <= ignored
