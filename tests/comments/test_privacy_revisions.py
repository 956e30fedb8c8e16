"""An edited comment's earlier texts belong to its author: exported with it, and without the
name it was posted under once the author is erased."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from tests.comments.conftest import NICE, PostComment, StaffToken

EMAIL = "ann@example.org"
EDITED = "On reflection, the second half of the article convinced me as well. Thank you."


@pytest.fixture
def edited(client: FlaskClient, post_comment: PostComment) -> int:
    """Ann Original's comment, edited once under the name Ann Edited."""
    posted = post_comment(author_name="Ann Original", author_email=EMAIL).get_json()
    response = client.patch(
        f"/api/v1/comments/{posted['id']}",
        json={"body": EDITED, "author_name": "Ann Edited"},
        headers={"X-Edit-Token": posted["edit_token"]},
    )
    assert response.status_code == 200, response.get_json()
    comment_id: int = posted["id"]
    return comment_id


def test_the_export_lists_a_comments_earlier_texts_with_when(
    runner: FlaskCliRunner, edited: int
) -> None:
    result = runner.invoke(args=["privacy", "export", EMAIL])
    assert result.exit_code == 0, result.output
    (comment,) = json.loads(result.output)["comments"]
    assert comment["id"] == edited and comment["body"] == EDITED
    (revision,) = comment["revisions"]
    assert revision["body"] == NICE and revision["author_name"] == "Ann Original"
    assert revision["status"] == "published" and revision["scores"]["model_version"]
    assert revision["edited_at"] >= comment["created_at"]


def test_anonymising_drops_the_name_from_earlier_texts_too(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, staff_headers: StaffToken, edited: int
) -> None:
    result = runner.invoke(args=["privacy", "erase", EMAIL, "--mode", "anonymise", "--yes"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["comments_anonymised"] == 1
    detail = client.get(
        f"/api/v1/moderation/comments/{edited}", headers=staff_headers("moderator")
    ).get_json()
    assert detail["author"]["name"] == "" and detail["body"] == EDITED
    (revision,) = detail["revisions"]
    # The words stay, as the comment's own do; the name it was posted under goes.
    assert revision["body"] == NICE and revision["author_name"] == ""
    assert "Ann Original" not in json.dumps(detail)
