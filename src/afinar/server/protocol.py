"""The API's request bodies (what /openapi.json documents); the service checks their meaning.

Models stay open (``extra="allow"``) because OpenAI's SDKs send new fields before servers know them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ChatMessage(_Open):
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[dict[str, Any]] | None = None
    name: str | None = None


class StreamOptions(_Open):
    include_usage: bool | None = None


class ChatCompletionRequest(_Open):
    model: str = Field(min_length=1)
    messages: list[ChatMessage] = Field(min_length=1)
    temperature: float | None = Field(None, ge=0, le=2)
    top_p: float | None = Field(None, ge=0, le=1)
    max_tokens: int | None = Field(None, ge=1, le=32768)
    max_completion_tokens: int | None = Field(None, ge=1, le=32768)
    stop: str | list[str] | None = None
    seed: int | None = Field(None, ge=-(2**63), le=2**63 - 1)  # the spec's int64 range
    n: int | None = Field(1, ge=1, le=8)
    stream: bool | None = False
    stream_options: StreamOptions | None = None
    presence_penalty: float | None = Field(None, ge=-2, le=2)
    frequency_penalty: float | None = Field(None, ge=-2, le=2)
    logit_bias: dict[str, float] | None = None  # token id (as a string, JSON keys are) -> -100..100
    # structured outputs, tools and logprobs: checked and planned by afinar.server.outputs
    response_format: dict[str, Any] | None = None
    tools: list[dict[str, Any]] | None = None
    tool_choice: str | dict[str, Any] | None = None
    parallel_tool_calls: bool | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = Field(None, ge=0, le=20)
    # Afinar's extension (extra_body={"system_prompt": "training"}): a request without a system message
    # gets the fine-tuned model's training system prompt. Default: none is added, as OpenAI does.
    system_prompt: Literal["training"] | None = None
    # Afinar's extension for rag: models (extra_body={"rag_mode": "extractive"}): how the answer is
    # made, as `afinar rag ask --mode`. Default auto. Refused for other models.
    rag_mode: Literal["auto", "extractive", "generative"] | None = None


class JobCreateRequest(_Open):
    model: str = Field(min_length=1)
    training_file: str = Field(min_length=1)
    validation_file: str | None = None
    hyperparameters: dict[str, Any] | None = None
    method: dict[str, Any] | None = None
    suffix: str | None = Field(None, max_length=64)
    seed: StrictInt | None = None  # "3" is not a seed
    metadata: dict[str, str] | None = None
    integrations: list[dict[str, Any]] | None = None


class EmbeddingRequest(_Open):
    input: str | list[str] | list[int] | list[list[int]]
    model: str = Field(min_length=1)
    encoding_format: Literal["float", "base64"] = "float"
    dimensions: int | None = Field(None, ge=1)
    user: str | None = None


class RagSearchRequest(_Open):
    query: str = Field(min_length=1)
    k: int = Field(4, ge=1, le=50)
