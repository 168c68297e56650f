"""Channel-shift savings: what a service's yearly cost would be if more of its users went online. No I/O.

The method, stated on every page that shows a figure:

* Volumes are the service's transactions by channel over its latest 12 months
  (the "How people use this service" table); take-up is digital over all.
* Unit costs are per channel: the service's own ``unit_costs`` where its YAML
  gives them, otherwise the site-wide ``unit_cost`` from config.yaml. Both are
  estimates of typical costs, so every saving is an estimate.
* Who shifts: the number of transactions stays the same. Raising take-up from
  A% to B% moves (B - A)% of all transactions from the non-digital channels,
  in proportion to their current volumes, to the digital ones, in proportion
  to theirs. The yearly cost is the sum of volume x unit cost; the saving is
  today's cost less the scenario's.

So for a service with one digital and one other channel, the saving is
simply (B - A)% x transactions x (other unit cost - digital unit cost).
"""

from __future__ import annotations

from dataclasses import dataclass

from generator import model as m

POINTS = 10.0  # the first scenario: take-up this many percentage points higher


@dataclass
class Scenario:
    key: str  # "points", "best", "target"
    name: str  # "10 points higher", "Best comparable service", "Target"
    take_up: float  # the scenario's take-up, per cent
    cost: float  # yearly cost at that take-up
    saving: float  # today's yearly cost less the scenario's
    note: str = ""  # e.g. which service is the best comparable one


@dataclass
class ChannelCost:
    channel: m.ChannelInfo
    transactions: float
    unit_cost: float
    source: str  # "service" (its own YAML) or "site" (config.yaml)


@dataclass
class Savings:
    period_label: str  # the 12 months the volumes are for
    channels: list[ChannelCost]
    transactions: float
    take_up: float  # per cent
    cost: float  # today's yearly cost from unit costs
    scenarios: list[Scenario]

    def scenario(self, key: str) -> Scenario | None:
        return next((s for s in self.scenarios if s.key == key), None)

    @property
    def own_costs(self) -> bool:
        return any(c.source == "service" for c in self.channels)


def shifted_cost(channels: list[ChannelCost], take_up: float) -> float:
    """Yearly cost with ``take_up`` per cent of the same transactions made digitally (see module docstring).

    ``channels`` must include a digital channel with transactions.
    """
    total = sum(c.transactions for c in channels)
    digital = sum(c.transactions for c in channels if c.channel.digital)
    other = total - digital
    want = total * take_up / 100
    cost = 0.0
    for c in channels:
        if c.channel.digital:
            volume = c.transactions / digital * want
        else:
            volume = c.transactions / other * (total - want) if other else 0.0
        cost += volume * c.unit_cost
    return cost


def take_up_of(service: m.ServiceView) -> float | None:
    """Digital share of the latest 12 months' transactions, from the channel split."""
    total = sum(s.transactions or 0 for s in service.channel_split)
    digital = sum(s.transactions or 0 for s in service.channel_split if s.channel.digital)
    return digital / total * 100 if total > 0 else None


def comparable_take_up(service, ended: bool) -> float | None:
    """A service's take-up as others' savings compare them with it (a ServiceView, or its
    figures.ServiceFigures): none if it does not collect its take-up (not_requested), as its page
    says, though its channels give one; nor if it has ended (its figures stop a year or more before
    the site's latest), whose take-up is of a year long past."""
    return None if ended or m.DIGITAL_TAKE_UP in service.not_requested else take_up_of(service)


def best_comparable(slug: str, comparable: list[tuple[str, str, float | None]]) -> tuple[float, str] | None:
    """The highest take-up among the other services ``comparable`` (slug, name, take-up), as
    (take-up, name): what a service's "best comparable service" scenario is measured against.
    A build checks a reused service's page against it too (build.prepare): it comes from other
    services' figures."""
    return max(((take_up, name) for other, name, take_up in comparable if other != slug and take_up is not None),
               default=None)


def service_savings(service: m.ServiceView, site_costs: dict[str, float | None],
                    comparable: list[m.ServiceView] = ()) -> Savings | None:
    """The service's savings, or None if a channel it uses has no unit cost or it has no channel split.

    ``comparable`` are the services it is compared with (the same category): the best of
    their take-ups, if higher than its own, is a scenario.
    """
    channels = []
    for share in service.channel_split:
        if not share.transactions:
            continue
        own = service.unit_costs.get(share.channel.id)
        cost = own if own is not None else site_costs.get(share.channel.id)
        if cost is None:
            return None
        channels.append(ChannelCost(share.channel, share.transactions, float(cost),
                                    "service" if own is not None else "site"))
    if not channels or not any(c.channel.digital for c in channels):
        return None  # no digital channel with transactions to shift to
    total = sum(c.transactions for c in channels)
    take_up = sum(c.transactions for c in channels if c.channel.digital) / total * 100
    cost = sum(c.transactions * c.unit_cost for c in channels)
    wanted = [("points", f"{POINTS:g} points higher", min(100.0, take_up + POINTS), "")]
    best = best_comparable(service.slug, [(s.slug, s.name, comparable_take_up(s, bool(s.ended))) for s in comparable])
    if best is not None and best[0] > take_up:
        wanted.append(("best", "Best comparable service", *best))
    target = service.kpis[m.DIGITAL_TAKE_UP].target
    if target is not None and target > take_up:
        wanted.append(("target", "Target", float(target), ""))
    scenarios = []
    for key, name, level, note in wanted:
        if level <= take_up:
            continue
        after = shifted_cost(channels, level)
        scenarios.append(Scenario(key, name, level, after, cost - after, note))
    return Savings(service.split_period_label or "", channels, total, take_up, cost, scenarios)


def no_savings_reason(services: list[m.ServiceView], channels: list[m.ChannelInfo],
                      whole_years: frozenset = frozenset()) -> str:
    """Why no service has savings, for the savings page to say instead of its table. A site whose
    every service marks its cost not requested, with no unit cost for any channel, had said only
    that no service has 'a unit cost for each of its channels', above a table of every channel's
    unit cost as 'no data' (a tester's GP appointments)."""
    current = [s for s in services if s.has_data and not s.ended]
    if current and all(m.COST_PER_TRANSACTION in s.not_requested for s in current):
        return "None of these services collects its cost per transaction, so there are no costs to estimate " \
               "savings from."
    if current and all(m.DIGITAL_TAKE_UP in s.not_requested for s in current):
        return "None of these services collects its digital take-up, so no savings from raising it can be estimated."
    if all(c.unit_cost is None for c in channels) and not any(s.unit_costs for s in services):
        return "No typical cost of a transaction is given for any channel, so no savings can be estimated."
    split = [s for s in current if s.channels_used]  # (a service of satisfaction alone has no split to shift)
    if split and not any(s.slug in whole_years for s in split):  # ``whole_years``: slugs with 12 whole months
        return "None of these services has figures for a whole 12 months yet, which a yearly saving is worked " \
               "out from."
    return "No service has both a channel split and a unit cost for each of its channels, so no savings can be " \
           "estimated."
