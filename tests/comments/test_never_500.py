"""Whatever a client sends to the public API, it gets an answer, never a server error."""

from __future__ import annotations

import json

from flask.testing import FlaskClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

FIELDS = [
    "site",
    "thread",
    "thread_title",
    "thread_url",
    "parent_id",
    "author_name",
    "author_email",
    "author_url",
    "body",
    "form_token",
    "honeypot",
    "idempotency_key",
]
ANSWERS = {200, 201, 400, 403, 413, 415, 422}

# Lone surrogates, NUL and bidi controls are valid in JSON strings and have broken servers.
tricky_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(["\ud800", "\udfff", "\x00", "\u202e", "\n"]), st.characters()
    ),
    max_size=300,
)
values = st.one_of(
    tricky_text,
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=300),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), tricky_text, max_size=2),
)
# Mostly well-formed requests, so generated values get past the required fields to the service.
payloads = st.one_of(
    st.fixed_dictionaries(
        {"thread": tricky_text.filter(str.strip), "body": tricky_text.filter(str.strip)},
        optional={
            field: st.one_of(tricky_text, values)
            for field in FIELDS
            if field not in ("thread", "body")
        },
    ),
    st.dictionaries(st.sampled_from([*FIELDS, "extra"]), values, max_size=len(FIELDS)),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(payload=payloads)
@example({"thread": "/a", "body": "lone \ud800 surrogate", "author_name": "\udfff"})
def test_post_comments_never_answers_5xx(client: FlaskClient, payload: dict) -> None:
    body = json.dumps(payload, allow_nan=True)
    response = client.post("/api/v1/comments", data=body, content_type="application/json")
    assert response.status_code in ANSWERS, (payload, response.get_data(as_text=True))


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    query=st.dictionaries(
        st.sampled_from(["thread", "site", "per_page", "cursor", "x"]),
        st.text(max_size=40),
        max_size=4,
    )
)
def test_read_thread_never_answers_5xx(client: FlaskClient, query: dict) -> None:
    response = client.get("/api/v1/comments", query_string=query)
    assert response.status_code in {200, 422}, (query, response.get_data(as_text=True))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.binary(max_size=200))
def test_arbitrary_bytes_never_answer_5xx(client: FlaskClient, raw: bytes) -> None:
    response = client.post("/api/v1/comments", data=raw, content_type="application/json")
    assert response.status_code in ANSWERS
