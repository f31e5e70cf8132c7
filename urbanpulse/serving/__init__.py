"""How gunicorn serves the app: worker classes shared by `urbanpulse.gunicorn_conf`."""
