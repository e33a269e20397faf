"""Claims adapters: tables, repository, X12 837 writer, clearinghouse dispatcher."""
