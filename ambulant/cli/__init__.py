"""The `ambulant` command: run the service, seed the demo region, plan a day, mint dev tokens."""

from __future__ import annotations

import datetime as dt
import json
import logging
import signal
import time
from pathlib import Path
from types import FrameType
from typing import Annotated, Literal

import typer
import uvicorn
from sqlmodel import Session

from ambulant.auth.dev_login import development_token
from ambulant.bench.cli import bench_app
from ambulant.bench.foundation import bench_demo, bench_travel
from ambulant.bootstrap import ensure_demo_day, prepare_database, queue_day_plan, seed_demo
from ambulant.cli.careplans import careplans_app
from ambulant.cli.users import MunicipalityOption, users_app
from ambulant.config import Settings, get_settings
from ambulant.db import session_scope
from ambulant.demo_history import HistoryConfig, load_history
from ambulant.errors import AmbulantError
from ambulant.geocoding.local_register import import_address_csv
from ambulant.healthcheck import healthcheck
from ambulant.jobs.lifecycle import run_job
from ambulant.jobs.rq_queue import run_worker
from ambulant.migrate import upgrade_database
from ambulant.models.vocabulary import Role
from ambulant.planning.municipality_report import municipality_report, report_csv
from ambulant.planning.plans import plan_detail, request_plan, validate_scope
from ambulant.registry.care_plan_generation import generate, scope_municipalities
from ambulant.reports.continuity import continuity_report
from ambulant.timeutil import today
from ambulant.travel import osrm_server

app = typer.Typer(help=__doc__, no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
demo_app = typer.Typer(help="The demo region: synthetic data to try ambulant on.")
app.add_typer(demo_app, name="demo")
app.command("healthcheck")(healthcheck)
osrm_app = typer.Typer(
    help="Road network for real travel times (OSRM, from the osrm-bindings wheel).",
    no_args_is_help=True,
)
app.add_typer(osrm_app, name="osrm")
bench_app.command("travel")(bench_travel)
bench_app.command("demo")(bench_demo)
app.add_typer(bench_app, name="bench")
addresses_app = typer.Typer(help="The local address register (geocoding).", no_args_is_help=True)
app.add_typer(addresses_app, name="addresses")
app.add_typer(users_app, name="users")
report_app = typer.Typer(help="Reports over stored plans.", no_args_is_help=True)
app.add_typer(report_app, name="report")
app.add_typer(careplans_app, name="careplans")

DateOption = Annotated[
    dt.date | None,
    typer.Option("--date", formats=["%Y-%m-%d"], help="Day to plan (default: today, Oslo)."),
]


def _today() -> dt.date:
    return today()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database to the newest schema."""

    upgrade_database(get_settings().database_url)
    typer.echo("database is up to date")


@demo_app.callback(invoke_without_command=True)
def demo(
    context: typer.Context,
    region: Annotated[str, typer.Option(help="Bundled region name or a region file.")] = "vaernes",
    date: DateOption = None,
    days: Annotated[int, typer.Option(help="How many days of shifts and visits.")] = 2,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same data.")] = 0,
) -> None:
    """Seed the demo region (synthetic data; no real person is described). `ambulant demo
    history` lives a month of it instead: plans, replans, reports and reads."""

    if context.invoked_subcommand is not None:
        return
    settings = get_settings()
    engine = prepare_database(settings)
    summary = seed_demo(engine, region=region, day=date or _today(), days=days, seed=seed)
    typer.echo(summary)


@demo_app.command("history")
def demo_history(
    days: Annotated[int, typer.Option(min=1, max=366, help="How many days.")] = 30,
    last_day: Annotated[
        dt.datetime | None,
        typer.Option("--last-day", formats=["%Y-%m-%d"], help="The last day (default: yesterday)."),
    ] = None,
    region: Annotated[str, typer.Option(help="Bundled region name or a region file.")] = "vaernes",
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same data.")] = 0,
    time_limit: Annotated[
        float, typer.Option(min=0.1, help="Solver time limit of each day plan, seconds.")
    ] = 2.0,
    municipality: Annotated[
        list[str] | None,
        typer.Option(help="Plan only this municipality (code; repeat for more). Default: all."),
    ] = None,
) -> None:
    """Live `days` days of the demo region in each of its municipalities, through the services
    production uses: plan and publish, nurses read and report, an urgent visit is replanned and
    published. Seeds the region first if the database is empty; a day already planned is kept,
    so an interrupted load continues where it stopped."""

    settings = get_settings()
    engine = prepare_database(settings)
    config = HistoryConfig(
        days=days,
        last_day=last_day.date() if last_day else None,
        region=region,
        seed=seed,
        plan_time_limit_s=time_limit,
        scopes=municipality or None,
    )
    started = time.perf_counter()
    summary = load_history(engine, settings, config, progress=typer.echo)
    typer.echo(f"{summary}\nloaded in {time.perf_counter() - started:.0f} s")


@app.command()
def plan(
    date: DateOption = None,
    scope: Annotated[str, typer.Option(help="'all' or a municipality code.")] = "all",
    time_limit: Annotated[float | None, typer.Option(help="Solver time limit, seconds.")] = None,
    from_care_plans: Annotated[
        bool,
        typer.Option(
            "--generate/--no-generate", help="First generate the day's visits from care plans."
        ),
    ] = True,
) -> None:
    """Plan a day now, in this process, and print the plan's summary."""

    settings = get_settings()
    if time_limit is not None:
        settings = settings.model_copy(update={"solve_time_limit_s": time_limit})
    engine = prepare_database(settings)
    with Session(engine) as session:
        if from_care_plans:
            validate_scope(session, scope)
            day = date or _today()
            generate(session, first=day, last=day, municipalities=scope_municipalities(scope, None))
        queued = request_plan(session, day=date or _today(), scope=scope)
        session.commit()
        assert queued.id is not None
        plan_id = queued.id
    run_job(engine, plan_id=plan_id, settings=settings)
    with Session(engine) as session:
        detail = plan_detail(session, plan_id=plan_id)
    typer.echo(
        json.dumps(
            {
                "plan": detail.id,
                "status": detail.status,
                "kpis": detail.kpis,
                "unassigned": [u.model_dump() for u in detail.unassigned],
                "error": detail.error,
            },
            indent=2,
            default=str,
        )
    )


@app.command()
def token(
    role: Annotated[Role, typer.Option(help="coordinator, nurse, admin or auditor.")],
    staff: Annotated[
        int | None, typer.Option(help="The staff id a nurse token stands for.")
    ] = None,
    subject: Annotated[str | None, typer.Option(help="Token subject.")] = None,
    municipality: MunicipalityOption = None,
) -> None:
    """Print a development token signed with the local key (development issuer only); the user
    it names is created or updated to this role and scope (a coordinator's default: all)."""

    settings = get_settings()
    if role == Role.NURSE and staff is None:
        raise typer.BadParameter("a nurse token needs --staff ID", param_hint="--staff")
    try:
        with session_scope(prepare_database(settings)) as session:
            token = development_token(
                session,
                settings,
                role=role,
                staff_id=staff,
                subject=subject,
                municipalities=municipality or ["all"],
            )
    except AmbulantError as error:
        raise typer.BadParameter(error.message) from error
    typer.echo(token)


@app.command()
def serve() -> None:
    """Serve the API (migrates the database first; no seeding, no planning)."""

    settings = get_settings()
    prepare_database(settings)
    _serve(settings)


@app.command()
def run(
    region: Annotated[str, typer.Option(help="Demo region to seed on first start.")] = "vaernes",
) -> None:
    """The main job: prepare the database, seed the demo region on first start, plan today's
    routes and serve the API."""

    settings = get_settings()
    engine = prepare_database(settings)
    today = _today()
    ensure_demo_day(engine, region=region, day=today)
    plan_id = queue_day_plan(engine, day=today)
    base = f"http://{settings.host}:{settings.port}"
    with session_scope(engine) as session:
        coordinator = development_token(
            session,
            settings,
            role=Role.COORDINATOR,
            subject="demo-coordinator",
            municipalities=["all"],
        )
    typer.echo(
        "\n".join(
            [
                f"ambulant: database {settings.database_url}",
                f"  day board    {base}/board  (coordinators; log in as a demo user)",
                f"  nurse's day  {base}/me  (on a phone; log in as one of the staff)",
                f"  API docs     {base}/docs",
                f"  health       {base}/api/v1/health",
                f"  today's plan {base}/api/v1/plans/{plan_id}  (solving in a worker process)",
                "  coordinator token (export TOKEN=...):",
                f"  {coordinator}",
                "",
            ]
        )
    )
    _serve(settings)


def _serve(settings: Settings) -> None:

    # The server is named, not imported: nothing in ambulant imports api (api -> ambulant only).
    uvicorn.run("api.main:create_app", factory=True, host=settings.host, port=settings.port)


@app.command()
def worker(
    burst: Annotated[bool, typer.Option(help="Stop when the queue is empty.")] = False,
    queues: Annotated[
        Literal["all", "replans", "plans"],
        typer.Option(help="all: replans first, then day plans; or only one of them."),
    ] = "all",
) -> None:
    """Run an RQ worker that solves queued plans (production: AMBULANT_QUEUE=rq)."""

    run_worker(get_settings(), burst=burst, queues=queues)


def _osrm_data_dir(settings: Settings) -> Path:
    return settings.osrm_data_dir or settings.data_dir / "osrm"


@osrm_app.command("build")
def osrm_build(
    pbf: Annotated[Path, typer.Argument(help="An OpenStreetMap extract, e.g. region.osm.pbf.")],
    data_dir: Annotated[Path | None, typer.Option(help="Where to write the network.")] = None,
    if_changed: Annotated[
        bool,
        typer.Option(
            "--if-changed",
            help="Build only if the extract is newer than the network already built from it.",
        ),
    ] = False,
) -> None:
    """Extract, partition and customize an OSM extract with OSRM's car profile."""

    settings = get_settings()
    target = data_dir or _osrm_data_dir(settings)
    if if_changed and osrm_server.is_current(pbf, target):
        typer.echo(f"{target} holds a network built after {pbf} changed; nothing to do")
        return
    try:
        dataset = osrm_server.build(pbf, target)
    except osrm_server.OsrmEngineError as error:
        raise typer.BadParameter(str(error), param_hint="PBF") from error
    typer.echo(f"built {dataset.base} (data version {dataset.data_version})")


@osrm_app.command("serve")
def osrm_serve(
    dataset: Annotated[
        Path | None, typer.Option(help="The .osrm base from `ambulant osrm build`.")
    ] = None,
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 5000,
    host: Annotated[
        str,
        typer.Option(help="Address to listen on: 0.0.0.0 only inside a container's network."),
    ] = "127.0.0.1",
) -> None:
    """Serve the built network (access logging off: URLs hold coordinates) until Ctrl-C or
    SIGTERM, which stop the server too."""

    settings = get_settings()
    if dataset is None:
        built = sorted(_osrm_data_dir(settings).glob("*.osrm"))
        if not built:
            raise typer.BadParameter("no network built yet: run `ambulant osrm build`")
        dataset = built[0]
    # A container stops its main process with SIGTERM: end the server as Ctrl-C does.
    signal.signal(signal.SIGTERM, _interrupt)
    with osrm_server.serve(
        dataset, host=host, port=port, max_table_size=settings.osrm_max_table_size
    ) as server:
        typer.echo(f"OSRM serving {dataset} at {server.url} (Ctrl-C stops it)")
        try:
            while server.running:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        if not server.running:
            raise typer.Exit(server.process.returncode or 1)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@addresses_app.command("import")
def addresses_import(
    csv: Annotated[Path, typer.Argument(help="Kartverket's address register CSV export.")],
) -> None:
    """Load the official address register; replaces the municipalities the file covers."""

    engine = prepare_database(get_settings())
    with Session(engine) as session:
        count = import_address_csv(session, csv)
        session.commit()
    typer.echo(f"imported {count} addresses")


@report_app.command("continuity")
def report_continuity(
    start: Annotated[dt.datetime, typer.Option("--start", formats=["%Y-%m-%d"], help="First day.")],
    end: Annotated[
        dt.datetime, typer.Option("--end", formats=["%Y-%m-%d"], help="Last day (included).")
    ],
    municipality: Annotated[
        str | None, typer.Option(help="Only patients living in this municipality (code).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The whole report as JSON.")] = False,
) -> None:
    """Continuity of care per patient over the days (docs/continuity.md): visits, distinct
    staff, and the share of visits with a preferred staff member. Patients by id only."""

    engine = prepare_database(get_settings())
    try:
        with Session(engine) as session:
            report = continuity_report(
                session, start=start.date(), end=end.date(), municipality=municipality
            )
    except AmbulantError as error:
        hint = f"--{error.field}" if error.field else None
        raise typer.BadParameter(error.message, param_hint=hint) from error
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
        return
    summary = report.summary
    typer.echo(
        f"{report.start} to {report.end}: {summary.patients} patients, {summary.visits} visits "
        f"planned, {summary.unassigned} left out; {len(report.plans)} plans counted, "
        f"{len(report.days_without_plan)} days without a plan"
    )
    typer.echo("patient\tmunicipality\tvisits\tstaff\tpreferred\tvisits by staff")
    for row in report.patients:
        share = "-" if row.preferred_share is None else f"{row.preferred_share:.0%}"
        staff = " ".join(f"{s.staff_id}:{s.visits}" for s in row.staff)
        typer.echo(
            f"{row.patient_id}\t{row.municipality_code}\t{row.visits}\t{row.distinct_staff}"
            f"\t{share}\t{staff}"
        )


@report_app.command("municipalities")
def report_municipalities(
    start: Annotated[dt.datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="First day.")],
    end: Annotated[
        dt.datetime, typer.Option("--to", formats=["%Y-%m-%d"], help="Last day (included).")
    ],
    as_csv: Annotated[bool, typer.Option("--csv", help="One comma-separated table.")] = False,
) -> None:
    """The cost-sharing figures over the published plans of the days (docs/planning.md):
    per municipality, border crossings, the shared team's split, per organisation. JSON, or
    the CSV table of GET /reports/municipalities."""

    engine = prepare_database(get_settings())
    try:
        with Session(engine) as session:
            report = municipality_report(session, start=start.date(), end=end.date())
    except AmbulantError as error:
        hint = f"--{error.field}" if error.field else None
        raise typer.BadParameter(error.message, param_hint=hint) from error
    if as_csv:
        typer.echo(report_csv(report), nl=False)
        return
    typer.echo(report.model_dump_json(indent=2, by_alias=True))


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    app()
