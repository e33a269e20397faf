"""Pure claims domain: its own value types, claim assembly, pricing and scrubbing (no I/O, no contracts)."""
