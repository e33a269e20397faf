"""``rcm status``: dead letters per service by reason, and the encounters they hold up.

An encounter is "waiting on a dead-lettered prerequisite" when one of its records (by
``ce_correlationid``) is in a dead-letter topic and the encounter has reached no end
state yet: no PaymentPosted on the payments events and no ClaimHeld on the claims events.
A dead letter that was redriven and went through drops out of the list by itself, because
its encounter then reaches one of those events. Everything is read from the topics.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from rcm_shared.contracts.claims import CLAIM_HELD
from rcm_shared.contracts.payments import PAYMENT_POSTED
from rcm_shared.topics import DEAD_LETTER_TOPIC, Topic, topic_name

from rcm_cli.redrive import DeadLetter, read_dead_letters, read_topic

END_STATES = {PAYMENT_POSTED, CLAIM_HELD}
_NUMBERS = re.compile(r"\d+")


@dataclass
class ServiceDeadLetters:
    service: str
    by_reason: Counter[tuple[str, str]] = field(default_factory=Counter)  # (error type, reason) -> count
    waiting: list[str] = field(default_factory=list)  # encounter ids, sorted
    without_encounter: int = 0  # dead letters with no correlation id (undecodable records)

    @property
    def total(self) -> int:
        return sum(self.by_reason.values())


def reason_group(reason: str) -> str:
    """A reason without its numbers (offsets, positions, attempts), first line, for grouping."""
    first = reason.splitlines()[0] if reason else ""
    return _NUMBERS.sub("#", first)[:100]


def summarise(service: str, dead_letters: Iterable[DeadLetter], finished: set[str]) -> ServiceDeadLetters:
    """Pure: count ``service``'s dead letters by reason; list encounters not in ``finished``."""
    out = ServiceDeadLetters(service)
    waiting: set[str] = set()
    for dl in dead_letters:
        out.by_reason[(dl.header("dlq_error_type") or "?", reason_group(dl.reason))] += 1
        encounter = dl.header("ce_correlationid")
        if not encounter:
            out.without_encounter += 1
        elif encounter not in finished:
            waiting.add(encounter)
    out.waiting = sorted(waiting)
    return out


async def finished_encounters(bootstrap: str, namespace: str) -> set[str]:
    """Correlation ids with a PaymentPosted or a ClaimHeld event."""
    done: set[str] = set()
    for topic in (Topic.PAYMENTS_EVENTS, Topic.CLAIMS_EVENTS):
        for r in await read_topic(bootstrap, topic_name(topic, namespace)):
            h = {n: (v or b"").decode("utf-8", "replace") for n, v in r.headers or ()}
            if h.get("ce_type") in END_STATES and h.get("ce_correlationid"):
                done.add(h["ce_correlationid"])
    return done


async def dead_letter_status(bootstrap: str, namespace: str) -> list[ServiceDeadLetters]:
    """Per service: dead letters by reason and the encounters they hold up."""
    finished = await finished_encounters(bootstrap, namespace)
    return [summarise(s, await read_dead_letters(bootstrap, namespace, s), finished) for s in DEAD_LETTER_TOPIC]
