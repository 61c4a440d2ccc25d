"""Market data: sources (bundled, CSV/Parquet, synthetic, brokers), the bar store, validation."""
