"""The engine: clocks, the event loop and the wiring of each mode."""
