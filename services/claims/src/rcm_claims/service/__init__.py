"""Claims use cases: intake join, claim build, submission, acknowledgements."""
