"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

from urbanpulse import create_app

app = create_app()
