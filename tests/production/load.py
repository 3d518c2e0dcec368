"""Load through nginx, as a lesson makes it: members writing (comments, replies, flags, helpful marks,
ballots) while readers read topic pages, for a bounded time, with every answer recorded.

Every write the server acknowledged (its redirect) is remembered by id, so `missing_writes` can look for
each one in the database afterwards. A refusal by a rate limit (a 200 with the limit's message) is counted
on its own: it is the site working, not an error.
"""

import http.client
import itertools
import json
import os
import random
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from tests.production.helpers import Answer, Stack

# How long each fault test loads the stack: 60 s by hand, as issue 13 asks; `.ci/run` sets a shorter time.
FAULT_SECONDS = float(os.environ.get("FAULT_SECONDS") or 60)
RATE_LIMITED = "You have reached the limit of"
COMMENT_LOCATION = re.compile(r"^/comments/(\d+)/$")
# A member's next act, and how often: most of a lesson's writing is comments and replies.
ACTS = ["comment"] * 30 + ["reply"] * 25 + ["helpful"] * 20 + ["flag"] * 10 + ["ballot"] * 15


@dataclass
class Site:
    """What the load needs to know of the stack's content: the article, its topic pages, its factors."""

    article: str
    topics: list[str]
    factors: list[int]

    @classmethod
    def of(cls, stack: Stack) -> "Site":
        rows = stack.query(
            "SELECT a.slug, t.slug FROM forum_topic t JOIN forum_article a ON a.id = t.article_id ORDER BY t.id"
        )
        article = rows[0][0]
        factors = stack.query(
            "SELECT f.id FROM forum_factor f JOIN forum_article a ON a.id = f.article_id "
            "WHERE a.slug = %s AND f.status = 'approved' ORDER BY f.id",
            [article],
        )
        return cls(
            article=article,
            topics=[f"/articles/{a}/topics/{t}/" for a, t in rows if a == article],
            factors=[pk for (pk,) in factors],
        )


def make_members(stack: Stack, prefix: str, count: int) -> dict[str, str]:
    """`count` new members in the stack's database, each logged in: {username: session key}.

    The sessions are made as a login makes them (the stack's own session engine: the database, with
    Redis in front), so no password is hashed and checked 30 times before the load starts.
    """
    code = f"""
import json
from django.test import Client
from forum.models import User
sessions = {{}}
for n in range({count}):
    user = User.objects.create_user(username=f"{prefix}{{n}}", display_name=f"Load {prefix}{{n}}")
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    sessions[user.username] = client.cookies["sessionid"].value
print("SESSIONS " + json.dumps(sessions))
"""
    output = stack.manage_shell(code)
    line = next(line for line in output.splitlines() if line.startswith("SESSIONS "))
    return json.loads(line.removeprefix("SESSIONS "))


@dataclass
class Record:
    kind: str  # read, page, comment, reply, flag, helpful, ballot
    member: str  # "" for an anonymous reader
    started: float  # seconds since the load began
    ended: float
    status: int | None  # None: no answer (a refused connection, a timeout)
    outcome: str  # ok, acknowledged, rate_limited, refused, server_error, no_answer
    etag: bool = False
    detail: str = ""  # a 5xx page's start, or the error


@dataclass
class Acknowledged:
    comments: dict[int, tuple[str, int | None]] = field(default_factory=dict)  # id: (author, parent id)
    flags: set[tuple[str, int]] = field(default_factory=set)  # (member, comment id)
    helpful: set[tuple[str, int]] = field(default_factory=set)
    ballots: Counter = field(default_factory=Counter)  # member: ballots acknowledged

    def count(self) -> int:
        return len(self.comments) + len(self.flags) + len(self.helpful) + sum(self.ballots.values())


class Load:
    def __init__(self, stack: Stack, site: Site, members: dict[str, str], *, readers: int = 50):
        self.stack = stack
        self.site = site
        self.members = members
        self.readers = readers
        self.records: list[Record] = []
        self.acknowledged = Acknowledged()
        self.published: list[tuple[int, str]] = []  # (comment id, author): what replies, flags and marks aim at
        self.attempted: set[tuple[str, str, int]] = set()  # (act, member, comment): flags and marks, never twice
        self.rankings: dict[str, set[tuple[int, ...]]] = {name: set() for name in members}  # each member's, sent
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.begun = 0.0
        self.marks: dict[str, float] = {}  # what happened when, in seconds since the load began (see `mark`)
        self.missing: dict[str, list] | None = None  # set by `check`
        self.failures: list[Exception] = []  # what broke a load thread (a bug in the load itself)
        self.counter = itertools.count(1)

    # ------------------------------------------------------------ running

    def now(self) -> float:
        return time.monotonic() - self.begun

    def mark(self, name: str) -> None:
        """Note that `name` happened now (a fault, a recovery), to sort the records into before and after."""
        self.marks[name] = self.now()

    def between(self, start: str | None, end: str | None) -> list[Record]:
        """The records of requests sent after mark `start` and answered before mark `end` (None: no bound)."""
        low = self.marks[start] if start else float("-inf")
        high = self.marks[end] if end else float("inf")
        return [record for record in self.records if record.started > low and record.ended < high]

    def run(self, seconds: float, events: list[tuple[float, object]] = ()) -> None:
        """Load for `seconds`; each (at, callable) of `events` is called at `at` seconds, in this thread."""
        self.begun = time.monotonic()
        threads = [
            threading.Thread(target=self.guarded, args=(self.reader, n), daemon=True) for n in range(self.readers)
        ]
        threads += [
            threading.Thread(target=self.guarded, args=(self.writer, name), daemon=True) for name in self.members
        ]
        for thread in threads:
            thread.start()
        try:
            for at, event in sorted(events, key=lambda pair: pair[0]):
                self.stop.wait(max(0.0, at - self.now()))
                event()
            self.stop.wait(max(0.0, seconds - self.now()))
        finally:
            self.stop.set()
            for thread in threads:
                thread.join(timeout=40)  # a request in flight ends within its own timeout (30 s)
        assert not self.failures, f"{len(self.failures)} load threads failed; the first: {self.failures[0]!r}"

    def guarded(self, loop, *args) -> None:
        """Run a reader's or writer's loop; what breaks it is kept, for `run` to report (and the load stops)."""
        try:
            loop(*args)
        except Exception as error:
            self.failures.append(error)
            self.stop.set()

    def request(self, kind: str, member: str, path: str, **kwargs) -> Answer | None:
        started = self.now()
        try:
            answer = self.stack.fetch(path, timeout=30, **kwargs)
        except (OSError, http.client.HTTPException) as error:  # refused, reset, timed out, cut short
            self.records.append(Record(kind, member, started, self.now(), None, "no_answer", detail=repr(error)))
            return None
        if answer.status >= 500:
            outcome = "server_error"
        elif kind in ("read", "page"):
            outcome = "ok" if answer.status == 200 else "refused"
        elif answer.status == 302:
            outcome = "acknowledged"
        elif answer.status == 200 and RATE_LIMITED in answer.body:
            outcome = "rate_limited"
        else:
            outcome = "refused"
        detail = answer.body[:300] if answer.status >= 500 else ""
        self.records.append(
            Record(
                kind, member, started, self.now(), answer.status, outcome, etag="ETag" in answer.headers, detail=detail
            )
        )
        return answer

    def reader(self, n: int) -> None:
        chooser = random.Random(n)
        while not self.stop.is_set():
            self.request("read", "", chooser.choice(self.site.topics))
            self.stop.wait(chooser.uniform(0.05, 0.25))

    def writer(self, member: str) -> None:
        chooser = random.Random(member)
        cookies = {"sessionid": self.members[member]}
        token = None
        while not self.stop.is_set():
            if token is None:  # the member opens a topic page: the form's CSRF token
                page = self.request("page", member, chooser.choice(self.site.topics), cookies=cookies)
                if page is not None and page.status == 200:
                    cookies.update(page.cookies())
                    token = page.csrf_token()
            else:
                self.act(member, chooser, cookies, token)
            self.stop.wait(chooser.uniform(0.3, 1.0))

    # ------------------------------------------------------------ what members do

    def act(self, member: str, chooser: random.Random, cookies: dict, token: str) -> None:
        act = chooser.choice(ACTS)
        with self.lock:
            targets = [(pk, author) for pk, author in self.published if author != member]
            if act in ("flag", "helpful"):
                targets = [(pk, author) for pk, author in targets if (act, member, pk) not in self.attempted]
        if act in ("reply", "flag", "helpful") and not targets:
            act = "comment"
        form = {"csrfmiddlewaretoken": token}
        if act == "comment":
            topic = chooser.choice(self.site.topics)
            form["body"] = f"{member} comments ({next(self.counter)}): the talks need a timetable both sides keep."
            answer = self.request(act, member, f"{topic}comments/", method="POST", form=form, cookies=cookies)
            self.comment_acknowledged(answer, member, None)
        elif act == "reply":
            parent, _ = chooser.choice(targets)
            form["body"] = f"{member} replies ({next(self.counter)}): and who checks that they keep it?"
            answer = self.request(act, member, f"/comments/{parent}/reply/", method="POST", form=form, cookies=cookies)
            self.comment_acknowledged(answer, member, parent)
        elif act in ("flag", "helpful"):
            target, _ = chooser.choice(targets)
            with self.lock:
                self.attempted.add((act, member, target))  # a mark sent twice would take itself back
            if act == "flag":
                form["reason"] = "spam"
            answer = self.request(act, member, f"/comments/{target}/{act}/", method="POST", form=form, cookies=cookies)
            if answer is not None and answer.status == 302:
                getattr(self.acknowledged, "flags" if act == "flag" else "helpful").add((member, target))
        else:
            ranking = self.new_ranking(member, chooser)
            form.update({f"rank_{factor}": rank for rank, factor in enumerate(ranking, start=1)})
            answer = self.request(
                act, member, f"/articles/{self.site.article}/factors/rank/", method="POST", form=form, cookies=cookies
            )
            if answer is not None and answer.status == 302:
                self.acknowledged.ballots[member] += 1

    def comment_acknowledged(self, answer: Answer | None, member: str, parent: int | None) -> None:
        if answer is None or answer.status != 302:
            return
        found = COMMENT_LOCATION.match(answer.headers.get("Location", ""))
        assert found, f"a comment was acknowledged with Location {answer.headers.get('Location')!r}"
        pk = int(found.group(1))
        with self.lock:
            self.acknowledged.comments[pk] = (member, parent)
            self.published.append((pk, member))

    def new_ranking(self, member: str, chooser: random.Random) -> list[int]:
        """A ranking the member never sent: whichever of theirs the site kept, this one makes a new version."""
        factors = list(self.site.factors)
        while True:
            chooser.shuffle(factors)
            ranking = tuple(factors[: chooser.randint(2, len(factors))])
            if ranking not in self.rankings[member]:
                self.rankings[member].add(ranking)
                return list(ranking)

    # ------------------------------------------------------------ afterwards

    def outcomes(self, records=None) -> Counter:
        return Counter(record.outcome for record in (self.records if records is None else records))

    def server_errors(self) -> list[Record]:
        return [record for record in self.records if record.outcome == "server_error"]

    def check(self) -> str:
        """Look for every acknowledged write in the database (`missing`); a line of figures to print."""
        self.missing = missing_writes(self.stack, self.acknowledged)
        return self.summary(self.missing)

    def summary(self, missing: dict[str, list]) -> str:
        outcomes = self.outcomes()
        writes = Counter(r.kind for r in self.records if r.outcome == "acknowledged")
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(writes.items()))
        refused = Counter(f"{r.kind} {r.status}" for r in self.records if r.outcome == "refused")
        why = f" ({', '.join(f'{what}: {count}' for what, count in sorted(refused.items()))})" if refused else ""
        return (
            f"{len(self.records)} requests in {self.now():.0f} s ({outcomes['ok']} pages read); "
            f"writes acknowledged {self.acknowledged.count()} ({kinds}); "
            f"rate-limited {outcomes['rate_limited']}, refused {outcomes['refused']}{why}, "
            f"5xx {outcomes['server_error']}, no answer {outcomes['no_answer']}, "
            f"missing {sum(len(each) for each in missing.values())}"
        )


def missing_writes(stack: Stack, acknowledged: Acknowledged) -> dict[str, list]:
    """Every acknowledged write that the database does not hold, by kind (all lists empty: none lost)."""
    comments = {
        pk: (author, parent)
        for pk, author, parent in stack.query(
            "SELECT c.id, u.username, c.parent_id FROM forum_comment c JOIN forum_user u ON u.id = c.author_id "
            "WHERE c.id = ANY(%s)",
            [list(acknowledged.comments)],
        )
    }
    members = sorted({member for member, _ in acknowledged.flags | acknowledged.helpful} | set(acknowledged.ballots))
    flags = set(
        stack.query(
            "SELECT u.username, f.comment_id FROM forum_flag f JOIN forum_user u ON u.id = f.member_id "
            "WHERE u.username = ANY(%s)",
            [members],
        )
    )
    helpful = set(
        stack.query(
            "SELECT u.username, h.comment_id FROM forum_helpfulmark h JOIN forum_user u ON u.id = h.member_id "
            "WHERE u.username = ANY(%s)",
            [members],
        )
    )
    ballots = {
        member: (count, top)
        for member, count, top in stack.query(
            "SELECT u.username, count(*), max(b.version) FROM forum_ballot b JOIN forum_user u ON u.id = b.member_id "
            "WHERE u.username = ANY(%s) GROUP BY u.username",
            [members],
        )
    }
    return {
        "comments": [pk for pk, expected in acknowledged.comments.items() if comments.get(pk) != expected],
        "flags": sorted(acknowledged.flags - flags),
        "helpful": sorted(acknowledged.helpful - helpful),
        # Versions run 1..n: n ballots kept, at least one for each acknowledged (an unanswered one may count too).
        "ballots": [
            member
            for member, count in acknowledged.ballots.items()
            if ballots.get(member, (0, 0))[0] < count or ballots[member][0] != ballots[member][1]
        ],
    }
