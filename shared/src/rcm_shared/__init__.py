"""Event contracts and plumbing shared by the RCM services: envelope, topics, messaging runtime, DB session, X12 toolkit."""
