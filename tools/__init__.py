"""Developer tools that are neither the exhibit nor its tests: python -m tools.<name>."""
