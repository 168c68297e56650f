"""Channel segmentation and migration: how the mix of channels changes over time. No I/O.

Everything here is read off figures the pages already show, so the analysis
cannot disagree with them: shares over time come from the transactions by
channel and period; which channels gained or lost share compares the channel
split of the latest 12 months with the 12 before (the same windows as the
"How people use this service" table). An organisation's figures are the sums
of its services' figures, as its totals are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from generator import model as m
from generator.formatting import format_value, opening
from generator.periods import Period


@dataclass
class ShareChange:
    channel: m.ChannelInfo
    previous_share: float
    share: float

    @property
    def change(self) -> float:
        """Percentage points, from the shares as shown (to one place), so the table adds up."""
        return round(self.share, 1) - round(self.previous_share, 1)


@dataclass
class Migration:
    """Which channels gained or lost share between two 12-month windows."""

    label: str  # the latest 12 months
    previous_label: str  # the 12 months before
    changes: list[ShareChange]  # largest gain first
    sentence: str
    left_out: str = ""  # an organisation's services that have no earlier year, so are not in it


def _sentence(changes: list[ShareChange], label: str, previous_label: str) -> str:
    gains = [c for c in changes if c.change > 0]
    losses = [c for c in changes if c.change < 0]
    if not gains and not losses:
        return f"No channel's share changed by 0.1 percentage points or more between {previous_label} " \
               f"and {label}."
    parts = []
    if gains:
        top = gains[0]
        parts.append(f"{top.channel.label} gained the most share, up {top.change:.1f} percentage points "
                     f"to {format_value(top.share, m.PERCENT)}")
    if losses:
        low = losses[-1]
        parts.append(f"{low.channel.label} lost the most, down {-low.change:.1f} points "
                     f"to {format_value(low.share, m.PERCENT)}")
    digital = [c for c in changes if c.channel.digital]
    text = f"{opening(label)}, against {previous_label}, " + "; ".join(parts) + "."
    if digital and len(digital) < len(changes):
        shift = sum(c.change for c in digital)
        if round(shift, 1) != 0:
            word = "towards" if shift > 0 else "away from"
            text += f" Overall the mix moved {abs(shift):.1f} points {word} digital channels."
    return text


def _migration(shares: list[tuple[m.ChannelInfo, float | None, float | None]], label, previous_label):
    changes = [ShareChange(ch, before, now) for ch, before, now in shares if before is not None and now is not None]
    if not changes or not label or not previous_label:
        return None
    changes.sort(key=lambda c: (-c.change, c.channel.label))
    return Migration(label, previous_label, changes, _sentence(changes, label, previous_label))


def service_migration(service: m.ServiceView) -> Migration | None:
    """From the service's channel split: its shares in the latest 12 months and the 12 before."""
    shares = [(s.channel, s.previous_share, s.share) for s in service.channel_split]
    return _migration(shares, service.split_period_label, service.split_previous_label)


def organisation_migration(services: list[m.ServiceView]) -> Migration | None:
    """Shares of the services' transactions added up, over services with a whole previous year.

    Each service's windows are its own latest 12 months and the 12 before, as on its page.
    """
    now: dict[str, float] = {}
    before: dict[str, float] = {}
    info: dict[str, m.ChannelInfo] = {}
    used = [s for s in services if any(c.previous_transactions is not None for c in s.channel_split)]
    for service in used:
        for c in service.channel_split:
            info[c.channel.id] = c.channel
            now[c.channel.id] = now.get(c.channel.id, 0.0) + (c.transactions or 0.0)
            before[c.channel.id] = before.get(c.channel.id, 0.0) + (c.previous_transactions or 0.0)
    total_now, total_before = sum(now.values()), sum(before.values())
    if not used or total_now <= 0 or total_before <= 0:
        return None
    shares = [(info[k], before[k] / total_before * 100, now[k] / total_now * 100) for k in info]
    labels = {s.split_period_label for s in used}
    previous = {s.split_previous_label for s in used}
    found = _migration(shares, labels.pop() if len(labels) == 1 else "each service's latest 12 months",
                       previous.pop() if len(previous) == 1 else "each service's earlier year")
    if found is not None:
        found.left_out = _left_out(services, used)
    return found


def _left_out(services: list[m.ServiceView], used: list[m.ServiceView]) -> str:
    """Which services with a channel split the shift leaves out, so its shares are not taken for
    the totals' take-up, which counts every service."""
    taken = {s.slug for s in used}
    out = [s for s in services if s.slug not in taken and any(c.transactions for c in s.channel_split)]
    if not out:
        return ""
    whose = (f"{', '.join(s.name for s in out[:-1])} and {out[-1].name} have" if 1 < len(out) <= 3
             else f"{out[0].name} has" if len(out) == 1 else f"{len(out)} of its services have")
    return (f"This covers {len(used)} of the {len(used) + len(out)} services with channel figures: {whose} no "
            f"complete earlier 12 months to compare with, so the shares here differ from the totals above, which "
            f"count them too.")


def channel_rows(rows: list[m.PeriodRow]) -> list[tuple]:
    """One service's (start, end, kind, volumes by channel) for the periods in which every channel
    it uses has a count; dates as ordinals.

    Worked out with the service's figures and kept with them, so summing a reused service
    needs none of its period rows; plain tuples, because hundreds of services' records are
    read back in a build that changes one.
    """
    return [(row.period.start.toordinal(), row.period.end.toordinal(), row.period.kind, tuple(row.by_channel))
            for row in rows
            if row.complete and row.transactions is not None and any(v is not None for v in row.by_channel)]


def channel_periods(services: list[m.ServiceView], channels: list[m.ChannelInfo]):
    """(period, volumes by channel) for periods in which every channel a service uses has a count.

    For several services, volumes are added up over periods that every one of them reports
    (by the period's dates), so a month is never a mix of some services and not others.
    """
    per_service = []
    for service in services:
        rows = {(start, end): (kind, volumes) for start, end, kind, volumes in service.channel_rows}
        if rows:
            per_service.append(rows)
    if not per_service:
        return []
    common = set(per_service[0]).intersection(*per_service[1:])
    out = []
    for key in sorted(common):
        volumes = [0.0] * len(channels)
        for rows in per_service:
            for i, value in enumerate(rows[key][1]):
                volumes[i] += value or 0.0
        out.append((_period(*key, per_service[0][key][0]), volumes))
    return out


@lru_cache(maxsize=4096)
def _period(start: int, end: int, kind: str) -> Period:
    """One Period object per span in a process, so its chart fields (label, ISO dates) are worked
    out once, not for every service and organisation charted over it."""
    return Period(date.fromordinal(start), date.fromordinal(end), kind)
