"""``python -m kiosk self-test``: staff check the whole exhibit with one command (see run.py)."""
