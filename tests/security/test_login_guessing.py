"""Password guessing is limited without handing a stranger the power to lock an editor out (OWASP: limits per
address and per account-and-address, and an account-wide limit on failures that spares addresses where the
password was proven before)."""

import pytest

from tests.factories import DEFAULT_PASSWORD
from tests.problem import assert_problem
from tests.security.limited import rate_limited_app

STRANGER, EDITOR_HOME, EDITOR_TRAVELLING = "198.51.100.7", "192.0.2.10", "192.0.2.99"


@pytest.fixture
def guarded(app_config, app):
    return rate_limited_app(
        app_config,
        RATE_LIMIT_LOGIN="50 per minute",
        RATE_LIMIT_LOGIN_PER_ACCOUNT_ADDRESS="3 per 15 minutes",
        RATE_LIMIT_LOGIN_PER_ACCOUNT="5 per hour",
    ).test_client()


def log_in(client, email: str, password: str, address: str):
    return client.post(
        "/api/v1/auth/token", json={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def test_a_strangers_guesses_do_not_lock_the_editor_out(guarded, editor):
    tries = [log_in(guarded, editor.email, f"guess {i}", STRANGER).status_code for i in range(8)]
    assert tries == [401] * 3 + [429] * 5
    # The stranger stays limited, even with the right password...
    assert_problem(log_in(guarded, editor.email, DEFAULT_PASSWORD, STRANGER), 429)
    # ...while the editor logs in from elsewhere, even from an address never seen before.
    assert log_in(guarded, editor.email, DEFAULT_PASSWORD, EDITOR_TRAVELLING).status_code == 200


def test_guessing_from_many_addresses_spares_the_editors_proven_address(guarded, editor):
    assert log_in(guarded, editor.email, DEFAULT_PASSWORD, EDITOR_HOME).status_code == 200
    tries = [log_in(guarded, editor.email, f"guess {i}", f"203.0.113.{i}").status_code for i in range(7)]
    assert tries == [401] * 5 + [429] * 2
    # Unproven addresses are limited for this account, the right password included...
    assert_problem(log_in(guarded, editor.email, DEFAULT_PASSWORD, "203.0.113.200"), 429)
    # ...but not the address where the editor proved the password before.
    assert log_in(guarded, editor.email, DEFAULT_PASSWORD, EDITOR_HOME).status_code == 200


def test_successful_logins_are_not_counted_as_guesses(guarded, editor):
    answers = [log_in(guarded, editor.email, DEFAULT_PASSWORD, f"192.0.2.{i}").status_code for i in range(8)]
    assert answers == [200] * 8
