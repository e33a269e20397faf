"""Payments service: 835 remittance posting, denials, follow-up, patient balances."""
