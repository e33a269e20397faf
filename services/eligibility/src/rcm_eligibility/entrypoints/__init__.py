"""Thin entrypoints: the Kafka consumer and the HTTP routes turn input into commands."""
