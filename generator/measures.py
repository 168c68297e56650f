"""The tidy data model's columns: what each measure is and which KPI it feeds.

Kept apart from the reader so the source schema (config), the reader (data)
and the KPI code (metrics) share one list and cannot disagree about it.
"""

from __future__ import annotations

from generator import model as m

RATINGS = tuple(f"satisfaction_{i}" for i in range(1, 6))

# Measures a row may carry, in the order downloads list them.
MEASURES = (
    "transactions", "digital_transactions", "cost", "cost_per_transaction", "started", "completed",
    "completion_rate", "digital_take_up", *RATINGS, "satisfaction",
)
COUNTS = ("transactions", "digital_transactions", "started", "completed", *RATINGS)
PERCENTAGES = ("completion_rate", "digital_take_up", "satisfaction")
MONEY = ("cost", "cost_per_transaction")

# Fields a source maps from its columns: the row's identity, then its measures.
KEYS = ("service", "period", "channel")
FIELDS = (*KEYS, *MEASURES)

MEASURE_DOCS = {
    "transactions": "number of transactions (per channel, or for all channels together)",
    "digital_transactions": "number of those transactions made digitally (for rows with no channel)",
    "cost": "total cost in pounds",
    "cost_per_transaction": "published cost per transaction in pounds",
    "started": "number of transactions started",
    "completed": "number of transactions completed",
    "completion_rate": "published completion rate, per cent",
    "digital_take_up": "published digital take-up, per cent",
    "satisfaction": "published user satisfaction, per cent",
    **{r: f"number of ratings of {r[-1]} on a 1 to 5 scale" for r in RATINGS},
}

# Which KPI a measure feeds: a "not requested" marker in its cell marks that KPI.
KPI_OF_MEASURE = {
    "transactions": m.TRANSACTIONS_PER_YEAR,
    "digital_transactions": m.DIGITAL_TAKE_UP,
    "digital_take_up": m.DIGITAL_TAKE_UP,
    "cost": m.COST_PER_TRANSACTION,
    "cost_per_transaction": m.COST_PER_TRANSACTION,
    "started": m.COMPLETION_RATE,
    "completed": m.COMPLETION_RATE,
    "completion_rate": m.COMPLETION_RATE,
    "satisfaction": m.USER_SATISFACTION,
    **{r: m.USER_SATISFACTION for r in RATINGS},
}

# Cell text meaning "no data" (compared lower-cased, after trimming spaces).
# Official statistics' shorthand too: [c] confidential, [x] not available, [z] not applicable,
# [w] no data, [low] rounds to zero, * suppressed.
MISSING = frozenset({"", "-", "–", "—", "na", "n/a", "n.a.", "nd", "null", "none", "..", ".", "x", ":",
                     "[c]", "[x]", "[z]", "[w]", "[low]", "*"})
# Channel text meaning "all channels together" (a row with no channel split).
ALL_CHANNELS = frozenset({"", "all", "total", "all channels", "any", "all channels combined"})
