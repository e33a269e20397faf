"""Thin entrypoints: Kafka consumers, the dispatcher loop and HTTP routes (input -> command -> handler)."""
