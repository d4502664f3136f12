"""The domain tables and their API schema families (Base / Create / Update / Public)."""

from ambulant.models.acknowledgement import (
    AcknowledgementCreate,
    AcknowledgementPublic,
    PlanAcknowledgements,
    ScheduleAcknowledgement,
    StaffAcknowledgement,
)
from ambulant.models.address import Address
from ambulant.models.appointment import (
    Appointment,
    AppointmentCreate,
    AppointmentPublic,
    AppointmentUpdate,
)
from ambulant.models.audit import AuditAction, AuditEntry, AuditEntryPublic, AuditOutcome
from ambulant.models.calendar_link import (
    CalendarLink,
    CalendarLinkCreate,
    CalendarLinkCreated,
    CalendarLinkPublic,
)
from ambulant.models.execution import (
    StaffAbsence,
    StaffPosition,
    VisitStatus,
    VisitStatusReport,
)
from ambulant.models.organisation import (
    Organisation,
    OrganisationCreate,
    OrganisationKind,
    OrganisationPublic,
)
from ambulant.models.patient import (
    CarePlan,
    CarePlanCreate,
    CarePlanPublic,
    CarePlanUpdate,
    Patient,
    PatientCreate,
    PatientPublic,
    PatientUpdate,
)
from ambulant.models.patient_absence import (
    PatientAbsence,
    PatientAbsenceCreate,
    PatientAbsencePublic,
)
from ambulant.models.plan import Plan, PlanRoute, PlanStop, UnassignedVisit
from ambulant.models.region import Base, BaseCreate, BasePublic, Municipality
from ambulant.models.staff import (
    Shift,
    ShiftCreate,
    ShiftPublic,
    ShiftUpdate,
    Staff,
    StaffCreate,
    StaffPublic,
    StaffUpdate,
)
from ambulant.models.travel_cache import TravelLeg
from ambulant.models.user import User, UserCreate, UserPublic
from ambulant.models.visit import (
    VisitRequest,
    VisitRequestCreate,
    VisitRequestPublic,
    VisitRequestUpdate,
)
from ambulant.models.vocabulary import (
    DependencyAnchor,
    DependencyStaff,
    Discipline,
    PlanStatus,
    Priority,
    Role,
    Skill,
    StartFrom,
    Team,
)
from ambulant.models.web_session import WebLogin, WebSession

__all__ = [
    "AcknowledgementCreate",
    "AcknowledgementPublic",
    "Address",
    "Appointment",
    "AppointmentCreate",
    "AppointmentPublic",
    "AppointmentUpdate",
    "AuditAction",
    "AuditEntry",
    "AuditEntryPublic",
    "AuditOutcome",
    "Base",
    "BaseCreate",
    "BasePublic",
    "CalendarLink",
    "CalendarLinkCreate",
    "CalendarLinkCreated",
    "CalendarLinkPublic",
    "CarePlan",
    "CarePlanCreate",
    "CarePlanPublic",
    "CarePlanUpdate",
    "DependencyAnchor",
    "DependencyStaff",
    "Discipline",
    "Municipality",
    "Organisation",
    "OrganisationCreate",
    "OrganisationKind",
    "OrganisationPublic",
    "Patient",
    "PatientAbsence",
    "PatientAbsenceCreate",
    "PatientAbsencePublic",
    "PatientCreate",
    "PatientPublic",
    "PatientUpdate",
    "Plan",
    "PlanAcknowledgements",
    "PlanRoute",
    "PlanStatus",
    "PlanStop",
    "Priority",
    "Role",
    "ScheduleAcknowledgement",
    "Shift",
    "ShiftCreate",
    "ShiftPublic",
    "ShiftUpdate",
    "Skill",
    "Staff",
    "StaffAbsence",
    "StaffAcknowledgement",
    "StaffCreate",
    "StaffPosition",
    "StaffPublic",
    "StaffUpdate",
    "StartFrom",
    "Team",
    "TravelLeg",
    "UnassignedVisit",
    "User",
    "UserCreate",
    "UserPublic",
    "VisitRequest",
    "VisitRequestCreate",
    "VisitRequestPublic",
    "VisitRequestUpdate",
    "VisitStatus",
    "VisitStatusReport",
    "WebLogin",
    "WebSession",
]
