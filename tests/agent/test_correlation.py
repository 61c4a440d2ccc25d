"""The correlated-positions limit: the pre-open correlation map (numpy) and the risk check."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ouroboros.agent.correlation import (
    correlated_pairs,
    correlation_map,
    correlation_map_for,
    daily_returns,
)
from ouroboros.domain import Instrument, InstrumentId, OrderSide
from ouroboros.errors import ConfigError
from ouroboros.risk import DEFAULT_LIMITS, RiskCode, RiskLimits, RiskManager, RiskSettings
from ouroboros.risk.correlation import CorrelationMap, largest_clique
from tests.risk.kit import NOW, account, intent, market, position

DAY = dt.date(2026, 11, 20)
POOL = tuple(Instrument.for_venue(f"{100000 + i}.KRX", sector=f"S{i}") for i in range(8))
PRICE = 10_000


def _ids(n: int) -> list[InstrumentId]:
    return [p.id for p in POOL[:n]]


# -- the numerical core --------------------------------------------------------------------


def test_correlations_match_pandas_on_random_returns() -> None:
    rng = np.random.default_rng(7)
    factor = rng.normal(0, 0.01, (80, 1))
    returns = np.hstack([factor + rng.normal(0, s, (80, 1)) for s in (0.001, 0.004, 0.02, 0.05)])
    above, covered = correlated_pairs(returns, lookback=60, threshold=0.7)
    expected = pd.DataFrame(returns[-60:]).corr().to_numpy() > 0.7
    np.fill_diagonal(expected, False)
    assert covered.all()
    assert (above == expected).all()
    assert above[0, 1]
    assert not above[0, 3]


def test_only_the_last_lookback_sessions_count() -> None:
    rng = np.random.default_rng(3)
    old = rng.normal(0, 0.01, (240, 1))
    together = np.hstack([old, old])  # identical for 240 sessions
    apart = rng.normal(0, 0.01, (60, 2))  # then independent for the last 60
    above, _ = correlated_pairs(np.vstack([together, apart]), lookback=60, threshold=0.7)
    assert not above[0, 1]
    above, _ = correlated_pairs(np.vstack([together, apart]), lookback=300, threshold=0.7)
    assert above[0, 1]


def test_short_history_nan_and_constant_prices_are_uncovered() -> None:
    rng = np.random.default_rng(5)
    returns = rng.normal(0, 0.01, (60, 3))
    returns[10, 1] = np.nan  # a missing close inside the window
    returns[:, 2] = 0.0  # a suspended stock: no variance
    _, covered = correlated_pairs(returns, lookback=60, threshold=0.7)
    assert covered.tolist() == [True, False, False]
    _, covered = correlated_pairs(returns[:30], lookback=60, threshold=0.7)
    assert not covered.any()


def test_negative_correlation_does_not_move_together() -> None:
    rng = np.random.default_rng(11)
    x = rng.normal(0, 0.01, (60, 1))
    above, _ = correlated_pairs(np.hstack([x, -x]), lookback=60, threshold=0.7)
    assert not above.any()


def test_daily_returns_and_the_map_from_closes() -> None:
    closes = np.array([[100.0, 50.0], [110.0, 55.0], [99.0, 49.5], [108.9, 54.45]])
    returns = daily_returns(closes)
    assert returns == pytest.approx(np.array([[0.1, 0.1], [-0.1, -0.1], [0.1, 0.1]]))
    limits = replace(DEFAULT_LIMITS, correlation_lookback=3)
    cmap = correlation_map_for(_ids(2), closes, limits, DAY)
    assert cmap.correlated(POOL[0].id, POOL[1].id)
    assert cmap.lookback == 3
    assert cmap.threshold == Decimal("0.7")
    assert cmap.as_of == DAY


def test_bad_inputs_are_named() -> None:
    with pytest.raises(ValueError, match="positive prices"):
        daily_returns(np.array([[1.0, -2.0], [1.0, 2.0]]))
    with pytest.raises(ValueError, match="shape"):
        correlation_map(
            _ids(3), np.zeros((60, 2)), as_of=DAY, lookback=60, threshold=Decimal("0.7")
        )
    with pytest.raises(ValueError, match="invalid lookback, was 1"):
        correlated_pairs(np.zeros((5, 2)), lookback=1, threshold=0.7)


def test_uncovered_instruments_count_as_correlated() -> None:
    a, b, c = _ids(3)
    cmap = CorrelationMap.of(DAY, 60, Decimal("0.7"), {a, b}, [])
    assert not cmap.correlated(a, b)
    assert cmap.correlated(a, c)
    assert cmap.correlated(c, b)
    assert not cmap.correlated(c, c)


# -- the risk check ------------------------------------------------------------------------


def _brute_max_clique(members: list[InstrumentId], cmap: CorrelationMap) -> int:
    for size in range(len(members), 0, -1):
        for combo in itertools.combinations(members, size):
            if all(cmap.correlated(x, y) for x, y in itertools.combinations(combo, 2)):
                return size
    return 0


def _limits(n: int | None) -> RiskLimits:
    return replace(
        DEFAULT_LIMITS,
        max_correlated_positions=n,
        max_open_positions=None,
        max_sector_pct=None,
        max_position_pct=Decimal(100),
        ta_max_position_pct=None,
        max_total_exposure_pct=Decimal(100),
        max_order_pct_of_cash=Decimal(100),
    )


def _buy(manager: RiskManager, i: int, held: set[int], cmap: CorrelationMap | None):
    positions = [position(POOL[k], 10, price=PRICE) for k in sorted(held)]
    acct = replace(
        account(
            equity=10_000_000_000, cash={POOL[0].currency: 10_000_000_000}, positions=positions
        ),
        correlations=cmap,
    )
    order = intent(POOL[i], OrderSide.BUY, quantity=1, stop_loss=PRICE - 100)
    return manager.evaluate(order, acct, market(POOL[i], PRICE), NOW)


def test_a_fourth_mutually_correlated_position_is_denied() -> None:
    ids = _ids(5)
    pairs = [(x, y) for x, y in itertools.combinations(ids[:4], 2)]  # 0..3 all move together
    cmap = CorrelationMap.of(DAY, 60, Decimal("0.7"), ids, pairs)
    manager = RiskManager(_limits(3))
    denied = _buy(manager, 3, {0, 1, 2}, cmap)
    assert not denied.approved
    result = denied.check(RiskCode.CORRELATED_POSITIONS)
    assert result is not None
    assert result.blocks
    assert "4 correlated positions would exceed the limit 3" in result.message
    assert _buy(manager, 4, {0, 1, 2}, cmap).approved  # uncorrelated with the cluster
    assert _buy(manager, 2, {0, 1, 2}, cmap).approved  # adding to an open position


def test_the_cluster_must_be_mutual() -> None:
    ids = _ids(4)
    star = [(ids[3], ids[k]) for k in range(3)]  # 3 moves with each of 0, 1, 2; they do not
    cmap = CorrelationMap.of(DAY, 60, Decimal("0.7"), ids, star)
    assert _buy(RiskManager(_limits(3)), 3, {0, 1, 2}, cmap).approved
    assert not _buy(RiskManager(_limits(1)), 3, {0, 1, 2}, cmap).approved


def test_without_a_map_the_check_skips_and_a_mismatched_map_denies() -> None:
    manager = RiskManager(_limits(3))
    skipped = _buy(manager, 0, set(), None)
    result = skipped.check(RiskCode.CORRELATED_POSITIONS)
    assert skipped.approved
    assert result is not None
    assert "no correlation map" in result.message
    other = CorrelationMap.of(DAY, 20, Decimal("0.7"), _ids(2), [])
    mismatched = _buy(manager, 0, {1}, other)
    assert not mismatched.approved
    assert RiskCode.CORRELATED_POSITIONS in mismatched.codes


def test_an_exit_is_exempt() -> None:
    ids = _ids(4)
    cmap = CorrelationMap.of(DAY, 60, Decimal("0.7"), ids, itertools.combinations(ids, 2))
    positions = [position(POOL[k], 10, price=PRICE) for k in range(4)]
    acct = replace(account(positions=positions), correlations=cmap)
    sell = intent(POOL[3], OrderSide.SELL, quantity=10)
    decision = RiskManager(_limits(3)).evaluate(sell, acct, market(POOL[3], PRICE), NOW)
    assert decision.approved


def test_settings_name_the_keys() -> None:
    limits = RiskSettings.from_mapping(
        {"MAX_CORRELATED_POSITIONS": "2", "CORRELATION_THRESHOLD": "0.8"}
    ).to_limits()
    assert limits.max_correlated_positions == 2
    assert limits.correlation_threshold == Decimal("0.8")
    assert limits.correlation_lookback == 60
    off = RiskSettings.from_mapping({"MAX_CORRELATED_POSITIONS": "off"}).to_limits()
    assert off.max_correlated_positions is None
    with pytest.raises(ConfigError, match="CORRELATION_THRESHOLD"):
        RiskSettings.from_mapping({"CORRELATION_THRESHOLD": "1.5"})
    with pytest.raises(ConfigError, match="MAX_CORRELATED_POSITIONS"):
        RiskSettings.from_mapping({"MAX_CORRELATED_POSITIONS": "0"})


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(3, 7),
    limit=st.integers(1, 4),
    edges=st.lists(st.booleans(), min_size=21, max_size=21),
    uncovered=st.sets(st.integers(0, 6), max_size=2),
    steps=st.lists(st.tuples(st.booleans(), st.integers(0, 6)), max_size=14),
)
def test_no_approved_entry_leaves_more_than_n_mutually_correlated_positions(
    n: int,
    limit: int,
    edges: list[bool],
    uncovered: set[int],
    steps: list[tuple[bool, int]],
) -> None:
    ids = _ids(n)
    pairs = [p for p, on in zip(itertools.combinations(ids, 2), edges, strict=False) if on]
    covered = [x for k, x in enumerate(ids) if k not in uncovered]
    cmap = CorrelationMap.of(
        DAY, 60, Decimal("0.7"), covered, [p for p in pairs if set(p) <= set(covered)]
    )
    manager = RiskManager(_limits(limit))
    held: set[int] = set()
    for buy, raw in steps:
        i = raw % n
        if not buy:
            held.discard(i)  # an exit closes the position
            continue
        decision = _buy(manager, i, held, cmap)
        after = [ids[k] for k in held | {i}]
        if decision.approved:
            held.add(i)
            assert _brute_max_clique([ids[k] for k in held], cmap) <= limit
        elif RiskCode.CORRELATED_POSITIONS in decision.codes:
            assert _brute_max_clique(after, cmap) > limit  # never denied without cause
        assert len(largest_clique(after, cmap)) == _brute_max_clique(after, cmap)
