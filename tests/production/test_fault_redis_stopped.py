"""Redis stopped mid-load (a redis-server of the test's own, killed, then started again empty).

While it is away, pages are served uncached, members stay logged in and keep writing, rate limits open,
and each app server logs a warning; once it is back, pages are cached again and none is stale.
"""

import time
from dataclasses import dataclass

import pytest

from tests.production.helpers import Answer
from tests.production.load import FAULT_SECONDS, Load, Site, make_members

pytestmark = pytest.mark.production

WHILE_DOWN = "Posted while Redis was down."


@dataclass
class Outage:
    load: Load
    quiet: str  # a topic page the load leaves alone
    etags: dict[int | None, str]  # its ETag before Redis stopped, by app server port (None: nginx)
    solo: list[Answer]  # one member's 7 comments there, in a row, while Redis was down


@pytest.fixture(scope="module")
def outage(faults):
    """Load through nginx; Redis is killed a third of the way in and started again at two thirds.

    The load leaves the last topic alone: its page is cached before Redis stops, and while Redis is
    down one member posts 7 comments there in a row.
    """
    stack = faults.stack
    site = Site.of(stack)
    quiet = site.topics.pop()
    load = Load(stack, site, make_members(stack, "writer", 30), readers=50)
    session = {"sessionid": make_members(stack, "solo", 1)["solo0"]}
    outage = Outage(load=load, quiet=quiet, etags={}, solo=[])
    for port in [None, *stack.app_ports]:
        pages = [stack.fetch(quiet, port=port) for _ in range(2)]
        assert pages[0].headers["ETag"] == pages[1].headers["ETag"]  # cached
        outage.etags[port] = pages[0].headers["ETag"]

    def stop():
        faults.redis.stop()
        load.mark("stopped")

    def post_seven():
        page = stack.fetch(quiet, cookies=session)
        session.update(page.cookies())
        outage.solo.extend(
            stack.fetch(
                f"{quiet}comments/",
                method="POST",
                cookies=session,
                form={"csrfmiddlewaretoken": page.csrf_token(), "body": f"{WHILE_DOWN} ({n})"},
            )
            for n in range(7)
        )

    def start():
        load.mark("starting")
        faults.redis.start()

    third = FAULT_SECONDS / 3
    load.run(FAULT_SECONDS, [(third, stop), (third + 0.5, post_seven), (2 * third, start)])
    print(
        f"\nRedis stopped at {load.marks['stopped']:.1f} s, started at {load.marks['starting']:.1f} s: {load.check()}"
    )
    return outage


def test_pages_are_served_uncached_while_redis_is_down(outage):
    reads = [record for record in outage.load.between("stopped", "starting") if record.kind == "read"]
    assert len(reads) > 50
    assert {(record.status, record.etag) for record in reads} == {(200, False)}  # no ETag: nothing cached


def test_members_keep_writing_while_redis_is_down(outage):
    writes = outage.load.outcomes(outage.load.between("stopped", "starting"))
    assert writes["acknowledged"] > 10


def test_rate_limits_open_while_redis_is_down(outage):
    assert [answer.status for answer in outage.solo] == [302] * 7  # over the 5-a-minute limit


def test_each_app_server_logs_that_redis_is_unavailable(outage, faults):
    for log in sorted((faults.stack.run / "logs").glob("web-*.log")):
        assert "Redis unavailable" in log.read_text(errors="replace"), log.name


def test_no_request_gets_a_5xx_and_no_acknowledged_write_is_lost(outage):
    assert outage.load.server_errors() == []
    assert outage.load.outcomes()["no_answer"] == 0
    assert outage.load.missing == {"comments": [], "flags": [], "helpful": [], "ballots": []}


def test_caching_resumes_when_redis_is_back_with_no_stale_page(outage, faults):
    stack = faults.stack
    for port in [None, *stack.app_ports]:  # nginx, and each app server with its own copies in memory
        deadline = time.monotonic() + 10
        page = stack.fetch(outage.quiet, port=port)
        while "ETag" not in page.headers and time.monotonic() < deadline:  # its pool reconnects to Redis
            time.sleep(0.2)
            page = stack.fetch(outage.quiet, port=port)
        again = stack.fetch(outage.quiet, port=port, headers={"If-None-Match": page.headers["ETag"]})
        assert again.status == 304  # cached again, and known by its ETag
        assert f"{WHILE_DOWN} (6)" in page.body  # not the page cached before Redis stopped
        assert page.headers["ETag"] != outage.etags[port]
