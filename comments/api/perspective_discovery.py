"""Google's discovery document for the Perspective-compatible API.

Perspective's published Python sample builds its client from Google's discovery document:
``googleapiclient.discovery.build("commentanalyzer", "v1alpha1", developerKey=KEY,
discoveryServiceUrl="https://commentanalyzer.googleapis.com/$discovery/rest?version=v1alpha1")``;
the client library ships no copy of it. Serving our own, rooted at this host, lets such a
platform switch by changing that one URL, and keeps it working once Google's is gone. It
describes what we serve: the two methods, and the request fields we accept.
"""

from __future__ import annotations

from typing import Any

VERSION = "v1alpha1"


def _object(name: str, description: str, **properties: dict[str, Any]) -> dict[str, Any]:
    return {"id": name, "type": "object", "description": description, "properties": properties}


def _text(description: str) -> dict[str, Any]:
    return {"type": "string", "description": description}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": name}


def _map_of(name: str, description: str) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": _ref(name), "description": description}


_SCORE_TYPES = ["SCORE_TYPE_UNSPECIFIED", "PROBABILITY"]
_LANGUAGES = {"type": "array", "items": {"type": "string"}, "description": "BCP-47 tags; en."}
_ATTRIBUTES = "TOXICITY or SPAM."

_SCHEMAS = [
    _object(
        "TextEntry",
        "A text: the comment, or part of its context.",
        text=_text("The text, at most 20 KB of UTF-8."),
        type={"type": "string", "enum": ["TEXT_TYPE_UNSPECIFIED", "PLAIN_TEXT"]},
    ),
    _object(
        "ArticleAndParentComment",
        "The article and the comment replied to; kept, not scored.",
        article=_ref("TextEntry"),
        parentComment=_ref("TextEntry"),
    ),
    _object(
        "Context",
        "What the comment replies to; kept with suggestions, not scored.",
        entries={"type": "array", "items": _ref("TextEntry")},
        articleAndParentComment=_ref("ArticleAndParentComment"),
    ),
    _object(
        "AttributeParameters",
        "How to score one attribute.",
        scoreType={"type": "string", "enum": _SCORE_TYPES},
        scoreThreshold={"type": "number", "format": "float"},
    ),
    _object(
        "Score",
        "A probability from 0 to 1.",
        value={"type": "number", "format": "float"},
        type={"type": "string", "enum": _SCORE_TYPES},
    ),
    _object(
        "SpanScore",
        "A span's score; begin and end count UTF-16 code units, end exclusive.",
        begin={"type": "integer", "format": "int32"},
        end={"type": "integer", "format": "int32"},
        score=_ref("Score"),
    ),
    _object(
        "AttributeScores",
        "One attribute's scores.",
        summaryScore=_ref("Score"),
        spanScores={"type": "array", "items": _ref("SpanScore")},
    ),
    _object(
        "AnalyzeCommentRequest",
        "A comment to score.",
        comment=_ref("TextEntry"),
        context=_ref("Context"),
        requestedAttributes=_map_of("AttributeParameters", _ATTRIBUTES),
        languages=_LANGUAGES,
        spanAnnotations={"type": "boolean"},
        doNotStore={"type": "boolean", "description": "Analyze never stores the comment."},
        dropUnsupportedAttributes={"type": "boolean"},
        clientToken=_text("Echoed in the response."),
        sessionId=_text("Accepted, not used."),
        communityId=_text("Accepted, not used."),
    ),
    _object(
        "AnalyzeCommentResponse",
        "The requested attributes' scores.",
        attributeScores=_map_of("AttributeScores", _ATTRIBUTES),
        languages=_LANGUAGES,
        clientToken=_text("As sent."),
    ),
    _object(
        "SuggestCommentScoreRequest",
        "A platform's correction, kept as training data of the key's site.",
        comment=_ref("TextEntry"),
        context=_ref("Context"),
        attributeScores=_map_of("AttributeScores", "TOXICITY, SPAM, APPROVED or DELETED."),
        languages=_LANGUAGES,
        clientToken=_text("Echoed in the response."),
        sessionId=_text("Kept with the example."),
        communityId=_text("Kept with the example."),
    ),
    _object(
        "SuggestCommentScoreResponse",
        "The suggestion was kept.",
        clientToken=_text("As sent."),
    ),
]


def _method(name: str, request: str, response: str, description: str) -> dict[str, Any]:
    path = f"{VERSION}/comments:{name}"
    return {
        "id": f"commentanalyzer.comments.{name}",
        "path": path,
        "flatPath": path,
        "httpMethod": "POST",
        "parameters": {},
        "parameterOrder": [],
        "request": _ref(request),
        "response": _ref(response),
        "description": description,
    }


def document(root_url: str) -> dict[str, Any]:
    """The discovery document with ``root_url`` (ending in ``/``) as every method's root."""
    return {
        "kind": "discovery#restDescription",
        "discoveryVersion": "v1",
        "id": f"commentanalyzer:{VERSION}",
        "name": "commentanalyzer",
        "version": VERSION,
        "title": "Perspective-compatible Comment Analyzer API",
        "description": "Perspective's analyze and suggestscore, answered by this service's models.",
        "protocol": "rest",
        "rootUrl": root_url,
        "servicePath": "",
        "baseUrl": root_url,
        "parameters": {
            "key": {"type": "string", "location": "query", "description": "A site API key."},
            "alt": {"type": "string", "location": "query", "enum": ["json"], "default": "json"},
        },
        "resources": {
            "comments": {
                "methods": {
                    "analyze": _method(
                        "analyze",
                        "AnalyzeCommentRequest",
                        "AnalyzeCommentResponse",
                        "Scores the comment's TOXICITY and SPAM; stores nothing.",
                    ),
                    "suggestscore": _method(
                        "suggestscore",
                        "SuggestCommentScoreRequest",
                        "SuggestCommentScoreResponse",
                        "Keeps the suggested scores as a labelled example of the key's site.",
                    ),
                }
            }
        },
        "schemas": {schema["id"]: schema for schema in _SCHEMAS},
    }
