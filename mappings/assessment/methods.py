"""Assessment methods on a decision: the one an item's kind suggests, and whether the method
chosen will count for a criterion under the framework's rules (pure: rules and codes in, words out).

Methods are named by the framework's rules (:attr:`CoverageRules.methods`, code -> name): a kind
of evidence suggests the method of its name ("observation", "witness testimony"...) under
whatever code the framework gives it, else the usual code (O, WT, P, PD, RA) if the framework
has it, else none (the assessor chooses)."""

from __future__ import annotations

from collections.abc import Iterable

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


def method_names(rules: CoverageRules, codes: Iterable[str], conjunction: str = "or") -> str:
    """``{"P", "O", "WT"}`` -> ``"observation, witness testimony or product"``: the methods in
    words, in the order of the framework's method table; "no method" for none."""
    order = {code: i for i, (code, _) in enumerate(rules.methods)}
    ordered = sorted(set(codes), key=lambda c: (order.get(c, len(order)), c))
    names = [rules.method_name(c) for c in ordered]
    if len(names) <= 1:
        return names[0] if names else "no method"
    return f"{', '.join(names[:-1])} {conjunction} {names[-1]}"


def methods_needed(rules: CoverageRules, criterion_kind: str, method: str | None) -> str | None:
    """The methods that would count for a criterion of ``criterion_kind`` when a claim accepted
    by ``method`` does not ("observation, witness testimony or product"); None when it does."""
    kind: Kind = criterion_kind if criterion_kind in KIND_WORDS else "assessment"  # type: ignore[assignment]
    allowed = rules.allowed_methods(kind)
    if allowed is None or (method and method.strip().upper() in allowed):
        return None
    return method_names(rules, allowed)


def method_warning(rules: CoverageRules, criterion_kind: str, method: str) -> str | None:
    """Why a claim accepted by ``method`` will not count for a criterion of ``criterion_kind``;
    None when it will (or when no method is chosen yet)."""
    kind: Kind = criterion_kind if criterion_kind in KIND_WORDS else "assessment"  # type: ignore[assignment]
    allowed = rules.allowed_methods(kind)
    if not method or allowed is None or method in allowed:
        return None
    return (
        f"Accepted by {rules.method_name(method)}, this will not count: under this framework's "
        f"rules {KIND_WORDS[kind]} counts only by {method_names(rules, allowed)}."
    )
