"""Deterministic synthetic markets: factor-GARCH returns with fat tails and jumps, on the real
trading calendars, snapped to each venue's ticks, with planted patterns for strategy tests."""

from ouroboros.data.synthetic.generator import (
    DEFAULT_END,
    SyntheticData,
    SyntheticMarket,
    SyntheticSpec,
    generate,
    panel_to_long,
)
from ouroboros.data.synthetic.model import ModelParams
from ouroboros.data.synthetic.output import manifest, write_synthetic
from ouroboros.data.synthetic.patterns import PATTERN_KIND, PlantedPattern
from ouroboros.data.synthetic.universe import MARKET_ORDER, PROFILES, SECTORS, MarketProfile

__all__ = [
    "DEFAULT_END",
    "MARKET_ORDER",
    "PATTERN_KIND",
    "PROFILES",
    "SECTORS",
    "MarketProfile",
    "ModelParams",
    "PlantedPattern",
    "SyntheticData",
    "SyntheticMarket",
    "SyntheticSpec",
    "generate",
    "manifest",
    "panel_to_long",
    "write_synthetic",
]
