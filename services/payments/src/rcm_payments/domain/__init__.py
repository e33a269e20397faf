"""Pure payments domain: remittance balancing and posting decisions (no I/O)."""
