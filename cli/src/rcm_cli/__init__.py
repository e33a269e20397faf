"""The rcm command line: local stack, services, publish, demo."""
