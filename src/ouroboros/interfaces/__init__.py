"""The outermost layer: CLI, HTTP API, chat bots, metrics. Nothing inside imports from here."""
