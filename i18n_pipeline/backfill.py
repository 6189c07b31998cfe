"""Archive backfill on Ray Data: the ``translate`` path, batch by batch, on a pool of actors.

    driver   checks routes, the TM and the Ray address before any work; holds the TM's run guard
             (the state folder's lock on SQLite; nothing on PostgreSQL, where each batch claims
             its articles); skips what the TM's manifest says is done; feeds batches of articles
             to ``ds.map_batches(BatchTranslator, …)``; merges each batch's report and saves the
             manifest as batches finish (a killed driver's rerun translates only what is not done)
    actor    ``BatchTranslator.__init__`` loads the models, glossary and TM once;
             ``__call__`` runs ``pipeline.translate_batch`` — the function ``translate`` runs,
             not a copy — on one batch and returns its report

Outputs go to the configured out folder and TM rows to the configured memory, so on several
machines both must be shared: a shared filesystem path and ``[tm] url = "postgresql://…"``.
A killed actor is restarted by Ray Data and its batch retried; outputs are written atomically
and the retried batch rewrites the same files, so none is half written or counted twice.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Callable, Sequence

from .config import Settings
from .errors import UnreachableError, UsageError
from .locales import Locale
from .pipeline import BatchContext, BatchItem, LocaleSummary, RunReport, translate_batch

log = logging.getLogger(__name__)

RAY_MISSING = "backfill needs Ray: pip install 'i18n-pipeline[ray]' (make install installs it)"
DEFAULT_PORTS = {"ray://": 10001, "": 6379}
CONNECT_TIMEOUT_S = 3.0


@dataclass(frozen=True)
class BackfillOptions:
    ray: str = "auto"  # "auto": a local Ray on this machine; else a cluster address (host:port, ray://host:port)
    workers: int = 0  # actors; 0 = as many as the cluster has CPUs for (threads_per_worker each)
    batch_articles: int = 8  # articles per actor call: one batched MT call per pair per batch
    threads_per_worker: int = 1


@dataclass
class BackfillHooks:
    on_total: Callable[[int], None] = lambda articles: None
    on_batch: Callable[[int, int], None] = lambda articles, segments: None  # done in one batch


class BatchTranslator:
    """A Ray Data callable class: the models load once per actor, then one batch per call."""

    def __init__(self, settings: Settings, locales: Sequence[Locale], cwd: str = "", run_id: str = ""):
        from .glossary import load_usable_glossary
        from .mt.store import ModelStore
        from .tm import open_memory

        if cwd and Path(cwd).is_dir():
            os.chdir(cwd)  # the driver's relative paths mean the same here (shared filesystem)
        store = ModelStore(settings.models_dir, prefer=settings.sources.choices)
        glossary = load_usable_glossary(settings.glossary_dir)[0] if settings.glossary_dir.is_dir() else None
        for locale in locales:  # load every engine now, not in the first batch
            for info in store.route("en", locale.lang) or []:
                store.load(info, settings.mt)
        self.context = BatchContext(settings, list(locales), store, glossary, open_memory(settings))
        if run_id:
            self.context.run_id = run_id  # the driver's: its claims are this actor's too

    def __call__(self, batch: dict) -> dict:
        items = [BatchItem(path, stem, original, json.loads(keys))
                 for path, stem, original, keys in zip(batch["path"], batch["stem"], batch["original"], batch["keys"])]
        report = RunReport()
        translate_batch(items, self.context, report)
        return {"report": [json.dumps({**report.to_json(), "records": report.records}, ensure_ascii=False)]}


def backfill(inputs: Sequence[Path], locales: Sequence[Locale], settings: Settings,
             options: BackfillOptions = BackfillOptions(), hooks: BackfillHooks | None = None) -> RunReport:
    """Translate ``inputs`` like ``pipeline.run`` does, on Ray; returns the same report."""
    from .fsutil import remove_stale_temp_files
    from .mt.store import ModelStore
    from .pipeline import check_routes, collect_inputs
    from .tm import open_memory

    hooks = hooks or BackfillHooks()
    if options.workers < 0 or options.batch_articles < 1 or options.threads_per_worker < 1:
        raise UsageError("--workers must be 0 or more, --batch-articles and threads 1 or more")
    ray = _import_ray()
    report = RunReport(locales={locale.site: LocaleSummary() for locale in locales})
    store = ModelStore(settings.models_dir, prefer=settings.sources.choices)
    check_routes(store, locales)
    files = collect_inputs(inputs)
    # an unreachable TM: exit 2 here; the run guard is the state folder's lock on the embedded TM
    with open_memory(settings) as tm, tm.run_guard(settings.state_dir) as whole_run:
        started = connect(ray, options)  # an unreachable cluster: exit 2 here, before any work
        try:
            if whole_run:  # left by a killed run (else each batch clears its claimed articles' own)
                remove_stale_temp_files(settings.out_dir)
            context = BatchContext(settings, locales, store, None, tm)
            _translate(ray, inputs, files, context, options, hooks, report)
        finally:
            if started:  # the local Ray (or the connection) this run made ends with it
                ray.shutdown()
    return report


def _translate(ray, inputs, files, context: BatchContext, options: BackfillOptions, hooks: BackfillHooks,
               report: RunReport) -> None:
    from .pipeline import _load_glossary, plan_batch, record_batch

    settings = context.settings
    context.glossary = _load_glossary(settings, report)
    manifest = context.tm.manifest(settings.state_dir)
    todo = plan_batch(inputs, files, context, manifest, report)
    hooks.on_total(len(todo))
    if not todo:
        return
    for row in _dataset(ray, todo, settings, context.locales, options, context.run_id).iter_rows():
        batch = json.loads(row["report"])
        segments = _merge(report, batch)
        record_batch(report, manifest)
        manifest.save()  # per batch: a killed driver's rerun resumes from here
        hooks.on_batch(len(batch["articles"]) + len(batch["failed"]), segments)


def connect(ray, options: BackfillOptions) -> bool:
    """``auto``: start a local Ray; an address: join that cluster, refused in one line when nothing
    answers. False when this process was already connected (the caller then leaves Ray as it is)."""
    if options.ray != "auto":
        _check_reachable(options.ray)
    if ray.is_initialized():
        return False
    quiet = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
    if options.ray == "auto":
        cpus = options.workers * options.threads_per_worker or None
        ray.init(address="local", num_cpus=cpus, **quiet)
    else:
        ray.init(address=options.ray, **quiet)
    ray.data.DataContext.get_current().enable_progress_bars = False
    return True


def _check_reachable(address: str) -> None:
    scheme = "ray://" if address.startswith("ray://") else ""
    host, _, port = address.removeprefix(scheme).rpartition(":")
    if not host:
        host, port = port, ""
    try:
        target = (host, int(port) if port else DEFAULT_PORTS[scheme])
        with socket.create_connection(target, timeout=CONNECT_TIMEOUT_S):
            pass
    except (OSError, ValueError) as exc:
        raise UnreachableError(f"{address}: no Ray cluster answers there ({exc}); start one with "
                               "`ray start --head`, or use --ray auto for a local Ray") from exc


def _dataset(ray, todo: Sequence[BatchItem], settings: Settings, locales: Sequence[Locale], options: BackfillOptions,
             run_id: str):
    from .mt.ctranslate2_engine import resolve_device

    mt = replace(settings.mt, inter_threads=1, intra_threads=options.threads_per_worker)
    cuda = settings.mt.device == "cuda" or (settings.mt.device == "auto" and ray.cluster_resources().get("GPU", 0) > 0)
    if settings.mt.device == "auto":
        mt = replace(mt, device="cuda" if cuda else "cpu")
    workers = options.workers or max(1, int(ray.cluster_resources().get("CPU", 1)) // options.threads_per_worker)
    rows = [{**asdict(item), "keys": json.dumps(item.keys)} for item in todo]
    log.info("backfill: %d article(s) on %d actor(s), device %s", len(rows), workers, resolve_device(mt, 0)[0])
    return ray.data.from_items(rows).map_batches(
        BatchTranslator,
        fn_constructor_kwargs={"settings": replace(settings, mt=mt), "locales": list(locales), "cwd": os.getcwd(),
                               "run_id": run_id},
        batch_size=options.batch_articles,
        # One batch in flight per actor: with more, the first actor to finish loading its models
        # is handed every batch while the others are still starting (measured: 200 articles in two
        # batches ran one after the other on one actor).
        compute=ray.data.ActorPoolStrategy(size=min(workers, len(rows)), max_tasks_in_flight_per_actor=1),
        num_cpus=options.threads_per_worker,
        num_gpus=1 if cuda else 0,
        # a killed actor is recreated and its batch retried
        max_restarts=-1, max_task_retries=-1,
    )


def _merge(report: RunReport, batch: dict) -> int:
    """Add one batch's report to the run's; returns the batch's segment count (all locales)."""
    report.articles += batch["articles"]
    report.failed += batch["failed"]
    report.records += [tuple(record) for record in batch["records"]]
    segments = 0
    for site, counts in batch["locales"].items():
        summary = report.locales.setdefault(site, LocaleSummary())
        summary.add(counts)  # qa includes the batch-wide "inconsistent" count of that batch
        segments += counts.get("segments", 0)
    return segments


def _import_ray():
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as exc:
        raise UsageError(RAY_MISSING) from exc
    return ray
