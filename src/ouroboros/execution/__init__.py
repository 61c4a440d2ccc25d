"""Execution: the broker port and its adapters, the order manager, reconciliation."""
