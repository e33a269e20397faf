"""Recording who read PHI: one ``PhiAccessed`` event per record disclosed to a person.

A route that answers with patient data calls :func:`record_phi_read` on its unit of work and
commits before it answers: no record of the read, no read. The event goes through the
service's outbox like every other (the one way to emit) to ``audit.phi-access``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from rcm_shared.auth import Principal
from rcm_shared.contracts.audit import PhiAccessed
from rcm_shared.db.uow import MessagingUnitOfWork
from rcm_shared.topics import Topic


async def record_phi_read(uow: MessagingUnitOfWork, principal: Principal, *, service: str, resource: str,
                          resource_ids: Sequence[str], route: str) -> None:
    """Queue one ``PhiAccessed`` per record read (the caller commits)."""
    at = datetime.now(UTC)
    roles = sorted(r.value for r in principal.roles)
    for resource_id in dict.fromkeys(resource_ids):
        await uow.publish(Topic.AUDIT_PHI_ACCESS, PhiAccessed(
            subject=principal.subject, roles=roles, service=service, resource=resource, resource_id=resource_id,
            route=route, at=at), cause=None, key=resource_id, correlation_id=resource_id)
