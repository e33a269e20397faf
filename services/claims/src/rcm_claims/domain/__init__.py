"""Pure claims domain: pricing, claim assembly and scrubbing (no I/O)."""
