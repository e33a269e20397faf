"""Property test: mutated interchanges give the toolkit's own errors, never a crash.

10,000 examples over every conformance sample and our own written samples. Each example is
cheap (files are small), so the whole test runs in well under a minute on one core.
"""

from __future__ import annotations

from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rcm_x12 import (
    X12Error,
    acks_999_for,
    check_interchange,
    read_999,
    read_x12,
    ta1_for,
    write_835,
    write_837,
    write_999,
)

from .helpers import (
    conformance_files,
    envelope,
    sample_835,
    sample_837i,
    sample_837p_two_claims_with_dependent,
)


@cache
def corpus() -> tuple[str, ...]:
    texts = [p.read_text() for p in conformance_files()]
    texts += [write_837(sample_837p_two_claims_with_dependent(), envelope()),
              write_837(sample_837i(), envelope()), write_835(sample_835(), envelope())]
    return tuple(texts)


NOISE = st.text(alphabet="*:^~>|\r\n 0123456789.-ABCDEFGHIJKLMNOPQRSTUVWXYZ", max_size=12)


@st.composite
def mutation(draw: st.DrawFn, text: str) -> str:
    kind = draw(st.sampled_from(["delete", "duplicate", "swap", "element", "delimiter",
                                 "truncate", "insert"]))
    segments = text.split("~")
    n = len(segments)
    i = draw(st.integers(0, n - 1))
    if kind == "delete":
        del segments[i]
    elif kind == "duplicate":
        segments.insert(i, segments[i])
    elif kind == "swap":
        j = draw(st.integers(0, n - 1))
        segments[i], segments[j] = segments[j], segments[i]
    elif kind == "element":
        parts = segments[i].split("*")
        k = draw(st.integers(0, len(parts) - 1))
        parts[k] = draw(NOISE)
        segments[i] = "*".join(parts)
    elif kind == "delimiter":
        old = draw(st.sampled_from(["*", ":", "~", "^"]))
        new = draw(st.sampled_from(["|", ">", "!", "*", ":", "~", "A", "\n"]))
        every = draw(st.booleans())
        return text.replace(old, new) if every else text.replace(old, new, 1)
    elif kind == "truncate":
        return text[: draw(st.integers(0, len(text)))]
    else:
        at = draw(st.integers(0, len(text)))
        return text[:at] + draw(NOISE) + text[at:]
    return "~".join(segments)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(corpus()))
    for _ in range(draw(st.integers(1, 3))):
        text = draw(mutation(text))
    return text


# derandomize: CI runs the same 10,000 cases every time (no flaky failures); change the
# seed locally with --hypothesis-seed to explore further.
@settings(max_examples=10_000, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated())
def test_mutated_interchanges_only_raise_toolkit_errors(text: str) -> None:
    check = check_interchange(text)  # must never raise
    assert all(i.reason for i in check.issues)
    try:
        read_x12(text)
    except X12Error as exc:
        assert exc.issues
    ta1 = ta1_for(check)
    assert ta1.ack_code in ("A", "R")
    acks = acks_999_for(check)
    if acks:
        # The 999 we send back must always be well formed, whatever came in.
        reply = write_999(acks, envelope())
        assert len(read_999(reply)) == len(acks)
