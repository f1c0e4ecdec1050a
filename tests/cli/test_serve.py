"""``motcua serve`` runs the web server and the task worker; one Ctrl-C (SIGINT) stops both."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def embedded_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["MOTCUA_DATA_DIR"] = str(tmp_path)
    subprocess.run([sys.executable, "-m", "motcua", "migrate", "--no-input", "-v", "0"], env=env, check=True)
    return env


def test_serve_answers_and_one_interrupt_stops_web_and_worker(embedded_env):
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "motcua", "serve", f"127.0.0.1:{port}"],
        env=embedded_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/", timeout=2) as resp:
                    status = resp.status
                    break
            except OSError:
                time.sleep(0.3)
        assert status == 200
        children = subprocess.run(
            ["pgrep", "-g", str(proc.pid)], capture_output=True, text=True
        ).stdout.split()
        assert len(children) >= 3  # serve itself, runserver and db_worker

        os.killpg(proc.pid, signal.SIGINT)  # what one Ctrl-C in a terminal does
        proc.wait(timeout=20)
        time.sleep(0.5)
        left = subprocess.run(["pgrep", "-g", str(proc.pid)], capture_output=True, text=True).stdout.split()
        assert left == []
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
