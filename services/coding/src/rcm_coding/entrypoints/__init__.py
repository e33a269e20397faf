"""Thin entrypoints: the Kafka consumer and HTTP routes."""
