"""Thin entrypoints: Kafka consumers, background workers and HTTP routes."""
