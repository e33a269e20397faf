"""Builders for tests (the sandbox's own and the platform's): members and claims from the config,
X12 interchanges, and stand-ins for the X12 writers so handlers can be tested without X12.

Kept in the package rather than a conftest so any test can import it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from rcm_sandbox.domain.model import AcceptedClaim, Claim, Outbound, Remittance, ServiceLine
from rcm_sandbox.domain.payers import Member, MemberScenario, MemberStatus, PayerKind, SandboxConfig
from rcm_sandbox.service.handlers import SandboxSetup

# A synthetic NPI with a valid check digit.
BILLING_NPI = "1234567893"


def pick_member(
    config: SandboxConfig,
    payer_id: str,
    *,
    status: MemberStatus = MemberStatus.ACTIVE,
    scenario: MemberScenario = MemberScenario.NONE,
    plan_id: str | None = None,
) -> Member:
    """The first roster member matching these criteria (raises if none)."""
    for member in config.members:
        if (
            member.payer_id == payer_id
            and member.status is status
            and member.scenario is scenario
            and (plan_id is None or member.plan_id == plan_id)
            and member.deductible_met == 0
        ):
            return member
    raise LookupError(f"no {status} member with scenario {scenario} at {payer_id}")


def make_claim(
    member: Member,
    lines: Sequence[tuple[Any, ...]],
    *,
    pcn: str = "PCN0001",
    service_date: date = date(2026, 11, 2),
    diagnoses: tuple[str, ...] = ("Z0000",),
    payer_id: str | None = None,
    frequency_code: str = "1",
    ndc: str | None = None,
    units: Decimal = Decimal("1"),
) -> Claim:
    """A claim for ``member`` with lines given as (code, charge) or (code, charge, modifiers)."""
    built: list[ServiceLine] = []
    for number, spec in enumerate(lines, start=1):
        code, charge = str(spec[0]), str(spec[1])
        extra = spec[2] if len(spec) > 2 else ()
        modifiers = tuple(extra) if isinstance(extra, tuple) else ()
        built.append(
            ServiceLine(
                line_number=number,
                procedure_code=code,
                charge=Decimal(charge),
                units=units,
                service_date=service_date,
                modifiers=modifiers,
                diagnosis_codes=diagnoses,
                ndc=ndc,
            )
        )
    return Claim(
        patient_control_number=pcn,
        payer_id=payer_id or member.payer_id,
        member_id=member.member_id,
        subscriber_last_name=member.last_name,
        subscriber_first_name=member.first_name,
        subscriber_birth_date=member.birth_date,
        billing_npi=BILLING_NPI,
        total_charge=sum((ln.charge for ln in built), Decimal("0")),
        lines=tuple(built),
        diagnosis_codes=diagnoses,
        frequency_code=frequency_code,
    )


def setup_for(
    config: SandboxConfig,
    *,
    now: datetime = datetime(2026, 11, 10, 9, 0, tzinfo=UTC),
    seed: int = 42,
    remit_delay: timedelta = timedelta(0),
) -> SandboxSetup:
    """A handler setup whose clock stands still at ``now``."""
    return SandboxSetup(config=config, seed=seed, remit_delay=remit_delay, clock=lambda: now)


@dataclass
class RecordedReplies:
    """Stands in for the X12 answers to an 837: writes ``TA1 025 #<n>``, ``999 #<n>`` and
    ``277CA #<n> <PCN>:<category>:<code> ...`` (n = envelope control number) and keeps every
    277CA's decisions."""

    acknowledged: list[tuple[AcceptedClaim, ...]] = field(default_factory=list)

    def duplicate_notice(self, envelope: Outbound) -> str:
        return f"TA1 025 #{envelope.control_number}"

    def syntax_acknowledgement(self, envelope: Outbound) -> str:
        return f"999 #{envelope.control_number}"

    def claim_acknowledgements(self, envelope: Outbound, decisions: Sequence[AcceptedClaim]) -> str:
        self.acknowledged.append(tuple(decisions))
        acks = " ".join(
            f"{d.claim.patient_control_number}:{d.ack.category.value}:{d.ack.status_code}" for d in decisions
        )
        return f"277CA #{envelope.control_number} {acks}"


@dataclass
class RecordedRemittances:
    """Stands in for the 835 writer: writes ``835 #<n> <trace>`` and keeps every remittance."""

    written: list[Remittance] = field(default_factory=list)

    def remittance_835(self, envelope: Outbound, remittance: Remittance, kind: PayerKind) -> str:
        self.written.append(remittance)
        return f"835 #{envelope.control_number} {remittance.trace_number}"


# --------------------------------------------------------------------------- X12 builders
def _envelope(control_number: int, sender_id: str, when: date) -> Any:
    from rcm_x12.writer import EnvelopeParams

    return EnvelopeParams(
        sender_id=sender_id,
        receiver_id="SANDBOXCH",
        interchange_control_number=control_number,
        group_control_number=control_number,
        transaction_control_number=1,
        date=when,
    )


def claim_837(
    claims: Sequence[Claim],
    control_number: int,
    *,
    sender_id: str = "RCMPLATFORM",
    when: date = date(2026, 11, 10),
) -> str:
    """An 837P interchange for domain claims, written with the shared toolkit."""
    from rcm_x12 import claim837 as x
    from rcm_x12.common import Address

    address = Address("1 MAIN ST", "SPRINGFIELD", "IL", "627010000")
    out: list[x.Claim] = []
    for c in claims:
        out.append(
            x.Claim(
                patient_control_number=c.patient_control_number,
                total_charge=c.total_charge,
                place_of_service=c.place_of_service,
                billing_provider=x.BillingProvider("SANDBOX TEST CLINIC", c.billing_npi, "123456789", address),
                subscriber=x.Subscriber(
                    member_id=c.member_id,
                    last_name=c.subscriber_last_name,
                    first_name=c.subscriber_first_name,
                    birth_date=c.subscriber_birth_date,
                    sex="F",
                    address=address,
                ),
                payer=x.Payer("PAYER", c.payer_id),
                diagnoses=c.diagnosis_codes,
                lines=tuple(
                    x.ServiceLine(
                        procedure_code=ln.procedure_code,
                        charge=ln.charge,
                        units=ln.units,
                        service_date=ln.service_date,
                        modifiers=ln.modifiers,
                        diagnosis_pointers=(1,),
                    )
                    for ln in c.lines
                ),
                frequency_code=c.frequency_code,
                payer_claim_control_number=c.original_payer_claim_id or "",
            )
        )
    doc = x.Claim837(
        kind="P",
        submitter=x.Submitter("RCM PLATFORM", sender_id, "BILLING", "5555550100"),
        receiver=x.Receiver("SANDBOX CLEARINGHOUSE", "SANDBOXCH"),
        reference=f"B{control_number}",
        created=when,
        claims=tuple(out),
    )
    return str(x.write_837(doc, _envelope(control_number, sender_id, when)))


def _simple_interchange(
    functional_id: str,
    guide: str,
    st_id: str,
    segments: list[list[Any]],
    control_number: int,
    sender_id: str,
    when: date,
) -> str:
    from rcm_x12.syntax import Delimiters
    from rcm_x12.writer import SegmentWriter, write_interchange

    w = SegmentWriter(Delimiters())
    for seg in segments:
        w.seg(seg[0], *seg[1:])
    envelope = _envelope(control_number, sender_id, when)
    return str(write_interchange(envelope, functional_id, guide, [(st_id, w)]))


def inquiry_270(
    member_id: str,
    last_name: str,
    first_name: str,
    birth_date: date | None,
    payer_id: str,
    control_number: int,
    *,
    service_date: date = date(2026, 11, 10),
    sender_id: str = "RCMPLATFORM",
) -> str:
    """A 270 for one subscriber (005010X279A1)."""
    segments: list[list[Any]] = [
        ["BHT", "0022", "13", f"E{control_number}", "20261110", "1200"],
        ["HL", "1", None, "20", "1"],
        ["NM1", "PR", "2", "PAYER", None, None, None, None, "PI", payer_id],
        ["HL", "2", "1", "21", "1"],
        ["NM1", "1P", "2", "SANDBOX TEST CLINIC", None, None, None, None, "XX", BILLING_NPI],
        ["HL", "3", "2", "22", "0"],
        ["TRN", "1", f"T{control_number}", "9RCMPLATFM"],
        ["NM1", "IL", "1", last_name, first_name, None, None, None, "MI", member_id],
    ]
    if birth_date is not None:
        segments.append(["DMG", "D8", birth_date.strftime("%Y%m%d")])
    segments += [["DTP", "291", "D8", service_date.strftime("%Y%m%d")], ["EQ", "30"]]
    return _simple_interchange("HS", "005010X279A1", "270", segments, control_number, sender_id, service_date)


def status_276(
    member: Member,
    patient_control_number: str,
    control_number: int,
    *,
    service_date: date = date(2026, 11, 2),
    charge: Decimal = Decimal("0"),
    sender_id: str = "RCMPLATFORM",
) -> str:
    """A 276 asking the status of one claim (005010X212)."""
    segments: list[list[Any]] = [
        ["BHT", "0010", "13", f"S{control_number}", "20261110", "1200"],
        ["HL", "1", None, "20", "1"],
        ["NM1", "PR", "2", "PAYER", None, None, None, None, "PI", member.payer_id],
        ["HL", "2", "1", "21", "1"],
        ["NM1", "41", "2", "RCM PLATFORM", None, None, None, None, "46", sender_id],
        ["HL", "3", "2", "19", "1"],
        ["NM1", "1P", "2", "SANDBOX TEST CLINIC", None, None, None, None, "XX", BILLING_NPI],
        ["HL", "4", "3", "22", "0"],
        ["DMG", "D8", member.birth_date.strftime("%Y%m%d"), member.sex],
        [
            "NM1",
            "IL",
            "1",
            member.last_name,
            member.first_name,
            None,
            None,
            None,
            "MI",
            member.member_id,
        ],
        ["TRN", "1", f"T{control_number}"],
        ["REF", "EJ", patient_control_number],
        ["AMT", "T3", charge],
        ["DTP", "472", "RD8", f"{service_date:%Y%m%d}-{service_date:%Y%m%d}"],
    ]
    return _simple_interchange("HR", "005010X212", "276", segments, control_number, sender_id, date(2026, 11, 10))


def segments_of(interchange: str) -> list[tuple[str, ...]]:
    """(id, element1, element2, ...) for every segment, read with the shared tokenizer."""
    from rcm_x12.syntax import tokenize

    _, segments = tokenize(interchange)
    return [(s.id, *s.elements) for s in segments]


def imbalances_835(interchange: str) -> list[str]:
    """Every balancing rule an 835 breaks (empty when it balances to the cent).

    Per line: SVC02 - SVC03 = line CAS; per claim: CLP03 - CLP04 = claim + line CAS;
    per transaction: BPR02 = sum CLP04 - sum PLB.
    """
    problems: list[str] = []
    bpr = Decimal("0")
    clp_paid: list[Decimal] = []
    plb = Decimal("0")
    claim: list[Decimal] | None = None  # [charge, paid, cas sum]
    line: list[Decimal] | None = None
    where = ""

    def close_line() -> None:
        nonlocal line
        if line is not None and line[0] - line[1] != line[2]:
            problems.append(f"line in {where}: {line[0]} - {line[1]} != {line[2]}")
        line = None

    def close_claim() -> None:
        nonlocal claim
        close_line()
        if claim is not None and claim[0] - claim[1] != claim[2]:
            problems.append(f"claim {where}: {claim[0]} - {claim[1]} != {claim[2]}")
        claim = None

    for seg in segments_of(interchange):
        sid = seg[0]
        if sid == "BPR":
            bpr = Decimal(seg[2])
        elif sid == "CLP":
            close_claim()
            where = seg[1]
            claim = [Decimal(seg[3]), Decimal(seg[4]), Decimal("0")]
            clp_paid.append(Decimal(seg[4]))
        elif sid == "SVC":
            close_line()
            line = [Decimal(seg[2]), Decimal(seg[3]), Decimal("0")]
        elif sid == "CAS":
            amounts = [Decimal(seg[i]) for i in range(3, len(seg), 3) if seg[i]]
            total = sum(amounts, Decimal("0"))
            if line is not None:
                line[2] += total
            if claim is not None:
                claim[2] += total
        elif sid == "PLB":
            close_claim()
            plb += sum((Decimal(seg[i]) for i in range(4, len(seg), 2) if seg[i]), Decimal("0"))
        elif sid in ("SE", "LX"):
            close_claim() if sid == "SE" else close_line()
    if bpr != sum(clp_paid, Decimal("0")) - plb:
        problems.append(f"BPR02 {bpr} != sum CLP04 {sum(clp_paid, Decimal('0'))} - PLB {plb}")
    return problems
