"""The exhibit's state machine: open or closed, attract playlist, visitor, presenter.

One idea a module: ``schedule`` knows the opening hours (weekly hours, time zone, holidays),
``playlist`` says what an attract item is (and refuses what it may not be), ``machine`` decides
what the exhibit does now, told the time by an injected clock and acting only through an
``Actions`` object the server implements. Nothing here touches the hub, the screen or the loop,
so a whole week runs in a test in milliseconds.

This package imports nothing at load time: ``kiosk.config`` imports ``schedule`` and ``playlist``.
"""
