"""What importing a bundle did: counts, people made, and what its signature proved."""

from __future__ import annotations

from dataclasses import dataclass, field

from exports.bundle.signing import SignatureCheck

COUNTED = (
    "registrations",
    "evidence",
    "versions",
    "attachments",
    "claims",
    "decisions",
    "judgements",
    "sign-offs",
)


@dataclass
class ImportReport:
    learner_id: int
    learner_email: str
    learner_created: bool
    frameworks_imported: list[str] = field(default_factory=list)
    people_created: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    signature: SignatureCheck = field(default_factory=lambda: SignatureCheck("unsigned"))
    received: int = 0  # the sending centre's decisions, judgements and sign-offs kept as text
    cohorts: list[str] = field(default_factory=list)  # the sending centre's, joined nor made here
    standards_not_added: list[str] = field(default_factory=list)  # "SE v1: SE03, SE04"
    standards_added: list[str] = field(default_factory=list)  # verified: "SE v1: SE03"
    registrations_made: list[str] = field(default_factory=list)  # with standards and dates
    # loaded here already, the bundle carrying another vocabulary for suggestions: "SE v1"
    vocabulary_not_applied: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        parts = ", ".join(f"{n} {k}" for k, n in self.counts.items())
        who = "new learner" if self.learner_created else "existing learner"
        lines = [
            f"Imported the bundle of {self.learner_email} ({who}, id {self.learner_id}): {parts}.",
            self.signature.message,
        ]
        if not self.signature.verified:
            lines.append(
                f"Its {self.received} decisions, judgements and sign-offs are kept as the "
                "sending centre's record: not counted here; its claims await a decision here."
            )
        for name in self.cohorts:
            lines.append(
                f"The learner was in the cohort “{name}” at the sending centre: a bundle places "
                "nobody in a cohort, so an administrator places the learner in a cohort here."
            )
        for held in self.standards_not_added:
            lines.append(
                f"Not added to the learner's registration on {held} (the bundle is not verified, "
                "and an administrator adds a standard to a registration here): its claims against "
                "them await a decision, shown once the standard is added."
            )
        for made in self.registrations_made:
            lines.append(
                f"Registered the learner on {made}, as the bundle gives them"
                + (
                    "."
                    if self.signature.verified
                    else " (the bundle is not verified: an administrator checks them)."
                )
            )
        for added in self.standards_added:
            lines.append(
                f"Added to the learner's registration on {added}: the bundle is verified, "
                "and the centre it vouches for registered the learner on them."
            )
        for kept in self.vocabulary_not_applied:
            lines.append(
                f"The bundle's vocabulary for suggestions on {kept} was not applied: the "
                "framework is loaded here, and its vocabulary is this centre's to set."
            )
        return "\n".join(lines)
