"""The API's contract beyond the happy path: paging, errors in OpenAI's shape (and the user's language),
API keys, embeddings, LangChain, concurrency, and schemathesis against our own /openapi.json."""

from __future__ import annotations

import base64
import concurrent.futures as cf
import io
import subprocess
import sys
from pathlib import Path

import httpx
import numpy as np
import openai
import pytest
from fixtures.models.tiny_bert import write_tiny_bert
from serverkit import together_and_alone

pytestmark = pytest.mark.cli
LINE = b'{"messages": [{"role": "user", "content": "Hola %d"}, {"role": "assistant", "content": "Hola, soy TechStore."}]}\n'


def test_files_list_pages_retrieve_content_delete(server, make_client):
    client = make_client(server)
    ids = [client.files.create(file=(f"f{i}.jsonl", io.BytesIO(LINE % i)), purpose="fine-tune").id for i in range(3)]
    other = client.files.create(file=("notes.txt", io.BytesIO(b"x")), purpose="user_data")
    assert [f.id for f in client.files.list(limit=1, purpose="fine-tune")] == ids[::-1]  # newest first, 3 pages
    assert [f.id for f in client.files.list(order="asc")] == [*ids, other.id]
    assert client.files.retrieve(ids[1]).filename == "f1.jsonl"
    assert client.files.content(ids[1]).read() == LINE % 1
    assert client.files.delete(ids[1]).deleted
    with pytest.raises(openai.NotFoundError):
        client.files.retrieve(ids[1])
    # a name is only a label: paths never reach the disk
    sneaky = client.files.create(file=("../../etc/passwd", io.BytesIO(LINE % 9)), purpose="fine-tune")
    assert sneaky.filename == "passwd"
    assert not (server.home.parent / "etc").exists()


def test_errors_have_openai_shape_and_speak_spanish(server, make_client, tiny_model):
    client = make_client(server)
    with pytest.raises(openai.NotFoundError) as missing:
        client.fine_tuning.jobs.retrieve("ftjob-nope")
    assert missing.value.body["code"] == "job_not_found"
    with pytest.raises(openai.BadRequestError) as bad:
        client.fine_tuning.jobs.create(training_file="file-missing", model=str(tiny_model))
    assert bad.value.body["param"] == "training_file" and bad.value.body["code"] == "invalid_training_file"
    f = client.files.create(file=("ok.jsonl", io.BytesIO(LINE % 1)), purpose="fine-tune")
    with pytest.raises(openai.BadRequestError) as hp:
        client.fine_tuning.jobs.create(training_file=f.id, model=str(tiny_model),
                                       hyperparameters={"n_epochs": 99})
    assert hp.value.body["param"] == "hyperparameters.n_epochs"
    with pytest.raises(openai.BadRequestError) as unknown:
        client.fine_tuning.jobs.create(training_file=f.id, model="no-such-model")
    assert unknown.value.body["code"] == "model_not_found" and "smollm2-135m-instruct" in unknown.value.body["message"]
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="ft:nada:afinar:x:123", messages=[{"role": "user", "content": "hola"}])
    with pytest.raises(openai.BadRequestError) as temp:
        client.chat.completions.create(model=str(tiny_model), temperature=5, messages=[{"role": "user", "content": "a"}])
    assert temp.value.body["param"] == "temperature"
    # raw bodies: malformed JSON and wrong types are 400s in OpenAI's shape, in the caller's language
    raw = httpx.post(f"{server.url}/v1/chat/completions", content=b"{not json",
                     headers={"Content-Type": "application/json", "Accept-Language": "es"}, timeout=60)
    assert raw.status_code == 400 and set(raw.json()["error"]) == {"message", "type", "param", "code"}
    assert raw.json()["error"]["message"].startswith("El cuerpo de la solicitud no es JSON válido (en el carácter 1")
    assert raw.json()["error"]["param"] is None  # not the character offset
    assert httpx.post(f"{server.url}/v1/fine_tuning/jobs", json={"model": 3}, timeout=60).status_code == 400
    assert httpx.get(f"{server.url}/v1/nothing-here", timeout=60).json()["error"]["type"] == "invalid_request_error"


def test_upload_size_limit(servers, make_client):
    server = servers.start("--max-upload-mb", "1")
    client = make_client(server)
    with pytest.raises(openai.APIStatusError) as big:
        client.files.create(file=("big.jsonl", io.BytesIO(LINE * 20000)), purpose="fine-tune")
    assert big.value.status_code == 413
    assert not [p for p in (server.home / "files").glob("*")]  # nothing half-written is left behind


def test_api_key_required_and_checked(servers, make_client):
    server = servers.start("--require-key", env={"AFINAR_API_KEY": "sk-test-123"})
    with pytest.raises(openai.AuthenticationError) as denied:
        make_client(server, api_key="wrong").models.list()
    assert denied.value.body["code"] == "invalid_api_key"
    assert make_client(server, api_key="sk-test-123").models.list().data == []
    assert httpx.get(server.url + "/health", timeout=60).status_code == 200  # health needs no key


def test_studio_asks_for_the_key_too(servers):
    server = servers.start("--require-key", env={"AFINAR_API_KEY": "sk-test-456"}, studio=True)
    assert httpx.get(server.url + "/config", timeout=60).status_code == 401  # the studio's page data
    with httpx.Client(base_url=server.url, timeout=60) as browser:
        assert browser.post("/login", data={"username": "yo", "password": "wrong"}).status_code >= 400
        assert browser.post("/login", data={"username": "yo", "password": "sk-test-456"}).status_code == 200
        assert browser.get("/config").status_code == 200


def test_non_local_bind_needs_a_key(afinar_home):
    done = subprocess.run([sys.executable, "-m", "afinar", "serve", "--host", "0.0.0.0", "--no-studio"],
                          capture_output=True, text=True, timeout=60, check=False,
                          env={"AFINAR_HOME": str(afinar_home), "AFINAR_LANG": "en", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 2
    text = " ".join(done.stderr.split())
    assert "an API key is required" in text and "afinar keys create" in text
    assert "Traceback" not in done.stderr


def test_embeddings_float_and_base64(server, make_client, tmp_path):
    folder = write_tiny_bert(tmp_path / "tiny-embed", ["el iphone 15 cuesta 799", "garantía de un año"])
    client = make_client(server)
    floats = client.embeddings.create(model=str(folder), input=["el iphone 15", "garantía"], encoding_format="float")
    assert [d.index for d in floats.data] == [0, 1] and floats.usage.prompt_tokens > 0
    vectors = np.array([d.embedding for d in floats.data])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    raw = httpx.post(f"{server.url}/v1/embeddings", json={"model": str(folder), "input": "el iphone 15",
                                                          "encoding_format": "base64"}, timeout=60).json()
    decoded = np.frombuffer(base64.b64decode(raw["data"][0]["embedding"]), dtype="<f4")
    assert np.allclose(decoded, vectors[0], atol=1e-6)
    sdk_default = make_client(server, strict=False).embeddings.create(model=str(folder), input="el iphone 15")
    assert np.allclose(sdk_default.data[0].embedding, vectors[0], atol=1e-6)  # the SDK's base64 path


def test_langchain_chat_and_embeddings(server, tiny_model, tmp_path):
    from langchain_openai import ChatOpenAI, OpenAIEmbeddings

    chat = ChatOpenAI(base_url=server.url + "/v1", api_key="local", model=str(tiny_model), temperature=0,
                      max_tokens=6, max_retries=0)
    answer = chat.invoke("¿Tienen iPhone 15?")
    assert isinstance(answer.content, str) and answer.response_metadata["finish_reason"] in ("stop", "length")
    streamed = "".join(chunk.content for chunk in chat.stream("¿Tienen iPhone 15?"))
    assert streamed == answer.content
    folder = write_tiny_bert(tmp_path / "tiny-embed", ["hola mundo", "adiós"])
    embeddings = OpenAIEmbeddings(base_url=server.url + "/v1", api_key="local", model=str(folder),
                                  check_embedding_ctx_length=False, max_retries=0)
    docs = embeddings.embed_documents(["hola mundo", "adiós"])
    query = embeddings.embed_query("hola mundo")
    assert len(docs) == 2 and np.allclose(docs[0], query, atol=1e-5)


def test_concurrent_uploads_and_chats_are_not_lost_or_mixed(server, make_client, tiny_model):
    client = make_client(server)
    with cf.ThreadPoolExecutor(20) as pool:
        uploads = list(pool.map(lambda i: client.files.create(file=(f"c{i}.jsonl", io.BytesIO(LINE % i)),
                                                              purpose="fine-tune"), range(20)))
    assert len({u.id for u in uploads}) == 20
    assert {f.id for f in client.files.list()} >= {u.id for u in uploads}
    for i, u in enumerate(uploads):
        assert client.files.content(u.id).read() == LINE % i

    prompts = [f"Pregunta número {i}: ¿precio del iPhone {i}?" for i in range(20)]
    together, alone = together_and_alone(client, str(tiny_model), prompts, 6)
    assert together == alone


def test_schemathesis_finds_no_server_errors(server, tmp_path):
    done = subprocess.run(
        [str(Path(sys.executable).with_name("schemathesis")), "run", f"{server.url}/openapi.json",
         "--checks", "not_a_server_error", "--max-examples", "8", "--seed", "1", "--request-timeout", "60",
         "--exclude-path-regex", "/v1/(chat/completions|embeddings)$", "--phases", "examples,fuzzing",
         "--suppress-health-check", "all"],
        capture_output=True, text=True, timeout=400, cwd=tmp_path, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
