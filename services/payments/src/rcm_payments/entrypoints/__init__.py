"""Thin entrypoints: Kafka consumers and HTTP routes (input -> command or query -> service)."""
