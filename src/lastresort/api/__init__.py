"""The JSON API (FastAPI). Thin: it parses, authenticates, calls the service and renders."""
