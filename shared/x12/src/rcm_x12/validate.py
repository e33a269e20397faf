"""Second opinion from pyx12: validate an interchange against pyx12's implementation maps.

pyx12 4.0 ships 5010 maps for 837P (X222A1), 837I (X223A2), 835 (X221A1), 277CA (X214),
999 (X231A1), 834 and 820 only: no 270/271, 276/277 (X212). For those there is nothing to
validate against and :func:`validate_with_pyx12` reports that as one issue.
"""

from __future__ import annotations

import io
import json
import logging
from typing import Any

from rcm_x12._pyx12 import load_pyx12
from rcm_x12.errors import IssueLevel, X12Issue

PYX12_GUIDES = frozenset({"005010X222A1", "005010X223A2", "005010X221A1", "005010X214",
                          "005010X231A1", "005010X231"})


def validate_with_pyx12(text: str) -> list[X12Issue]:
    """Run pyx12's validator on ``text`` and return its findings as :class:`X12Issue`.

    An empty list means pyx12 found no error. Issue positions are pyx12's segment counter
    (1-based in the interchange).
    """
    pyx12 = load_pyx12()
    params = pyx12.params()
    out = io.StringIO()
    # pyx12 logs its findings; some (e.g. ST-level element errors) reach only the log, not
    # the JSON report, so collect the log records instead of letting them print.
    logger = logging.getLogger("pyx12")
    collector = _Collector()
    previous = (logger.propagate, logger.level)
    logger.addHandler(collector)
    logger.propagate = False
    logger.setLevel(logging.ERROR)
    try:
        ok = pyx12.x12n_document(params, io.StringIO(text), None, None, fd_json=out)
    except pyx12.engine_error as exc:
        return [X12Issue(reason=f"pyx12 cannot validate: {exc}", level="interchange",
                         code="pyx12")]
    except pyx12.x12_error as exc:
        return [X12Issue(reason=f"pyx12: {exc}", level="interchange", code="pyx12")]
    finally:
        logger.removeHandler(collector)
        logger.propagate, level = previous
        logger.setLevel(level)
    issues = _issues_from_json(out.getvalue())
    if not ok and not issues:
        issues = [X12Issue(reason=f"pyx12: {msg}", level="element", code="pyx12")
                  for msg in collector.messages]
    if not ok and not issues:
        issues.append(X12Issue(reason="pyx12 rejected the interchange without details",
                               level="interchange", code="pyx12"))
    return issues


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _issues_from_json(raw: str) -> list[X12Issue]:
    if not raw.strip():
        return []
    doc: dict[str, Any] = json.loads(raw)
    issues: list[X12Issue] = []

    def add(level: IssueLevel, err: dict[str, Any], **where: Any) -> None:
        issues.append(X12Issue(reason=str(err.get("err_str", "")), level=level,
                               code=str(err.get("err_cde", "")),
                               bad_value=err.get("err_val"), **where))

    for isa in doc.get("interchanges", []):
        for err in isa.get("errors", []):
            add("interchange", err)
        for gs in isa.get("groups", []):
            for err in gs.get("errors", []):
                add("group", err)
            for st in gs.get("transactions", []):
                for err in st.get("errors", []):
                    add("transaction", err)
                for seg in st.get("segments", []):
                    where = {"segment_position": seg.get("cur_line"), "segment_id": seg.get("seg_id"),
                             "loop_id": seg.get("ls_id")}
                    for err in seg.get("errors", []):
                        add("segment", err, **where)
                    for ele in seg.get("elements", []):
                        for err in ele.get("errors", []):
                            add("element", err, element_position=ele.get("ele_pos"),
                                component_position=ele.get("subele_pos"), **where)
    return issues
