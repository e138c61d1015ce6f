"""The production server as it runs: a real `kpi-advisor serve` (gunicorn, threaded workers) on
a free port. Its own errors under /api/ are problem+json, every answer carries the security
headers, other host names are refused, slow clients do not starve the others, and concurrent
writers of one period all succeed."""

import json
import socket
import threading
import time

import pytest
from conftest import http

from web.protect import SECURITY_HEADERS

pytestmark = pytest.mark.slow
PLAN = {"org_name": "Công ty An Phát", "kpis": [
    {"kpi_id": "sales.revenue", "target": 400, "frequency": "monthly"},
    {"name": "Đại lý mới", "unit": "count", "frequency": "monthly"}]}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One server for the module: 2 worker processes of 4 threads; requests time out at 3 s."""
    from conftest import start_serve

    served = start_serve(tmp_path_factory.mktemp("served"), WORKERS=2, THREADS=4,
                         REQUEST_TIMEOUT=3)
    yield served
    served.stop()


def raw(port: int, request: bytes, timeout: float = 10) -> tuple[bytes, dict, bytes]:
    """Send raw bytes and return the status line, headers and body of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status, *lines = head.split(b"\r\n")
    headers = dict(line.decode("latin-1").split(": ", 1) for line in lines)
    return status, headers, body


def post_json(url: str, body: dict) -> tuple[int, dict, bytes]:
    return http(url, "POST", json.dumps(body).encode(), {"Content-Type": "application/json"})


# --- Gunicorn's own answers ------------------------------------------------------------------


@pytest.mark.parametrize(("request_bytes", "status"), [
    (b"GET /api/v1/kpis?q=" + b"a" * 9000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 414),
    (b"GET /api/v1/kpis HTTP/1.1\r\nHost: 127.0.0.1\r\n"
     + b"".join(b"X-%d: 1\r\n" % i for i in range(120)) + b"\r\n", 431),
    (b"GET /api/v1/kpis HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n",
     431),
    (b"GET /api/v1/kpis HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header: x\r\n\r\n", 400),
])
def test_gunicorns_own_errors_under_the_api_are_problem_json(server, request_bytes, status):
    line, headers, body = raw(server.port, request_bytes)
    assert line.startswith(b"HTTP/1.1 %d " % status), line
    assert headers["Content-Type"] == "application/problem+json"
    problem = json.loads(body)
    assert problem["status"] == status and problem["title"] and problem["detail"]
    for name, value in SECURITY_HEADERS.items():
        assert headers[name] == value


def test_gunicorns_own_errors_elsewhere_stay_html(server):
    line, headers, _body = raw(server.port, b"GET /?q=" + b"a" * 9000 +
                               b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert line.startswith(b"HTTP/1.1 414 ") and headers["Content-Type"] == "text/html"


def test_a_search_within_our_limits_never_meets_gunicorns(server):
    """200 Vietnamese characters (our limit for q) percent-encoded are ~1.8 KB of URL; one more
    than our limit is our own 422, not gunicorn's 414."""
    query = "%E1%BB%87" * 201
    status, headers, body = http(f"{server.url}/api/v1/kpis?q={query}")
    assert status == 422 and json.loads(body)["errors"][0]["field"] == "q"


# --- Headers and hosts -------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/api/v1/kpis?limit=1", "/static/style.css",
                                  "/no-such-page", "/api/v1/no-such", "/api/v1/docs"])
def test_every_answer_carries_the_security_headers(server, path):
    _status, headers, _body = http(server.url + path)
    for name, value in SECURITY_HEADERS.items():
        assert headers[name] == value, (path, name)
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST",
                                  "[::1]:{port}"])
def test_the_bound_address_and_localhost_are_answered(server, host):
    status, _headers, _body = http(f"{server.url}/api/v1/kpis?limit=1",
                                   headers={"Host": host.format(port=server.port)})
    assert status == 200


def test_another_host_name_is_refused(server):
    status, headers, body = http(f"{server.url}/api/v1/kpis?limit=1",
                                 headers={"Host": f"attacker.example:{server.port}"})
    assert status == 400 and headers["Content-Type"] == "application/problem+json"
    assert json.loads(body)["errors"] == [{"field": "Host", "message": "not an allowed host"}]
    status, headers, body = http(f"{server.url}/?lang=vi", headers={"Host": "attacker.example"})
    assert status == 400 and headers["Content-Type"].startswith("text/html")
    assert "Tên máy chủ không được nhận" in body.decode()
    assert "Content-Security-Policy" in headers


def test_the_allowed_hosts_setting_replaces_the_default(serve):
    served = serve(ALLOWED_HOSTS="kpi.example.vn, .khach-hang.vn", WORKERS=1)
    url = f"{served.url}/api/v1/kpis?limit=1"
    assert http(url, headers={"Host": "kpi.example.vn"})[0] == 200
    assert http(url, headers={"Host": "a.khach-hang.vn:8080"})[0] == 200
    assert http(url, headers={"Host": "khach-hang.vn.attacker.example"})[0] == 400
    assert http(url)[0] == 400  # 127.0.0.1 is no longer in the list


# --- Slow clients --------------------------------------------------------------------------------


def _stalled_upload(port: int, plan_id: int, answers: list, started: threading.Event,
                    token: str) -> None:
    """Announce a 1 MB upload, send its first line, then send nothing more."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        head = (f"POST /api/v1/plans/{plan_id}/measurements/import HTTP/1.1\r\n"
                f"Host: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
                f"Content-Type: multipart/form-data; boundary=b\r\n"
                f"Content-Length: 1000000\r\n\r\n").encode()
        sock.sendall(head + b'--b\r\nContent-Disposition: form-data; name="file"; '
                            b'filename="a.csv"\r\n\r\nkpi,period,value\nsales.revenue,2025-01,1\n')
        started.set()
        began = time.monotonic()
        answer = sock.recv(65536)
        answers.append((time.monotonic() - began, answer))


def test_slow_uploads_do_not_block_other_requests_and_time_out(server):
    status, _headers, body = post_json(f"{server.url}/api/v1/plans", PLAN)
    plan_id = json.loads(body)["id"]
    answers: list = []
    uploads = []
    for _ in range(3):
        started = threading.Event()
        upload = threading.Thread(target=_stalled_upload,
                                  args=(server.port, plan_id, answers, started,
                                        server.token))
        upload.start()
        started.wait(5)
        uploads.append(upload)
    began = time.monotonic()
    for _ in range(5):
        assert http(f"{server.url}/api/v1/kpis?limit=1", timeout=5)[0] == 200
    assert time.monotonic() - began < 2.0  # all five while three uploads hang
    for upload in uploads:
        upload.join(15)
    assert len(answers) == 3
    for waited, answer in answers:
        assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
        assert b"application/problem+json" in answer
        assert waited < 3 + 2.5  # REQUEST_TIMEOUT plus the worker loop's one-second tick
    stored = json.loads(http(f"{server.url}/api/v1/plans/{plan_id}/measurements")[2])
    assert stored["measurements"] == []  # a cut-off upload stores nothing


# --- Concurrent writers ---------------------------------------------------------------------------


def test_sixteen_clients_writing_one_period_all_succeed(server):
    _status, _headers, body = post_json(f"{server.url}/api/v1/plans", PLAN)
    plan_id = json.loads(body)["id"]
    url = f"{server.url}/api/v1/plans/{plan_id}/measurements"
    barrier = threading.Barrier(16)
    statuses: list[int] = []

    def write(value: int) -> None:
        barrier.wait()
        row = {"kpi": "Đại lý mới", "period": "2025-03", "value": value}
        statuses.append(post_json(url, {"measurements": [row]})[0])

    threads = [threading.Thread(target=write, args=(10 + i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert statuses == [200] * 16
    rows = json.loads(http(url + "?history=true")[2])["measurements"]
    assert len(rows) == 16 and sorted(r["value"] for r in rows) == [10 + i for i in range(16)]
    assert len([r for r in rows if r["replaced_at"] is None]) == 1
