"""Metrics for the museum's monitoring: ``GET /metrics`` in Prometheus' format (docs/monitoring.md).

Each app has its own registry (``new_registry`` in routes.py, wired in kiosk/exhibit.py). What it exports:

- counted as it happens (counters.py): ``nn_kiosk_drawings_total``, ``nn_kiosk_predictions_total``,
  ``nn_kiosk_prediction_seconds`` (histogram), ``nn_kiosk_rejected_tablet_messages_total{reason}``;
- read from the exhibit at each scrape (live.py): ``nn_kiosk_tablets_paired``,
  ``nn_kiosk_tablets_connected``, ``nn_kiosk_screens_connected``, ``nn_kiosk_exhibit_state{state}``,
  ``nn_kiosk_open``, ``nn_kiosk_screen_scene{scene}``, ``nn_kiosk_playground_runs_total``,
  ``nn_kiosk_rejected_requests_total{reason}``, ``nn_kiosk_start_time_seconds``,
  ``nn_kiosk_uptime_seconds``, and the screens' own frame times as they report them (frames.py):
  ``nn_kiosk_screen_frame_seconds{quantile}``, ``nn_kiosk_screens_reporting``,
  ``nn_kiosk_screen_frame_reports_total``;
- ``nn_kiosk_build_info{version, python, model}``, and the client library's ``process_*`` and
  ``python_info``.

Who may read them: access.py (config ``metrics:``).
"""
