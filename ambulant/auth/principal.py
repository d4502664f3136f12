"""Who is calling: the identity a verified token stands for."""

from __future__ import annotations

from dataclasses import dataclass

from ambulant.models.vocabulary import Role


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
    role: Role
    staff_id: int | None = None
