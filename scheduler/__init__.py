"""Cadence jobs, the leader lock and the sender loop (a later issue). Thin: calls core."""
