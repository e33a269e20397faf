"""Event contracts and plumbing shared by the RCM services.

Envelope, topics, messaging runtime, DB session and the X12 toolkit; no business rules of one service.
"""
