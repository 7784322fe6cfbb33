"""What goes wrong reading an export folder: one error for its manifest, weights and samples.

Its own module so that export.py (the manifest and weights) and samples.py (the test digits),
which export.py reads, both raise it without importing each other.
"""


class ExportError(Exception):
    """The export cannot be used; the message names the file and the problem."""
