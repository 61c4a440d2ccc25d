from tests.services.run_store import FakeClock, clock, store

__all__ = ["FakeClock", "clock", "store"]
