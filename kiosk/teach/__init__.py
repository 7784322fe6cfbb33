"""Teach it: a visitor corrects a misreading and watches a copy of the network learn from it."""
