"""Database tables. Import this package to register every table on ``SQLModel.metadata``."""

from portfolio.models.audit import AuditEntry, AuditRow
from portfolio.models.evidence import Attachment, AttachmentReading, Evidence, EvidenceVersion
from portfolio.models.framework import Criterion, Framework, Standard
from portfolio.models.logins import LoginSession, PasswordReset
from portfolio.models.notification import Notification
from portfolio.models.people import Cohort, Person, Registration, RegistrationStandard
from portfolio.models.privacy import PrivacyFinding, PrivacyScan
from portfolio.models.tokens import ApiToken

__all__ = [
    "ApiToken",
    "Attachment",
    "AttachmentReading",
    "AuditEntry",
    "AuditRow",
    "Cohort",
    "Criterion",
    "Evidence",
    "EvidenceVersion",
    "Framework",
    "LoginSession",
    "Notification",
    "PasswordReset",
    "PrivacyFinding",
    "PrivacyScan",
    "Person",
    "Registration",
    "RegistrationStandard",
    "Standard",
]
