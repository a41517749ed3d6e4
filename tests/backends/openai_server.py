"""A small OpenAI-compatible chat server for tests: FastAPI + uvicorn on 127.0.0.1, answering
with a real transformers model (greedy), streamed as server-sent events or whole.

Knobs on ``app.state`` make it misbehave on purpose: ``delay_s`` (slow before answering),
``stall_after`` (stop sending mid-stream), ``fail_first`` (answer 503 that many times) and
``api_key`` (require a bearer token). ``app.state.calls`` counts requests, ``app.state.bodies``
keeps them.
"""

from __future__ import annotations

import asyncio
import json
import queue
import threading
import time
from typing import Any, Iterator

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

MODEL_NAME = "tiny-chat"


class _IdStreamer:
    """Receives token ids from ``generate``; the first call carries the prompt."""

    def __init__(self, out: queue.Queue) -> None:
        self.out, self.started = out, False

    def put(self, value: Any) -> None:
        if self.started:
            self.out.put(value.reshape(-1).tolist())
        self.started = True

    def end(self) -> None:
        pass


class ChatModel:
    """Greedy chat completion with a tokenizer's chat template, token by token."""

    def __init__(self, model: Any, tokenizer: Any) -> None:
        self.model, self.tokenizer = model, tokenizer

    def pieces(self, messages: list[dict[str, str]], max_tokens: int) -> Iterator[str]:
        """Text pieces as tokens come out of ``generate`` (one per token, whole characters only)."""
        prompt = self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        enc = self.tokenizer(prompt, return_tensors="pt", add_special_tokens=False)
        tokens: queue.Queue = queue.Queue()
        kwargs = dict(enc, max_new_tokens=max_tokens, do_sample=False, streamer=_IdStreamer(tokens),
                      pad_token_id=self.tokenizer.pad_token_id)
        worker = threading.Thread(target=self._generate, args=(kwargs, tokens), daemon=True)
        worker.start()  # concurrent generate() calls on one model only read its weights
        ids: list[int] = []
        sent = ""
        for new in iter(tokens.get, None):
            ids.extend(new)
            text = self.tokenizer.decode(ids, skip_special_tokens=True)
            if text.endswith("\ufffd") or len(text) <= len(sent):
                continue
            piece, sent = text[len(sent):], text
            yield piece
        text = self.tokenizer.decode(ids, skip_special_tokens=True)
        if len(text) > len(sent):
            yield text[len(sent):]

    def _generate(self, kwargs: dict[str, Any], tokens: queue.Queue) -> None:
        try:
            self.model.generate(**kwargs)
        finally:
            tokens.put(None)

    def text(self, messages: list[dict[str, str]], max_tokens: int) -> str:
        return "".join(self.pieces(messages, max_tokens))


def make_app(chat: ChatModel) -> FastAPI:
    app = FastAPI()
    app.state.delay_s, app.state.stall_after, app.state.fail_first = 0.0, None, 0
    app.state.api_key, app.state.calls, app.state.bodies = None, 0, []

    def refusal(request: Request) -> JSONResponse | None:
        state = request.app.state
        state.calls += 1
        key = state.api_key
        if key and request.headers.get("authorization") != f"Bearer {key}":
            return JSONResponse({"error": {"message": "invalid api key"}}, status_code=401)
        if state.fail_first > 0:
            state.fail_first -= 1
            return JSONResponse({"error": {"message": "model is loading"}}, status_code=503)
        return None

    @app.get("/v1/models")
    async def models(request: Request) -> Any:
        return refusal(request) or {"object": "list", "data": [{"id": MODEL_NAME, "object": "model"}]}

    @app.post("/v1/chat/completions")
    async def completions(request: Request) -> Any:
        refused = refusal(request)
        if refused:
            return refused
        body = await request.json()
        request.app.state.bodies.append(body)
        await asyncio.sleep(request.app.state.delay_s)
        messages, max_tokens = body["messages"], int(body.get("max_tokens") or 32)
        if body.get("stream"):
            events = sse(chat.pieces(messages, max_tokens), request.app.state.stall_after)
            return StreamingResponse(events, media_type="text/event-stream")
        text = await asyncio.to_thread(chat.text, messages, max_tokens)
        return {"id": "cmpl-1", "object": "chat.completion", "model": body["model"],
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}]}

    return app


def sse(pieces: Iterator[str], stall_after: int | None) -> Iterator[str]:
    for i, piece in enumerate(pieces):
        if stall_after is not None and i == stall_after:
            time.sleep(5)
        chunk = {"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": piece}}]}
        yield f"data: {json.dumps(chunk)}\n\n"
    yield "data: [DONE]\n\n"


class LoopbackServer:
    """uvicorn in a thread on 127.0.0.1 with a free port; ``with`` stops it."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.app = app
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                                                    lifespan="off", timeout_graceful_shutdown=1))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "LoopbackServer":
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    @property
    def base_url(self) -> str:
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/v1"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
