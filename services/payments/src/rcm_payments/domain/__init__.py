"""Pure payments domain: remittances, balancing, postings and claim accounts (no I/O)."""
