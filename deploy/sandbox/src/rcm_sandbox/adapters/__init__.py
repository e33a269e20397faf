"""The sandbox's adapters: storage (SQLite and in memory), the data file, the clock, X12 in and out."""
