"""Claims service: charges, claim assembly, scrubbing, 837 submission, acknowledgements."""
