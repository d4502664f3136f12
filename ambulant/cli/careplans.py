"""`ambulant careplans generate`: care plans become visit requests over a range of days."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from ambulant.bootstrap import prepare_database
from ambulant.config import get_settings
from ambulant.db import session_scope
from ambulant.errors import InvalidInput
from ambulant.planning.plans import validate_scope
from ambulant.registry.care_plan_generation import generate, scope_municipalities

careplans_app = typer.Typer(help="Care plans and the visits they generate.", no_args_is_help=True)


@careplans_app.command("generate")
def generate_command(
    first: Annotated[
        dt.datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="The first Oslo date.")
    ],
    last: Annotated[
        dt.datetime,
        typer.Option("--to", formats=["%Y-%m-%d"], help="The last Oslo date (included)."),
    ],
    scope: Annotated[str, typer.Option(help="'all' or a municipality code.")] = "all",
) -> None:
    """Bring the visits from --from to --to in line with the care plans (idempotent: a second
    run changes nothing) and print what it created, updated, removed, left and kept."""

    engine = prepare_database(get_settings())
    try:
        with session_scope(engine) as session:
            validate_scope(session, scope)
            result = generate(
                session,
                first=first.date(),
                last=last.date(),
                municipalities=scope_municipalities(scope, None),
            )
    except InvalidInput as error:
        option = {"to": "--to", "from": "--from"}.get(error.field or "", f"--{error.field}")
        raise typer.BadParameter(error.message, param_hint=option) from error
    typer.echo(result.counts().model_dump_json())
