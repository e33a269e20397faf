"""Implementation guides (GS08 / ST03 values) the toolkit reads and writes."""

from __future__ import annotations

X270_271 = "005010X279A1"
X276_277 = "005010X212"
X277CA = "005010X214"
X837P = "005010X222A1"
X837I = "005010X223A2"
X835 = "005010X221A1"
X999 = "005010X231A1"

# The 837 guides had errata after the HIPAA-adopted versions: X222A2 (837P) and X223A3
# (837I) only correct the guide text and code lists, the segment layout is the same, and
# real trading partners (and the LinuxForHealth conformance samples) send them, so we read
# them with the same reader. We always write the adopted versions (X222A1, X223A2) because
# those are the ones pyx12 and most payers validate against.
ACCEPTED_837P = frozenset({"005010X222A1", "005010X222A2"})
ACCEPTED_837I = frozenset({"005010X223A1", "005010X223A2", "005010X223A3"})
# 999 X231 (base) and X231A1 share layout; A1 is what we write.
ACCEPTED_999 = frozenset({"005010X231A1", "005010X231"})
