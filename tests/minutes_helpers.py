"""Issuing a biên bản through the desk form as a clerk does: "Xem trước biên bản" first, then "Lập và khóa" with the
digest of the inputs the preview answered with."""

from __future__ import annotations

import re

DIGEST = re.compile(r'name="preview_digest" type="hidden" value="([^"]*)"')


def preview_digest(html: str) -> str:
    match = DIGEST.search(html)
    return match.group(1) if match else ""


def with_recorder(inspection, data: dict) -> dict:
    """The form's data with the team leader as người lập biên bản unless the test names someone."""
    if "recorder_member" not in data:
        lead = next((m for m in inspection.members if m.team_role == "lead"), inspection.members[0])
        data = {**data, "recorder_member": str(lead.id)}
    return data


def preview_then_issue(post, inspection_id: int, data: dict):
    """``post(url, data)`` → (status, html, response): the preview, then the issue of what it showed; the preview's
    response when the preview itself was refused."""
    url = f"/inspections/{inspection_id}/minutes/new"
    status, html, response = post(url, {**data, "action": "preview"})
    if status != 200:
        return response
    return post(url, {**data, "action": "issue", "preview_digest": preview_digest(html)})[2]


def issue_through_form(client, inspection, data: dict):
    """The Flask test client's POSTs through preview_then_issue."""

    def post(url, form):
        response = client.post(url, data=form)
        return response.status_code, response.get_data(as_text=True), response

    return preview_then_issue(post, inspection.id, with_recorder(inspection, data))
