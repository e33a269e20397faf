"""The sandbox's entry points: the X12 desk and the HTTP routers (thin: input -> command -> handler)."""
