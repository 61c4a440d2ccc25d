"""``FeatureSet``: feature name → (time × symbols) float64 matrix, aligned with a ``Panel``.

A read-only mapping so the scenario engine can look features up by the names playbooks use,
and so nothing downstream can silently edit an indicator another stage also reads.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np
import pandas as pd

from ouroboros.analysis._formulas import FloatArray
from ouroboros.analysis.config import FeatureConfig

FloatMatrix = FloatArray


class FeatureSet(Mapping[str, FloatMatrix]):
    """Every feature of a universe over a time index; matrices are (T, N), C-contiguous.

    NaN means undefined: the symbol had no bar at that row, or too few bars yet (warm-up), or
    the formula's denominator was zero. Flags are 0.0/1.0.
    """

    __slots__ = ("_config", "_data", "_index", "_symbols")

    def __init__(
        self,
        index: pd.DatetimeIndex,
        symbols: tuple[str, ...],
        config: FeatureConfig,
        data: Mapping[str, FloatMatrix],
    ) -> None:
        shape = (len(index), len(symbols))
        frozen: dict[str, FloatMatrix] = {}
        for name in config.feature_names():
            if name not in data:
                raise ValueError(f"feature set lacks feature {name!r}")
            mat = data[name]
            if mat.shape != shape or mat.dtype != np.float64:
                raise ValueError(
                    f"feature {name}: expected float64 {shape}, was {mat.dtype} {mat.shape}"
                )
            mat.setflags(write=False)
            frozen[name] = mat
        self._index = index
        self._symbols = symbols
        self._config = config
        self._data = frozen

    @property
    def index(self) -> pd.DatetimeIndex:
        return self._index

    @property
    def symbols(self) -> tuple[str, ...]:
        return self._symbols

    @property
    def config(self) -> FeatureConfig:
        return self._config

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._data)

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self._index), len(self._symbols))

    def __getitem__(self, name: str) -> FloatMatrix:
        try:
            return self._data[name]
        except KeyError:
            raise KeyError(f"unknown feature {name!r}; known: {', '.join(self._data)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def row(self, i: int) -> dict[str, FloatMatrix]:
        """Every feature at row ``i``: name → (N,) view, the shape ``StreamingFeatures`` returns."""
        return {name: mat[i] for name, mat in self._data.items()}

    def frame(self, name: str) -> pd.DataFrame:
        """One feature as a DataFrame (time index × symbol columns), for inspection and plots."""
        return pd.DataFrame(self[name], index=self._index, columns=list(self._symbols))

    def symbol_frame(self, symbol: str) -> pd.DataFrame:
        """Every feature of one symbol as a DataFrame (time index × feature columns)."""
        j = self._symbols.index(symbol)
        return pd.DataFrame(
            {name: mat[:, j] for name, mat in self._data.items()}, index=self._index
        )
