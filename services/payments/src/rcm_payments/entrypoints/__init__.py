"""Thin entrypoints: Kafka consumers and HTTP routes."""
