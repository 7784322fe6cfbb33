"""The shipped Prometheus files (docs/prometheus/) checked by Debian's promtool, and a real Prometheus
server scraping a real exhibit on loopback and answering a query about it."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families
from support import REPO

from kiosk.app import create_app
from kiosk.config import Config, ModelConfig, TabletConfig
from kiosk.model.engine import Engine
from kiosk.model.export import load_timeline
from tools.exhibit_process import ExhibitProcess, unused_port

pytestmark = pytest.mark.process

SHIPPED = REPO / "docs" / "prometheus"
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"
PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
TOKEN = "test-token-for-prometheus-0123"
ALERTS = ("ExhibitDown", "ExhibitNoScreen", "ExhibitTabletGone", "ExhibitScreenSlow")

needs_promtool = pytest.mark.skipif(
    not Path(PROMTOOL).exists(), reason="promtool missing (Debian package prometheus)"
)
needs_prometheus = pytest.mark.skipif(
    not Path(PROMETHEUS).exists(), reason="prometheus missing (Debian package prometheus)"
)


def promtool(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([PROMTOOL, *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def alert_rules() -> list[dict]:
    groups = yaml.safe_load((SHIPPED / "alerts.yml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


# --- promtool ---------------------------------------------------------------------------------------


@needs_promtool
def test_the_alert_rules_pass_promtool_check_rules() -> None:
    result = promtool("check", "rules", str(SHIPPED / "alerts.yml"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(ALERTS)} rules found" in result.stdout


@needs_promtool
def test_the_scrape_config_passes_promtool_check_config_as_installed(tmp_path: Path) -> None:
    # As in /etc/prometheus: the config, the rules beside it and the token file it names.
    for name in ("prometheus.yml", "alerts.yml"):
        shutil.copy(SHIPPED / name, tmp_path / name)
    (tmp_path / "nn-kiosk.token").write_text(TOKEN)
    result = promtool("check", "config", str(tmp_path / "prometheus.yml"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 1 rule files found" in result.stdout


@needs_promtool
def test_the_alert_rules_unit_tests_pass() -> None:
    result = promtool("test", "rules", "alerts.test.yml", cwd=SHIPPED)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_each_alert_is_tested_firing_and_staying_quiet() -> None:
    tests = yaml.safe_load((SHIPPED / "alerts.test.yml").read_text())["tests"]
    checks = [check for test in tests for check in test["alert_rule_test"]]
    assert {rule["alert"] for rule in alert_rules()} == set(ALERTS)
    for alert in ALERTS:
        outcomes = [bool(check["exp_alerts"]) for check in checks if check["alertname"] == alert]
        assert True in outcomes and False in outcomes, alert


async def test_the_rules_ask_only_for_metrics_the_exhibit_exports(
    aiohttp_client, export_dir: Path, tmp_path: Path
) -> None:
    config = Config(model=ModelConfig(export=export_dir), tablet=TabletConfig(state_dir=tmp_path / "state"))
    client = await aiohttp_client(create_app(config, Engine(load_timeline(export_dir))))
    report = {"screen": "s1", "frames": 100, "p50_ms": 16.7, "p95_ms": 20}
    assert (await client.post("/api/display/frame_times", json=report)).status == 204
    exported = {
        sample.name
        for family in text_string_to_metric_families(await (await client.get("/metrics")).text())
        for sample in family.samples
    }
    asked = {name for rule in alert_rules() for name in re.findall(r"\bnn_kiosk_\w+", rule["expr"])}
    assert asked and asked <= exported


# --- a real Prometheus ------------------------------------------------------------------------------


def query(base: str, promql: str) -> list[dict]:
    url = f"{base}/api/v1/query?{urllib.parse.urlencode({'query': promql})}"
    with urllib.request.urlopen(url, timeout=5) as response:
        answer = json.loads(response.read())
    assert answer["status"] == "success", answer
    return answer["data"]["result"]


def wait_for(what: str, check, seconds: float = 60):
    """``check()``'s first truthy answer; fails after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            answer = check()
        except OSError:  # not listening yet
            answer = None
        if answer:
            return answer
        assert time.monotonic() < deadline, f"{what}: nothing within {seconds} s"
        time.sleep(0.5)


@needs_prometheus
def test_a_real_prometheus_scrapes_the_exhibit_and_answers_a_query(tmp_path: Path) -> None:
    folder = tmp_path / "kiosk"
    folder.mkdir()
    kiosk = ExhibitProcess(folder, settings=f"metrics:\n  token: {TOKEN}\n")
    kiosk.start()
    prometheus = None
    try:
        target = kiosk.base.removeprefix("http://")
        (tmp_path / "token").write_text(TOKEN)
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(SHIPPED / "alerts.yml")],
            "scrape_configs": [
                {
                    "job_name": "nn-kiosk",
                    "authorization": {"credentials_file": str(tmp_path / "token")},
                    "static_configs": [{"targets": [target]}],
                }
            ],
        }
        (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
        base = f"http://127.0.0.1:{unused_port()}"
        with (tmp_path / "prometheus.log").open("w") as log:
            prometheus = subprocess.Popen(
                [
                    PROMETHEUS,
                    f"--config.file={tmp_path / 'prometheus.yml'}",
                    f"--storage.tsdb.path={tmp_path / 'data'}",
                    f"--web.listen-address={base.removeprefix('http://')}",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        uptime = wait_for(
            "nn_kiosk_uptime_seconds", lambda: query(base, 'nn_kiosk_uptime_seconds{job="nn-kiosk"}')
        )
        assert uptime[0]["metric"]["instance"] == target
        assert float(uptime[0]["value"][1]) > 0
        up = query(base, 'up{job="nn-kiosk"}')
        assert [sample["value"][1] for sample in up] == ["1"]  # the token got it in
        build = query(base, "nn_kiosk_build_info")
        assert build[0]["metric"]["model"] == "mnist-mlp"
        with urllib.request.urlopen(f"{base}/api/v1/rules", timeout=5) as response:
            groups = json.loads(response.read())["data"]["groups"]
        assert sorted(rule["name"] for group in groups for rule in group["rules"]) == sorted(ALERTS)
    finally:
        if prometheus is not None:
            prometheus.send_signal(signal.SIGTERM)
            try:
                prometheus.wait(15)
            except subprocess.TimeoutExpired:
                prometheus.kill()
                prometheus.wait()
        kiosk.stop()
