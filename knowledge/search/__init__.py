"""Retrieval over the policy passages: our tuned BM25 and a plain baseline."""
