from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from ouroboros.data import snap_prices
from ouroboros.domain import Instrument, PriceRounding

VENUES = ["A.KRX", "A.NASDAQ", "A.TSE", "A.HKEX", "A.SSE", "A.HOSE", "A.HNX"]


@pytest.mark.parametrize("iid", VENUES)
@pytest.mark.parametrize("mode", list(PriceRounding))
def test_vectorised_snap_matches_the_domain(iid: str, mode: PriceRounding) -> None:
    ins = Instrument.for_venue(iid)
    rng = np.random.default_rng(7)
    prices = np.exp(rng.uniform(np.log(0.3), np.log(600_000), 2_000))
    snapped = snap_prices(prices, ins.tick_table, mode)
    for raw, got in zip(prices, snapped, strict=True):
        exact = Decimal(repr(float(got)))
        assert ins.is_valid_price(exact), (raw, got)
        assert exact == ins.round_price(Decimal(repr(float(raw))), mode).value


def test_nan_stays_nan() -> None:
    table = Instrument.for_venue("A.KRX").tick_table
    out = snap_prices(np.array([np.nan, 1234.4]), table)
    assert np.isnan(out[0])
    assert out[1] == 1234.0
