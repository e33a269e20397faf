"""Benchmark: parse a large synthetic 835 with our reader and with pyx12 (same file, same run).

Run: uv run python bench/x12_835_parse.py [claims]   (default 2000 claims)
"""

from __future__ import annotations

import io
import logging
import sys
import time
from dataclasses import replace
from datetime import date
from decimal import Decimal

from rcm_x12 import EnvelopeParams, read_835, write_835
from rcm_x12.common import Address
from rcm_x12.remit835 import (
    Adjustment,
    RemitClaim,
    RemitPatient,
    RemitPayee,
    RemitPayer,
    RemitServiceLine,
    Remittance835,
)


def build(n: int) -> str:
    claims = []
    for k in range(n):
        line = RemitServiceLine(procedure_code="99213", charge=Decimal("125.00"),
                                paid=Decimal("72.00"), units=Decimal("1"),
                                service_date=date(2026, 2, 20), allowed=Decimal("92.00"),
                                adjustments=(Adjustment("CO", "45", Decimal("33.00")),
                                             Adjustment("PR", "2", Decimal("20.00"))),
                                line_control_number=f"L{k}")
        claims.append(RemitClaim(patient_control_number=f"PCN{k:07d}", status="1",
                                 charge=Decimal("125.00"), paid=Decimal("72.00"),
                                 patient_responsibility=Decimal("20.00"), filing_indicator="12",
                                 payer_claim_control_number=f"ICN{k:07d}",
                                 patient=RemitPatient("SYNTH", "PATIENT", f"M{k:07d}"),
                                 lines=(line, replace(line, line_control_number=f"M{k}"))))
        claims[-1] = replace(claims[-1], charge=Decimal("250.00"), paid=Decimal("144.00"))
    doc = Remittance835(
        payment_amount=Decimal("144.00") * n, payment_method="CHK", payment_date=date(2026, 3, 10),
        trace_number="BENCH1", originator_id="1600054000",
        payer=RemitPayer("SYNTHETIC PLAN", Address("1 A ST", "CHICAGO", "IL", "60601"),
                                                contact_phone="8005550199"),
        payee=RemitPayee("SYNTHETIC CLINIC", "1234567893"), claims=tuple(claims))
    env = EnvelopeParams(sender_id="PAYER", receiver_id="CLINIC", interchange_control_number=1,
                         group_control_number=1, transaction_control_number=1,
                         date=date(2026, 3, 10))
    return write_835(doc, env)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    text = build(n)
    segments = text.count("~")
    t0 = time.perf_counter()
    [received] = read_835(text)
    ours = time.perf_counter() - t0
    assert len(received.document.claims) == n
    import pyx12.params
    import pyx12.x12n_document

    logging.getLogger("pyx12").disabled = True
    t0 = time.perf_counter()
    pyx12.x12n_document.x12n_document(pyx12.params.params(), io.StringIO(text), None, None,
                                      fd_json=io.StringIO())
    theirs = time.perf_counter() - t0
    print(f"835 with {n} claims, {segments} segments")
    print(f"ours : {ours:.3f} s  {segments / ours:,.0f} segments/s  {n / ours:,.0f} claims/s")
    print(f"pyx12: {theirs:.3f} s  {segments / theirs:,.0f} segments/s  {n / theirs:,.0f} claims/s")
    print(f"ratio: ours is {theirs / ours:.1f}x faster than pyx12 parse+validate")


if __name__ == "__main__":
    main()
