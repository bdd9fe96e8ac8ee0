"""The web studio: a local FastAPI app over one production (``aktion studio``)."""
