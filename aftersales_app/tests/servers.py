"""Two app servers for one site: two gunicorn masters on free ports serving the bench's sites
folder, as two hosts behind a load balancer would (each master with its own workers, sharing
nothing but MariaDB and Redis). The cross-server pool race (tests/test_dispatch.py) and the HTTP
benchmarks (benchmarks/run.py) use them."""

import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests


class Servers:
	"""Two gunicorn masters (two app servers, 2 workers each, as `bench setup production` runs
	one) on free ports, serving the bench's sites folder."""

	def __init__(self, site: str, sites_path: str, workers: int = 2):
		self.site, self.sites_path, self.workers = site, sites_path, workers
		self.processes, self.ports = [], []

	def __enter__(self):
		gunicorn = str(Path(sys.executable).parent / "gunicorn")
		for _ in range(2):
			with socket.socket() as s:
				s.bind(("127.0.0.1", 0))
				port = s.getsockname()[1]
			self.ports.append(port)
			self.processes.append(
				subprocess.Popen(
					[
						gunicorn,
						"-b",
						f"127.0.0.1:{port}",
						"-w",
						str(self.workers),
						"-t",
						"120",
						"--preload",
						"frappe.app:application",
					],
					cwd=self.sites_path,
					stdout=subprocess.DEVNULL,
					stderr=subprocess.DEVNULL,
				)
			)
		for port in self.ports:
			self.wait(port)
		return self

	def wait(self, port: int):
		for _ in range(120):
			try:
				if requests.get(self.url(port, "/api/method/ping"), headers=self.headers(), timeout=5).ok:
					return
			except requests.RequestException:
				pass
			time.sleep(0.5)
		raise RuntimeError(f"gunicorn on {port} did not answer")

	def url(self, port: int, path: str) -> str:
		return f"http://127.0.0.1:{port}{path}"

	def headers(self, extra: dict | None = None) -> dict:
		return {"Host": self.site, "Accept": "application/json", **(extra or {})}

	def __exit__(self, *exc):
		for process in self.processes:
			process.terminate()
		for process in self.processes:
			process.wait(timeout=30)


def fire(requests_to_send: list[tuple]) -> list[tuple[float, int, str]]:
	"""Send the requests (method, url, headers, data) all at once, each from its own thread and
	connection; (ms, status, body) each."""
	barrier = threading.Barrier(len(requests_to_send))
	results = [None] * len(requests_to_send)

	def one(i, method, url, headers, data):
		session = requests.Session()
		barrier.wait()
		start = time.perf_counter()
		response = session.request(method, url, headers=headers, data=data, timeout=120)
		results[i] = ((time.perf_counter() - start) * 1000, response.status_code, response.text[:300])

	threads = [threading.Thread(target=one, args=(i, *r)) for i, r in enumerate(requests_to_send)]
	for t in threads:
		t.start()
	for t in threads:
		t.join()
	return results
