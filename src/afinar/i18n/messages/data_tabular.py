"""Messages of text-classification and image-folder validation, convert and split."""

MESSAGES: dict[str, dict[str, str]] = {}
