"""The Perspective-compatible API, called the way Coral Talk's Perspective client calls it.

Coral joins ``/comments:analyze`` to its configured endpoint, puts the key in ``?key=`` and
POSTs ``{"comment": {"text"}, "doNotStore", "requestedAttributes": {"TOXICITY": {}},
"languages": ["en"]}`` as JSON; everything here goes through the real app, database and
shipped model.
"""

from __future__ import annotations

import json
import logging
import posixpath
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

import classifier
from tests.comments.conftest import ABUSIVE, NICE
from tests.comments.perspective_client import (
    ANALYZE,
    CHANNEL_SPAM,
    SUGGEST,
    call,
    coral_body,
    examples,
    summary,
    table_counts,
    utf16_slice,
)

# --- analyze --------------------------------------------------------------------------------


def test_toxic_text_scores_high_and_friendly_text_low_with_the_shipped_model(
    client: FlaskClient, key: str, shipped_model: classifier.Model
) -> None:
    toxic = call(client, ANALYZE, key, coral_body(ABUSIVE))
    friendly = call(client, ANALYZE, key, coral_body(NICE))
    assert toxic.status_code == 200 and friendly.status_code == 200
    assert summary(toxic) > 0.9 and summary(friendly) < 0.2
    assert summary(toxic) == pytest.approx(shipped_model.score(ABUSIVE).toxicity)
    assert toxic.get_json()["languages"] == ["en"]
    assert "spanScores" not in toxic.get_json()["attributeScores"]["TOXICITY"]


def test_a_platform_reaches_us_by_changing_only_the_endpoint(app: Flask, key: str) -> None:
    """Coral's own URL building: Node's ``path.join(endpoint.pathname, "/comments:analyze")``
    (which, unlike Python's, concatenates then normalises)."""
    endpoint = "https://comments.example.org/v1alpha1"
    parts = urlsplit(endpoint)
    path = posixpath.normpath(f"{parts.path}//comments:analyze")
    url = f"{parts.scheme}://{parts.netloc}{path}"
    with httpx.Client(transport=httpx.WSGITransport(app=app)) as http:
        response = http.post(
            url,
            params={"key": key},
            content=json.dumps(coral_body(ABUSIVE)),
            headers={"Content-Type": "application/json"},
        )
    assert response.status_code == 200
    assert response.json()["attributeScores"]["TOXICITY"]["summaryScore"]["value"] > 0.9


def test_googles_client_library_finds_both_methods_through_our_discovery_document(
    app: Flask, key: str
) -> None:
    """Perspective's Python sample builds its client with ``googleapiclient.discovery.build``
    from ``discoveryServiceUrl``; a discovery client joins ``rootUrl``, ``servicePath`` and a
    method's ``path``, and adds ``key`` and ``alt=json``."""
    with httpx.Client(
        transport=httpx.WSGITransport(app=app), base_url="https://comments.example.org"
    ) as http:
        found = http.get("/$discovery/rest", params={"version": "v1alpha1", "key": key})
        assert found.status_code == 200
        document = found.json()
        assert document["rootUrl"] == "https://comments.example.org/"
        base = document["rootUrl"] + document["servicePath"]
        methods = document["resources"]["comments"]["methods"]
        assert {method["httpMethod"] for method in methods.values()} == {"POST"}
        params = {"key": key, "alt": "json"}
        scored = http.post(
            base + methods["analyze"]["path"], params=params, json=coral_body(ABUSIVE)
        )
        assert scored.status_code == 200
        assert scored.json()["attributeScores"]["TOXICITY"]["summaryScore"]["value"] > 0.9
        suggestion = {
            "comment": {"text": ABUSIVE},
            "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1.0}}},
            "clientToken": "c-9",
        }
        kept = http.post(base + methods["suggestscore"]["path"], params=params, json=suggestion)
        assert kept.status_code == 200 and kept.json() == {"clientToken": "c-9"}
        other = http.get("/$discovery/rest", params={"version": "v1"})
        assert other.status_code == 404 and other.json()["error"]["status"] == "NOT_FOUND"
    request_fields = document["schemas"]["AnalyzeCommentRequest"]["properties"]
    assert {"comment", "requestedAttributes", "dropUnsupportedAttributes"} <= set(request_fields)


@pytest.mark.parametrize("app_config", [{"PUBLIC_URL": "https://comments.example.org"}])
def test_the_discovery_document_is_rooted_at_public_url_when_set(client: FlaskClient) -> None:
    """Behind a proxy the request may arrive as http://internal-host: PUBLIC_URL is the address
    platforms use."""
    document = client.get("/$discovery/rest?version=v1alpha1").get_json()
    assert document["rootUrl"] == "https://comments.example.org/"


def test_toxicity_and_spam_are_both_served_and_the_client_token_is_echoed(
    client: FlaskClient, key: str
) -> None:
    body = {
        "comment": {"text": CHANNEL_SPAM},
        "requestedAttributes": {"TOXICITY": {}, "SPAM": {}},
        "clientToken": "comment:42",
    }
    response = call(client, ANALYZE, key, body)
    assert response.status_code == 200
    answer = response.get_json()
    assert set(answer["attributeScores"]) == {"TOXICITY", "SPAM"}
    assert summary(response, "SPAM") > 0.9 and summary(response, "TOXICITY") < 0.5
    assert answer["clientToken"] == "comment:42"
    assert answer["languages"] == ["en"]  # none sent: English assumed


def test_a_request_with_every_field_at_its_proto3_default_is_scored(
    client: FlaskClient, key: str
) -> None:
    """Clients generated from Google's discovery document send every field: null, or an
    enum's ``..._UNSPECIFIED`` value, for the ones not set. Google reads both as unset."""
    body = {
        "comment": {"text": ABUSIVE, "type": "TEXT_TYPE_UNSPECIFIED"},
        "context": None,
        "requestedAttributes": {
            "TOXICITY": {"scoreType": "SCORE_TYPE_UNSPECIFIED", "scoreThreshold": None}
        },
        "languages": None,
        "spanAnnotations": None,
        "doNotStore": True,
        "dropUnsupportedAttributes": False,
        "clientToken": None,
        "sessionId": None,
        "communityId": None,
    }
    response = call(client, ANALYZE, key, body)
    assert response.status_code == 200, response.get_json()
    assert summary(response) > 0.9
    assert response.get_json()["languages"] == ["en"]
    assert "clientToken" not in response.get_json()


def test_drop_unsupported_attributes_answers_no_scores_instead_of_the_language_error(
    app: Flask, client: FlaskClient, key: str
) -> None:
    before = table_counts(app)
    french = call(
        client, ANALYZE, key, coral_body(NICE, languages=["fr"], dropUnsupportedAttributes=True)
    )
    assert french.status_code == 200
    assert french.get_json() == {"attributeScores": {}, "languages": ["fr"]}
    english = call(client, ANALYZE, key, coral_body(ABUSIVE, dropUnsupportedAttributes=True))
    assert english.status_code == 200 and summary(english) > 0.9
    unknown = coral_body(
        NICE, languages=["fr"], dropUnsupportedAttributes=True, requestedAttributes={"INSULT": {}}
    )
    refused = call(client, ANALYZE, key, unknown)
    assert refused.status_code == 400
    assert refused.get_json()["error"]["message"] == "Unknown requested attribute: INSULT"
    assert table_counts(app) == before


def test_the_key_may_come_in_googles_header(client: FlaskClient, key: str) -> None:
    response = client.post(ANALYZE, json=coral_body(NICE), headers={"X-Goog-Api-Key": key})
    assert response.status_code == 200 and summary(response) < 0.2


def test_span_scores_point_at_the_offending_words_in_utf16_offsets(
    client: FlaskClient, key: str
) -> None:
    # Astral characters before the insult: one code point each, two UTF-16 units each.
    text = "🎉🎉 Great news, but you are a stupid idiot."
    response = call(client, ANALYZE, key, coral_body(text, spanAnnotations=True))
    assert response.status_code == 200
    spans = response.get_json()["attributeScores"]["TOXICITY"]["spanScores"]
    assert spans and all(span["score"]["type"] == "PROBABILITY" for span in spans)
    words = [utf16_slice(text, span["begin"], span["end"]) for span in spans]
    assert all(word and word in text for word in words), words
    top = max(spans, key=lambda span: span["score"]["value"])
    assert utf16_slice(text, top["begin"], top["end"]) in {"idiot", "stupid", "stupid idiot"}
    assert top["score"]["value"] > 0.9
    assert text[top["begin"] : top["end"]] != utf16_slice(text, top["begin"], top["end"])
    friendly = [span for span in spans if "Great" in utf16_slice(text, span["begin"], span["end"])]
    assert all(span["score"]["value"] < 0.5 for span in friendly)


def test_a_score_threshold_leaves_out_lower_scores(client: FlaskClient, key: str) -> None:
    body = coral_body(NICE, requestedAttributes={"TOXICITY": {"scoreThreshold": 0.5}})
    response = call(client, ANALYZE, key, body)
    assert response.status_code == 200 and response.get_json()["attributeScores"] == {}


@pytest.mark.parametrize("do_not_store", [True, False])
def test_analyze_stores_and_logs_nothing_with_or_without_do_not_store(
    app: Flask, client: FlaskClient, key: str, do_not_store: bool, caplog: pytest.LogCaptureFixture
) -> None:
    text = "Zanzibar-marker: you are a stupid idiot"
    before = table_counts(app)
    with caplog.at_level(logging.DEBUG):
        body = coral_body(text, doNotStore=do_not_store, spanAnnotations=True)
        assert call(client, ANALYZE, key, body).status_code == 200
    assert table_counts(app) == before
    assert "Zanzibar" not in caplog.text


# --- errors ------------------------------------------------------------------------------------

INVALID = "INVALID_ARGUMENT"
REFUSED: list[tuple[str, Any, str, str | None]] = [
    # (case, body, message, errorType)
    *[
        (
            f"{name} is not served",
            coral_body(NICE, requestedAttributes={"TOXICITY": {}, name: {}}),
            f"Unknown requested attribute: {name}",
            "INVALID_REQUEST",
        )
        for name in ("SEVERE_TOXICITY", "INSULT", "PROFANITY", "THREAT", "IDENTITY_ATTACK")
    ],
    (
        "French",
        coral_body(NICE, languages=["fr"]),
        "Attribute TOXICITY does not support request languages: fr",
        "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE",
    ),
    ("text over 20 KB", coral_body("a " * 10241), "Comment text too long.", "COMMENT_TOO_LONG"),
    (
        "20 KB counted in bytes, not characters",
        coral_body("é" * 10241),
        "Comment text too long.",
        "COMMENT_TOO_LONG",
    ),
    ("no text", coral_body(NICE, comment={}), "Comment must be non-empty.", "COMMENT_EMPTY"),
    ("no comment", {"requestedAttributes": {"TOXICITY": {}}}, "Comment must be non-empty.", None),
    (
        "no attributes",
        coral_body(NICE, requestedAttributes={}),
        "Missing requested_attributes",
        "NO_REQUESTED_ATTRIBUTES",
    ),
    ("malformed JSON", b'{"comment": {"text": "hi"', "Invalid JSON payload received.", None),
    ("not an object", b'["hi"]', "Invalid JSON payload received.", None),
    ("nested too deeply", b"[" * 30_000 + b"]" * 30_000, "Invalid JSON payload received.", None),
    ("unknown field", coral_body(NICE, colour="red"), "Invalid JSON payload received.", None),
    ("text not a string", coral_body(NICE, comment={"text": 5}), "Invalid JSON payload", None),
    (
        "body over the request limit",
        coral_body("x" * 70_000),
        "Request payload size exceeds the limit: 65536 bytes.",
        None,
    ),
]


@pytest.mark.parametrize(("case", "body", "message", "error_type"), REFUSED)
def test_refused_requests_get_perspectives_error_and_store_nothing(
    app: Flask,
    client: FlaskClient,
    key: str,
    case: str,
    body: Any,
    message: str,
    error_type: str | None,
) -> None:
    before = table_counts(app)
    response = call(client, ANALYZE, key, body)
    assert response.status_code == 400, case
    error = response.get_json()["error"]
    assert (error["code"], error["status"]) == (400, INVALID), case
    assert error["message"].startswith(message), (case, error["message"])
    if error_type is not None:
        (detail,) = error["details"]
        assert detail["errorType"] == error_type, case
    assert table_counts(app) == before


def test_the_language_error_names_the_attribute_and_languages(
    client: FlaskClient, key: str
) -> None:
    body = coral_body(NICE, languages=["de", "fr"], requestedAttributes={"SPAM": {}})
    (detail,) = call(client, ANALYZE, key, body).get_json()["error"]["details"]
    assert detail["languageNotSupportedByAttributeError"] == {
        "attribute": "SPAM",
        "requestedLanguages": ["de", "fr"],
    }
    english = call(client, ANALYZE, key, coral_body(NICE, languages=["en-GB", "fr"]))
    assert english.status_code == 200 and english.get_json()["languages"] == ["en-GB", "fr"]
    exactly_20_kb = call(client, ANALYZE, key, coral_body("é" * 10240))
    assert exactly_20_kb.status_code == 200


def test_missing_bad_and_revoked_keys_get_googles_answers(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, key: str
) -> None:
    before = table_counts(app)
    missing = call(client, ANALYZE, None, coral_body(ABUSIVE))
    assert missing.status_code == 403
    assert missing.get_json()["error"] == {
        "code": 403,
        "message": "The request is missing a valid API key.",
        "status": "PERMISSION_DENIED",
    }
    assert call(client, ANALYZE, key, coral_body(NICE)).status_code == 200
    revoked = runner.invoke(args=["sites", "revoke-key", "default", "1"])
    assert revoked.exit_code == 0, revoked.output
    for path in (ANALYZE, SUGGEST):
        for sent in (key, "cms_not-a-key"):
            response = call(client, path, sent, coral_body(ABUSIVE))
            assert response.status_code == 400, (path, sent)
            error = response.get_json()["error"]
            assert error["message"] == "API key not valid. Please pass a valid API key."
            assert error["status"] == INVALID
            assert error["details"][0]["reason"] == "API_KEY_INVALID"
    after = table_counts(app)
    assert after == before and not examples(app)


@pytest.mark.parametrize("app_config", [{"MODEL_PATH": "/nonexistent/perspective-test-model"}])
def test_without_a_model_the_platform_is_asked_to_retry(client: FlaskClient, key: str) -> None:
    response = call(client, ANALYZE, key, coral_body(NICE))
    assert response.status_code == 503
    assert response.get_json()["error"]["status"] == "UNAVAILABLE"


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "RATELIMIT_PER_SITE_KEY": "2 per minute"}]
)
def test_each_key_is_rate_limited_in_perspectives_words(
    client: FlaskClient, new_key: Callable[..., str]
) -> None:
    busy, quiet = new_key(), new_key()
    for _ in range(2):
        assert call(client, ANALYZE, busy, coral_body(NICE)).status_code == 200
    refused = call(client, SUGGEST, busy, coral_body(NICE))
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    error = refused.get_json()["error"]
    assert (error["code"], error["status"]) == (429, "RESOURCE_EXHAUSTED")
    assert error["details"][0]["reason"] == "RATE_LIMIT_EXCEEDED"
    assert call(client, ANALYZE, quiet, coral_body(NICE)).status_code == 200
