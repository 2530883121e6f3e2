"""The OpenAI-compatible HTTP API over the shared core (jobs, serving, models); see ``app``."""
