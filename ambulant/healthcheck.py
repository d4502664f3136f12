"""`ambulant-healthcheck` (also `ambulant healthcheck`): the checks a container runtime runs to
know a service is alive.

A console script of its own because a health check runs every 30 s in every container: this
module loads the settings, httpx and RQ only: 0.9 s of CPU to start, where the whole `ambulant`
command (which imports the solver and the web app) takes 4.3 s. Exit status 0 is healthy, 1 is
not; one line says why. A URL is healthy when it answers 200 (the API's /api/v1/health makes a
database round trip; OSRM's nearest service answers once its network is loaded). A worker is
healthy while RQ holds its registration with a recent heartbeat: a worker that hangs or lost
Redis stops renewing it.
"""

from __future__ import annotations

import datetime as dt
import socket
from typing import Annotated

import httpx
import typer
from redis import Redis
from redis.exceptions import RedisError
from rq import Worker

from ambulant.config import get_settings

app = typer.Typer(add_completion=False)


@app.command()
def healthcheck(
    url: Annotated[
        str | None,
        typer.Argument(help="An http(s) URL that must answer 200, e.g. the API's /api/v1/health."),
    ] = None,
    worker: Annotated[
        bool, typer.Option("--worker", help="Check the RQ worker running on this host instead.")
    ] = False,
    host: Annotated[
        str | None, typer.Option(help="With --worker: the worker's host (default: this one).")
    ] = None,
    timeout: Annotated[float, typer.Option(min=0.1, help="Seconds to wait for an answer.")] = 5.0,
) -> None:
    """Exit 0 if the service answers, 1 (with the reason) if not: for container health checks."""
    if (url is None) == (not worker):
        raise typer.BadParameter("give a URL or --worker (one of them)")
    if worker:
        problem = worker_problem(host or socket.gethostname(), timeout)
    else:
        problem = url_problem(str(url), timeout)
    if problem is not None:
        typer.echo(f"unhealthy: {problem}", err=True)
        raise typer.Exit(1)
    typer.echo("healthy")


def url_problem(url: str, timeout_s: float) -> str | None:
    if not url.startswith(("http://", "https://")):
        return f"{url} is not an http(s) URL"
    try:
        answer = httpx.get(url, timeout=timeout_s)
    except httpx.HTTPError as error:
        return f"{url}: {error.__class__.__name__}"
    if answer.status_code != 200:
        return f"{url} answered {answer.status_code}"
    return None


def worker_problem(host: str, timeout_s: float) -> str | None:
    """None when an RQ worker of `host` is registered and its heartbeat is recent (within the
    time to live `ambulant worker` gives its registration). In a container the host is the
    container, so this is the container's own worker."""
    settings = get_settings()
    redis = Redis.from_url(
        settings.redis_url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s
    )
    try:
        workers = [w for w in Worker.all(connection=redis) if w.hostname == host]
    except RedisError as error:
        return f"Redis at {settings.redis_url} does not answer ({error.__class__.__name__})"
    finally:
        redis.close()
    if not workers:
        return f"no RQ worker of host {host} is registered"
    limit = dt.timedelta(seconds=settings.worker_maintenance_s + 15)
    fresh = [w for w in workers if w.last_heartbeat and _age(w.last_heartbeat) <= limit]
    if not fresh:
        return f"the RQ worker of host {host} has not sent a heartbeat for over {limit}"
    return None


def _age(moment: dt.datetime) -> dt.timedelta:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return dt.datetime.now(dt.UTC) - aware


def main() -> None:
    app()
