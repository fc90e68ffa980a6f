"""Test support: a throw-away PostgreSQL cluster and data factories (used by tests/ and benchmarks/)."""
