"""Running the service: the list of domains, provisioning, seeding, the flask CLI and the all-models import."""
