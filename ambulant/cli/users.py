"""`ambulant users ...`: who may use ambulant, in which role and scope (admins run this)."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlmodel import Session

from ambulant.auth.users import deactivate_user, ensure_user, list_users
from ambulant.bootstrap import prepare_database
from ambulant.config import get_settings
from ambulant.db import session_scope
from ambulant.errors import InvalidInput
from ambulant.models.vocabulary import Role, Team

users_app = typer.Typer(help="Users of ambulant: roles and scopes.", no_args_is_help=True)

MunicipalityOption = Annotated[
    list[str] | None,
    typer.Option(
        "--municipality",
        help="A municipality code a coordinator plans for, or 'all' (repeatable).",
    ),
]


@users_app.command("add")
def add(
    subject: Annotated[str, typer.Option(help="The token subject (HelseID: the `sub` claim).")],
    role: Annotated[Role, typer.Option(help="coordinator, nurse, admin or auditor.")],
    staff: Annotated[int | None, typer.Option(help="A nurse's staff id.")] = None,
    municipality: MunicipalityOption = None,
    team: Annotated[Team | None, typer.Option(help="Limit a coordinator to one team.")] = None,
    hpr: Annotated[str | None, typer.Option(help="HPR number (matched if sub is new).")] = None,
) -> None:
    """Add a user, or set an existing one's role and scope (and reactivate them)."""

    engine = prepare_database(get_settings())
    try:
        with session_scope(engine) as session:
            user = ensure_user(
                session,
                subject=subject,
                role=role,
                staff_id=staff,
                municipalities=municipality or [],
                team=team,
                hpr_number=hpr,
            )
            typer.echo(f"user {user.id}: {user.subject} {user.role}")
    except InvalidInput as error:
        raise typer.BadParameter(error.message, param_hint=f"--{error.field}") from error


@users_app.command("list")
def list_() -> None:
    """List users with role, scope and whether they are active."""

    with Session(prepare_database(get_settings())) as session:
        for user in list_users(session):
            scope = "all" if user.all_municipalities else ",".join(user.municipalities)
            typer.echo(
                f"{user.id}\t{user.subject}\t{user.role}\tscope={scope or '-'}"
                f"\tteam={user.team or '-'}\tstaff={user.staff_id or '-'}"
                f"\t{'active' if user.active else 'inactive'}"
            )


@users_app.command("deactivate")
def deactivate(subject: Annotated[str, typer.Option(help="The user's token subject.")]) -> None:
    """Turn a user away from now on (the row stays: the audit trail names it)."""

    try:
        with session_scope(prepare_database(get_settings())) as session:
            deactivate_user(session, subject=subject)
    except InvalidInput as error:
        raise typer.BadParameter(error.message, param_hint="--subject") from error
    typer.echo(f"{subject} deactivated")
