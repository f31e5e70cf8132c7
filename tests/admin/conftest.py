"""Back-office fixtures: a logged-in test client, and the browser fixtures of tests.admin.browser."""

from __future__ import annotations

import pytest

from tests.admin.browser import browser, chromium_installed, live_server  # noqa: F401 (fixtures)
from tests.admin.helpers import login


@pytest.fixture
def editor_client(client, editor):
    """A test client logged in as an editor (English interface)."""
    response = login(client, editor)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def admin_client(client, admin):
    """A test client logged in as an admin (English interface)."""
    response = login(client, admin)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client
