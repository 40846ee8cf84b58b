"""ASR engines on real speech: word error rate against the published references, word times."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest
import torch
from django.core.exceptions import ImproperlyConfigured

from deesc_lms.calls import asr

STEREO_LEFT = "He began a confused complaint against the wizard, who had vanished behind the curtain on the left."
STEREO_RIGHT = "The horizon seems extremely distant."
JFK = "And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country."

pytestmark = pytest.mark.slow


def assert_word_times_sane(result: asr.Transcription) -> None:
    words = [w for s in result.segments for w in s.words]
    assert words, "no words came back"
    starts = [w.start for w in words]
    assert starts == sorted(starts)
    assert all(0 <= w.start <= w.end <= result.duration_s + 1e-6 for w in words)


@pytest.mark.parametrize(("channel", "reference"), [(0, STEREO_LEFT), (1, STEREO_RIGHT)])
def test_each_channel_of_the_stereo_reference_is_transcribed_on_its_own(shared_data, channel, reference):
    result = asr.transcribe_file(shared_data / "audio" / "stereo_diarization.wav", channel=channel)

    assert asr.word_error_rate(reference, result.text) <= 0.2
    assert all(s.channel == channel for s in result.segments)
    assert result.engine == "faster-whisper" and result.model == "tiny.en"
    assert result.seconds > 0 and result.duration_s == pytest.approx(5.0, abs=0.05)
    assert_word_times_sane(result)


def test_jfk_at_44k_flac(shared_data):
    result = asr.transcribe_file(shared_data / "audio" / "jfk.flac")

    assert asr.word_error_rate(JFK, result.text) <= 0.2
    assert result.duration_s == pytest.approx(11.0, abs=0.1)
    assert_word_times_sane(result)
    ask = next(w for s in result.segments for w in s.words if w.word.lower().startswith("ask"))
    assert 2.0 < ask.start < 5.0  # "ask not" is said around 3 s in


def test_narrowband_mulaw_telephone_audio(shared_data, tmp_path):
    from tests.calls.conftest import ffmpeg

    phone = ffmpeg(
        shared_data / "audio" / "jfk.flac", tmp_path / "jfk-8k.wav", "-ar", "8000", "-ac", "1", "-acodec", "pcm_mulaw"
    )

    result = asr.transcribe_file(phone)

    assert asr.word_error_rate(JFK, result.text) <= 0.25


def test_accurate_preset_joins_the_base_model_once_and_transcribes(settings, tmp_path, shared_data):
    settings.DATA_DIR = tmp_path
    settings.DEESC_ASR_PRESET = "accurate"

    folder = asr.prepare_accurate_model()
    first_write = (folder / "model.bin").stat().st_mtime_ns
    again = asr.prepare_accurate_model()

    assert again == folder
    assert (folder / "model.bin").stat().st_mtime_ns == first_write  # joined once, not rewritten
    assert {p.name for p in folder.iterdir()} == {"config.json", "tokenizer.json", "vocabulary.txt", "model.bin"}
    result = asr.transcribe_file(shared_data / "audio" / "jfk.flac")
    assert result.model == "base"
    assert asr.word_error_rate(JFK, result.text) <= 0.2


def test_a_missing_model_names_the_setting(settings, tmp_path):
    settings.DEESC_ASR_MODEL = str(tmp_path / "nowhere")
    with pytest.raises(ImproperlyConfigured, match="DEESC_ASR_MODEL"):
        asr.get_engine()
    settings.DEESC_ASR_MODEL = ""
    with pytest.raises(ImproperlyConfigured, match="DEESC_ASR_MODEL"):
        asr.get_engine("whisper-timestamped")
    with pytest.raises(ImproperlyConfigured, match="DEESC_ASR_ENGINE"):
        asr.get_engine("vosk")


def write_tiny_whisper_checkpoint(path: Path, text: str, end_s: float) -> None:
    """A tiny openai-whisper model whose decoder is wired to say `text` between 0 and `end_s`.

    The decoder blocks are silenced, so each position's output is its positional embedding,
    pointed at the token wanted next; whisper.load_model reads the file like any checkpoint."""
    from whisper.model import ModelDimensions, Whisper
    from whisper.tokenizer import get_tokenizer

    torch.manual_seed(0)
    dims = ModelDimensions(
        n_mels=80, n_audio_ctx=1500, n_audio_state=64, n_audio_head=2, n_audio_layer=1,
        n_vocab=51864, n_text_ctx=448, n_text_state=64, n_text_head=2, n_text_layer=2,
    )  # fmt: skip
    model = Whisper(dims)
    tokenizer = get_tokenizer(multilingual=False)
    wanted = [
        tokenizer.timestamp_begin,
        *tokenizer.encode(" " + text),
        tokenizer.timestamp_begin + int(end_s / 0.02),
        tokenizer.eot,
    ]
    with torch.no_grad():
        embedding = torch.randn(dims.n_vocab, dims.n_text_state)
        model.decoder.token_embedding.weight.copy_(embedding)
        positions = torch.zeros(dims.n_text_ctx, dims.n_text_state)
        for position, token in enumerate(wanted):
            positions[position] = 40 * embedding[token]
        model.decoder.positional_embedding.copy_(positions)
        for block in model.decoder.blocks:
            for layer in (block.attn.out, block.cross_attn.out, block.mlp[2]):
                layer.weight.zero_()
                if layer.bias is not None:
                    layer.bias.zero_()
        model.decoder.ln.weight.fill_(4.0)
    torch.save({"dims": asdict(dims), "model_state_dict": model.state_dict()}, path)


def test_whisper_timestamped_engine_loads_a_local_checkpoint(settings, tmp_path, shared_data):
    checkpoint = tmp_path / "tiny-test.pt"
    write_tiny_whisper_checkpoint(checkpoint, "And so my fellow Americans, ask not", end_s=4.0)
    settings.DEESC_ASR_ENGINE = "whisper-timestamped"
    settings.DEESC_ASR_MODEL = str(checkpoint)

    result = asr.transcribe_file(shared_data / "audio" / "jfk.flac")

    assert result.engine == "whisper-timestamped" and result.model == "tiny-test.pt"
    assert [w.word for s in result.segments for w in s.words] == [
        "And",
        "so",
        "my",
        "fellow",
        "Americans,",
        "ask",
        "not",
    ]
    assert result.text == "And so my fellow Americans, ask not"
    assert_word_times_sane(result)
    assert result.segments[0].end <= 4.0 + 1e-6


def test_word_error_rate():
    assert asr.word_error_rate("the cat sat", "the cat sat") == 0
    assert asr.word_error_rate("the cat sat", "The cat, sat.") == 0
    assert asr.word_error_rate("the cat sat on the mat", "the cat on a mat") == pytest.approx(2 / 6)
    assert asr.word_error_rate("within five working days", "within 5 working days") == 0
