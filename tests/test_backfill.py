"""backfill on a local Ray (2 CPUs) with the copy models: the same outputs and summary as translate."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from i18n_pipeline.cli import app
from i18n_pipeline.errors import EXIT_USAGE
from i18n_pipeline.mt.store import ModelStore
from i18n_pipeline.runstate import RunManifest
from i18n_pipeline.tm import TranslationMemory

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'i18n-pipeline[ray]'); backfill untested")

SAMPLE = Path(__file__).resolve().parents[1] / "articles" / "000_62d6198c2960ff45.txt"
runner = CliRunner()
CLI = Path(sys.executable).with_name("i18n-pipeline")


@pytest.fixture(scope="module")
def models(tmp_path_factory, copy_package, copy_package_hy):
    root = tmp_path_factory.mktemp("models")
    store = ModelStore(root)
    store.install(copy_package)
    store.install(copy_package_hy)
    return root


@pytest.fixture(scope="module")
def kill_switch(tmp_path_factory) -> Path:
    """While this file exists, the first actor to reach a batch's second locale (its first
    locale's outputs written, the second's not) takes it away and SIGKILLs itself: one kill,
    mid-batch, in whichever actor gets there first. While ``armed-pg`` exists, the first actor
    to write to a PostgreSQL TM has the server terminate its connection mid-transaction."""
    return tmp_path_factory.mktemp("faults") / "armed"


@pytest.fixture(scope="module")
def local_ray(kill_switch):
    switch = str(kill_switch)

    def arm_kill_switch():  # runs in every worker process of this job as it starts
        import os
        import signal

        from i18n_pipeline import pipeline

        finish = pipeline._finish_locale

        def finish_or_die(articles, locale, *args, **kwargs):
            if locale.site == "arm":
                try:
                    os.rename(switch, f"{switch}.{os.getpid()}")  # atomic: one process wins
                except FileNotFoundError:
                    pass
                else:
                    os.kill(os.getpid(), signal.SIGKILL)
            return finish(articles, locale, *args, **kwargs)

        pipeline._finish_locale = finish_or_die

        from i18n_pipeline.tm import postgres

        upsert_many = postgres._Transaction.upsert_many

        def upsert_after_losing_the_connection(self, rows, rule):
            try:  # the server ends this connection mid-transaction, as when PostgreSQL restarts
                os.rename(f"{switch}-pg", f"{switch}-pg.{os.getpid()}")
            except FileNotFoundError:
                pass
            else:
                self._conn.execute("SELECT pg_terminate_backend(pg_backend_pid())")
            return upsert_many(self, rows, rule)

        postgres._Transaction.upsert_many = upsert_after_losing_the_connection

    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False,
             runtime_env={"worker_process_setup_hook": arm_kill_switch})
    ray.data.DataContext.get_current().enable_progress_bars = False
    yield
    ray.shutdown()


def _inbox(tmp_path: Path, count: int) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    text = SAMPLE.read_text(encoding="utf-8")
    for n in range(count):  # the sample, each with its own headline and first sentence
        variant = text.replace("NBC: US allies", f"NBC report {n}: US allies").replace(
            "Certain US allies", f"Certain US allies ({n + 1} of them)")
        (inbox / f"article_{n}.txt").write_text(variant, encoding="utf-8")
    return inbox


def _invoke(command: str, inbox: Path, root: Path, models: Path, *extra: str, env: dict | None = None):
    args = [command, str(inbox), "--to", "ru,arm", "--out", str(root / "out"), "--models", str(models),
            "--state", str(root / "state"), "--json", *extra]
    result = runner.invoke(app, args, env=env)
    return result, (json.loads(result.stdout) if result.stdout.strip().startswith("{") else None)


def _tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _texts(document) -> list[str]:
    """Every target text in an aligned-document JSON, in order."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("target"), dict) and "text" in node["target"]:
                found.append(node["target"]["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    return found


def test_backfill_writes_what_translate_writes(tmp_path, models, local_ray):
    inbox = _inbox(tmp_path, 4)
    single, summary = _invoke("translate", inbox, tmp_path / "single", models)
    assert single.exit_code == 0, single.output
    ray_run, ray_summary = _invoke("backfill", inbox, tmp_path / "ray", models, "--workers", "2",
                                   "--batch-articles", "2")
    assert ray_run.exit_code == 0, ray_run.output
    ray_tree, single_tree = _tree(tmp_path / "ray" / "out"), _tree(tmp_path / "single" / "out")
    assert ray_tree.keys() == single_tree.keys() and len(ray_tree) == 4 * 12
    # The translated articles are byte for byte what translate wrote; the bilingual files differ
    # only in provenance: a sentence an earlier batch translated is a TM hit in a later one.
    for name in ray_tree:
        if name.endswith((".txt", ".html")) and ".review." not in name:
            assert ray_tree[name] == single_tree[name], name
    for name in (n for n in ray_tree if n.endswith(".json")):
        targets = [json.loads(tree[name]) for tree in (ray_tree, single_tree)]
        assert _texts(targets[0]) == _texts(targets[1]) and _texts(targets[0]), name
    for site in ("ru", "arm"):
        ours, theirs = ray_summary["locales"][site], summary["locales"][site]
        assert (ours["segments"], ours["mt"] + ours["tm"], ours["passthrough"]) == (
            theirs["segments"], theirs["mt"] + theirs["tm"], theirs["passthrough"])
    assert sorted(a["stem"] for a in ray_summary["articles"]) == sorted(a["stem"] for a in summary["articles"])
    # the rerun finds everything done and translates nothing
    again, again_summary = _invoke("backfill", inbox, tmp_path / "ray", models)
    assert again.exit_code == 0 and all(s["mt"] == 0 for s in again_summary["locales"].values())
    assert len(again_summary["articles"]) == 4


def test_an_unreachable_ray_address_is_one_line_exit_2(tmp_path, models):
    inbox = _inbox(tmp_path, 1)
    result, _ = _invoke("backfill", inbox, tmp_path, models, "--ray", "127.0.0.1:1")
    assert result.exit_code == EXIT_USAGE
    assert len(result.stderr.strip().splitlines()) == 1 and "no Ray cluster answers" in result.stderr
    assert not (tmp_path / "out").exists()


def _equal_content(ours: dict[str, bytes], theirs: dict[str, bytes]) -> None:
    """The same files; translated articles byte for byte; aligned documents the same targets."""
    assert ours.keys() == theirs.keys()
    for name in ours:
        if name.endswith((".txt", ".html")) and ".review." not in name:
            assert ours[name] == theirs[name], name
        elif name.endswith(".json"):
            texts = [_texts(json.loads(tree[name])) for tree in (ours, theirs)]
            assert texts[0] == texts[1] and texts[0], name


def _done(state: Path, sites=("ru", "arm"), tm_url: str = "") -> set[str]:
    """Inputs the manifest (the state folder's, or the PostgreSQL TM's at ``tm_url``) records as
    finished in every locale."""
    if tm_url:
        with TranslationMemory(tm_url) as memory:
            entries = memory.manifest(state).recorded()
    else:
        entries = RunManifest(state).recorded()
    return {p for p, _ in entries if all((p, site) in entries for site in sites)}


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory, models):
    """translate on the same six articles, one machine, no faults: what every faulty run must end with."""
    root = tmp_path_factory.mktemp("uninterrupted")
    inbox = _inbox(root, 6)
    result, summary = _invoke("translate", inbox, root, models)
    assert result.exit_code == 0, result.output
    return inbox, _tree(root / "out"), summary


@pytest.mark.parametrize("memory", ["sqlite", "postgresql"])
def test_an_actor_killed_mid_batch_loses_nothing_and_writes_nothing_twice(tmp_path, models, local_ray,
                                                                           kill_switch, uninterrupted, memory, request):
    # On PostgreSQL the dead actor's article claims are the run's: the retry takes them again.
    env = {"I18N_PIPELINE_TM_URL": request.getfixturevalue("fresh_postgres")} if memory == "postgresql" else None
    inbox, expected, summary = uninterrupted
    for old in kill_switch.parent.glob("armed.*"):
        old.unlink()
    kill_switch.write_text("")
    result, ray_summary = _invoke("backfill", inbox, tmp_path, models, "--workers", "2", "--batch-articles", "2",
                                  env=env)
    assert result.exit_code == 0, result.output
    assert not kill_switch.exists(), "no actor reached a batch's second locale"
    killed = list(kill_switch.parent.glob("armed.*"))
    assert len(killed) == 1  # one actor died with its batch's ru outputs written and arm not
    _equal_content(_tree(tmp_path / "out"), expected)
    assert not list((tmp_path / "out").rglob("*.tmp*"))
    # every article reported once, none failed, none counted twice
    assert ray_summary is not None, result.stdout[:2000]
    stems = [a["stem"] for a in ray_summary["articles"]]
    assert sorted(stems) == sorted(a["stem"] for a in summary["articles"]) and len(set(stems)) == 6
    assert ray_summary["failed"] == []
    for site in ("ru", "arm"):
        ours, theirs = ray_summary["locales"][site], summary["locales"][site]
        assert (ours["segments"], ours["mt"] + ours["tm"]) == (theirs["segments"], theirs["mt"] + theirs["tm"])
    assert _done(tmp_path / "state", tm_url=(env or {}).get("I18N_PIPELINE_TM_URL", "")) == {
        str(p) for p in inbox.iterdir()}


@pytest.mark.parametrize("memory", ["sqlite", "postgresql"])
def test_a_killed_driver_resumes_translating_only_what_is_not_done(tmp_path, models, local_ray, uninterrupted,
                                                                   memory, request):
    # On PostgreSQL the manifest is the TM's table, and the claims the killed run's actors held
    # (never renewed again) are taken over by the rerun once their lease ends: 2 s here.
    tm_url = request.getfixturevalue("fresh_postgres") if memory == "postgresql" else ""
    config = tmp_path / "i18n.toml"
    config.write_text("[tm]\nlease_s = 2\n", encoding="utf-8")
    env = {**os.environ, "I18N_PIPELINE_TM_URL": tm_url} if tm_url else None
    inbox, expected, _ = uninterrupted
    address = ray.get_runtime_context().gcs_address  # the driver joins this test's Ray, as on a cluster
    command = [str(CLI), "backfill", str(inbox), "--to", "ru,arm", "--out", str(tmp_path / "out"),
               "--models", str(models), "--state", str(tmp_path / "state"), "--ray", address,
               "--workers", "2", "--batch-articles", "1", "--quiet", "--json", "--config", str(config)]
    state = tmp_path / "state"
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env) as driver:
        deadline = time.monotonic() + 60
        while driver.poll() is None and not _done(state, tm_url=tm_url) and time.monotonic() < deadline:
            time.sleep(0.005)
        driver.send_signal(signal.SIGKILL)
        stderr = driver.stderr.read().decode()
    assert driver.returncode == -signal.SIGKILL, stderr  # killed, not finished
    done_before = _done(state, tm_url=tm_url)
    assert 0 < len(done_before) < 6, done_before
    assert (state / "manifest.json").exists() != bool(tm_url)
    written = {p: p.stat().st_ino for p in (tmp_path / "out").rglob("*") if p.is_file()}

    rerun = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert rerun.returncode == 0, rerun.stderr
    _equal_content(_tree(tmp_path / "out"), expected)
    assert _done(state, tm_url=tm_url) == {str(p) for p in inbox.iterdir()}
    # the rerun rewrote (atomically: new inodes) exactly the outputs of the articles not yet done
    rewritten = {p.parent.name for p in (tmp_path / "out").rglob("*")
                 if p.is_file() and written.get(p) != p.stat().st_ino}
    assert rewritten == {Path(p).stem for p in set(map(str, inbox.iterdir())) - done_before}
    assert len(rewritten) == 6 - len(done_before)


def expected_segments_per_article(uninterrupted, site: str) -> int:
    summary = uninterrupted[2]
    assert summary["locales"][site]["segments"] % 6 == 0
    return summary["locales"][site]["segments"] // 6


def test_a_lost_postgres_connection_fails_that_batch_alone_and_the_rerun_finishes_it(
        tmp_path, models, local_ray, kill_switch, fresh_postgres, uninterrupted):
    inbox, expected, _ = uninterrupted
    lose = kill_switch.with_name("armed-pg")
    lose.write_text("")
    env = {"I18N_PIPELINE_TM_URL": fresh_postgres}
    result, summary = _invoke("backfill", inbox, tmp_path, models, "--workers", "2", "--batch-articles", "2", env=env)
    assert not lose.exists(), "no actor wrote to the TM"
    assert result.exit_code == 1, result.output
    failed = summary["failed"]
    assert len(failed) == 2 and len({f["path"] for f in failed}) == 2  # the one batch it hit, one line each
    for failure in failed:
        assert "connection to the translation memory was lost" in failure["error"], failure
        assert "\n" not in failure["error"]
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 2, result.stderr
    # the rest completed: the other four articles, both locales, recorded as done
    finished = {a["path"] for a in summary["articles"]}
    assert len(finished) == 4 and finished.isdisjoint(f["path"] for f in failed)
    assert _done(tmp_path / "state", tm_url=fresh_postgres) == finished
    # the failed batch's counts are not in the summary: each locale counts the four articles' segments
    for site in ("ru", "arm"):
        assert summary["locales"][site]["segments"] == 4 * expected_segments_per_article(uninterrupted, site)
    written = {p: p.stat().st_ino for p in (tmp_path / "out").rglob("*") if p.is_file()}

    rerun, again = _invoke("backfill", inbox, tmp_path, models, "--workers", "2", "--batch-articles", "2", env=env)
    assert rerun.exit_code == 0, rerun.output
    assert again["failed"] == []
    _equal_content(_tree(tmp_path / "out"), expected)
    rewritten = {p.parent.name for p in (tmp_path / "out").rglob("*")
                 if p.is_file() and written.get(p) != p.stat().st_ino}
    assert rewritten == {Path(f["path"]).stem for f in failed}
