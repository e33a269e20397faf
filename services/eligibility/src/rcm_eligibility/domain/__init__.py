"""Pure eligibility domain: requests, coverage answers and how a 271 is read."""
