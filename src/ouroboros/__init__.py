"""Ouroboros: an AI-assisted trading agent.

Backtest, replay, paper and live modes share one engine.
"""

__version__ = "0.1.0"
