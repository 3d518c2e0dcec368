"""PostgreSQL restarted mid-load: a throwaway cluster of the test's own (never the machine's, which the
outer test run uses), first with `pg_ctl restart -m fast`, then stopped for 2 s and started again, as a
restart on a busy server can take that long.

Requests meanwhile succeed (an anonymous page from the cache needs no database) or get the styled 503
with Retry-After, never a 500 or a traceback; afterwards requests succeed again, with the same app
server processes: they reconnect by themselves (CONN_HEALTH_CHECKS).
"""

import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.production.helpers import Stack
from tests.production.load import FAULT_SECONDS, Load, Site, make_members

pytestmark = pytest.mark.production

DOWN_SECONDS = 2


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def app_server_pids(stack: Stack) -> list[int]:
    return [stack.pid(port) for port in stack.app_ports]


@dataclass
class Restarts:
    load: Load
    pids: list[int]  # the app servers' before the load


@pytest.fixture(scope="module")
def restarts(faults):
    """Load through nginx; PostgreSQL restarted at a quarter of the way, stopped for 2 s at a half."""
    stack = faults.stack
    load = Load(stack, Site.of(stack), make_members(stack, "writer", 30), readers=50)
    pids = app_server_pids(stack)

    def restart():
        load.mark("restarting")
        faults.postgres.pg_ctl("-m", "fast", "restart")
        load.mark("restarted")

    def stop():
        load.mark("stopping")
        faults.postgres.stop("fast")
        time.sleep(DOWN_SECONDS)
        faults.postgres.start()
        load.mark("started")

    load.run(FAULT_SECONDS, [(FAULT_SECONDS / 4, restart), (FAULT_SECONDS / 2, stop)])
    print(
        f"\nPostgreSQL restarted at {load.marks['restarting']:.1f} s, down from {load.marks['stopping']:.1f} s "
        f"to {load.marks['started']:.1f} s: {load.check()}"
    )
    return Restarts(load=load, pids=pids)


def test_requests_during_the_restarts_succeed_or_get_the_styled_503(restarts):
    errors = restarts.load.server_errors()
    assert {record.status for record in errors} <= {503}
    for record in errors:
        assert "Back in a moment" in record.detail and "Traceback" not in record.detail, record
    assert restarts.load.outcomes()["no_answer"] == 0


def test_members_got_the_503_while_the_database_was_down(restarts):
    # Members' pages need the database (their session's user); anonymous pages can come from the cache.
    during = restarts.load.between("stopping", "started")
    assert any(record.status == 503 for record in during)


def test_requests_succeed_again_after_each_restart_without_restarting_the_app_servers(restarts, faults):
    after = restarts.load.between("restarted", "stopping") + restarts.load.between("started", None)
    outcomes = restarts.load.outcomes(after)
    assert outcomes["server_error"] == 0 and outcomes["ok"] > 50 and outcomes["acknowledged"] > 5
    assert app_server_pids(faults.stack) == restarts.pids and all(alive(pid) for pid in restarts.pids)


def test_no_acknowledged_write_is_lost_across_the_restarts(restarts):
    assert restarts.load.missing == {"comments": [], "flags": [], "helpful": [], "ballots": []}
