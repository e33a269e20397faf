"""Claims adapters: tables, SQL and in-memory repositories, contract translation, reference data, X12."""
