"""Thin entrypoints: Kafka consumers and HTTP routes turn input into commands."""
