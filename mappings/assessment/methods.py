"""Assessment methods on a decision: the one an item's kind suggests, and whether the method
chosen will count for a criterion under the framework's rules (pure: rules and codes in, words out).

Methods are named by the framework's rules (:attr:`CoverageRules.methods`, code -> name): a kind
of evidence suggests the method of its name ("observation", "witness testimony"...) under
whatever code the framework gives it, else the usual code (O, WT, P, PD, RA) if the framework
has it, else none (the assessor chooses)."""

from __future__ import annotations

from mappings.assessment.coverage import CoverageRules, Kind

# kind of evidence -> (name of its method, usual code)
KIND_METHODS: dict[str, tuple[str, str]] = {
    "observation_record": ("observation", "O"),
    "witness_testimony": ("witness testimony", "WT"),
    "product": ("product", "P"),
    "professional_discussion": ("professional discussion", "PD"),
    "reflective_account": ("reflective account", "RA"),
}

KIND_WORDS: dict[str, str] = {
    "performance": "a performance criterion",
    "knowledge": "a knowledge statement",
    "assessment": "an assessment criterion",
}


def default_method(evidence_kind: str, rules: CoverageRules) -> str | None:
    """The method code an item of ``evidence_kind`` is most likely assessed by, or None."""
    known = KIND_METHODS.get(evidence_kind)
    if known is None:
        return None
    name, usual = known
    for code, label in rules.methods:
        if " ".join(label.lower().split()) == name:
            return code
    return usual if usual in dict(rules.methods) else None


def method_warning(rules: CoverageRules, criterion_kind: str, method: str) -> str | None:
    """Why a claim accepted by ``method`` will not count for a criterion of ``criterion_kind``;
    None when it will (or when no method is chosen yet)."""
    kind: Kind = criterion_kind if criterion_kind in KIND_WORDS else "assessment"  # type: ignore[assignment]
    allowed = rules.allowed_methods(kind)
    if not method or allowed is None or method in allowed:
        return None
    order = [code for code, _ in rules.methods]
    names = [rules.method_name(c) for c in sorted(allowed, key=lambda c: (order.index(c), c))]
    if len(names) <= 1:
        ways = names[0] if names else "no method"
    else:
        ways = f"{', '.join(names[:-1])} or {names[-1]}"
    return (
        f"Accepted by {rules.method_name(method)} this will not count: under this framework's "
        f"rules {KIND_WORDS[kind]} counts only by {ways}."
    )
