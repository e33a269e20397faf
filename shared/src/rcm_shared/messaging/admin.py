"""Topic administration: create the declared topics that are missing."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from rcm_shared.topics import TOPICS, TopicSpec

log = logging.getLogger(__name__)


async def ensure_topics(
    bootstrap_servers: str,
    namespace: str,
    *,
    partitions: int,
    replication_factor: int,
    specs: tuple[TopicSpec, ...] = TOPICS,
    client_options: Mapping[str, Any] | None = None,
) -> list[str]:
    """Create every declared topic missing in ``namespace``; return the names created.

    Safe to call from several services at once: "already exists" is success. ``client_options``
    are the TLS/SASL arguments of :func:`rcm_shared.messaging.kafka_security.kafka_client_options`.
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id=f"{namespace}-admin",
                                **(client_options or {}))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [
            NewTopic(
                name=s.name(namespace),
                num_partitions=s.partitions or partitions,
                replication_factor=replication_factor,
                topic_configs=dict(s.config),
            )
            for s in specs
            if s.name(namespace) not in existing
        ]
        created: list[str] = []
        if wanted:
            response = await admin.create_topics(wanted)
            for entry in response.topic_errors:
                name, code = entry[0], entry[1]
                if code == 0:
                    created.append(name)
                elif code != TopicAlreadyExistsError.errno:
                    message = entry[2] if len(entry) > 2 else ""
                    raise RuntimeError(f"cannot create topic {name}: Kafka error {code} {message}")
        if created:
            log.info("created topics: %s", ", ".join(created))
        return created
    finally:
        await admin.close()
