"""What the tests share, beside the fixtures in conftest.py (``from support.clock import FakeClock``).

- The exhibit as a real process: ``tools/exhibit_process.py``, and a reader of its event streams:
  ``tools/sse_client.py`` (both shared with bench/ and tools/).
- ``layers``: the markers ``browser``, ``process`` and ``slow``, and the check that a test which
  starts a browser or another process says so.
- ``exports``: a tiny valid model export written from the format description; ``rewrite_manifest``.
- ``clock``: ``FakeClock``, the clock a test moves by hand.
- ``api``: ``post_json`` for a server on loopback.
- ``browsers``: Debian's Chromium for Playwright (``CHROMIUM``, ``BROWSER_ARGS``, ``browser_missing``)
  and ``wait_for_output``; ``chromium`` and ``firefox``: each browser as a process of our own,
  also inside a network namespace; ``tablet_remote``: the tablet page driven in either.
- ``netlab``: two network namespaces on a cable with nftables rules; ``booted_debian``: a Debian 12
  PC booted by systemd-nspawn.
- ``pen_digits``: pen-drawn digits for real drawings (the Server-Sent Events reader, shared with
  the benchmarks, is tools/sse_client.py);
  ``fuzz_strategies``: Hypothesis strategies for the fuzz tests.
- ``lessons``: ``lessons_ready``, until the exhibit's lesson process can teach (issue 15).
"""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHIPPED_EXPORT = REPO / "exports" / "mnist-mlp"
