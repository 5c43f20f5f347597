"""Writing the audit log: ``record_act``, called inside the act's transaction.

An act and its entry commit together or not at all: callers (the editorial
services, the newsroom's admin) call ``record_act`` inside their atomic
block. This app sits on the core floor, so content and every other app may
import it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dateline.audit.models import AuditEntry
from dateline.core.clients import client_address, user_agent

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.db.models import Model
    from django.http import HttpRequest

Act = AuditEntry.Act


@dataclass(frozen=True)
class Origin:
    """Where an act came from: the client's address and user agent."""

    address: str = ""
    user_agent: str = ""

    @classmethod
    def of(cls, request: HttpRequest | None) -> Origin:
        if request is None:
            return cls()
        return cls(address=client_address(request), user_agent=user_agent(request))


def record_act(
    *,
    act: str,
    actor: AbstractBaseUser | AnonymousUser | None,
    target: Model | None = None,
    summary: str = "",
    origin: Origin | None = None,
    actor_name: str = "",
) -> AuditEntry:
    """Write one entry; call it inside the act's own transaction."""
    origin = origin or Origin()
    person: Any = actor if actor is not None and actor.is_authenticated else None
    entry = AuditEntry(
        act=act,
        actor=person,
        actor_name=(person.get_username() if person is not None else actor_name)[:150],
        summary=summary,
        address=origin.address or None,
        user_agent=origin.user_agent,
    )
    if target is not None:
        entry.object_type = target._meta.label_lower
        entry.object_id = str(target.pk or "")[:64]
        entry.object_repr = str(target)[:200]
    entry.save()
    return entry
