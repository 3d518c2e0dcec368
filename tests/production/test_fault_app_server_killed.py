"""Two app servers behind nginx share everything that matters: sessions, rate limits and the cache's
content version live in PostgreSQL and Redis. So when one is killed with SIGKILL mid-load, nginx sends
the traffic to the other (proxy_next_upstream), members stay logged in, and no acknowledged write is lost.

The tests before the kill ask each app server directly (its own port), the load goes through nginx.
"""

import os
import re
import signal
import time
from dataclasses import dataclass

import pytest

from tests.production.helpers import Stack, answers
from tests.production.load import FAULT_SECONDS, RATE_LIMITED, Load, Site, make_members

pytestmark = pytest.mark.production

PASSWORD = "a long password for the kill test"


@pytest.fixture(scope="module")
def site(faults):
    return Site.of(faults.stack)


@pytest.fixture(scope="module")
def member(faults):
    """A member with a password, to log in through the form."""
    faults.stack.manage_shell(
        f"from forum.models import User; User.objects.create_user(username='solo', password={PASSWORD!r})"
    )
    return "solo"


def csrf(stack: Stack, session: dict, path: str, port: int) -> str:
    page = stack.fetch(path, cookies=session, port=port)
    assert page.status == 200
    session.update(page.cookies())
    return page.csrf_token()


def post_comment(stack: Stack, session: dict, topic: str, body: str, port: int | None = None):
    token = csrf(stack, session, topic, port)
    return stack.fetch(
        f"{topic}comments/",
        method="POST",
        cookies=session,
        port=port,
        form={"csrfmiddlewaretoken": token, "body": body},
    )


def test_a_session_made_on_one_app_server_works_on_the_other(faults, member):
    first, second = faults.stack.app_ports
    login = faults.stack.log_in(member, PASSWORD, port=first)
    assert login.status == 302
    settings_page = faults.stack.fetch(
        "/accounts/settings/", cookies={"sessionid": login.cookies()["sessionid"]}, port=second
    )
    assert settings_page.status == 200 and "solo" in settings_page.body


def test_a_rate_limit_counted_on_one_app_server_holds_on_the_other(faults, site):
    stack = faults.stack
    session = {"sessionid": make_members(stack, "limited", 1)["limited0"]}
    if time.time() % 60 > 50:  # the 5-a-minute window is the clock's minute: keep the six posts inside one
        time.sleep(61 - time.time() % 60)
    answers_ = [
        post_comment(stack, session, site.topics[0], f"Comment {n} of six.", port=stack.app_ports[n % 2])
        for n in range(6)
    ]
    assert [answer.status for answer in answers_] == [302] * 5 + [200]
    assert RATE_LIMITED in answers_[5].body


def test_a_new_comment_shows_at_once_on_both_app_servers_cached_pages(faults, site):
    stack = faults.stack
    topic = site.topics[1]
    ports = [*stack.app_ports, None]  # each app server directly, and nginx
    before = {port: [stack.fetch(topic, port=port) for _ in range(2)] for port in ports}
    for first, second in before.values():  # the second answer came from the cache: the same page, its ETag
        assert second.status == 200 and second.headers["ETag"] == first.headers["ETag"]

    session = {"sessionid": make_members(stack, "poster", 1)["poster0"]}
    assert post_comment(stack, session, topic, "Seen on both servers at once.", port=stack.app_ports[0]).status == 302

    for port in ports:
        after = stack.fetch(topic, port=port)
        assert after.status == 200 and "Seen on both servers at once." in after.body, port
        assert after.headers["ETag"] != before[port][0].headers["ETag"]


@dataclass
class Killed:
    load: Load
    session: dict[str, str]  # made on the killed app server before the load


@pytest.fixture(scope="module")
def killed(faults, site, member):
    """Load through nginx; a third of the way in, the first app server and its workers get SIGKILL.

    A member logged in on that server beforehand; the load's mark "killed" is when it stopped taking
    connections.
    """
    stack = faults.stack
    victim = stack.app_ports[0]
    login = stack.log_in(member, PASSWORD, port=victim)
    load = Load(stack, site, make_members(stack, "writer", 30), readers=50)

    def kill():
        os.killpg(stack.pid(victim), signal.SIGKILL)  # the server and its workers, as a crash would
        while answers(("127.0.0.1", victim)):
            time.sleep(0.01)
        load.mark("killed")

    load.run(FAULT_SECONDS, [(FAULT_SECONDS / 3, kill)])
    print(f"\napp server killed at {load.marks['killed']:.1f} s: {load.check()}")
    return Killed(load=load, session={"sessionid": login.cookies()["sessionid"]})


def test_after_the_kill_nginx_sends_every_request_to_the_other_app_server(killed, faults):
    outcomes = killed.load.outcomes(killed.load.between("killed", None))
    assert outcomes["ok"] > 100 and outcomes["acknowledged"] > 10
    assert outcomes["server_error"] == outcomes["no_answer"] == 0
    assert not answers(("127.0.0.1", faults.stack.app_ports[0]))  # the other one did all that


def test_only_writes_in_flight_on_the_killed_server_fail_and_with_a_502(killed):
    # nginx retries a GET on the other server, but never a POST it had already sent (it may have been done).
    for record in killed.load.server_errors():
        assert (record.status, record.started < killed.load.marks["killed"]) == (502, True), record
        assert record.kind in ("comment", "reply", "flag", "helpful", "ballot"), record
    assert killed.load.outcomes()["no_answer"] == 0


def test_no_write_acknowledged_before_or_after_the_kill_is_lost(killed):
    assert killed.load.missing == {"comments": [], "flags": [], "helpful": [], "ballots": []}
    assert killed.load.outcomes(killed.load.between(None, "killed"))["acknowledged"] > 0


def test_a_session_made_on_the_killed_app_server_works_on_the_other(killed, faults):
    page = faults.stack.fetch("/accounts/settings/", cookies=killed.session)
    assert page.status == 200 and re.search(r"\bsolo\b", page.body)
