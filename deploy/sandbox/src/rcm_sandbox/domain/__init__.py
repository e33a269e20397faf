"""The sandbox's pure domain: claims in, acknowledgements, eligibility answers and remittances out.

Nothing here does I/O; state that must survive (accumulators, earlier claims) is passed in.
"""
