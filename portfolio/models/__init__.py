"""Database tables. Import this package to register every table on ``SQLModel.metadata``."""

from portfolio.models.audit import AuditCheck, AuditEntry, AuditRow
from portfolio.models.evidence import Attachment, AttachmentReading, Evidence, EvidenceVersion
from portfolio.models.framework import Criterion, Framework, Standard
from portfolio.models.logins import LoginSession, PasswordReset
from portfolio.models.lti import LtiLink, LtiNonce, LtiPlatform
from portfolio.models.notification import (
    EvidenceComment,
    Notification,
    NotificationPreference,
)
from portfolio.models.people import Cohort, Person, Registration, RegistrationStandard
from portfolio.models.privacy import PrivacyFinding, PrivacyScan
from portfolio.models.tokens import ApiToken
from portfolio.models.two_step import RecoveryCode, TwoStep
from portfolio.models.witness import WitnessConfirmation

__all__ = [
    "ApiToken",
    "Attachment",
    "AttachmentReading",
    "AuditCheck",
    "AuditEntry",
    "AuditRow",
    "Cohort",
    "Criterion",
    "Evidence",
    "EvidenceComment",
    "EvidenceVersion",
    "Framework",
    "LoginSession",
    "LtiLink",
    "LtiNonce",
    "LtiPlatform",
    "Notification",
    "NotificationPreference",
    "PasswordReset",
    "PrivacyFinding",
    "PrivacyScan",
    "Person",
    "RecoveryCode",
    "Registration",
    "RegistrationStandard",
    "Standard",
    "TwoStep",
    "WitnessConfirmation",
]
