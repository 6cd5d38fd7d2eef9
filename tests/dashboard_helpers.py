"""The national dashboard in tests: counted by a job (supervision.kept), which a worker runs here."""

from __future__ import annotations

from inspect_app.jobs.worker import Worker


def counted_national_dashboard(client, url: str):
    """The national dashboard at ``url`` once counted: the first visit shows no figures and queues the count, a
    worker runs it, and the page is asked again."""
    first = client.get(url)
    html = first.get_data(as_text=True)
    assert first.status_code == 200, html
    assert 'data-kept="none"' in html and 'data-figure="' not in html
    Worker(client.application, poll_seconds=0).run(once=True)
    return client.get(url)
