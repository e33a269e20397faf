# Typed stubs for the part of aiokafka the platform uses. aiokafka is annotated only in
# places and ships no py.typed marker; these stubs give mypy --strict real signatures.
# Incomplete on purpose: names not declared here are Any (see __getattr__).
from typing import Any

from aiokafka.consumer import AIOKafkaConsumer as AIOKafkaConsumer
from aiokafka.producer import AIOKafkaProducer as AIOKafkaProducer
from aiokafka.structs import ConsumerRecord as ConsumerRecord
from aiokafka.structs import OffsetAndMetadata as OffsetAndMetadata
from aiokafka.structs import RecordMetadata as RecordMetadata
from aiokafka.structs import TopicPartition as TopicPartition

__version__: str

def __getattr__(name: str) -> Any: ...
