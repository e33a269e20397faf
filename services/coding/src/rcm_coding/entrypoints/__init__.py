"""Thin entrypoints: the Kafka consumer and the HTTP routers."""
