"""The closed vocabularies of the domain. Unknown values are refused at the API boundary."""

from __future__ import annotations

from enum import StrEnum


class Discipline(StrEnum):
    REGISTERED_NURSE = "registered_nurse"
    SPECIALIST_NURSE = "specialist_nurse"
    AUXILIARY_NURSE = "auxiliary_nurse"
    PHYSIOTHERAPIST = "physiotherapist"
    OCCUPATIONAL_THERAPIST = "occupational_therapist"
    PHYSICIAN = "physician"
    MIDWIFE = "midwife"


class Skill(StrEnum):
    MEDICATION = "medication"
    INSULIN = "insulin"
    INJECTION = "injection"
    WOUND_CARE = "wound_care"
    PERSONAL_CARE = "personal_care"
    CATHETER = "catheter"
    SUPERVISION = "supervision"
    ADVANCED_NURSING = "advanced_nursing"
    PALLIATIVE_CARE = "palliative_care"
    CANCER_CARE = "cancer_care"
    PSYCHIATRIC_CARE = "psychiatric_care"
    SUBSTANCE_ABUSE = "substance_abuse"
    GERIATRIC_CARE = "geriatric_care"
    DEMENTIA_ASSESSMENT = "dementia_assessment"
    REHABILITATION = "rehabilitation"
    MOBILITY = "mobility"
    ASSISTIVE_DEVICES = "assistive_devices"
    MEDICAL_ASSESSMENT = "medical_assessment"
    MATERNITY_CARE = "maternity_care"


# Skill levels: 0 not graded, 1 assistant (helsefagarbeider), 2 nurse or therapist, 3 specialist.
MAX_SKILL_LEVEL = 5
# A series names visits of one patient and day that one staff member does (e.g. "medication").
SERIES_MAX_LENGTH = 40


class Priority(StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


class Team(StrEnum):
    HOME_NURSING = "home_nursing"
    AMBULANT_TEAM = "ambulant_team"


class StartFrom(StrEnum):
    BASE = "base"
    HOME = "home"


class DependencyAnchor(StrEnum):
    """What a dependent visit's lag counts from: the first visit's start or its end."""

    START = "start"
    END = "end"


class DependencyStaff(StrEnum):
    """Who may do a dependent visit: anyone, the first visit's staff member, or someone else."""

    ANY = "any"
    SAME = "same"
    DIFFERENT = "different"


class PlanStatus(StrEnum):
    QUEUED = "queued"
    SOLVING = "solving"
    DRAFT = "draft"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    """A coordinator cancelled it while it was queued or solving: nothing of it was stored."""


class Role(StrEnum):
    """What a user of ambulant may do (docs/security.md); kept in the user table, not the token."""

    COORDINATOR = "coordinator"
    NURSE = "nurse"
    ADMIN = "admin"
    AUDITOR = "auditor"
