"""Evidence: drafts, immutable submitted versions, attachments, the declaration of authenticity.

One module per concern: :mod:`.drafts` (writing, versions, submitting), :mod:`.attachments`
(uploads and downloads), :mod:`.listing` (a learner's list, one item's detail) and :mod:`.hidden`
(what others see of what is not yet submitted). Callers use
this package: ``from portfolio.services import evidence``.
"""

from portfolio.services.evidence import personal, scanning
from portfolio.services.evidence.attachments import attach, attachment_for, display_name
from portfolio.services.evidence.drafts import (
    EARLIEST_ACTIVITY,
    MAX_BODY,
    MAX_TITLE,
    MAX_WITNESS,
    STAR_SECTIONS,
    WITNESS_FIELDS,
    Draft,
    attachments_of,
    autosave,
    compose_body,
    create,
    current_version,
    for_author,
    get_for,
    latest_submitted,
    may_author,
    read_only_reason,
    register_read_only_reason,
    register_submit_hook,
    submit,
    update,
    version_hash,
)
from portfolio.services.evidence.hidden import hidden_from, is_private, require_shown
from portfolio.services.evidence.listing import (
    PAGE_SIZE,
    SORTS,
    Editing,
    EvidenceDetail,
    EvidencePage,
    EvidenceRow,
    detail,
    for_editing,
    latest_and_drafts,
    page_after,
    page_for_learner,
)

__all__ = [
    "EARLIEST_ACTIVITY",
    "MAX_BODY",
    "MAX_TITLE",
    "MAX_WITNESS",
    "PAGE_SIZE",
    "SORTS",
    "STAR_SECTIONS",
    "WITNESS_FIELDS",
    "Draft",
    "EvidenceDetail",
    "EvidencePage",
    "EvidenceRow",
    "attach",
    "attachment_for",
    "display_name",
    "attachments_of",
    "autosave",
    "compose_body",
    "create",
    "current_version",
    "detail",
    "Editing",
    "for_author",
    "for_editing",
    "is_private",
    "latest_and_drafts",
    "page_after",
    "latest_submitted",
    "get_for",
    "hidden_from",
    "require_shown",
    "may_author",
    "read_only_reason",
    "register_read_only_reason",
    "register_submit_hook",
    "page_for_learner",
    "personal",
    "scanning",
    "submit",
    "update",
    "version_hash",
]
