"""Messages of the model catalog (`afinar models`)."""

MESSAGES: dict[str, dict[str, str]] = {}
