"""The app's fixtures: the browser fixtures of tests.admin.browser (Debian's chromium through Playwright)."""

from tests.admin.browser import browser, chromium_installed, live_server  # noqa: F401 (fixtures)
