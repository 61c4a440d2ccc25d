"""Correlated positions: at most N open positions whose daily returns move together (seed 001: 3).

"Move together" is the session's :class:`~ouroboros.risk.correlation.CorrelationMap`: daily
returns over the lookback correlated above the threshold. A new position is denied when it
would complete a set of more than N mutually correlated open positions (itself plus N already
open that are all correlated with it and with each other). Adding to an open position never
counts. Without a map the check reports SKIP, naming the gap; a map computed with other
parameters than the limits denies.
"""

from __future__ import annotations

from decimal import Decimal

from ouroboros.risk.codes import CheckResult, RiskCode, denied, passed, skipped
from ouroboros.risk.context import CheckContext
from ouroboros.risk.correlation import largest_clique


def check_correlated_positions(ctx: CheckContext, quantity: Decimal) -> CheckResult:
    code = RiskCode.CORRELATED_POSITIONS
    limits = ctx.limits
    limit = limits.max_correlated_positions
    if limit is None:
        return skipped(code, "correlated-positions limit disabled")
    if not ctx.is_new_position:
        return passed(code, "adds to an open position")
    cmap = ctx.correlations
    if cmap is None:
        return skipped(code, "no correlation map supplied for this session")
    if (
        cmap.lookback != limits.correlation_lookback
        or cmap.threshold != limits.correlation_threshold
    ):
        return denied(
            code,
            f"correlation map computed over {cmap.lookback} sessions above {cmap.threshold}, "
            f"limits need {limits.correlation_lookback} above {limits.correlation_threshold}",
        )
    new = ctx.intent.instrument.id
    peers = [
        h.instrument_id for h in ctx.holdings if h.is_open and cmap.correlated(new, h.instrument_id)
    ]
    cluster = largest_clique(peers, cmap)
    size = len(cluster) + 1
    if quantity > 0 and size > limit:
        names = ", ".join(str(i) for i in cluster)
        return denied(
            code,
            f"{new} moves with {len(cluster)} open positions that move together ({names}): "
            f"{size} correlated positions would exceed the limit {limit}",
        )
    return passed(code, f"largest correlated set after the order {size}, limit {limit}")
