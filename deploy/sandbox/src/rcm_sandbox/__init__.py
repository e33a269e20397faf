"""Payer and clearinghouse sandbox speaking X12 5010 over HTTP."""
