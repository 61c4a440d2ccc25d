"""Bundled calendar data (CSV): Vietnam and China closures, Korea corrections.

Format and status vocabulary: see ``ouroboros.markets.adjustments`` and ``docs/markets.md``.
"""
