"""Indicators and features over a universe of symbols: batch (TA-Lib) and streaming (numpy).

``compute_features(panel, config)`` gives every feature for a whole ``Panel``;
``StreamingFeatures`` gives the same numbers one bar row at a time for the live loop. Feature
names are stable strings (``FEATURE_NAMES`` for the default configuration) that playbook
conditions reference. Definitions: ``docs/indicators.md``.
"""

from ouroboros.analysis.batch import bars_present, compute_features
from ouroboros.analysis.config import (
    DEFAULT_CONFIG,
    FEATURE_NAMES,
    FeatureConfig,
    FeatureNames,
)
from ouroboros.analysis.featureset import FeatureSet
from ouroboros.analysis.streaming import StreamingFeatures

__all__ = [
    "DEFAULT_CONFIG",
    "FEATURE_NAMES",
    "FeatureConfig",
    "FeatureNames",
    "FeatureSet",
    "StreamingFeatures",
    "bars_present",
    "compute_features",
]
