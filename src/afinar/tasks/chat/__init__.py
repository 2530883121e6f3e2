"""Supervised fine-tuning of causal language models on OpenAI-format chat data."""
