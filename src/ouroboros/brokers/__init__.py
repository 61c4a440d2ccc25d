"""Broker adapters: each subpackage implements :class:`ouroboros.execution.ports.BrokerPort`."""
