"""Run the web server and the background-task worker together; one Ctrl-C stops both."""

import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the product (web + task worker) until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport: str, **options):
        base = [sys.executable, "-m", "motcua"]
        procs = [
            subprocess.Popen([*base, "runserver", "--noreload", addrport]),
            subprocess.Popen([*base, "db_worker"]),
        ]
        self.stdout.write(f"motcua: http://{addrport}/  (Ctrl-C dừng / stops web server and worker)")

        def stop(*_):
            for p in procs:
                if p.poll() is None:
                    p.terminate()
            for p in procs:
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()

        signal.signal(signal.SIGTERM, lambda *_: (stop(), sys.exit(0)))
        try:
            while all(p.poll() is None for p in procs):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            stop()
        failed = [p.returncode for p in procs if p.returncode not in (0, -signal.SIGTERM, None)]
        if failed:
            sys.exit(1)
