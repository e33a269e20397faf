"""The keyword arguments every aiokafka client of the platform is built with: TLS and SASL/SCRAM.

One function for the producer, the consumers and the admin client of the services and for the
``rcm`` command's clients, so a secured cluster is reached the same way everywhere.
"""

from __future__ import annotations

import ssl
from typing import Any

from aiokafka.helpers import create_ssl_context

from rcm_shared.settings import KafkaSecurity

__all__ = ["KafkaSecurity", "kafka_client_options"]


def kafka_client_options(security: KafkaSecurity) -> dict[str, Any]:
    """``security_protocol`` and, as it needs them, ``ssl_context`` (the CA and our client certificate;
    host names checked), ``sasl_mechanism`` and ``sasl_plain_username``/``sasl_plain_password``.

    Raises ``ValueError`` naming the variable when a CA, certificate or key file cannot be loaded.
    """
    options: dict[str, Any] = {"security_protocol": security.protocol}
    if security.protocol == "PLAINTEXT":
        return options
    options["ssl_context"] = _ssl_context(security)
    if security.protocol == "SASL_SSL":
        options["sasl_mechanism"] = security.sasl_mechanism
        options["sasl_plain_username"] = security.sasl_username
        options["sasl_plain_password"] = security.sasl_password
    return options


def _ssl_context(security: KafkaSecurity) -> ssl.SSLContext:
    try:
        context = create_ssl_context(cafile=security.ssl_cafile)
    except (ssl.SSLError, OSError) as exc:
        raise ValueError(f"KAFKA_SSL_CAFILE {security.ssl_cafile} holds no usable CA certificate "
                         f"({type(exc).__name__})") from None
    if security.ssl_certfile:
        try:
            context.load_cert_chain(security.ssl_certfile, security.ssl_keyfile)
        except (ssl.SSLError, OSError) as exc:
            raise ValueError(f"KAFKA_SSL_CERTFILE/KAFKA_SSL_KEYFILE: {security.ssl_certfile} and "
                             f"{security.ssl_keyfile} are not a certificate and its key ({type(exc).__name__})"
                             ) from None
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context
