"""What the fuzz tests type into forms and addresses: hostile text, wrong types, invalid ids, missing fields.

Surrogates are left out: a browser cannot send them and Django's test client
cannot encode them (the services refuse them anyway: forum/validators.py).
"""

from django.urls.converters import IntConverter
from hypothesis import strategies as st

# Any character but a surrogate: control characters, NUL, combining marks, emoji, right-to-left text.
CHARACTERS = st.characters(exclude_categories=("Cs",))
TEXT = st.text(CHARACTERS, max_size=40)

# The lengths around every column limit of the models (20 is the join code box, 150 a username).
LIMITS = [8, 20, 60, 80, 150, 254, 280, 300, 500, 5000]
AT_THE_LIMIT = st.sampled_from([n + delta for n in LIMITS for delta in (0, 1)]).map(lambda n: "x" * n)
LONG = st.builds(
    lambda piece, times: piece * times, st.text(CHARACTERS, min_size=1, max_size=3), st.integers(100, 4000)
)

# Text that has broken forms before, or would: NUL, controls, invisible and bidi characters, numbers in
# forms int() refuses ("²" passes str.isdigit), sizes no column holds.
EDGES = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "\x01",
        "\x1b[31m",
        "\x7f",
        "\x85",
        "\u200b",
        "\u202e",
        "\ufeff",
        "\r\n",
        "\t",
        "0",
        "-1",
        "1.5",
        "1e3",
        "0x10",
        "²",
        "١٢",
        "٣",
        "+1",
        " 1",
        "1 ",
        "99999999999999999999",
        str(2**31),
        str(2**63),
        str(-(2**63) - 1),
        "NaN",
        "None",
        "null",
        "true",
        "[]",
        "{}",
        "<script>",
        "'; DROP TABLE forum_comment; --",
        "%00",
        "../../etc/passwd",
    ]
)
NUMBERS = st.integers(-(10**20), 10**20).map(str)


def values(ids=()) -> st.SearchStrategy:
    """One value for a form field: text, an edge case, a number, an id of something else, or several values."""
    one = st.one_of(TEXT, EDGES, AT_THE_LIMIT, LONG, NUMBERS, *([st.sampled_from(sorted(ids))] if ids else []))
    return st.one_of(one, st.lists(one, min_size=2, max_size=3))


def payload(fields: dict, extras: dict, ids=()) -> st.SearchStrategy:
    """A POST body built from a valid one: each field kept, left out or replaced by a hostile value;
    each extra (a second button, an option) absent, valid or hostile; plus a few unexpected fields."""
    hostile = values(ids)

    def field(valid):
        return st.one_of(st.just(valid), st.none(), hostile)

    def extra(valid):
        return st.one_of(st.none(), st.just(valid), hostile)

    known = st.fixed_dictionaries(
        {name: field(valid) for name, valid in fields.items()} | {name: extra(valid) for name, valid in extras.items()}
    )
    unknown = st.dictionaries(st.text(CHARACTERS, min_size=1, max_size=10), hostile, max_size=2)
    return st.builds(lambda data, more: {**more, **{k: v for k, v in data.items() if v is not None}}, known, unknown)


def url_value(converter, valid) -> st.SearchStrategy:
    """A value for an address's argument: mostly the valid one, else anything its converter lets through."""
    other = (
        st.integers(0, 10**20)
        if isinstance(converter, IntConverter)
        else st.from_regex(converter.regex, fullmatch=True, alphabet=CHARACTERS).filter(lambda text: len(text) <= 60)
    )
    return st.one_of(st.just(valid), st.just(valid), other)
