import json
import logging
from dataclasses import dataclass

import pytest


@dataclass
class Line:
    level: int
    fields: dict


@pytest.fixture
def request_log(caplog):
    """The `forum.request` lines written during the test, parsed (that logger does not propagate to caplog's)."""
    logger = logging.getLogger("forum.request")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.DEBUG, logger="forum.request")
    yield lambda: [
        Line(record.levelno, json.loads(record.getMessage()))
        for record in caplog.records
        if record.name == "forum.request"
    ]
    logger.removeHandler(caplog.handler)
