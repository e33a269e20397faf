"""Eligibility service layer: handlers and the ports (Protocols) they need."""
