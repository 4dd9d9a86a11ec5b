"""Database tables. Import this package to register every table on ``SQLModel.metadata``."""

from portfolio.models.audit import AuditEntry
from portfolio.models.evidence import Attachment, Evidence, EvidenceVersion
from portfolio.models.framework import Criterion, Framework, Standard
from portfolio.models.notification import Notification
from portfolio.models.people import Cohort, Person, Registration, RegistrationStandard

__all__ = [
    "Attachment",
    "AuditEntry",
    "Cohort",
    "Criterion",
    "Evidence",
    "EvidenceVersion",
    "Framework",
    "Notification",
    "Person",
    "Registration",
    "RegistrationStandard",
    "Standard",
]
