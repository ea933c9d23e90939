import json
import os
import subprocess
import sys

from django.conf import settings


def test_defaults_run_the_demo_on_sqlite_with_eager_celery():
    if os.environ.get("DATABASE_URL"):
        assert settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    else:
        assert settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
    if not os.environ.get("CELERY_BROKER_URL"):
        assert settings.CELERY_TASK_ALWAYS_EAGER


def test_korean_first_english_available_in_seoul_time():
    assert settings.LANGUAGE_CODE == "ko"
    assert [code for code, _ in settings.LANGUAGES] == ["ko", "en"]
    assert settings.TIME_ZONE == "Asia/Seoul"
    assert settings.USE_TZ


def test_workers_acknowledge_late_and_take_one_task_at_a_time():
    assert settings.CELERY_TASK_ACKS_LATE
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1


def _settings_in_subprocess(tmp_path, extra_env: dict, code: str):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BIGCARE_", "SECRET_KEY"))}
    env.update({"BIGCARE_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "bigcare.settings"})
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=60,
    )


def test_development_keys_are_generated_once_into_var(tmp_path):
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = _settings_in_subprocess(tmp_path, {}, code)
    second = _settings_in_subprocess(tmp_path, {}, code)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    stored = json.loads((tmp_path / "keys.json").read_text())
    assert set(stored) == {"SECRET_KEY", "BIGCARE_FIELD_KEYS", "BIGCARE_INDEX_KEY"}
    assert (tmp_path / "keys.json").stat().st_mode & 0o077 == 0


def test_production_without_keys_refuses_to_start_and_names_them(tmp_path):
    result = _settings_in_subprocess(tmp_path, {"BIGCARE_ENV": "production"}, "pass")
    assert result.returncode != 0
    for name in ("SECRET_KEY", "BIGCARE_FIELD_KEYS", "BIGCARE_INDEX_KEY"):
        assert name in result.stderr


def test_a_malformed_key_is_a_clear_error(tmp_path):
    env = {
        "BIGCARE_ENV": "production",
        "SECRET_KEY": "x" * 50,
        "BIGCARE_FIELD_KEYS": "k1:tooshort",
        "BIGCARE_INDEX_KEY": "AAAA",
    }
    result = _settings_in_subprocess(tmp_path, env, "pass")
    assert result.returncode != 0
    assert "must decode to 32 bytes" in result.stderr


def test_a_bad_boolean_is_refused(tmp_path):
    result = _settings_in_subprocess(tmp_path, {"DEBUG": "maybe"}, "pass")
    assert result.returncode != 0 and "DEBUG='maybe' is not a boolean" in result.stderr
