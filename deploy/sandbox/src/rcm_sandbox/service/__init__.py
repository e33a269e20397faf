"""The sandbox's use cases: handlers over the storage ports (a unit of work) and the X12 writers."""
