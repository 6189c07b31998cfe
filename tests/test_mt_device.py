"""[mt] device and compute_type: auto picks CUDA only when CTranslate2 sees a GPU."""

from __future__ import annotations

import pytest

from i18n_pipeline.config import MTSettings, load_settings
from i18n_pipeline.errors import UsageError
from i18n_pipeline.mt import ctranslate2_engine
from i18n_pipeline.mt.ctranslate2_engine import resolve_device


@pytest.mark.parametrize("gpus, expected", [(0, ("cpu", "int8")), (2, ("cuda", "int8_float16"))])
def test_auto_follows_the_cuda_device_count(monkeypatch, gpus, expected):
    import ctranslate2

    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: gpus)
    assert resolve_device(MTSettings()) == expected


def test_explicit_settings_win():
    assert resolve_device(MTSettings(device="cpu"), cuda_devices=4) == ("cpu", "int8")
    assert resolve_device(MTSettings(device="cuda", compute_type="float16"), cuda_devices=0) == ("cuda", "float16")
    assert resolve_device(MTSettings(compute_type="int8_float32"), cuda_devices=0) == ("cpu", "int8_float32")


def test_device_is_read_from_i18n_toml_and_checked(tmp_path):
    config = tmp_path / "i18n.toml"
    config.write_text('[mt]\ndevice = "cuda"\ncompute_type = "int8_float16"\n')
    assert (load_settings(config).mt.device, load_settings(config).mt.compute_type) == ("cuda", "int8_float16")
    config.write_text('[mt]\ndevice = "tpu"\n')
    with pytest.raises(UsageError, match="device"):
        load_settings(config)


def test_the_engine_loads_on_the_resolved_device(monkeypatch):
    seen = {}

    class FakeTranslator:
        def __init__(self, path, **kwargs):
            seen.update(kwargs)

    import ctranslate2

    monkeypatch.setattr(ctranslate2, "Translator", FakeTranslator)
    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: 1)
    ctranslate2_engine.CTranslate2Engine("model", codec=None, info=None, settings=MTSettings())
    assert (seen["device"], seen["compute_type"]) == ("cuda", "int8_float16")
