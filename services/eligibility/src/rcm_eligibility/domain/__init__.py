"""Pure eligibility domain: the coverage question, the payer's benefits and the answer they give."""
