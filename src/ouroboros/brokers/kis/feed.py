"""KIS market data over REST: last prices, the domestic order book, daily bars and the rankings
a scanner needs (volume and fluctuation, domestic and overseas).

Daily bars page *backwards*: a domestic chart call returns at most 100 rows ending at
``FID_INPUT_DATE_2`` (OTA's backtester moves that date and stops under 100 rows); overseas
``dailyprice`` returns rows ending at ``BYMD``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from ouroboros.brokers.kis import exchanges as kx
from ouroboros.brokers.kis._time import Now, system_now, to_kst
from ouroboros.brokers.kis.client import KisClient
from ouroboros.brokers.kis.parsers import (
    dec,
    minute_bar,
    parse_domestic_bars,
    parse_overseas_bars,
    tick_valid,
)
from ouroboros.brokers.kis.wire import (
    DomesticDailyRow,
    DomesticMinuteRow,
    DomesticOrderbook,
    DomesticPrice,
    OverseasDailyRow,
    OverseasMinuteRow,
    OverseasPrice,
    OverseasRankRow,
    RankRow,
)
from ouroboros.domain.ids import InstrumentId, Venue
from ouroboros.domain.market_data import Bar
from ouroboros.domain.money import Price
from ouroboros.errors import DataError

DQ = "/uapi/domestic-stock/v1/quotations"
OQ = "/uapi/overseas-price/v1/quotations"
OR = "/uapi/overseas-stock/v1/ranking"


@dataclass(frozen=True, slots=True)
class LastPrice:
    instrument_id: InstrumentId
    price: Price
    previous_close: Decimal
    change_pct: Decimal
    volume: Decimal
    ts: datetime
    tick: Decimal | None = None


@dataclass(frozen=True, slots=True)
class BookLevel:
    price: Price
    size: Decimal


@dataclass(frozen=True, slots=True)
class OrderBook:
    instrument_id: InstrumentId
    ts: datetime
    bids: tuple[BookLevel, ...]
    asks: tuple[BookLevel, ...]


@dataclass(frozen=True, slots=True)
class RankedSymbol:
    instrument_id: InstrumentId
    rank: int
    price: Decimal
    change_pct: Decimal
    volume: Decimal
    name: str = ""


class KisMarketData:
    """Read-only market data through a :class:`KisClient` (quote tr_ids are env-independent)."""

    def __init__(self, client: KisClient, now: Now = system_now) -> None:
        self.client = client
        self._now = now

    async def price(self, instrument: InstrumentId) -> LastPrice:
        market = kx.MARKETS[instrument.venue]
        if market.domestic:
            params = {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": instrument.symbol}
            resp = await self.client.get(f"{DQ}/inquire-price", kx.DOMESTIC_PRICE, params)
            d = DomesticPrice.model_validate(resp.one())
            return LastPrice(
                instrument,
                tick_valid(instrument, dec(d.stck_prpr)),
                dec(d.stck_sdpr),
                dec(d.prdy_ctrt),
                dec(d.acml_vol),
                self._now(),
                dec(d.aspr_unit) if d.aspr_unit else None,
            )
        params = {"AUTH": "", "EXCD": market.excd, "SYMB": instrument.symbol}
        resp = await self.client.get(f"{OQ}/price", kx.OVERSEAS_PRICE, params)
        o = OverseasPrice.model_validate(resp.one())
        if not o.last.strip():
            raise DataError(f"{instrument}: KIS returned no last price (symbol or market closed?)")
        return LastPrice(
            instrument,
            tick_valid(instrument, dec(o.last)),
            dec(o.base),
            dec(o.rate),
            dec(o.tvol),
            self._now(),
        )

    async def orderbook(self, instrument: InstrumentId) -> OrderBook:
        """10-level book (domestic only: the overseas book is a real-only, paid API)."""
        if instrument.venue is not Venue.KRX:
            raise DataError(f"{instrument}: the KIS order book is only wired for KRX")
        params = {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": instrument.symbol}
        resp = await self.client.get(
            f"{DQ}/inquire-asking-price-exp-ccn", kx.DOMESTIC_ORDERBOOK, params
        )
        raw: dict[str, Any] = resp.one("output1")
        DomesticOrderbook.model_validate(raw)
        bids, asks = [], []
        for i in range(1, 11):
            bid, ask = dec(raw.get(f"bidp{i}")), dec(raw.get(f"askp{i}"))
            if bid > 0:
                bids.append(BookLevel(Price(bid), dec(raw.get(f"bidp_rsqn{i}"))))
            if ask > 0:
                asks.append(BookLevel(Price(ask), dec(raw.get(f"askp_rsqn{i}"))))
        return OrderBook(instrument, self._now(), tuple(bids), tuple(asks))

    async def daily_bars(self, instrument: InstrumentId, start: date, end: date) -> list[Bar]:
        """Daily bars in ``[start, end]``, oldest first, walking back 100 rows per call."""
        market = kx.MARKETS[instrument.venue]
        bars: dict[datetime, Bar] = {}
        cursor = end
        for _ in range(200):
            if market.domestic:
                page = await self._domestic_chart(instrument, start, cursor)
            else:
                page = await self._overseas_daily(instrument, market, cursor)
            fresh = [b for b in page if b.ts not in bars and start <= b.ts.date() <= end]
            for bar in fresh:
                bars[bar.ts] = bar
            if len(page) < 100 or not fresh:
                break
            cursor = min(b.ts.date() for b in page) - timedelta(days=1)
            if cursor < start:
                break
        return [bars[k] for k in sorted(bars)]

    async def _domestic_chart(self, instrument: InstrumentId, start: date, end: date) -> list[Bar]:
        params = {
            "FID_COND_MRKT_DIV_CODE": "J",
            "FID_INPUT_ISCD": instrument.symbol,
            "FID_INPUT_DATE_1": start.strftime("%Y%m%d"),
            "FID_INPUT_DATE_2": end.strftime("%Y%m%d"),
            "FID_PERIOD_DIV_CODE": "D",
            "FID_ORG_ADJ_PRC": "0",
        }
        resp = await self.client.get(
            f"{DQ}/inquire-daily-itemchartprice", kx.DOMESTIC_CHART, params
        )
        rows = [DomesticDailyRow.model_validate(r) for r in resp.rows("output2")]
        return parse_domestic_bars(instrument, rows)

    async def _overseas_daily(
        self, instrument: InstrumentId, market: kx.KisMarket, end: date
    ) -> list[Bar]:
        params = {
            "AUTH": "",
            "EXCD": market.excd,
            "SYMB": instrument.symbol,
            "GUBN": "0",
            "BYMD": end.strftime("%Y%m%d"),
            "MODP": "1",
        }
        resp = await self.client.get(f"{OQ}/dailyprice", kx.OVERSEAS_DAILY_PRICE, params)
        rows = [OverseasDailyRow.model_validate(r) for r in resp.rows("output2")]
        return parse_overseas_bars(instrument, rows)

    async def minute_bars(self, instrument: InstrumentId, pages: int = 14) -> list[Bar]:
        """Today's one-minute bars so far, oldest first.

        Domestic: 30 rows per call ending at ``FID_INPUT_HOUR_1``, paged backwards from now
        (``pages`` calls cover 7 hours). Overseas (a real-only API): one call of up to 120 rows.
        """
        market = kx.MARKETS[instrument.venue]
        if not market.domestic:
            params = {"AUTH": "", "EXCD": market.excd, "SYMB": instrument.symbol, "NMIN": "1"}
            params |= {"PINC": "0", "NEXT": "", "NREC": "120", "FILL": "", "KEYB": ""}
            resp = await self.client.get(
                f"{OQ}/inquire-time-itemchartprice", kx.OVERSEAS_MINUTES, params
            )
            rows = [OverseasMinuteRow.model_validate(r) for r in resp.rows("output2")]
            found = [
                minute_bar(instrument, r.kymd + r.khms, r.open, r.high, r.low, r.last, r.evol)
                for r in rows
                if r.kymd.strip()
            ]
            return sorted(found, key=lambda b: b.ts)
        bars: dict[datetime, Bar] = {}
        hour = to_kst(self._now()).strftime("%H%M%S")
        for _ in range(pages):
            params = {"FID_ETC_CLS_CODE": "", "FID_COND_MRKT_DIV_CODE": "J"}
            params |= {"FID_INPUT_ISCD": instrument.symbol, "FID_INPUT_HOUR_1": hour}
            params["FID_PW_DATA_INCU_YN"] = "Y"
            resp = await self.client.get(
                f"{DQ}/inquire-time-itemchartprice", kx.DOMESTIC_MINUTES, params
            )
            page = [
                minute_bar(
                    instrument,
                    r.stck_bsop_date + r.stck_cntg_hour,
                    r.stck_oprc,
                    r.stck_hgpr,
                    r.stck_lwpr,
                    r.stck_prpr,
                    r.cntg_vol,
                )
                for r in map(DomesticMinuteRow.model_validate, resp.rows("output2"))
                if r.stck_bsop_date.strip()
            ]
            fresh = [b for b in page if b.ts not in bars]
            bars |= {b.ts: b for b in fresh}
            if len(page) < 30 or not fresh:
                break
            hour = to_kst(min(b.ts for b in page) - timedelta(minutes=1)).strftime("%H%M%S")
        return [bars[k] for k in sorted(bars)]

    async def daily_frame(self, instruments: Iterable[InstrumentId], start: date, end: date) -> Any:
        """A long pandas frame: ``ts, symbol, open, high, low, close, volume`` (floats for
        analytics; the Decimal bars from :meth:`daily_bars` stay the exact source)."""
        import pandas as pd

        records = []
        for iid in instruments:
            for bar in await self.daily_bars(iid, start, end):
                records.append(
                    {
                        "ts": bar.ts,
                        "symbol": str(iid),
                        "open": float(bar.open.value),
                        "high": float(bar.high.value),
                        "low": float(bar.low.value),
                        "close": float(bar.close.value),
                        "volume": float(bar.volume),
                    }
                )
        columns = ["ts", "symbol", "open", "high", "low", "close", "volume"]
        return pd.DataFrame.from_records(records, columns=columns)

    async def volume_ranking(self, venue: Venue = Venue.KRX, limit: int = 30) -> list[RankedSymbol]:
        if venue is Venue.KRX:
            params = {
                "FID_COND_MRKT_DIV_CODE": "J",
                "FID_COND_SCR_DIV_CODE": "20171",
                "FID_INPUT_ISCD": "0000",
                "FID_DIV_CLS_CODE": "0",
                "FID_BLNG_CLS_CODE": "0",
                "FID_TRGT_CLS_CODE": "111111111",
                "FID_TRGT_EXLS_CLS_CODE": "0000000000",
                "FID_INPUT_PRICE_1": "",
                "FID_INPUT_PRICE_2": "",
                "FID_VOL_CNT": "",
                "FID_INPUT_DATE_1": "",
            }
            resp = await self.client.get(f"{DQ}/volume-rank", kx.DOMESTIC_VOLUME_RANK, params)
            return _domestic_ranks(resp.rows(), limit)
        market = kx.MARKETS[venue]
        params = {
            "EXCD": market.excd,
            "NDAY": "0",
            "VOL_RANG": "0",
            "KEYB": "",
            "AUTH": "",
            "PRC1": "",
            "PRC2": "",
        }
        resp = await self.client.get(f"{OR}/trade-vol", kx.OVERSEAS_TRADE_VOL, params)
        return _overseas_ranks(market, resp.rows("output2"), limit)

    async def fluctuation_ranking(
        self, venue: Venue = Venue.KRX, rising: bool = True, limit: int = 30
    ) -> list[RankedSymbol]:
        if venue is Venue.KRX:
            params = {
                "fid_cond_mrkt_div_code": "J",
                "fid_cond_scr_div_code": "20170",
                "fid_input_iscd": "0000",
                "fid_rank_sort_cls_code": "0000" if rising else "0001",
                "fid_input_cnt_1": str(limit),
                "fid_prc_cls_code": "0",
                "fid_input_price_1": "",
                "fid_input_price_2": "",
                "fid_vol_cnt": "",
                "fid_trgt_cls_code": "0",
                "fid_trgt_exls_cls_code": "0",
                "fid_div_cls_code": "0",
                "fid_rsfl_rate1": "",
                "fid_rsfl_rate2": "",
            }
            path = "/uapi/domestic-stock/v1/ranking/fluctuation"
            resp = await self.client.get(path, kx.DOMESTIC_FLUCTUATION, params)
            return _domestic_ranks(resp.rows(), limit)
        market = kx.MARKETS[venue]
        params = {
            "EXCD": market.excd,
            "NDAY": "0",
            "GUBN": "1" if rising else "0",
            "VOL_RANG": "0",
            "AUTH": "",
            "KEYB": "",
        }
        resp = await self.client.get(f"{OR}/updown-rate", kx.OVERSEAS_UPDOWN_RATE, params)
        return _overseas_ranks(market, resp.rows("output2"), limit)


def _domestic_ranks(rows: list[dict[str, Any]], limit: int) -> list[RankedSymbol]:
    out = []
    for i, raw in enumerate(rows[:limit], 1):
        r = RankRow.model_validate(raw)
        symbol = (r.mksc_shrn_iscd or r.stck_shrn_iscd).strip()
        out.append(
            RankedSymbol(
                InstrumentId(symbol, Venue.KRX),
                int(r.data_rank or i),
                dec(r.stck_prpr),
                dec(r.prdy_ctrt),
                dec(r.acml_vol),
                r.hts_kor_isnm,
            )
        )
    return out


def _overseas_ranks(
    market: kx.KisMarket, rows: list[dict[str, Any]], limit: int
) -> list[RankedSymbol]:
    out = []
    for i, raw in enumerate(rows[:limit], 1):
        r = OverseasRankRow.model_validate(raw)
        out.append(
            RankedSymbol(
                InstrumentId(r.symb.strip(), market.venue),
                int(r.rank or i),
                dec(r.last),
                dec(r.rate),
                dec(r.tvol),
                r.name,
            )
        )
    return out
