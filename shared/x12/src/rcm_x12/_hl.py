"""Pieces shared by the HL-structured inquiry/response readers and writers (270/271/276)."""

from __future__ import annotations

from datetime import date

from rcm_x12._elements import IssueCollector
from rcm_x12.common import Address, Party, Person
from rcm_x12.syntax import Segment
from rcm_x12.writer import SegmentWriter, format_date8


def party_from_nm1(seg: Segment) -> Party:
    return Party(name=seg.get(3), first_name=seg.get(4), entity_type=seg.get(2),
                 id_qualifier=seg.get(8), id=seg.get(9))


def write_party(w: SegmentWriter, qualifier: str, p: Party) -> None:
    w.seg("NM1", qualifier, p.entity_type or "2", p.name, p.first_name or None, None, None, None,
          p.id_qualifier or None, p.id or None)


class PersonBuilder:
    """Collects NM1/N3/N4/DMG of a subscriber or dependent."""

    def __init__(self) -> None:
        self.last_name = ""
        self.first_name = ""
        self.member_id = ""
        self.birth_date: date | None = None
        self.sex = ""
        self.address: Address | None = None
        self._n3: Segment | None = None

    def feed(self, seg: Segment, c: IssueCollector) -> bool:
        """Take the segment if it describes the person; True when consumed."""
        if seg.id == "NM1":
            self.last_name, self.first_name, self.member_id = seg.get(3), seg.get(4), seg.get(9)
        elif seg.id == "N3":
            self._n3 = seg
        elif seg.id == "N4":
            n3 = self._n3
            self.address = Address(n3.get(1) if n3 else "", seg.get(1), seg.get(2), seg.get(3),
                                   n3.get(2) if n3 else "")
        elif seg.id == "DMG":
            self.birth_date = c.date8(seg, 2, "birth date", required=False)
            self.sex = seg.get(3)
        else:
            return False
        return True

    def build(self) -> Person:
        return Person(last_name=self.last_name, first_name=self.first_name, member_id=self.member_id,
                      birth_date=self.birth_date, sex=self.sex, address=self.address)


def write_person(w: SegmentWriter, qualifier: str, p: Person, with_id: bool = True) -> None:
    w.seg("NM1", qualifier, "1", p.last_name, p.first_name or None, None, None, None,
          "MI" if p.member_id and with_id else None, p.member_id if with_id else None)
    if p.address is not None:
        w.seg("N3", p.address.line1, p.address.line2 or None)
        w.seg("N4", p.address.city, p.address.state, p.address.postal_code)
    if p.birth_date or p.sex:
        w.seg("DMG", "D8" if p.birth_date else None,
              format_date8(p.birth_date) if p.birth_date else None, p.sex or None)
