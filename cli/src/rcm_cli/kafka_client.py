"""How the ``rcm`` command reaches a secured broker: the variables the services read
(KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD,
KAFKA_SSL_CAFILE, KAFKA_SSL_CERTFILE, KAFKA_SSL_KEYFILE), taken from the environment."""

from __future__ import annotations

from typing import Any

from rcm_shared.messaging.kafka_security import KafkaSecurity, kafka_client_options


def kafka_options() -> dict[str, Any]:
    """TLS/SASL keyword arguments for an aiokafka client (just PLAINTEXT when none are set)."""
    return kafka_client_options(KafkaSecurity.from_environ())
