"""Optional session rules (``SandboxConfig.enforce_sessions``): regular hours in KST only.

KRX 09:00-15:30 (reference §6); overseas sessions in KST without DST or holidays - enough to
exercise the APBK0919 / APBK1664 paths, not a calendar (``ouroboros.markets`` owns those).
"""

from __future__ import annotations

from datetime import time

from ouroboros.domain.ids import Venue
from ouroboros.kisspec import KST
from ouroboros.sandbox.kis.engine import Reject
from ouroboros.sandbox.kis.state import SandboxState

_HOURS: dict[Venue, tuple[time, time]] = {
    Venue.KRX: (time(9, 0), time(15, 30)),
    Venue.NASDAQ: (time(23, 30), time(6, 0)),
    Venue.NYSE: (time(23, 30), time(6, 0)),
    Venue.AMEX: (time(23, 30), time(6, 0)),
    Venue.TSE: (time(9, 0), time(15, 30)),
    Venue.HKEX: (time(10, 30), time(17, 0)),
    Venue.SSE: (time(10, 30), time(16, 0)),
    Venue.SZSE: (time(10, 30), time(16, 0)),
    Venue.HNX: (time(11, 0), time(17, 0)),
    Venue.HOSE: (time(11, 0), time(17, 0)),
}


def is_open(state: SandboxState, venue: Venue) -> bool:
    local = state.clock.now().astimezone(KST)
    start, end = _HOURS[venue]
    now = local.time()
    if start <= end:
        return local.weekday() < 5 and start <= now < end
    return now >= start or now < end


def check_open(state: SandboxState, venue: Venue) -> None:
    if state.config.enforce_sessions and not is_open(state, venue):
        if venue is Venue.KRX:
            raise Reject("APBK0919", "장운영시간이 아닙니다.")
        raise Reject("APBK1664", "해외주식 주문가능시간이 아닙니다.")
