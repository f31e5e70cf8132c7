"""How gunicorn serves the app: its settings (`gunicorn_conf`) and the balanced gevent worker."""
