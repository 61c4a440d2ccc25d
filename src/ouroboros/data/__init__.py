"""Market data: sources (bundled, CSV/Parquet, synthetic, brokers), the bar store, validation.

Start with ``load_source(spec)``; see docs/data.md for the source grammar, the store layout,
the validation rules and the synthetic model.
"""

from ouroboros.data.bundled import BUNDLED, BundledDataset, bundled_names, load_bundled
from ouroboros.data.calendars import CalendarLike, SessionLike
from ouroboros.data.frame import COLUMNS, DAILY, MINUTE, empty_frame, normalize, sort_bars
from ouroboros.data.loaders import BarFile, read_bar_file
from ouroboros.data.market_map import (
    calendar_for_symbol,
    market_calendar,
    market_of_symbol,
    market_venue,
    parse_market,
)
from ouroboros.data.panel import Panel
from ouroboros.data.sources import SourceData, load_file, load_source
from ouroboros.data.spec import SourceSpec, parse_source
from ouroboros.data.store import DEFAULT_STORE_ROOT, BarStore, StoreEntry
from ouroboros.data.synthetic import (
    ModelParams,
    PlantedPattern,
    SyntheticData,
    SyntheticSpec,
    generate,
    write_synthetic,
)
from ouroboros.data.ticks import snap_prices
from ouroboros.data.validation import (
    Issue,
    Severity,
    ValidationConfig,
    ValidationReport,
    validate,
    validate_file,
)

__all__ = [
    "BUNDLED",
    "COLUMNS",
    "DAILY",
    "DEFAULT_STORE_ROOT",
    "MINUTE",
    "BarFile",
    "BarStore",
    "BundledDataset",
    "CalendarLike",
    "Issue",
    "ModelParams",
    "Panel",
    "PlantedPattern",
    "SessionLike",
    "Severity",
    "SourceData",
    "SourceSpec",
    "StoreEntry",
    "SyntheticData",
    "SyntheticSpec",
    "ValidationConfig",
    "ValidationReport",
    "bundled_names",
    "calendar_for_symbol",
    "empty_frame",
    "generate",
    "load_bundled",
    "load_file",
    "load_source",
    "market_calendar",
    "market_of_symbol",
    "market_venue",
    "normalize",
    "parse_market",
    "parse_source",
    "read_bar_file",
    "snap_prices",
    "sort_bars",
    "validate",
    "validate_file",
    "write_synthetic",
]
