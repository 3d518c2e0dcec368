"""Load through nginx: 30 members write (comments, replies, flags, helpful marks, ballots) while 50 readers
read topic pages, for FAULT_SECONDS (60 s by hand; `.ci/run` sets 20). No answer is a 5xx, and every
write the site acknowledged is in the database afterwards."""

import pytest

from tests.production.load import FAULT_SECONDS, Load, Site, make_members

pytestmark = pytest.mark.production


@pytest.fixture(scope="module")
def load(faults):
    load = Load(faults.stack, Site.of(faults.stack), make_members(faults.stack, "writer", 30), readers=50)
    load.run(FAULT_SECONDS)
    print(f"\nload through nginx: {load.check()}")
    return load


def test_no_request_under_load_gets_a_5xx_or_goes_unanswered(load):
    assert load.server_errors() == []
    assert load.outcomes()["no_answer"] == 0


def test_every_write_acknowledged_under_load_is_in_the_database(load):
    assert load.missing == {"comments": [], "flags": [], "helpful": [], "ballots": []}


def test_the_load_wrote_every_kind_and_read_pages(load):
    acknowledged = {record.kind for record in load.records if record.outcome == "acknowledged"}
    assert acknowledged == {"comment", "reply", "flag", "helpful", "ballot"}
    assert load.outcomes()["ok"] > 2 * 50  # the readers read: two pages each at the very least
