"""Photos of places, routes and events: upload, storage, derived sizes, serving."""
