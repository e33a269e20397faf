"""The one messaging runtime of the platform (consumer loop, inbox, outbox relay,
dead letters, retries, tracing headers, mailbox intake)."""

from rcm_shared.messaging.consumer import ConsumerRunner, Event, Handler, Subscription
from rcm_shared.messaging.errors import PermanentError, TransientError
from rcm_shared.messaging.runtime import ServiceRuntime

__all__ = [
    "ConsumerRunner",
    "Event",
    "Handler",
    "PermanentError",
    "ServiceRuntime",
    "Subscription",
    "TransientError",
]
