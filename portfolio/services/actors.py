"""Who is acting: a person through their roles, or the system itself."""

from __future__ import annotations

from dataclasses import dataclass

from portfolio.models import Person


@dataclass(frozen=True)
class Actor:
    """Who is acting: what services need to know about the current user."""

    id: int
    name: str
    roles: frozenset[str]

    def has(self, role: str) -> bool:
        return role in self.roles

    @classmethod
    def of(cls, person: Person) -> Actor:
        assert person.id is not None
        return cls(id=person.id, name=person.name, roles=person.role_set)


# The system itself (command line, imports, demo data). It is no person: the audit trail stores
# its actions with no actor (NULL), and id 0 matches no row.
SYSTEM = Actor(id=0, name="system", roles=frozenset({"admin"}))


def person_id(actor: Actor | Person) -> int | None:
    """The id of the person acting, or None for the system: how records store who acted."""
    if isinstance(actor, Person):
        if actor.id is None:
            raise ValueError("a person must be saved before they can act")
        return actor.id
    return actor.id or None
