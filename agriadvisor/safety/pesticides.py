"""What may be said about a pesticide in a given country, from pesticides.yaml.

A :class:`Restriction` is one reason not to give a dose or use: a ban in the user's country,
a restriction to licensed operators, WHO hazard class Ia/Ib, the Stockholm Convention, or,
when the country is unknown, a ban in any of the five countries. Only entries marked
``confirmed: true`` count.

Example:
    >>> policy = PesticidePolicy(load_policies("guardrails").pesticides)  # doctest: +SKIP
    >>> [r.kind for r in policy.restrictions("phorate", "India")]          # doctest: +SKIP
    ['banned', 'who']
"""

from __future__ import annotations

from dataclasses import dataclass

from agriadvisor.safety.policies import Active, PesticidesFile
from agriadvisor.vocab import COUNTRIES


@dataclass(frozen=True)
class Restriction:
    """One reason the rails refuse a dose or use; ``kind`` picks the status template."""

    kind: str  # banned | restricted | operator_only | who | stockholm | banned_elsewhere
    country: str = ""
    instrument: str = ""
    year: int | None = None
    who_class: str = ""
    countries: tuple[str, ...] = ()


class PesticidePolicy:
    """Looks up the legal status and hazard of each active for a country."""

    def __init__(self, file: PesticidesFile) -> None:
        self.file = file
        self.actives: dict[str, Active] = {a.id: a for a in file.actives}

    def display_name(self, active_id: str) -> str:
        return active_id.replace("_", " ")

    def is_bait(self, active_id: str) -> bool:
        return self.actives[active_id].rodenticide_bait

    def restrictions(self, active_id: str, country: str | None) -> list[Restriction]:
        """Reasons to refuse a dose or use of ``active_id`` in ``country`` (``None``: unknown)."""
        act = self.actives[active_id]
        out = self._country_status(act, country) if country in COUNTRIES else self._anywhere_status(act)
        if act.who_class and not act.rodenticide_bait:
            out.append(Restriction("who", who_class=act.who_class))
        if act.stockholm_annex_a:
            out.append(Restriction("stockholm"))
        return out

    def _country_status(self, act: Active, country: str | None) -> list[Restriction]:
        out: list[Restriction] = []
        for ban in act.bans:
            if not ban.confirmed or ban.country != country:
                continue
            if ban.status == "banned":
                out.append(Restriction("banned", country, ban.instrument, ban.year))
            elif act.refuse_use:
                out.append(Restriction("restricted", country, ban.instrument, ban.year))
        if not any(r.kind == "banned" for r in out):
            out.extend(Restriction("banned", country, cb.instrument, cb.year)
                       for cb in self._class_bans(act) if cb.country == country)
        if act.refuse_use and not out:
            out.append(Restriction("operator_only"))
        return out

    def _anywhere_status(self, act: Active) -> list[Restriction]:
        banned = {b.country for b in act.bans if b.confirmed and b.status == "banned"}
        banned |= {cb.country for cb in self._class_bans(act)}
        out: list[Restriction] = []
        if banned:
            out.append(Restriction("banned_elsewhere", countries=tuple(c for c in COUNTRIES if c in banned)))
        if act.refuse_use:
            out.extend(Restriction("restricted", b.country, b.instrument, b.year)
                       for b in act.bans if b.confirmed and b.status == "restricted")
            if not any(r.kind == "restricted" for r in out):
                out.append(Restriction("operator_only"))
        return out

    def _class_bans(self, act: Active) -> list:
        # Ready-made rat baits are classified by formulation, far below their technical class.
        if act.rodenticide_bait or not act.who_class:
            return []
        return [cb for cb in self.file.class_bans if cb.confirmed and act.who_class in cb.classes]


__all__ = ["PesticidePolicy", "Restriction"]
