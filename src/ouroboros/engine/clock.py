"""The engine's clocks are the project's one clock module (``ouroboros/clock.py``), re-exported
here because the engine is where most callers meet them."""

from ouroboros.clock import Clock, LiveClock, SimulatedClock

__all__ = ["Clock", "LiveClock", "SimulatedClock"]
