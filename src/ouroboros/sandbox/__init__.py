"""Local, faithful stand-ins for remote services, used by tests, benchmarks and demos."""
